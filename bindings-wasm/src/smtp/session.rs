//! `Session`: the core's sans-IO SMTP session. Feed it the server's bytes,
//! send what it gives, read its events. Node's `send()` and `Client` drive it
//! over node:net/tls (npm/node/transport.cjs).

use super::credentials::Credentials;
use crate::convert::{opt_bool, opt_string, set};
use crate::errors::{IntoJs, js_error, type_error};
use crate::message::Message;
use js_sys::{Array, Object};
use mailwright::smtp::{self, ConnectionLoss, SessionConfig, TlsMode};
use wasm_bindgen::prelude::*;

/// The sans-IO SMTP session.
#[wasm_bindgen]
pub struct Session {
    inner: smtp::Session,
}

impl Session {
    /// A session for this configuration (checked by the core).
    pub(crate) fn from_config(config: SessionConfig) -> Result<Session, JsValue> {
        smtp::Session::new(config)
            .map(|inner| Session { inner })
            .js()
    }
}

fn refused(list: &[(String, smtp::Reply)]) -> Array {
    list.iter()
        .map(|(address, reply)| {
            let r = Object::new();
            set(&r, "address", &JsValue::from_str(address));
            set(&r, "code", &JsValue::from(reply.code()));
            set(&r, "text", &JsValue::from_str(&reply.text()));
            JsValue::from(r)
        })
        .collect()
}

fn send_result(report: smtp::SendReport) -> Object {
    let object = Object::new();
    set(&object, "handle", &JsValue::from_f64(report.handle as f64));
    if let Some(id) = &report.queue_id {
        set(&object, "queueId", &JsValue::from_str(id));
    }
    let accepted: Array = report
        .accepted
        .iter()
        .map(|a| JsValue::from_str(a))
        .collect();
    set(&object, "accepted", &accepted);
    set(&object, "refused", &refused(&report.refused));
    set(&object, "code", &JsValue::from(report.reply.code()));
    object
}

#[wasm_bindgen]
impl Session {
    /// `init`: `{ helloName, tls, pipelining, transcript }`, each optional (the
    /// core's defaults); `tls` is a TLS mode name ("starttls", "opportunistic",
    /// "implicit", "none"). `credentials` (optional) are taken by value: pass
    /// `creds.clone()` to keep yours. Throws InvalidOption / InvalidCredentials.
    #[wasm_bindgen(constructor)]
    pub fn new(init: JsValue, credentials: Option<Credentials>) -> Result<Session, JsValue> {
        let mut config = SessionConfig::default();
        if !init.is_undefined() && !init.is_null() {
            if !init.is_object() {
                return Err(type_error("Session init must be an object".into()));
            }
            if let Some(name) = opt_string(&init, "helloName")? {
                config.hello_name = name;
            }
            if let Some(tls) = opt_string(&init, "tls")? {
                config.tls = TlsMode::from_name(&tls).js()?;
            }
            if let Some(on) = opt_bool(&init, "pipelining")? {
                config.pipelining = on;
            }
            if let Some(on) = opt_bool(&init, "transcript")? {
                config.transcript = on;
            }
        }
        config.credentials = credentials.map(|c| c.inner);
        Session::from_config(config)
    }

    /// Feeds bytes received from the server.
    pub fn receive(&mut self, data: &[u8]) {
        self.inner.receive(data);
    }

    /// Everything waiting to be sent to the server.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self) -> Vec<u8> {
        self.inner.take_output()
    }

    /// Queues a message; returns its handle.
    pub fn send(&mut self, message: &Message) -> Result<f64, JsValue> {
        self.inner.send(&message.inner).map(|h| h as f64).js()
    }

    /// QUIT once every queued message is done.
    pub fn quit(&mut self) {
        self.inner.quit();
    }

    /// Call after the TLS handshake a "StartTls" event asked for.
    #[wasm_bindgen(js_name = tlsEstablished)]
    pub fn tls_established(&mut self) {
        self.inner.tls_established();
    }

    /// The connection is gone. `cause` is the core's name of what the
    /// transport saw: "closed", "timeout", "tls" or "connect"; `detail`
    /// (optional) what it knows (an OS error, a TLS alert). The core makes
    /// the error kind. Throws InvalidOption for an unknown cause.
    #[wasm_bindgen(js_name = connectionLost)]
    pub fn connection_lost(&mut self, cause: &str, detail: Option<String>) -> Result<(), JsValue> {
        let cause = ConnectionLoss::from_name(cause).js()?;
        self.inner
            .connection_lost(cause, detail.as_deref().unwrap_or(""));
        Ok(())
    }

    /// True when the session waits for the transport's TLS handshake.
    #[wasm_bindgen(getter, js_name = wantsTls)]
    pub fn wants_tls(&self) -> bool {
        self.inner.wants_tls()
    }

    /// True when the session is over.
    #[wasm_bindgen(getter, js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    /// The next event, or undefined: `{ kind, ... }` with `kind` the core's
    /// event name ("StartTls", "Ready", "Sent", "Failed", "Error", "Closed").
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&mut self) -> JsValue {
        let Some(event) = self.inner.poll_event() else {
            return JsValue::UNDEFINED;
        };
        let object = Object::new();
        set(&object, "kind", &JsValue::from_str(event.as_str()));
        match event {
            smtp::Event::Sent(report) => {
                set(&object, "handle", &JsValue::from_f64(report.handle as f64));
                set(&object, "result", &send_result(report));
            }
            smtp::Event::Failed(failure) => {
                set(&object, "handle", &JsValue::from_f64(failure.handle as f64));
                set(&object, "refused", &refused(&failure.refused));
                set(&object, "error", &js_error(failure.error));
            }
            smtp::Event::Error(error) => set(&object, "error", &js_error(error)),
            smtp::Event::StartTls | smtp::Event::Ready | smtp::Event::Closed => {}
        }
        object.into()
    }

    /// The conversation so far as `[direction, text]` pairs (direction
    /// "client" or "server"), secrets masked.
    #[wasm_bindgen(js_name = takeTranscript)]
    pub fn take_transcript(&mut self) -> Array {
        self.inner
            .take_transcript()
            .into_iter()
            .map(|l| JsValue::from(Array::of2(&l.direction.as_str().into(), &l.text.into())))
            .collect()
    }
}
