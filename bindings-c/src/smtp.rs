//! Credentials, AUTH payloads, replies, the sans-IO session and the blocking client.

use crate::ffi::*;
use crate::message::mw_message;
use mailwright::Credentials;
use mailwright::smtp::{
    self, ClientOptions, Session, SessionConfig, SmtpClient, TlsMode, TlsPolicy, auth,
};
use std::ffi::{CString, c_char};
use std::time::Duration;

/// User and key with an optional SendCloud label (opaque; the key is zeroed
/// when freed and never appears in an error). Free with `mw_credentials_free`.
pub struct mw_credentials {
    inner: Credentials,
}

/// One parsed SMTP reply (opaque). Free with `mw_reply_free`.
pub struct mw_reply {
    inner: smtp::Reply,
    text: CString,
    enhanced: Option<CString>,
    queue_id: Option<CString>,
}

/// What a server accepted (opaque). Free with `mw_send_result_free`.
pub struct mw_send_result {
    handle: u64,
    queue_id: Option<CString>,
    accepted: Vec<CString>,
    refused: Vec<(CString, u16)>,
}

/// A sans-IO SMTP session (opaque). Free with `mw_session_free`.
pub struct mw_session {
    inner: Session,
    output: Vec<u8>,
}

/// One event of a session (opaque). Free with `mw_event_free`.
pub struct mw_event {
    kind: mw_event_kind,
    handle: u64,
    error: mw_result,
    message: Option<CString>,
    smtp_code: u16,
    result: Option<Box<mw_send_result>>,
}

/// A blocking connection to an SMTP server (opaque). Free with `mw_client_free`.
pub struct mw_client {
    inner: Option<SmtpClient>,
}

/// What kind of event `mw_event_get_kind` reports.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_event_kind {
    /// Run the TLS handshake on the connection, then call `mw_session_tls_established`.
    MW_EVENT_START_TLS = 1,
    /// Greeted, encrypted and authenticated as configured: messages flow.
    MW_EVENT_READY = 2,
    /// A message was accepted (`mw_event_result`).
    MW_EVENT_SENT = 3,
    /// A message was not accepted (`mw_event_error`, `mw_event_handle`).
    MW_EVENT_FAILED = 4,
    /// The session cannot go on (`mw_event_error`).
    MW_EVENT_ERROR = 5,
    /// QUIT was answered.
    MW_EVENT_CLOSED = 6,
}

/// Encryption, for `mw_client_options.tls` and `mw_session_config.tls`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_tls_mode {
    /// STARTTLS required (ports 25, 587, 2525).
    MW_TLS_STARTTLS = 0,
    /// STARTTLS when offered.
    MW_TLS_OPPORTUNISTIC = 1,
    /// TLS from the first byte (port 465).
    MW_TLS_IMPLICIT = 2,
    /// Clear text.
    MW_TLS_NONE = 3,
}

/// How `mw_reply_get_class` classifies a reply.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_reply_class {
    MW_REPLY_POSITIVE = 1,
    MW_REPLY_INTERMEDIATE = 2,
    MW_REPLY_TRANSIENT = 3,
    MW_REPLY_PERMANENT = 4,
    /// SendCloud's `536 Frequency limited`: retry later.
    MW_REPLY_RATE_LIMITED = 5,
}

/// Where and how `mw_client_connect` and `mw_send` connect. Zero-initialise,
/// then set what you need.
#[repr(C)]
pub struct mw_client_options {
    /// Host name or IP address (not NULL).
    pub host: *const c_char,
    /// Port (0 means 25).
    pub port: u16,
    /// An `mw_tls_mode` value.
    pub tls: u32,
    /// Credentials for AUTH, or NULL (borrowed for the call).
    pub credentials: *const mw_credentials,
    /// A PEM file of extra trusted roots (e.g. a test server's CA), or NULL.
    pub ca_file: *const c_char,
    /// Connect, read and write timeout in milliseconds (0 means 30000).
    pub timeout_ms: u32,
    /// The EHLO name, or NULL for "localhost".
    pub hello_name: *const c_char,
    /// Do not use PIPELINING even when offered.
    pub no_pipelining: bool,
}

/// How `mw_session_new` behaves. Zero-initialise, then set what you need.
#[repr(C)]
pub struct mw_session_config {
    /// The EHLO name, or NULL for "localhost".
    pub hello_name: *const c_char,
    /// An `mw_tls_mode` value (MW_TLS_IMPLICIT: the connection is already TLS).
    pub tls: u32,
    /// Credentials for AUTH, or NULL (copied).
    pub credentials: *const mw_credentials,
    /// Do not use PIPELINING even when offered.
    pub no_pipelining: bool,
    /// Keep a transcript (not exposed to C yet; costs nothing when false).
    pub transcript: bool,
}

fn tls_mode(value: u32) -> Result<mw_tls_mode, Fail> {
    Ok(match value {
        0 => mw_tls_mode::MW_TLS_STARTTLS,
        1 => mw_tls_mode::MW_TLS_OPPORTUNISTIC,
        2 => mw_tls_mode::MW_TLS_IMPLICIT,
        3 => mw_tls_mode::MW_TLS_NONE,
        other => {
            return Err(Fail::new(
                mw_result::MW_ERR_INVALID_ARGUMENT,
                format!("tls mode {other} is not an mw_tls_mode"),
            ));
        }
    })
}

fn creds_ref<'a>(credentials: *const mw_credentials) -> Option<&'a Credentials> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { credentials.as_ref() }.map(|c| &c.inner)
}

/// Creates credentials; `label` may be NULL (with a label the user name sent
/// is `user#label`). On success `*out` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_new(
    user: *const c_char,
    key: *const c_char,
    label: *const c_char,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    boundary(|| {
        let mut inner = Credentials::new(unsafe { str_arg(user, "user") }?, unsafe {
            str_arg(key, "key")
        }?);
        if let Some(label) = unsafe { opt_str_arg(label, "label") }? {
            inner = inner.with_label(label);
        }
        inner.validate()?;
        let slot = out(out_credentials, "out_credentials")?;
        *slot = Box::into_raw(Box::new(mw_credentials { inner }));
        Ok(())
    })
}

/// Creates OAuth 2 credentials (sent with XOAUTH2).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_new_oauth2(
    user: *const c_char,
    token: *const c_char,
    out_credentials: *mut *mut mw_credentials,
) -> mw_result {
    boundary(|| {
        let inner = Credentials::oauth2(unsafe { str_arg(user, "user") }?, unsafe {
            str_arg(token, "token")
        }?);
        inner.validate()?;
        let slot = out(out_credentials, "out_credentials")?;
        *slot = Box::into_raw(Box::new(mw_credentials { inner }));
        Ok(())
    })
}

/// Frees credentials (the key is zeroed). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_credentials_free(credentials: *mut mw_credentials) {
    guard((), || {
        if !credentials.is_null() {
            // SAFETY: from `mw_credentials_new*` (contract).
            drop(unsafe { Box::from_raw(credentials) });
        }
    })
}

fn payload(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
    make: impl FnOnce(&Credentials) -> Result<Vec<u8>, Fail>,
) -> mw_result {
    boundary(|| {
        let creds = creds_ref(credentials).ok_or_else(|| Fail::null("credentials"))?;
        let data = out(out_data, "out_data")?;
        let len = out(out_len, "out_len")?;
        give_bytes(make(creds)?, data, len);
        Ok(())
    })
}

/// `AUTH LOGIN <base64 user>\r\n`. Free the buffer with `mw_bytes_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_login(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| Ok(auth::auth_login(c)))
}

/// `AUTH PLAIN <base64>\r\n` (holds the key: `mw_bytes_free` zeroes it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_plain(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        Ok(auth::auth_plain(c).to_vec())
    })
}

/// `AUTH XOAUTH2 <base64>\r\n` for OAuth 2 credentials.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_xoauth2(
    credentials: *const mw_credentials,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        Ok(auth::auth_xoauth2(c)?.to_vec())
    })
}

/// The answer to a `334` LOGIN challenge (its base64 text, NUL-terminated):
/// the user name or the password, base64, CRLF-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_auth_login_answer(
    challenge: *const c_char,
    credentials: *const mw_credentials,
    username_sent: bool,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> mw_result {
    payload(credentials, out_data, out_len, |c| {
        let prompt = auth::login_prompt(unsafe { str_arg(challenge, "challenge") }?, username_sent);
        Ok(auth::login_answer(prompt, c).to_vec())
    })
}

/// Parses one complete reply (`len` bytes). On success `*out` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_parse(
    data: *const u8,
    len: usize,
    out_reply: *mut *mut mw_reply,
) -> mw_result {
    boundary(|| {
        let inner = smtp::Reply::parse(unsafe { bytes_arg(data, len, "data") }?)?;
        let reply = mw_reply {
            text: to_c_string(&inner.text()),
            enhanced: inner.enhanced().map(|e| to_c_string(&e.to_string())),
            queue_id: inner.queue_id().map(to_c_string),
            inner,
        };
        let slot = out(out_reply, "out_reply")?;
        *slot = Box::into_raw(Box::new(reply));
        Ok(())
    })
}

fn reply_ref<'a>(reply: *const mw_reply) -> Option<&'a mw_reply> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { reply.as_ref() }
}

/// The reply code (e.g. 250); 0 if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_code(reply: *const mw_reply) -> u16 {
    guard(0, || reply_ref(reply).map_or(0, |r| r.inner.code()))
}

/// The class of the reply (an `mw_reply_class`); 0 if `reply` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_get_class(reply: *const mw_reply) -> u32 {
    guard(0, || {
        reply_ref(reply).map_or(0, |r| {
            (match r.inner.class() {
                smtp::ReplyClass::Positive => mw_reply_class::MW_REPLY_POSITIVE,
                smtp::ReplyClass::Intermediate => mw_reply_class::MW_REPLY_INTERMEDIATE,
                smtp::ReplyClass::Transient => mw_reply_class::MW_REPLY_TRANSIENT,
                smtp::ReplyClass::Permanent => mw_reply_class::MW_REPLY_PERMANENT,
                smtp::ReplyClass::RateLimited => mw_reply_class::MW_REPLY_RATE_LIMITED,
            }) as u32
        })
    })
}

/// The text of all lines joined with "\n". Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_text(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply).map_or(std::ptr::null(), |r| r.text.as_ptr())
    })
}

/// The enhanced status code ("5.7.8") or NULL. Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_enhanced_code(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply)
            .and_then(|r| r.enhanced.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The queue id of a DATA reply, or NULL. Owned by the reply.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_queue_id(reply: *const mw_reply) -> *const c_char {
    guard(std::ptr::null(), || {
        reply_ref(reply)
            .and_then(|r| r.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Frees a reply. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_reply_free(reply: *mut mw_reply) {
    guard((), || {
        if !reply.is_null() {
            // SAFETY: from `mw_reply_parse` (contract).
            drop(unsafe { Box::from_raw(reply) });
        }
    })
}

impl From<smtp::SendReport> for mw_send_result {
    fn from(r: smtp::SendReport) -> Self {
        mw_send_result {
            handle: r.handle,
            queue_id: r.queue_id.as_deref().map(to_c_string),
            accepted: r.accepted.iter().map(|a| to_c_string(a)).collect(),
            refused: r
                .refused
                .iter()
                .map(|(a, reply)| (to_c_string(a), reply.code()))
                .collect(),
        }
    }
}

fn result_ref<'a>(result: *const mw_send_result) -> Option<&'a mw_send_result> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { result.as_ref() }
}

/// The queue id the server gave, or NULL. Owned by the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_queue_id(result: *const mw_send_result) -> *const c_char {
    guard(std::ptr::null(), || {
        result_ref(result)
            .and_then(|r| r.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The handle `mw_session_send` gave for this message (0 for `mw_client_send`'s own).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_handle(result: *const mw_send_result) -> u64 {
    guard(0, || result_ref(result).map_or(0, |r| r.handle))
}

/// How many recipients were accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_accepted_count(result: *const mw_send_result) -> usize {
    guard(0, || result_ref(result).map_or(0, |r| r.accepted.len()))
}

/// The `index`-th accepted recipient, or NULL. Owned by the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_accepted(
    result: *const mw_send_result,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        result_ref(result)
            .and_then(|r| r.accepted.get(index))
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// How many recipients were refused.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_refused_count(result: *const mw_send_result) -> usize {
    guard(0, || result_ref(result).map_or(0, |r| r.refused.len()))
}

/// The `index`-th refused recipient (NULL if out of range); its reply code
/// through `out_code` when not NULL. Owned by the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_refused(
    result: *const mw_send_result,
    index: usize,
    out_code: *mut u16,
) -> *const c_char {
    guard(std::ptr::null(), || {
        match result_ref(result).and_then(|r| r.refused.get(index)) {
            Some((address, code)) => {
                // SAFETY: NULL or writable (contract).
                if let Some(slot) = unsafe { out_code.as_mut() } {
                    *slot = *code;
                }
                address.as_ptr()
            }
            None => std::ptr::null(),
        }
    })
}

/// Frees a send result. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_free(result: *mut mw_send_result) {
    guard((), || {
        if !result.is_null() {
            // SAFETY: from this library (contract).
            drop(unsafe { Box::from_raw(result) });
        }
    })
}

/// Creates a sans-IO session (for callers that own their sockets, e.g. with
/// libuv). `config` may be NULL for the defaults (STARTTLS required, no AUTH).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_new(
    config: *const mw_session_config,
    out_session: *mut *mut mw_session,
) -> mw_result {
    boundary(|| {
        let mut settings = SessionConfig::default();
        // SAFETY: NULL or a readable struct (contract).
        if let Some(c) = unsafe { config.as_ref() } {
            if let Some(name) = unsafe { opt_str_arg(c.hello_name, "hello_name") }? {
                settings.hello_name = name.to_string();
            }
            match tls_mode(c.tls)? {
                mw_tls_mode::MW_TLS_STARTTLS => settings.tls = TlsPolicy::Required,
                mw_tls_mode::MW_TLS_OPPORTUNISTIC => settings.tls = TlsPolicy::Opportunistic,
                mw_tls_mode::MW_TLS_IMPLICIT => settings.implicit_tls = true,
                mw_tls_mode::MW_TLS_NONE => settings.tls = TlsPolicy::Never,
            }
            settings.credentials = creds_ref(c.credentials).cloned();
            settings.pipelining = !c.no_pipelining;
            settings.transcript = c.transcript;
        }
        let slot = out(out_session, "out_session")?;
        *slot = Box::into_raw(Box::new(mw_session {
            inner: Session::new(settings),
            output: Vec::new(),
        }));
        Ok(())
    })
}

/// Frees a session. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_free(session: *mut mw_session) {
    guard((), || {
        if !session.is_null() {
            // SAFETY: from `mw_session_new` (contract).
            drop(unsafe { Box::from_raw(session) });
        }
    })
}

fn session_mut<'a>(session: *mut mw_session) -> Result<&'a mut mw_session, Fail> {
    out(session, "session")
}

/// Feeds `len` bytes received from the server.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_receive(
    session: *mut mw_session,
    data: *const u8,
    len: usize,
) -> mw_result {
    boundary(|| {
        let data = unsafe { bytes_arg(data, len, "data") }?;
        session_mut(session)?.inner.receive(data);
        Ok(())
    })
}

/// The bytes to send to the server now: `*out_data`/`*out_len` point into the
/// session (valid until the next call on it; `*out_len` may be 0). After
/// sending `n` of them, call `mw_session_consume_output(session, n)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_pending_output(
    session: *mut mw_session,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let data = out(out_data, "out_data")?;
        let len = out(out_len, "out_len")?;
        s.output.clear();
        s.output.extend_from_slice(s.inner.pending_output());
        *data = s.output.as_ptr();
        *len = s.output.len();
        Ok(())
    })
}

/// Marks `n` bytes of the pending output as sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_consume_output(
    session: *mut mw_session,
    n: usize,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        s.inner.consume_output(n);
        s.output.iter_mut().for_each(|b| *b = 0);
        s.output.clear();
        Ok(())
    })
}

/// Queues a message (rendered now; the message may be freed afterwards).
/// Its handle, for the events, through `out_handle` when not NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_send(
    session: *mut mw_session,
    message: *const mw_message,
    out_handle: *mut u64,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        // SAFETY: a live handle (contract).
        let message = unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))?;
        let handle = s.inner.send(&message.inner)?;
        // SAFETY: NULL or writable (contract).
        if let Some(slot) = unsafe { out_handle.as_mut() } {
            *slot = handle;
        }
        Ok(())
    })
}

/// QUIT once every queued message is done.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_quit(session: *mut mw_session) -> mw_result {
    boundary(|| {
        session_mut(session)?.inner.quit();
        Ok(())
    })
}

/// The TLS handshake asked for by MW_EVENT_START_TLS is done.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_tls_established(session: *mut mw_session) -> mw_result {
    boundary(|| {
        session_mut(session)?.inner.tls_established();
        Ok(())
    })
}

/// The connection is gone: pending messages fail with MW_ERR_CONNECTION_CLOSED.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_connection_lost(session: *mut mw_session) -> mw_result {
    boundary(|| {
        let error = mailwright::Error::new(
            mailwright::ErrorKind::ConnectionClosed,
            "the connection closed",
        );
        session_mut(session)?.inner.connection_lost(error);
        Ok(())
    })
}

/// The next event: on MW_OK `*out_event` is an event the caller frees with
/// `mw_event_free`, or NULL when there is none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_poll_event(
    session: *mut mw_session,
    out_event: *mut *mut mw_event,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let slot = out(out_event, "out_event")?;
        let plain = |kind| mw_event {
            kind,
            handle: 0,
            error: mw_result::MW_OK,
            message: None,
            smtp_code: 0,
            result: None,
        };
        let failed = |kind, handle, error: mailwright::Error| mw_event {
            kind,
            handle,
            error: code_of(error.kind()),
            smtp_code: error.reply().map_or(0, |r| r.code()),
            message: Some(to_c_string(&error.to_string())),
            result: None,
        };
        *slot = match s.inner.poll_event() {
            None => std::ptr::null_mut(),
            Some(event) => Box::into_raw(Box::new(match event {
                smtp::Event::StartTls => plain(mw_event_kind::MW_EVENT_START_TLS),
                smtp::Event::Ready => plain(mw_event_kind::MW_EVENT_READY),
                smtp::Event::Closed => plain(mw_event_kind::MW_EVENT_CLOSED),
                smtp::Event::Sent(report) => mw_event {
                    handle: report.handle,
                    result: Some(Box::new(mw_send_result::from(report))),
                    ..plain(mw_event_kind::MW_EVENT_SENT)
                },
                smtp::Event::Failed(f) => failed(mw_event_kind::MW_EVENT_FAILED, f.handle, f.error),
                smtp::Event::Error(e) => failed(mw_event_kind::MW_EVENT_ERROR, 0, e),
            })),
        };
        Ok(())
    })
}

fn event_ref<'a>(event: *const mw_event) -> Option<&'a mw_event> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { event.as_ref() }
}

/// The event's kind (an `mw_event_kind`); 0 if `event` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_get_kind(event: *const mw_event) -> u32 {
    guard(0, || event_ref(event).map_or(0, |e| e.kind as u32))
}

/// The message handle of a SENT or FAILED event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_handle(event: *const mw_event) -> u64 {
    guard(0, || event_ref(event).map_or(0, |e| e.handle))
}

/// The error of a FAILED or ERROR event (MW_OK otherwise).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_error(event: *const mw_event) -> mw_result {
    guard(mw_result::MW_ERR_PANIC, || {
        event_ref(event).map_or(mw_result::MW_ERR_NULL_PARAMETER, |e| e.error)
    })
}

/// The error's description, or NULL. Owned by the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_error_message(event: *const mw_event) -> *const c_char {
    guard(std::ptr::null(), || {
        event_ref(event)
            .and_then(|e| e.message.as_ref())
            .map_or(std::ptr::null(), |m| m.as_ptr())
    })
}

/// The SMTP reply code behind a FAILED/ERROR event (e.g. 536), or 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_smtp_code(event: *const mw_event) -> u16 {
    guard(0, || event_ref(event).map_or(0, |e| e.smtp_code))
}

/// The result of a SENT event, or NULL. Owned by the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_result(event: *const mw_event) -> *const mw_send_result {
    guard(std::ptr::null(), || {
        event_ref(event)
            .and_then(|e| e.result.as_deref())
            .map_or(std::ptr::null(), |r| r as *const _)
    })
}

/// Frees an event. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_free(event: *mut mw_event) {
    guard((), || {
        if !event.is_null() {
            // SAFETY: from `mw_session_poll_event` (contract).
            drop(unsafe { Box::from_raw(event) });
        }
    })
}

fn client_options(options: *const mw_client_options) -> Result<ClientOptions, Fail> {
    // SAFETY: a readable struct (contract).
    let o = unsafe { options.as_ref() }.ok_or_else(|| Fail::null("options"))?;
    let host = unsafe { str_arg(o.host, "options.host") }?;
    let mut opts = ClientOptions::new(host, if o.port == 0 { 25 } else { o.port });
    opts.tls = match tls_mode(o.tls)? {
        mw_tls_mode::MW_TLS_STARTTLS => TlsMode::StartTls,
        mw_tls_mode::MW_TLS_OPPORTUNISTIC => TlsMode::StartTlsOpportunistic,
        mw_tls_mode::MW_TLS_IMPLICIT => TlsMode::Implicit,
        mw_tls_mode::MW_TLS_NONE => TlsMode::None,
    };
    opts.credentials = creds_ref(o.credentials).cloned();
    if let Some(name) = unsafe { opt_str_arg(o.hello_name, "options.hello_name") }? {
        opts.hello_name = name.to_string();
    }
    let timeout = if o.timeout_ms == 0 {
        30_000
    } else {
        o.timeout_ms
    };
    opts = opts.timeout(Duration::from_millis(u64::from(timeout)));
    opts.pipelining = !o.no_pipelining;
    if let Some(path) = unsafe { opt_str_arg(o.ca_file, "options.ca_file") }? {
        opts = opts.ca_file(path)?;
    }
    Ok(opts)
}

/// Connects (greeting, EHLO, STARTTLS and AUTH as configured) and returns a
/// ready client through `*out_client` (the caller frees it with `mw_client_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_connect(
    options: *const mw_client_options,
    out_client: *mut *mut mw_client,
) -> mw_result {
    boundary(|| {
        let slot = out(out_client, "out_client")?;
        let client = SmtpClient::connect(client_options(options)?)?;
        *slot = Box::into_raw(Box::new(mw_client {
            inner: Some(client),
        }));
        Ok(())
    })
}

/// Sends one message; on success `*out_result` (if `out_result` is not NULL)
/// receives a result the caller frees with `mw_send_result_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_send(
    client: *mut mw_client,
    message: *const mw_message,
    out_result: *mut *mut mw_send_result,
) -> mw_result {
    boundary(|| {
        let c = out(client, "client")?;
        // SAFETY: a live handle (contract).
        let message = unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))?;
        let inner = c
            .inner
            .as_mut()
            .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_STATE, "the client has quit"))?;
        let report = inner.send(&message.inner)?;
        // SAFETY: NULL or writable (contract).
        if let Some(slot) = unsafe { out_result.as_mut() } {
            *slot = Box::into_raw(Box::new(mw_send_result::from(report)));
        }
        Ok(())
    })
}

/// Says QUIT and closes the connection; later sends fail with MW_ERR_INVALID_STATE.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_quit(client: *mut mw_client) -> mw_result {
    boundary(|| {
        let c = out(client, "client")?;
        if let Some(mut inner) = c.inner.take() {
            inner.quit()?;
        }
        Ok(())
    })
}

/// Closes (without QUIT if not done) and frees a client. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_free(client: *mut mw_client) {
    guard((), || {
        if !client.is_null() {
            // SAFETY: from `mw_client_connect` (contract).
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Connects, sends one message and says QUIT. `out_result` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send(
    message: *const mw_message,
    options: *const mw_client_options,
    out_result: *mut *mut mw_send_result,
) -> mw_result {
    boundary(|| {
        // SAFETY: a live handle (contract).
        let message = unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))?;
        let report = smtp::send(&message.inner, client_options(options)?)?;
        // SAFETY: NULL or writable (contract).
        if let Some(slot) = unsafe { out_result.as_mut() } {
            *slot = Box::into_raw(Box::new(mw_send_result::from(report)));
        }
        Ok(())
    })
}
