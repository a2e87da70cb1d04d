//! The WebAssembly binding: converts JS values to the core's types and core
//! errors to JS `Error` objects (see js/errors.js); no rule lives here.
//! The date comes from JS (`Date.now()`), random numbers from
//! `crypto.getRandomValues` (the core's `wasm-js` feature).

use js_sys::{Array, Object, Reflect, Uint8Array};
use mailwright::smtp::{self, Session as CoreSession, SessionConfig, TlsPolicy, auth};
use mailwright::{Attachment, Inline, MailboxSpec, XSmtpApi};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The package's `MailwrightError` and `SmtpError` classes (js/errors.mjs),
    /// registered by its entry points with `__registerErrors`.
    static ERROR_CLASSES: std::cell::RefCell<Option<(js_sys::Function, js_sys::Function)>> = const { std::cell::RefCell::new(None) };
}

/// Called once by the package's entry points (not for users).
#[wasm_bindgen(js_name = __registerErrors)]
pub fn register_errors(base: js_sys::Function, smtp: js_sys::Function) {
    ERROR_CLASSES.with(|c| *c.borrow_mut() = Some((base, smtp)));
}

fn make_error(
    message: &str,
    code: &str,
    error_code: u32,
    smtp_code: u16,
    enhanced: Option<String>,
    text: Option<String>,
) -> JsValue {
    let classes = ERROR_CLASSES.with(|c| c.borrow().clone());
    if let Some((base, smtp)) = classes {
        let args: Array = if smtp_code != 0 {
            [
                JsValue::from_str(message),
                code.into(),
                error_code.into(),
                smtp_code.into(),
                enhanced.map_or(JsValue::UNDEFINED, JsValue::from),
                text.map_or(JsValue::UNDEFINED, JsValue::from),
            ]
            .into_iter()
            .collect()
        } else {
            [JsValue::from_str(message), code.into(), error_code.into()]
                .into_iter()
                .collect()
        };
        let class = if smtp_code != 0 { smtp } else { base };
        if let Ok(error) = Reflect::construct(&class, &args) {
            return error;
        }
    }
    // Not registered (the raw module used directly): a plain Error with the same fields.
    let error = js_sys::Error::new(message);
    error.set_name("MailwrightError");
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    let _ = Reflect::set(&error, &"errorCode".into(), &error_code.into());
    error.into()
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A mailbox: "Name <addr@example.com>", "addr@example.com", or { name, address }. */
export type Mailbox = string | { name?: string | null; address: string };
/** Bytes for a part: a Uint8Array (copied once into WebAssembly memory) or an ArrayBuffer. */
export type BytesLike = Uint8Array | ArrayBuffer;
/** SendCloud's X-SMTPAPI value. */
export interface XSmtpApiInit {
  to?: string[];
  /** One list of values per variable, as long as `to`. */
  sub?: Record<string, string[]>;
  section?: Record<string, string>;
  openTracking?: boolean;
  clickTracking?: boolean;
  subscriptionTracking?: boolean;
}
/** Everything a message can hold. Only `from` and one recipient are required. */
export interface MessageInit {
  from: Mailbox;
  to?: Mailbox | Mailbox[];
  cc?: Mailbox | Mailbox[];
  bcc?: Mailbox | Mailbox[];
  replyTo?: Mailbox | Mailbox[];
  sender?: Mailbox;
  envelopeFrom?: Mailbox;
  subject?: string;
  text?: string;
  html?: string;
  inline?: { cid: string; contentType: string; data: BytesLike; filename?: string }[];
  attachments?: { filename: string; contentType: string; data: BytesLike }[];
  /** Custom headers, in order: an object or [name, value] pairs. */
  headers?: Record<string, string> | [string, string][];
  /** SendCloud SC-Custom-<key> headers. */
  scCustom?: Record<string, string> | [string, string][];
  xSmtpApi?: XSmtpApiInit;
  /** Fix for deterministic output. */
  messageId?: string;
  inReplyTo?: string | string[];
  references?: string | string[];
  /** A Date, or seconds (not milliseconds) since the Unix epoch. Default: now. */
  date?: Date | number;
  /** Fix for deterministic output. */
  boundarySeed?: string;
}
/** The SMTP envelope. */
export interface Envelope { sender: string; recipients: string[] }
/** What a server accepted. */
export interface SendResult {
  handle: number;
  queueId?: string;
  accepted: string[];
  refused: { address: string; code: number; text: string }[];
}
/** An event of a Session. */
export interface SessionEvent {
  kind: "start_tls" | "ready" | "sent" | "failed" | "error" | "closed";
  handle?: number;
  result?: SendResult;
  error?: Error;
}
export interface SessionInit {
  helloName?: string;
  tls?: "required" | "opportunistic" | "never";
  implicitTls?: boolean;
  pipelining?: boolean;
  transcript?: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "MessageInit")]
    pub type MessageInit;
    #[wasm_bindgen(typescript_type = "SessionInit")]
    pub type SessionInit;
    #[wasm_bindgen(typescript_type = "Envelope")]
    pub type EnvelopeJs;
    #[wasm_bindgen(typescript_type = "SessionEvent | undefined")]
    pub type EventJs;
}

/// A core error as a thrown JS Error.
fn js_error(err: mailwright::Error) -> JsValue {
    let reply = err.reply();
    make_error(
        &err.to_string(),
        err.kind().as_str(),
        err.kind().code(),
        reply.map_or(0, |r| r.code()),
        reply.and_then(|r| r.enhanced()).map(|e| e.to_string()),
        reply.map(|r| r.text()),
    )
}

fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
}

fn missing(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn string(v: JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| type_error(format!("{what} must be a string")))
}

fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = get(obj, key)?;
    if missing(&v) {
        Ok(None)
    } else {
        string(v, key).map(Some)
    }
}

fn mailbox(v: JsValue, what: &str) -> Result<MailboxSpec, JsValue> {
    if let Some(text) = v.as_string() {
        return Ok(MailboxSpec::Text(text));
    }
    if v.is_object() && !Array::is_array(&v) {
        let name = opt_string(&v, "name")?;
        let address = string(get(&v, "address")?, &format!("{what}.address"))?;
        return Ok(MailboxSpec::Parts(name, address));
    }
    Err(type_error(format!(
        "{what} must be a string or {{ name, address }}"
    )))
}

fn list(v: JsValue, what: &str) -> Result<Vec<JsValue>, JsValue> {
    if missing(&v) {
        return Ok(Vec::new());
    }
    if Array::is_array(&v) {
        return Ok(Array::from(&v).iter().collect());
    }
    let _ = what;
    Ok(vec![v])
}

fn bytes(v: JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(array) = v.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if let Some(buffer) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    Err(type_error(format!(
        "{what} must be a Uint8Array or an ArrayBuffer"
    )))
}

fn pairs(v: JsValue, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    if missing(&v) {
        return Ok(Vec::new());
    }
    let entries: Vec<JsValue> = if Array::is_array(&v) {
        Array::from(&v).iter().collect()
    } else if v.is_object() {
        Object::entries(v.unchecked_ref()).iter().collect()
    } else {
        return Err(type_error(format!(
            "{what} must be an object or [name, value] pairs"
        )));
    };
    entries
        .into_iter()
        .map(|pair| {
            let pair = Array::from(&pair);
            Ok((string(pair.get(0), what)?, string(pair.get(1), what)?))
        })
        .collect()
}

fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn x_smtpapi(v: &JsValue) -> Result<XSmtpApi, JsValue> {
    let mut api = XSmtpApi::new();
    for to in list(get(v, "to")?, "xSmtpApi.to")? {
        api = api.to(string(to, "xSmtpApi.to")?);
    }
    let sub = get(v, "sub")?;
    if !missing(&sub) {
        for entry in Object::entries(sub.unchecked_ref()).iter() {
            let entry = Array::from(&entry);
            let values = list(entry.get(1), "xSmtpApi.sub")?
                .into_iter()
                .map(|s| string(s, "xSmtpApi.sub values"))
                .collect::<Result<Vec<_>, _>>()?;
            api = api.sub(string(entry.get(0), "xSmtpApi.sub")?, values);
        }
    }
    for (name, value) in pairs(get(v, "section")?, "xSmtpApi.section")? {
        api = api.section(name, value);
    }
    for (key, setter) in [
        (
            "openTracking",
            XSmtpApi::open_tracking as fn(XSmtpApi, bool) -> XSmtpApi,
        ),
        ("clickTracking", XSmtpApi::click_tracking),
        ("subscriptionTracking", XSmtpApi::subscription_tracking),
    ] {
        if let Some(on) = get(v, key)?.as_bool() {
            api = setter(api, on);
        }
    }
    Ok(api)
}

/// A built, immutable e-mail message.
#[wasm_bindgen]
pub struct Message {
    inner: mailwright::Message,
}

#[wasm_bindgen]
impl Message {
    /// Validates everything and builds the message; throws a MailwrightError
    /// (with `code`, e.g. "HeaderInjection") or a TypeError.
    #[wasm_bindgen(constructor)]
    pub fn new(init: MessageInit) -> Result<Message, JsValue> {
        let init: JsValue = init.into();
        if !init.is_object() {
            return Err(type_error("Message needs an init object".into()));
        }
        let mut b = mailwright::Message::builder().clock(Arc::new(now_seconds));
        let from = get(&init, "from")?;
        if !missing(&from) {
            b = b.from(mailbox(from, "from")?);
        }
        for (key, single) in [("sender", true), ("envelopeFrom", true)] {
            let v = get(&init, key)?;
            if single && !missing(&v) {
                let m = mailbox(v, key)?;
                b = if key == "sender" {
                    b.sender(m)
                } else {
                    b.envelope_from(m)
                };
            }
        }
        for key in ["replyTo", "to", "cc", "bcc"] {
            for v in list(get(&init, key)?, key)? {
                let m = mailbox(v, key)?;
                b = match key {
                    "replyTo" => b.reply_to(m),
                    "to" => b.to(m),
                    "cc" => b.cc(m),
                    _ => b.bcc(m),
                };
            }
        }
        if let Some(s) = opt_string(&init, "subject")? {
            b = b.subject(s);
        }
        if let Some(s) = opt_string(&init, "text")? {
            b = b.text(s);
        }
        if let Some(s) = opt_string(&init, "html")? {
            b = b.html(s);
        }
        for part in list(get(&init, "inline")?, "inline")? {
            let mut inline = Inline::new(
                string(get(&part, "cid")?, "inline.cid")?,
                string(get(&part, "contentType")?, "inline.contentType")?,
                bytes(get(&part, "data")?, "inline.data")?,
            );
            if let Some(name) = opt_string(&part, "filename")? {
                inline = inline.filename(name);
            }
            b = b.inline(inline);
        }
        for part in list(get(&init, "attachments")?, "attachments")? {
            b = b.attachment(Attachment::new(
                string(get(&part, "filename")?, "attachments.filename")?,
                string(get(&part, "contentType")?, "attachments.contentType")?,
                bytes(get(&part, "data")?, "attachments.data")?,
            ));
        }
        for (name, value) in pairs(get(&init, "headers")?, "headers")? {
            b = b.header(name, value);
        }
        for (key, value) in pairs(get(&init, "scCustom")?, "scCustom")? {
            b = b.sc_custom(key, value);
        }
        let api = get(&init, "xSmtpApi")?;
        if !missing(&api) {
            b = b.x_smtpapi(x_smtpapi(&api)?);
        }
        if let Some(id) = opt_string(&init, "messageId")? {
            b = b.message_id(id);
        }
        for id in list(get(&init, "inReplyTo")?, "inReplyTo")? {
            b = b.in_reply_to(string(id, "inReplyTo")?);
        }
        for id in list(get(&init, "references")?, "references")? {
            b = b.references(string(id, "references")?);
        }
        let date = get(&init, "date")?;
        if !missing(&date) {
            let seconds = if let Some(d) = date.dyn_ref::<js_sys::Date>() {
                (d.get_time() / 1000.0).floor()
            } else {
                date.as_f64().ok_or_else(|| {
                    type_error("date must be a Date or a number of seconds".into())
                })?
            };
            if !seconds.is_finite() {
                return Err(type_error("date is not a valid time".into()));
            }
            b = b.date(seconds as i64);
        }
        if let Some(seed) = opt_string(&init, "boundarySeed")? {
            b = b.boundary_seed(seed);
        }
        b.build().map(|inner| Message { inner }).map_err(js_error)
    }

    /// The message as bytes (CRLF line ends).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_vec()
    }

    /// The exact size in bytes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// The SMTP envelope: `sender` (MAIL FROM) and `recipients` (RCPT TO, Bcc included).
    #[wasm_bindgen(getter)]
    pub fn envelope(&self) -> EnvelopeJs {
        let envelope = self.inner.envelope();
        let object = Object::new();
        let recipients: Array = envelope.recipients().map(JsValue::from_str).collect();
        let _ = Reflect::set(&object, &"sender".into(), &envelope.sender().into());
        let _ = Reflect::set(&object, &"recipients".into(), &recipients);
        object.unchecked_into()
    }

    /// The Message-ID, without angle brackets.
    #[wasm_bindgen(getter, js_name = messageId)]
    pub fn message_id(&self) -> String {
        self.inner.message_id().to_string()
    }

    /// The Date, in seconds since the Unix epoch.
    #[wasm_bindgen(getter)]
    pub fn date(&self) -> f64 {
        self.inner.date() as f64
    }

    /// The MIME structure, e.g. "multipart/related[text/html, image/png]".
    #[wasm_bindgen(getter)]
    pub fn structure(&self) -> String {
        self.inner.structure()
    }

    /// Throws MessageTooLarge when over a server's SIZE limit (0: none).
    #[wasm_bindgen(js_name = checkSize)]
    pub fn check_size(&self, limit: f64) -> Result<(), JsValue> {
        self.inner
            .check_size(limit.max(0.0) as u64)
            .map_err(js_error)
    }
}

/// User and key with an optional SendCloud label (user name `user#label`).
/// The key is never shown.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Credentials {
    inner: mailwright::Credentials,
}

#[wasm_bindgen]
impl Credentials {
    #[wasm_bindgen(constructor)]
    pub fn new(user: String, key: String, label: Option<String>) -> Credentials {
        let mut inner = mailwright::Credentials::new(user, key);
        if let Some(label) = label {
            inner = inner.with_label(label);
        }
        Credentials { inner }
    }

    /// Credentials with an OAuth 2 access token (sent with XOAUTH2).
    pub fn oauth2(user: String, token: String) -> Credentials {
        Credentials {
            inner: mailwright::Credentials::oauth2(user, token),
        }
    }

    /// A copy, for APIs that take credentials by value (`new Session(init, creds.clone())`).
    #[wasm_bindgen(js_name = clone)]
    pub fn clone_js(&self) -> Credentials {
        self.clone()
    }

    /// The user name sent: `user` or `user#label`.
    #[wasm_bindgen(getter)]
    pub fn username(&self) -> String {
        self.inner.username().to_string()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// `AUTH LOGIN <base64 user>\r\n`.
#[wasm_bindgen(js_name = authLogin)]
pub fn auth_login(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    credentials.inner.validate().map_err(js_error)?;
    Ok(auth::auth_login(&credentials.inner))
}

/// `AUTH PLAIN <base64>\r\n`.
#[wasm_bindgen(js_name = authPlain)]
pub fn auth_plain(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    credentials.inner.validate().map_err(js_error)?;
    Ok(auth::auth_plain(&credentials.inner).to_vec())
}

/// `AUTH XOAUTH2 <base64>\r\n` for OAuth 2 credentials.
#[wasm_bindgen(js_name = authXoauth2)]
pub fn auth_xoauth2(credentials: &Credentials) -> Result<Vec<u8>, JsValue> {
    auth::auth_xoauth2(&credentials.inner)
        .map(|s| s.to_vec())
        .map_err(js_error)
}

/// The answer to a `334` LOGIN challenge (its base64 text).
#[wasm_bindgen(js_name = loginAnswer)]
pub fn login_answer(challenge: &str, credentials: &Credentials, username_sent: bool) -> Vec<u8> {
    auth::login_answer(
        auth::login_prompt(challenge, username_sent),
        &credentials.inner,
    )
    .to_vec()
}

/// One SMTP reply.
#[wasm_bindgen]
pub struct Reply {
    inner: smtp::Reply,
}

fn class_name(class: smtp::ReplyClass) -> &'static str {
    match class {
        smtp::ReplyClass::Positive => "positive",
        smtp::ReplyClass::Intermediate => "intermediate",
        smtp::ReplyClass::Transient => "transient",
        smtp::ReplyClass::Permanent => "permanent",
        smtp::ReplyClass::RateLimited => "rate_limited",
    }
}

#[wasm_bindgen]
impl Reply {
    /// Parses exactly one complete reply.
    pub fn parse(data: &[u8]) -> Result<Reply, JsValue> {
        smtp::Reply::parse(data)
            .map(|inner| Reply { inner })
            .map_err(js_error)
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

    #[wasm_bindgen(getter)]
    pub fn text(&self) -> String {
        self.inner.text()
    }

    /// "positive", "intermediate", "transient", "permanent" or "rate_limited".
    #[wasm_bindgen(getter)]
    pub fn classification(&self) -> String {
        class_name(self.inner.class()).to_string()
    }

    /// The queue id of a reply to the end of DATA.
    #[wasm_bindgen(getter, js_name = queueId)]
    pub fn queue_id(&self) -> Option<String> {
        self.inner.queue_id().map(str::to_string)
    }
}

/// The sans-IO SMTP session: feed it the server's bytes, send what it gives,
/// read its events. The Node `send()` and `Client` drive it over node:net/tls.
#[wasm_bindgen]
pub struct Session {
    inner: CoreSession,
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn send_result(report: smtp::SendReport) -> Object {
    let object = Object::new();
    set(&object, "handle", &JsValue::from_f64(report.handle as f64));
    if let Some(id) = report.queue_id {
        set(&object, "queueId", &JsValue::from_str(&id));
    }
    let accepted: Array = report
        .accepted
        .iter()
        .map(|a| JsValue::from_str(a))
        .collect();
    set(&object, "accepted", &accepted);
    let refused: Array = report
        .refused
        .iter()
        .map(|(address, reply)| {
            let r = Object::new();
            set(&r, "address", &JsValue::from_str(address));
            set(&r, "code", &JsValue::from(reply.code()));
            set(&r, "text", &JsValue::from_str(&reply.text()));
            JsValue::from(r)
        })
        .collect();
    set(&object, "refused", &refused);
    object
}

#[wasm_bindgen]
impl Session {
    /// `credentials` (optional) are copied; the object stays usable.
    #[wasm_bindgen(constructor)]
    pub fn new(
        init: Option<SessionInit>,
        credentials: Option<Credentials>,
    ) -> Result<Session, JsValue> {
        let mut config = SessionConfig::default();
        if let Some(init) = init {
            let init: JsValue = init.into();
            if let Some(name) = opt_string(&init, "helloName")? {
                config.hello_name = name;
            }
            match opt_string(&init, "tls")?.as_deref() {
                None | Some("required") => config.tls = TlsPolicy::Required,
                Some("opportunistic") => config.tls = TlsPolicy::Opportunistic,
                Some("never") => config.tls = TlsPolicy::Never,
                Some(other) => {
                    return Err(type_error(format!(
                        "tls must be 'required', 'opportunistic' or 'never', not {other:?}"
                    )));
                }
            }
            config.implicit_tls = get(&init, "implicitTls")?.as_bool().unwrap_or(false);
            config.pipelining = get(&init, "pipelining")?.as_bool().unwrap_or(true);
            config.transcript = get(&init, "transcript")?.as_bool().unwrap_or(false);
        }
        config.credentials = credentials.map(|c| c.inner);
        Ok(Session {
            inner: CoreSession::new(config),
        })
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
        self.inner
            .send(&message.inner)
            .map(|h| h as f64)
            .map_err(js_error)
    }

    /// QUIT once every queued message is done.
    pub fn quit(&mut self) {
        self.inner.quit();
    }

    /// Call after the TLS handshake a "start_tls" event asked for.
    #[wasm_bindgen(js_name = tlsEstablished)]
    pub fn tls_established(&mut self) {
        self.inner.tls_established();
    }

    /// The connection is gone: `reason` describes it; `cause` is "timeout",
    /// "tls" (the handshake or a certificate failed), "connect" (never
    /// connected) or anything else for a closed connection.
    #[wasm_bindgen(js_name = connectionLost)]
    pub fn connection_lost(&mut self, reason: String, cause: Option<String>) {
        let kind = match cause.as_deref() {
            Some("timeout") => mailwright::ErrorKind::Timeout,
            Some("tls") => mailwright::ErrorKind::Tls,
            Some("connect") => mailwright::ErrorKind::Connect,
            _ => mailwright::ErrorKind::ConnectionClosed,
        };
        self.inner
            .connection_lost(mailwright::Error::new(kind, reason));
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

    /// The next event, or undefined.
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&mut self) -> EventJs {
        let Some(event) = self.inner.poll_event() else {
            return JsValue::UNDEFINED.unchecked_into();
        };
        let object = Object::new();
        let kind = match event {
            smtp::Event::StartTls => "start_tls",
            smtp::Event::Ready => "ready",
            smtp::Event::Closed => "closed",
            smtp::Event::Sent(report) => {
                set(&object, "handle", &JsValue::from_f64(report.handle as f64));
                set(&object, "result", &send_result(report));
                "sent"
            }
            smtp::Event::Failed(failure) => {
                set(&object, "handle", &JsValue::from_f64(failure.handle as f64));
                set(&object, "error", &js_error(failure.error));
                "failed"
            }
            smtp::Event::Error(error) => {
                set(&object, "error", &js_error(error));
                "error"
            }
        };
        set(&object, "kind", &JsValue::from_str(kind));
        JsValue::from(object).unchecked_into()
    }

    /// The conversation so far as [direction, text] pairs ("C"/"S"), secrets masked.
    #[wasm_bindgen(js_name = takeTranscript)]
    pub fn take_transcript(&mut self) -> Array {
        self.inner
            .take_transcript()
            .into_iter()
            .map(|l| {
                let who = if l.direction == smtp::Direction::Client {
                    "C"
                } else {
                    "S"
                };
                JsValue::from(Array::of2(&who.into(), &l.text.into()))
            })
            .collect()
    }
}
