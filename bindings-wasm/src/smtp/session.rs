//! `Session`: the core's sans-IO SMTP session. Feed it the server's bytes,
//! send what it gives, read its events. Node's `send()` and `Client` drive it
//! over node:net/tls (npm/node/transport.cjs).

use super::credentials::Credentials;
use crate::convert::{missing, number_text, opt_bool, opt_number, opt_string, set, string};
use crate::errors::{IntoJs, js_error, type_error};
use crate::message::Message;
use js_sys::{Array, Object};
use mailwright::smtp::settings::timeout_from_millis;
use mailwright::smtp::{self, ConnectionLoss, SessionConfig, TlsMode};
use mailwright::{Error, ErrorKind};
use std::time::Duration;
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

/// Refused recipients as `[{ address, code, text }]`.
pub(crate) fn refused(list: &[(String, smtp::Reply)]) -> Array {
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
    /// `init`: `{ helloName, tls, pipelining, transcript, allowPlaintextAuth,
    /// replyTimeout, messageTimeout }`, each optional (the core's defaults);
    /// `tls` is a TLS mode name ("starttls", "opportunistic", "implicit",
    /// "none"); time-outs in milliseconds. `credentials` (optional) are taken
    /// by value: pass `creds.clone()` to keep yours. Throws InvalidOption /
    /// InvalidCredentials.
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
            if let Some(on) = opt_bool(&init, "allowPlaintextAuth")? {
                config.allow_plaintext_auth = on;
            }
            if let Some(millis) = opt_number(&init, "replyTimeout")? {
                config.reply_timeout = timeout_from_millis(millis).js()?;
            }
            if let Some(millis) = opt_number(&init, "messageTimeout")? {
                config.message_timeout = timeout_from_millis(millis).js()?;
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
    pub fn connection_lost(&mut self, cause: JsValue, detail: JsValue) -> Result<(), JsValue> {
        let cause = ConnectionLoss::from_name(&string(cause, "cause")?).js()?;
        let detail = if missing(&detail) {
            String::new()
        } else {
            string(detail, "detail")?
        };
        self.inner.connection_lost(cause, &detail);
        Ok(())
    }

    /// Tells the session the time: milliseconds on any monotonic clock (e.g.
    /// `performance.now()`). The session fails with Timeout when a reply or
    /// a message takes too long; a transport calls it whenever it wakes up
    /// (data, a timer) and before sending. A negative or non-finite time is
    /// InvalidOption.
    pub fn advance(&mut self, now_ms: f64) -> Result<(), JsValue> {
        let now = Duration::try_from_secs_f64(now_ms / 1000.0).map_err(|_| {
            js_error(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "the time must be a finite number of milliseconds, 0 or more; {} was given",
                    number_text(now_ms)
                ),
            ))
        })?;
        self.inner.advance(now);
        Ok(())
    }

    /// When (on the clock given to `advance`, in milliseconds) the session
    /// must hear from the server, or undefined when it waits for nothing:
    /// wait at most until then, then call `advance`.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|d| d.as_secs_f64() * 1000.0)
    }

    /// True when no message is queued or in flight.
    #[wasm_bindgen(getter, js_name = isIdle)]
    pub fn is_idle(&self) -> bool {
        self.inner.is_idle()
    }

    /// True once TLS is on (STARTTLS done, or implicit TLS).
    #[wasm_bindgen(getter, js_name = isTls)]
    pub fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }

    /// How many transcript lines were dropped (oldest first) because the
    /// transcript was full: drain it with `takeTranscript()` as you go.
    #[wasm_bindgen(getter, js_name = transcriptDropped)]
    pub fn transcript_dropped(&self) -> f64 {
        self.inner.transcript_dropped() as f64
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

    /// The conversation since the last call as `[direction, text]` pairs
    /// (direction "client" or "server"), secrets masked, and emptied (the
    /// core keeps at most its `MAX_TRANSCRIPT_LINES`).
    #[wasm_bindgen(js_name = takeTranscript)]
    pub fn take_transcript(&mut self) -> Array {
        self.inner
            .take_transcript()
            .into_iter()
            .map(|l| JsValue::from(Array::of2(&l.direction.as_str().into(), &l.text.into())))
            .collect()
    }
}
