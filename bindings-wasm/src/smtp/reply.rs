//! `Reply`: one parsed server reply and the core's classification of it.

use crate::errors::IntoJs;
use js_sys::Array;
use mailwright::smtp;
use wasm_bindgen::prelude::*;

/// One SMTP reply.
#[wasm_bindgen]
pub struct Reply {
    inner: smtp::Reply,
}

#[wasm_bindgen]
impl Reply {
    /// Parses exactly one complete reply; throws Protocol for anything else.
    pub fn parse(data: &[u8]) -> Result<Reply, JsValue> {
        smtp::Reply::parse(data).map(|inner| Reply { inner }).js()
    }

    #[wasm_bindgen(getter)]
    pub fn code(&self) -> u16 {
        self.inner.code()
    }

    /// The enhanced status code, e.g. "5.7.8".
    #[wasm_bindgen(getter, js_name = enhancedCode)]
    pub fn enhanced_code(&self) -> Option<String> {
        self.inner.enhanced().map(|e| e.to_string())
    }

    /// The text of every line, joined.
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.inner.text()
    }

    /// The text of each line, without the code and separator.
    #[wasm_bindgen(getter)]
    pub fn lines(&self) -> Array {
        self.inner
            .lines()
            .iter()
            .map(|l| JsValue::from_str(l))
            .collect()
    }

    /// The core's class name: "Positive", "Intermediate", "Transient",
    /// "Permanent" or "RateLimited".
    #[wasm_bindgen(getter)]
    pub fn classification(&self) -> String {
        self.inner.class().as_str().to_string()
    }

    /// True when the same command may succeed later (the core's rule).
    #[wasm_bindgen(getter)]
    pub fn transient(&self) -> bool {
        self.inner.class().is_transient()
    }

    /// The queue id of a reply to the end of DATA.
    #[wasm_bindgen(getter, js_name = queueId)]
    pub fn queue_id(&self) -> Option<String> {
        self.inner.queue_id().map(str::to_string)
    }
}
