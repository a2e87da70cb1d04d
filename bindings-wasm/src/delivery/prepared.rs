//! `Prepared`: a message ready for the dispatcher (dot-stuffed once, with
//! its envelope), made from a `Message`, a `MessageInit` or raw bytes.

use crate::convert::{list, string, text_or_bytes};
use crate::errors::IntoJs;
use crate::message::{Message, build};
use js_sys::Array;
use mailwright::delivery;
use wasm_bindgen::prelude::*;

/// A message ready for a `Dispatcher`: its bytes (held in WebAssembly
/// memory until it is freed) and its envelope.
#[wasm_bindgen]
pub struct Prepared {
    pub(crate) inner: delivery::Prepared,
}

#[wasm_bindgen]
impl Prepared {
    /// A built message, with its own envelope (the message stays usable).
    pub fn message(message: &Message) -> Result<Prepared, JsValue> {
        Prepared::from_message(&message.inner)
    }

    /// Builds a `MessageInit` (as `new Message(init)` does) and prepares it,
    /// keeping no `Message`.
    pub fn build(init: JsValue) -> Result<Prepared, JsValue> {
        Prepared::from_message(&build(&init)?)
    }

    /// Raw RFC 5322 bytes (a string or a Uint8Array) with an explicit
    /// envelope: `sender` ("" for the null reverse-path) and `recipients`
    /// (one address or an array). Bare LF line ends become CRLF; the
    /// addresses are checked as the builder checks them.
    pub fn raw(data: JsValue, sender: JsValue, recipients: JsValue) -> Result<Prepared, JsValue> {
        let data = text_or_bytes(data, "data")?;
        let sender = string(sender, "sender")?;
        let recipients = list(recipients)
            .into_iter()
            .map(|r| string(r, "recipients"))
            .collect::<Result<Vec<String>, JsValue>>()?;
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        delivery::Prepared::raw(&data, &sender, &refs)
            .map(|inner| Prepared { inner })
            .js()
    }

    /// The Message-ID (without angle brackets), when the message has one.
    #[wasm_bindgen(getter, js_name = messageId)]
    pub fn message_id(&self) -> Option<String> {
        self.inner.message_id().map(str::to_string)
    }

    /// The same message under a key (an order id, a CSV row) that its
    /// outcome carries back (a new Prepared; this one stays usable). Throws
    /// InvalidKey for an empty key, one with control characters or longer
    /// than the core allows.
    #[wasm_bindgen(js_name = withKey)]
    pub fn with_key(&self, key: JsValue) -> Result<Prepared, JsValue> {
        let key = string(key, "key")?;
        self.inner
            .clone()
            .with_key(&key)
            .map(|inner| Prepared { inner })
            .js()
    }

    /// The key its outcome carries, when it has one.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> Option<String> {
        self.inner.key().map(str::to_string)
    }

    /// The size announced with `SIZE=`, in bytes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.inner.size() as f64
    }

    /// The envelope sender (MAIL FROM).
    #[wasm_bindgen(getter)]
    pub fn sender(&self) -> String {
        self.inner.sender().to_string()
    }

    /// The envelope recipients (RCPT TO), in order, without duplicates.
    #[wasm_bindgen(getter)]
    pub fn recipients(&self) -> Array {
        self.inner
            .recipients()
            .iter()
            .map(|r| JsValue::from_str(r))
            .collect()
    }
}

impl Prepared {
    fn from_message(message: &mailwright::Message) -> Result<Prepared, JsValue> {
        delivery::Prepared::message(message)
            .map(|inner| Prepared { inner })
            .js()
    }
}
