//! The sans-IO session: its configuration (the core's `SessionConfig`
//! defaults and checks), events, send results and transcript.

use super::credentials::{creds_ref, mw_credentials};
use super::options::{connection_loss, tls_mode};
use crate::convert::{
    bytes_arg, c_value, core_value, out, out_opt, static_name, text_arg, to_c_string,
};
use crate::errors::{Fail, boundary, code_of, guard, mw_result};
use crate::message::mw_message;
use mailwright::smtp::{self, Direction, Reply, Session, SessionConfig, settings};
use std::ffi::{CString, c_char};
use std::time::Duration;

/// How `mw_session_new` behaves (opaque). Made by `mw_session_config_new`
/// with the core's defaults (EHLO "localhost", STARTTLS required, no AUTH,
/// no credentials in clear text, PIPELINING when offered, no transcript,
/// 30 s per reply and 300 s per message); each setter checks its value
/// with the core's rule and leaves the configuration unchanged when it
/// refuses it. Free with `mw_session_config_free`.
pub struct mw_session_config {
    inner: SessionConfig,
}

/// Creates a configuration with every default; `*out_config` is owned by
/// the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_new(
    out_config: *mut *mut mw_session_config,
) -> mw_result {
    boundary(|| {
        let slot = out(out_config, "out_config")?;
        *slot = Box::into_raw(Box::new(mw_session_config {
            inner: SessionConfig::default(),
        }));
        Ok(())
    })
}

/// Frees a configuration. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_free(config: *mut mw_session_config) {
    guard((), || {
        if !config.is_null() {
            // SAFETY: from `mw_session_config_new` (contract).
            drop(unsafe { Box::from_raw(config) });
        }
    })
}

fn update(
    config: *mut mw_session_config,
    change: impl FnOnce(&mut SessionConfig) -> Result<(), Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(config, "config")?;
        let mut next = handle.inner.clone();
        change(&mut next)?;
        handle.inner = next;
        Ok(())
    })
}

/// Sets the EHLO name (`len` bytes: a domain or an address literal, else
/// MW_ERR_INVALID_OPTION).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_hello_name(
    config: *mut mw_session_config,
    name: *const c_char,
    len: usize,
) -> mw_result {
    update(config, |c| {
        let name = unsafe { text_arg(name, len, "name") }?;
        settings::check_hello_name(name)?;
        c.hello_name = name.to_string();
        Ok(())
    })
}

/// Sets the encryption (an `mw_tls_mode`; MW_TLS_IMPLICIT: the connection
/// is already TLS). Out of range is MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_tls(
    config: *mut mw_session_config,
    mode: u32,
) -> mw_result {
    update(config, |c| {
        c.tls = tls_mode(mode)?;
        Ok(())
    })
}

/// Authenticates with these credentials (copied; NULL removes them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_credentials(
    config: *mut mw_session_config,
    credentials: *const mw_credentials,
) -> mw_result {
    update(config, |c| {
        c.credentials = creds_ref(credentials).cloned();
        Ok(())
    })
}

/// Uses PIPELINING when offered (`true`, the default) or never.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_pipelining(
    config: *mut mw_session_config,
    pipelining: bool,
) -> mw_result {
    update(config, |c| {
        c.pipelining = pipelining;
        Ok(())
    })
}

/// Keeps a transcript (secrets masked, server text escaped, at most
/// `mw_transcript_max_lines()` lines, oldest dropped) for
/// `mw_session_take_transcript`. Off by default.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_transcript(
    config: *mut mw_session_config,
    transcript: bool,
) -> mw_result {
    update(config, |c| {
        c.transcript = transcript;
        Ok(())
    })
}

/// Sends credentials even when the connection is not encrypted (`false`,
/// the default: without TLS, AUTH fails with MW_ERR_TLS_UNAVAILABLE before
/// any secret is sent). The session does not know the host: the loopback
/// rule of `mw_client_options_set_allow_plaintext_auth` is the client's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_allow_plaintext_auth(
    config: *mut mw_session_config,
    allow: bool,
) -> mw_result {
    update(config, |c| {
        c.allow_plaintext_auth = allow;
        Ok(())
    })
}

/// Sets the longest wait for a complete reply once its command was sent, in
/// milliseconds (1 ms to one day, else MW_ERR_INVALID_OPTION); enforced by
/// `mw_session_advance`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_reply_timeout_ms(
    config: *mut mw_session_config,
    timeout_ms: u64,
) -> mw_result {
    update(config, |c| {
        c.reply_timeout = settings::timeout_from_millis(timeout_ms as f64)?;
        Ok(())
    })
}

/// Sets the longest a message may take from MAIL FROM to its final reply, in
/// milliseconds (1 ms to one day, else MW_ERR_INVALID_OPTION); enforced by
/// `mw_session_advance`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_config_set_message_timeout_ms(
    config: *mut mw_session_config,
    timeout_ms: u64,
) -> mw_result {
    update(config, |c| {
        c.message_timeout = settings::timeout_from_millis(timeout_ms as f64)?;
        Ok(())
    })
}

/// A sans-IO SMTP session (opaque). Free with `mw_session_free`.
pub struct mw_session {
    inner: Session,
    output: Vec<u8>,
}

/// What a server accepted (opaque). Free with `mw_send_result_free`.
pub struct mw_send_result {
    handle: u64,
    code: u16,
    text: CString,
    queue_id: Option<CString>,
    accepted: Vec<CString>,
    refused: Vec<Refused>,
}

/// A refused recipient: its address, the server's code and text.
#[derive(Clone)]
pub(crate) struct Refused {
    address: CString,
    code: u16,
    text: CString,
}

pub(crate) fn refused_list(refused: &[(String, Reply)]) -> Vec<Refused> {
    refused
        .iter()
        .map(|(a, reply)| Refused {
            address: to_c_string(a),
            code: reply.code(),
            text: to_c_string(&reply.text()),
        })
        .collect()
}

impl From<smtp::SendReport> for mw_send_result {
    fn from(r: smtp::SendReport) -> Self {
        mw_send_result {
            handle: r.handle,
            code: r.reply.code(),
            text: to_c_string(&r.reply.text()),
            queue_id: r.queue_id.as_deref().map(to_c_string),
            accepted: r.accepted.iter().map(|a| to_c_string(a)).collect(),
            refused: refused_list(&r.refused),
        }
    }
}

fn result_ref<'a>(result: *const mw_send_result) -> Option<&'a mw_send_result> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { result.as_ref() }
}

pub(crate) fn refused_at(refused: &[Refused], index: usize, out_code: *mut u16) -> *const c_char {
    match refused.get(index) {
        Some(r) => {
            out_opt(out_code, r.code);
            r.address.as_ptr()
        }
        None => std::ptr::null(),
    }
}

pub(crate) fn refused_text(refused: &[Refused], index: usize) -> *const c_char {
    refused
        .get(index)
        .map_or(std::ptr::null(), |r| r.text.as_ptr())
}

/// The queue id the server gave, or NULL. Owned by the result. Like every
/// text a server supplies, control characters in it (NUL, ESC, BEL...) are
/// escaped by the core (`\x00`, `\x1B`), so the string is never cut short
/// and is safe to print.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_queue_id(result: *const mw_send_result) -> *const c_char {
    guard(std::ptr::null(), || {
        result_ref(result)
            .and_then(|r| r.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The code of the server's final reply to the message (e.g. 250); 0 if
/// `result` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_code(result: *const mw_send_result) -> u16 {
    guard(0, || result_ref(result).map_or(0, |r| r.code))
}

/// The text of the server's final reply (lines joined with "\n", control
/// characters escaped by the core); "" if `result` is NULL. Owned by the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_text(result: *const mw_send_result) -> *const c_char {
    guard(c"".as_ptr(), || {
        result_ref(result).map_or(c"".as_ptr(), |r| r.text.as_ptr())
    })
}

/// The handle `mw_session_send` gave for this message (the client's own
/// counter for `mw_client_send`).
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
        result_ref(result).map_or(std::ptr::null(), |r| {
            refused_at(&r.refused, index, out_code)
        })
    })
}

/// The text of the server's reply refusing the `index`-th refused recipient
/// (control characters escaped by the core), or NULL. Owned by the result.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_refused_text(
    result: *const mw_send_result,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        result_ref(result).map_or(std::ptr::null(), |r| refused_text(&r.refused, index))
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
/// libuv). `config` may be NULL for the defaults; it is copied (free it
/// whenever you like). On success `*out_session` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_new(
    config: *const mw_session_config,
    out_session: *mut *mut mw_session,
) -> mw_result {
    boundary(|| {
        // SAFETY: NULL or a live handle (contract).
        let settings =
            unsafe { config.as_ref() }.map_or_else(SessionConfig::default, |c| c.inner.clone());
        let slot = out(out_session, "out_session")?;
        *slot = Box::into_raw(Box::new(mw_session {
            inner: Session::new(settings)?,
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
/// sending `n` of them, call `mw_session_consume_output(session, n)`, then
/// ask again: more may be waiting.
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
        s.output.iter_mut().for_each(|b| *b = 0);
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
        out_opt(out_handle, s.inner.send(&message.inner)?);
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

/// The connection is gone, for the reason the transport saw (`cause`, an
/// `mw_connection_loss`; out of range is MW_ERR_INVALID_OPTION) with what it
/// knows (`detail_len` bytes at `detail`, e.g. an OS error; NULL and 0 for
/// nothing). Every message not yet acknowledged fails with the cause's
/// error (MW_ERR_CONNECTION_CLOSED, MW_ERR_TIMEOUT, MW_ERR_TLS or
/// MW_ERR_CONNECT), as the core decides.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_connection_lost(
    session: *mut mw_session,
    cause: u32,
    detail: *const c_char,
    detail_len: usize,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let cause = connection_loss(cause)?;
        let detail = unsafe { text_arg(detail, detail_len, "detail") }?;
        s.inner.connection_lost(cause, detail);
        Ok(())
    })
}

/// Reports the transport's clock: `now_ms` milliseconds on any monotonic
/// clock (e.g. since the connection was opened; never going back). The
/// session fails with MW_ERR_TIMEOUT (an MW_EVENT_FAILED for the message in
/// flight, then MW_EVENT_ERROR) when a complete reply takes longer than the
/// reply time-out or a message longer than the message time-out, however
/// slowly the bytes trickle in. Call it after each wait (see
/// `mw_session_poll_timeout`); a transport that never calls it gets no
/// deadlines.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_advance(session: *mut mw_session, now_ms: u64) -> mw_result {
    boundary(|| {
        session_mut(session)?
            .inner
            .advance(Duration::from_millis(now_ms));
        Ok(())
    })
}

/// When the session next needs `mw_session_advance`: `*out_has_deadline`
/// is true when it waits for the server, and `*out_deadline_ms` is then the
/// instant, on the clock given to `mw_session_advance`, by which the reply
/// must have come (wait for input at most until then, then call
/// `mw_session_advance`). False when nothing is awaited (idle, done, or
/// during the TLS handshake); `*out_deadline_ms` is then 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_poll_timeout(
    session: *mut mw_session,
    out_deadline_ms: *mut u64,
    out_has_deadline: *mut bool,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let deadline = out(out_deadline_ms, "out_deadline_ms")?;
        let has = out(out_has_deadline, "out_has_deadline")?;
        let next = s.inner.poll_timeout();
        *has = next.is_some();
        // Rounded up: waiting until the millisecond given always reaches it.
        *deadline = next.map_or(0, |d| {
            let ms = d.as_nanos().div_ceil(1_000_000);
            u64::try_from(ms).unwrap_or(u64::MAX)
        });
        Ok(())
    })
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

/// One event of a session (opaque). Free with `mw_event_free`.
pub struct mw_event {
    kind: mw_event_kind,
    name: &'static str,
    handle: u64,
    error: mw_result,
    message: Option<CString>,
    smtp_code: u16,
    reply_text: Option<CString>,
    refused: Vec<Refused>,
    result: Option<Box<mw_send_result>>,
}

impl mw_event {
    fn new(event: smtp::Event) -> mw_event {
        use mw_event_kind::*;
        let mut out = mw_event {
            kind: MW_EVENT_CLOSED,
            name: event.as_str(),
            handle: 0,
            error: mw_result::MW_OK,
            message: None,
            smtp_code: 0,
            reply_text: None,
            refused: Vec::new(),
            result: None,
        };
        let failed = |out: &mut mw_event, error: mailwright::Error| {
            out.error = code_of(error.kind());
            out.smtp_code = error.reply().map_or(0, |r| r.code());
            out.reply_text = error.reply().map(|r| to_c_string(&r.text()));
            out.message = Some(to_c_string(&error.to_string()));
        };
        match event {
            smtp::Event::StartTls => out.kind = MW_EVENT_START_TLS,
            smtp::Event::Ready => out.kind = MW_EVENT_READY,
            smtp::Event::Closed => out.kind = MW_EVENT_CLOSED,
            smtp::Event::Sent(report) => {
                out.kind = MW_EVENT_SENT;
                out.handle = report.handle;
                out.refused = refused_list(&report.refused);
                out.result = Some(Box::new(mw_send_result::from(report)));
            }
            smtp::Event::Failed(f) => {
                out.kind = MW_EVENT_FAILED;
                out.handle = f.handle;
                out.refused = refused_list(&f.refused);
                failed(&mut out, f.error);
            }
            smtp::Event::Error(e) => {
                out.kind = MW_EVENT_ERROR;
                failed(&mut out, e);
            }
        }
        out
    }
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
        *slot = s.inner.poll_event().map_or(std::ptr::null_mut(), |e| {
            Box::into_raw(Box::new(mw_event::new(e)))
        });
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

/// The core's name of the event ("StartTls", "Ready", "Sent", "Failed",
/// "Error", "Closed"), or NULL if `event` is NULL. Static.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_type_name(event: *const mw_event) -> *const c_char {
    guard(std::ptr::null(), || {
        event_ref(event).map_or(std::ptr::null(), |e| static_name(e.name))
    })
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

/// The whole text of the reply behind a FAILED/ERROR event (control
/// characters escaped, AUTH echoes redacted, by the core), or NULL. Owned
/// by the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_reply_text(event: *const mw_event) -> *const c_char {
    guard(std::ptr::null(), || {
        event_ref(event)
            .and_then(|e| e.reply_text.as_ref())
            .map_or(std::ptr::null(), |m| m.as_ptr())
    })
}

/// How many recipients the server refused, for a SENT or FAILED event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_refused_count(event: *const mw_event) -> usize {
    guard(0, || event_ref(event).map_or(0, |e| e.refused.len()))
}

/// The `index`-th refused recipient of a SENT or FAILED event (NULL if out
/// of range); its reply code through `out_code` when not NULL. Owned by the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_refused(
    event: *const mw_event,
    index: usize,
    out_code: *mut u16,
) -> *const c_char {
    guard(std::ptr::null(), || {
        event_ref(event).map_or(std::ptr::null(), |e| {
            refused_at(&e.refused, index, out_code)
        })
    })
}

/// The text of the server's reply refusing the `index`-th refused recipient
/// of a SENT or FAILED event (control characters escaped by the core), or
/// NULL. Owned by the event.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_event_refused_text(
    event: *const mw_event,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        event_ref(event).map_or(std::ptr::null(), |e| refused_text(&e.refused, index))
    })
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

/// Who said a transcript line (the core's `Direction`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_direction {
    /// The client (us).
    MW_DIRECTION_CLIENT = 0,
    /// The server.
    MW_DIRECTION_SERVER = 1,
}

/// The C values, in the order of the core's `Direction::ALL`.
const DIRECTIONS: &[mw_direction] = &[
    mw_direction::MW_DIRECTION_CLIENT,
    mw_direction::MW_DIRECTION_SERVER,
];

impl From<mw_direction> for u32 {
    fn from(value: mw_direction) -> u32 {
        value as u32
    }
}

/// The core's name of a direction ("client" or "server"), or NULL when
/// `direction` is not an `mw_direction`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_direction_name(direction: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        core_value(Direction::ALL, DIRECTIONS, direction)
            .map_or(std::ptr::null(), |d| static_name(d.as_str()))
    })
}

/// The lines of a session's transcript, secrets masked (opaque). Free with
/// `mw_transcript_free`.
pub struct mw_transcript {
    lines: Vec<(mw_direction, CString, CString)>,
}

/// The C form of the core's transcript lines.
pub(crate) fn transcript_of(lines: Vec<smtp::TranscriptLine>) -> Result<mw_transcript, Fail> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let direction = c_value(Direction::ALL, DIRECTIONS, line.direction)
            .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_ARGUMENT, "no C direction"))?;
        out.push((
            direction,
            to_c_string(&line.text),
            to_c_string(&line.to_string()),
        ));
    }
    Ok(mw_transcript { lines: out })
}

/// The most lines a transcript keeps (the core's `MAX_TRANSCRIPT_LINES`):
/// past it the oldest are dropped; take it as you go on a long session.
#[unsafe(no_mangle)]
pub extern "C" fn mw_transcript_max_lines() -> usize {
    smtp::MAX_TRANSCRIPT_LINES
}

/// How many transcript lines the session dropped, oldest first, because its
/// transcript was full; 0 if `session` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_transcript_dropped(session: *const mw_session) -> u64 {
    // SAFETY: NULL or a live handle (contract).
    guard(0, || {
        unsafe { session.as_ref() }.map_or(0, |s| s.inner.transcript_dropped())
    })
}

/// Takes the transcript so far, emptying the session's (empty unless the
/// configuration asked for one with `mw_session_config_set_transcript`);
/// `*out_transcript` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_take_transcript(
    session: *mut mw_session,
    out_transcript: *mut *mut mw_transcript,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let slot = out(out_transcript, "out_transcript")?;
        *slot = Box::into_raw(Box::new(transcript_of(s.inner.take_transcript())?));
        Ok(())
    })
}

fn line_ref<'a>(
    transcript: *const mw_transcript,
    index: usize,
) -> Option<&'a (mw_direction, CString, CString)> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { transcript.as_ref() }.and_then(|t| t.lines.get(index))
}

/// How many lines; 0 if `transcript` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_transcript_count(transcript: *const mw_transcript) -> usize {
    // SAFETY: NULL or a live handle (contract).
    guard(0, || {
        unsafe { transcript.as_ref() }.map_or(0, |t| t.lines.len())
    })
}

/// Who said the `index`-th line; MW_DIRECTION_CLIENT when out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_transcript_direction(
    transcript: *const mw_transcript,
    index: usize,
) -> mw_direction {
    guard(mw_direction::MW_DIRECTION_CLIENT, || {
        line_ref(transcript, index).map_or(mw_direction::MW_DIRECTION_CLIENT, |l| l.0)
    })
}

/// What was said on the `index`-th line (without CRLF), or NULL. Owned by
/// the transcript.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_transcript_text(
    transcript: *const mw_transcript,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        line_ref(transcript, index).map_or(std::ptr::null(), |l| l.1.as_ptr())
    })
}

/// The `index`-th line as the core prints it ("C: EHLO x"), or NULL. Owned
/// by the transcript.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_transcript_line(
    transcript: *const mw_transcript,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        line_ref(transcript, index).map_or(std::ptr::null(), |l| l.2.as_ptr())
    })
}

/// Frees a transcript. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_transcript_free(transcript: *mut mw_transcript) {
    guard((), || {
        if !transcript.is_null() {
            // SAFETY: from `mw_session_take_transcript` or
            // `mw_client_take_transcript` (contract).
            drop(unsafe { Box::from_raw(transcript) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_values_follow_the_core() {
        assert_eq!(DIRECTIONS.len(), Direction::ALL.len());
        for (c, core) in DIRECTIONS.iter().zip(Direction::ALL) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_DIRECTION_{}", core.as_str().to_uppercase())
            );
        }
    }
}
