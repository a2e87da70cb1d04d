//! `Message`: a JS init object → the core's builder → an immutable message.

use crate::convert::{
    buffer, bytes, get, list, mailbox, missing, number_text, opt_bool, opt_string, pairs, set,
    string,
};
use crate::errors::{IntoJs, js_error, type_error};
use js_sys::{Array, Object, Uint8Array};
use mailwright::{Attachment, Calendar, Error, ErrorKind, Inline, XSmtpApi};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn x_smtpapi(v: &JsValue) -> Result<XSmtpApi, JsValue> {
    let mut api = XSmtpApi::new();
    for to in list(get(v, "to")?) {
        api = api.to(string(to, "xSmtpApi.to")?);
    }
    let sub = get(v, "sub")?;
    if !missing(&sub) {
        for entry in Object::entries(sub.unchecked_ref()).iter() {
            let entry = Array::from(&entry);
            let values = list(entry.get(1))
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

/// `{ method, content, attachment? }` → the core's `Calendar` (checked at build).
fn calendar(v: &JsValue) -> Result<Calendar, JsValue> {
    if !v.is_object() {
        return Err(type_error(
            "calendar must be { method, content, attachment? }".into(),
        ));
    }
    let mut calendar = Calendar::new(
        string(get(v, "method")?, "calendar.method")?,
        string(get(v, "content")?, "calendar.content")?,
    );
    if let Some(name) = opt_string(v, "attachment")? {
        calendar = calendar.attachment(name);
    }
    Ok(calendar)
}

/// Seconds since the epoch from a `Date` or a number of seconds.
fn date_seconds(date: &JsValue) -> Result<i64, JsValue> {
    let seconds = if let Some(d) = date.dyn_ref::<js_sys::Date>() {
        (d.get_time() / 1000.0).floor()
    } else {
        date.as_f64()
            .ok_or_else(|| type_error("date must be a Date or a number of seconds".into()))?
    };
    if !seconds.is_finite() {
        return Err(type_error("date is not a valid time".into()));
    }
    Ok(seconds as i64)
}

/// The core's message from a JS init object (see `MessageInit` in index.d.ts).
pub(crate) fn build(init: &JsValue) -> Result<mailwright::Message, JsValue> {
    if !init.is_object() {
        return Err(type_error("Message needs an init object".into()));
    }
    let mut b = mailwright::Message::builder().clock(Arc::new(now_seconds));
    let from = get(init, "from")?;
    if !missing(&from) {
        b = b.from(mailbox(from, "from")?);
    }
    let sender = get(init, "sender")?;
    if !missing(&sender) {
        b = b.sender(mailbox(sender, "sender")?);
    }
    let envelope_from = get(init, "envelopeFrom")?;
    if !missing(&envelope_from) {
        b = b.envelope_from(mailbox(envelope_from, "envelopeFrom")?);
    }
    for v in list(get(init, "replyTo")?) {
        b = b.reply_to(mailbox(v, "replyTo")?);
    }
    for v in list(get(init, "to")?) {
        b = b.to(mailbox(v, "to")?);
    }
    for v in list(get(init, "cc")?) {
        b = b.cc(mailbox(v, "cc")?);
    }
    for v in list(get(init, "bcc")?) {
        b = b.bcc(mailbox(v, "bcc")?);
    }
    if let Some(s) = opt_string(init, "subject")? {
        b = b.subject(s);
    }
    if let Some(s) = opt_string(init, "text")? {
        b = b.text(s);
    }
    if let Some(s) = opt_string(init, "html")? {
        b = b.html(s);
    }
    for part in list(get(init, "inline")?) {
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
    for part in list(get(init, "attachments")?) {
        b = b.attachment(Attachment::new(
            string(get(&part, "filename")?, "attachments.filename")?,
            string(get(&part, "contentType")?, "attachments.contentType")?,
            bytes(get(&part, "data")?, "attachments.data")?,
        ));
    }
    for (name, value) in pairs(get(init, "headers")?, "headers")? {
        b = b.header(name, value);
    }
    for (key, value) in pairs(get(init, "scCustom")?, "scCustom")? {
        b = b.sc_custom(key, value);
    }
    let api = get(init, "xSmtpApi")?;
    if !missing(&api) {
        b = b.x_smtpapi(x_smtpapi(&api)?);
    }
    for uri in list(get(init, "listUnsubscribe")?) {
        b = b.list_unsubscribe(string(uri, "listUnsubscribe")?);
    }
    if let Some(on) = opt_bool(init, "oneClickUnsubscribe")? {
        b = b.one_click_unsubscribe(on);
    }
    if let Some(id) = opt_string(init, "listId")? {
        b = b.list_id(id);
    }
    let cal = get(init, "calendar")?;
    if !missing(&cal) {
        b = b.calendar(calendar(&cal)?);
    }
    // The signers' JS functions stay reachable until the build has ended.
    let scope = crate::dkim::Scope::new();
    for v in list(get(init, "dkim")?) {
        b = b.dkim(crate::dkim::signer(&v, &scope)?);
    }
    if let Some(id) = opt_string(init, "messageId")? {
        b = b.message_id(id);
    }
    for id in list(get(init, "inReplyTo")?) {
        b = b.in_reply_to(string(id, "inReplyTo")?);
    }
    for id in list(get(init, "references")?) {
        b = b.references(string(id, "references")?);
    }
    let date = get(init, "date")?;
    if !missing(&date) {
        b = b.date(date_seconds(&date)?);
    }
    if let Some(seed) = opt_string(init, "boundarySeed")? {
        b = b.boundary_seed(seed);
    }
    let message = b.build().js();
    drop(scope);
    message
}

/// The message's bytes; running out of WebAssembly memory for them is an
/// error (`Io`), not an abort.
fn message_bytes(message: &mailwright::Message) -> Result<Vec<u8>, JsValue> {
    // A probe: room for the bytes (and the core's estimate's slack) is
    // reserved and released, then reused at once by `to_vec`, whose own
    // allocation cannot fail gracefully. (Writing into the reserved buffer
    // with `write_to` would add a second copy of the serializer, 5 KB
    // gzipped, to the .wasm.)
    let size = message.size() as f64;
    drop(buffer(size + size / 8.0 + 4096.0, "the message")?);
    Ok(message.to_vec())
}

fn envelope(message: &mailwright::Message) -> JsValue {
    let envelope = message.envelope();
    let object = Object::new();
    let recipients: Array = envelope.recipients().map(JsValue::from_str).collect();
    set(&object, "sender", &envelope.sender().into());
    set(&object, "recipients", &recipients);
    object.into()
}

/// Builds a message and returns what sending or storing it needs, holding
/// no WebAssembly memory afterwards (nothing to free): `{ bytes, size,
/// envelope, messageId, date, structure }`. The recommended way to make
/// messages in a loop. Throws like `new Message(init)`.
#[wasm_bindgen(js_name = buildMessage)]
pub fn build_message(init: JsValue) -> Result<Object, JsValue> {
    let message = build(&init)?;
    let bytes = message_bytes(&message)?;
    let object = Object::new();
    set(&object, "size", &JsValue::from_f64(bytes.len() as f64));
    set(&object, "bytes", &Uint8Array::from(&bytes[..]));
    drop(bytes);
    set(&object, "envelope", &envelope(&message));
    set(&object, "messageId", &message.message_id().into());
    set(&object, "date", &JsValue::from_f64(message.date() as f64));
    set(&object, "structure", &message.structure().into());
    Ok(object)
}

/// A built, immutable e-mail message.
#[wasm_bindgen]
pub struct Message {
    pub(crate) inner: mailwright::Message,
}

#[wasm_bindgen]
impl Message {
    /// Validates everything and builds the message; throws a MailwrightError
    /// (with `code`, e.g. "HeaderInjection") or a TypeError.
    #[wasm_bindgen(constructor)]
    pub fn new(init: JsValue) -> Result<Message, JsValue> {
        build(&init).map(|inner| Message { inner })
    }

    /// The message as bytes (CRLF line ends).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsValue> {
        message_bytes(&self.inner)
    }

    /// The exact size in bytes.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// The SMTP envelope: `sender` (MAIL FROM) and `recipients` (RCPT TO, Bcc included).
    #[wasm_bindgen(getter)]
    pub fn envelope(&self) -> JsValue {
        envelope(&self.inner)
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

    /// Throws MessageTooLarge when over a server's SIZE limit (0: none);
    /// a limit that is not a whole number of bytes (negative, NaN, 1.5) is
    /// InvalidOption.
    #[wasm_bindgen(js_name = checkSize)]
    pub fn check_size(&self, limit: JsValue) -> Result<(), JsValue> {
        let limit = limit
            .as_f64()
            .ok_or_else(|| type_error("the size limit must be a number".into()))?;
        // A JS number → u64: what a typed language's unsigned integer does.
        if !(limit >= 0.0 && limit.fract() == 0.0 && limit <= 9_007_199_254_740_991.0) {
            return Err(js_error(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "the size limit must be a whole number of bytes, 0 or more (0: none); {} was given",
                    number_text(limit)
                ),
            )));
        }
        self.inner.check_size(limit as u64).js()
    }
}
