//! The sans-IO session: its configuration (the core's `SessionConfig`
//! defaults and checks), events, send results and transcript.

use super::credentials::{creds_ref, mw_credentials};
use super::options::{connection_loss, tls_mode};
use crate::convert::{
    bytes_arg, c_value, core_value, out, out_opt, static_name, text_arg, to_c_string,
};
use crate::errors::{Fail, boundary, code_of, guard, mw_result};
use crate::message::mw_message;
use mailwright::smtp::{self, Direction, Reply, Session, SessionConfig, options};
use std::ffi::{CString, c_char};

/// How `mw_session_new` behaves (opaque). Made by `mw_session_config_new`
/// with the core's defaults (EHLO "localhost", STARTTLS required, no AUTH,
/// PIPELINING when offered, no transcript); each setter checks its value
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
        options::check_hello_name(name)?;
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

/// Keeps a transcript (secrets masked) for `mw_session_take_transcript`.
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

/// A sans-IO SMTP session (opaque). Free with `mw_session_free`.
pub struct mw_session {
    inner: Session,
    output: Vec<u8>,
}

/// What a server accepted (opaque). Free with `mw_send_result_free`.
pub struct mw_send_result {
    handle: u64,
    code: u16,
    queue_id: Option<CString>,
    accepted: Vec<CString>,
    refused: Vec<(CString, u16)>,
}

fn refused_list(refused: &[(String, Reply)]) -> Vec<(CString, u16)> {
    refused
        .iter()
        .map(|(a, reply)| (to_c_string(a), reply.code()))
        .collect()
}

impl From<smtp::SendReport> for mw_send_result {
    fn from(r: smtp::SendReport) -> Self {
        mw_send_result {
            handle: r.handle,
            code: r.reply.code(),
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

fn refused_at(refused: &[(CString, u16)], index: usize, out_code: *mut u16) -> *const c_char {
    match refused.get(index) {
        Some((address, code)) => {
            out_opt(out_code, *code);
            address.as_ptr()
        }
        None => std::ptr::null(),
    }
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

/// The code of the server's final reply to the message (e.g. 250); 0 if
/// `result` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_send_result_code(result: *const mw_send_result) -> u16 {
    guard(0, || result_ref(result).map_or(0, |r| r.code))
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
    refused: Vec<(CString, u16)>,
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
            refused: Vec::new(),
            result: None,
        };
        let failed = |out: &mut mw_event, error: mailwright::Error| {
            out.error = code_of(error.kind());
            out.smtp_code = error.reply().map_or(0, |r| r.code());
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

/// The C values, in the order of `DIRECTIONS_CORE` (the core has no `ALL`).
const DIRECTIONS: &[mw_direction] = &[
    mw_direction::MW_DIRECTION_CLIENT,
    mw_direction::MW_DIRECTION_SERVER,
];
const DIRECTIONS_CORE: &[Direction] = &[Direction::Client, Direction::Server];

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
        core_value(DIRECTIONS_CORE, DIRECTIONS, direction)
            .map_or(std::ptr::null(), |d| static_name(d.as_str()))
    })
}

/// The lines of a session's transcript, secrets masked (opaque). Free with
/// `mw_transcript_free`.
pub struct mw_transcript {
    lines: Vec<(mw_direction, CString, CString)>,
}

/// Takes the transcript so far (empty unless the configuration asked for
/// one with `mw_session_config_set_transcript`); `*out_transcript` is owned
/// by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_session_take_transcript(
    session: *mut mw_session,
    out_transcript: *mut *mut mw_transcript,
) -> mw_result {
    boundary(|| {
        let s = session_mut(session)?;
        let slot = out(out_transcript, "out_transcript")?;
        let mut lines = Vec::new();
        for line in s.inner.take_transcript() {
            let direction = c_value(DIRECTIONS_CORE, DIRECTIONS, line.direction)
                .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_ARGUMENT, "no C direction"))?;
            lines.push((
                direction,
                to_c_string(&line.text),
                to_c_string(&line.to_string()),
            ));
        }
        *slot = Box::into_raw(Box::new(mw_transcript { lines }));
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
            // SAFETY: from `mw_session_take_transcript` (contract).
            drop(unsafe { Box::from_raw(transcript) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_values_follow_the_core() {
        for (c, core) in DIRECTIONS.iter().zip(DIRECTIONS_CORE) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_DIRECTION_{}", core.as_str().to_uppercase())
            );
        }
    }
}
