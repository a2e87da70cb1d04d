//! The blocking client (the core's `SmtpClient`) and one-call `mw_send`.

use super::options::{mw_client_options, options_ref};
use super::session::{mw_send_result, mw_transcript, transcript_of};
use crate::convert::{out, out_opt};
use crate::errors::{Fail, boundary, guard, mw_result};
use crate::message::mw_message;
use mailwright::smtp::{self, Interrupter, SmtpClient};

/// A blocking connection to an SMTP server (opaque). Free with
/// `mw_client_free`. Not thread-safe: use it from one thread at a time
/// (another thread may end a blocked call with an `mw_interrupter`).
pub struct mw_client {
    inner: Option<SmtpClient>,
}

/// Ends a client's connection from another thread (opaque). The only
/// thread-safe handle: `mw_interrupter_interrupt` may be called from any
/// thread, at the same time as calls on the client. Free it with
/// `mw_interrupter_free` once no thread uses it (it may outlive the client).
pub struct mw_interrupter {
    inner: Interrupter,
}

fn client_mut<'a>(client: *mut mw_client) -> Result<&'a mut SmtpClient, Fail> {
    out(client, "client")?
        .inner
        .as_mut()
        .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_STATE, "the client has quit"))
}

fn message_arg<'a>(message: *const mw_message) -> Result<&'a mw_message, Fail> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))
}

/// Connects (greeting, EHLO, STARTTLS and AUTH as configured) and returns a
/// ready client through `*out_client` (the caller frees it with
/// `mw_client_free`). `options` is copied. The core checks every option
/// first (MW_ERR_INVALID_OPTION, MW_ERR_INVALID_CREDENTIALS).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_connect(
    options: *const mw_client_options,
    out_client: *mut *mut mw_client,
) -> mw_result {
    boundary(|| {
        let options = options_ref(options)?.clone();
        let slot = out(out_client, "out_client")?;
        let client = SmtpClient::connect(options)?;
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
        let inner = client_mut(client)?;
        let message = message_arg(message)?;
        let report = inner.send(&message.inner)?;
        if !out_result.is_null() {
            out_opt(
                out_result,
                Box::into_raw(Box::new(mw_send_result::from(report))),
            );
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

/// Takes the transcript so far, emptying the client's (empty unless
/// `mw_client_options_set_transcript` asked for one; secrets masked, server
/// text escaped, at most `mw_transcript_max_lines()` lines). On success
/// `*out_transcript` is owned by the caller (free with `mw_transcript_free`).
/// After `mw_client_quit`: MW_ERR_INVALID_STATE.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_take_transcript(
    client: *mut mw_client,
    out_transcript: *mut *mut mw_transcript,
) -> mw_result {
    boundary(|| {
        let inner = client_mut(client)?;
        let slot = out(out_transcript, "out_transcript")?;
        *slot = Box::into_raw(Box::new(transcript_of(inner.take_transcript())?));
        Ok(())
    })
}

/// Makes a handle another thread can use to end this client's connection
/// while a call on it (`mw_client_send`, `mw_client_quit`) is blocked: that
/// call then returns MW_ERR_CONNECTION_CLOSED ("closed by the
/// application"), and later sends fail. Get it on the client's thread, after
/// `mw_client_connect`; on success `*out_interrupter` is owned by the caller
/// (free with `mw_interrupter_free`). A client that has quit:
/// MW_ERR_INVALID_STATE.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_interrupter(
    client: *mut mw_client,
    out_interrupter: *mut *mut mw_interrupter,
) -> mw_result {
    boundary(|| {
        let inner = client_mut(client)?;
        let slot = out(out_interrupter, "out_interrupter")?;
        *slot = Box::into_raw(Box::new(mw_interrupter {
            inner: inner.interrupter()?,
        }));
        Ok(())
    })
}

/// Ends the connection of the client `interrupter` was made from: a call
/// blocked on it returns MW_ERR_CONNECTION_CLOSED. Thread-safe: may be
/// called from any thread, any number of times, also after the client was
/// freed (it then only closes the socket). NULL: MW_ERR_NULL_PARAMETER.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_interrupter_interrupt(interrupter: *const mw_interrupter) -> mw_result {
    boundary(|| {
        // SAFETY: NULL or a live handle; `Interrupter` is Sync (contract).
        let handle = unsafe { interrupter.as_ref() }.ok_or_else(|| Fail::null("interrupter"))?;
        handle.inner.interrupt();
        Ok(())
    })
}

/// Frees an interrupter (no other thread may be using it). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_interrupter_free(interrupter: *mut mw_interrupter) {
    guard((), || {
        if !interrupter.is_null() {
            // SAFETY: from `mw_client_interrupter` (contract).
            drop(unsafe { Box::from_raw(interrupter) });
        }
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
        let message = message_arg(message)?;
        let options = options_ref(options)?.clone();
        let report = smtp::send(&message.inner, options)?;
        if !out_result.is_null() {
            out_opt(
                out_result,
                Box::into_raw(Box::new(mw_send_result::from(report))),
            );
        }
        Ok(())
    })
}
