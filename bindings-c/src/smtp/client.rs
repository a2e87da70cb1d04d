//! The blocking client (the core's `SmtpClient`) and one-call `mw_send`.

use super::options::{mw_client_options, options_ref};
use super::session::mw_send_result;
use crate::convert::{out, out_opt};
use crate::errors::{Fail, boundary, guard, mw_result};
use crate::message::mw_message;
use mailwright::smtp::{self, SmtpClient};

/// A blocking connection to an SMTP server (opaque). Free with `mw_client_free`.
pub struct mw_client {
    inner: Option<SmtpClient>,
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
        let c = out(client, "client")?;
        let message = message_arg(message)?;
        let inner = c
            .inner
            .as_mut()
            .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_STATE, "the client has quit"))?;
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
