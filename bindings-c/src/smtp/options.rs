//! Connection options: the C names of the core's `TlsMode` and
//! `ConnectionLoss` (mapped here, once), and the client options handle whose
//! defaults, checks and units all come from `mailwright::smtp::settings`.

use super::credentials::{creds_ref, mw_credentials};
use crate::convert::{bytes_arg, c_value, core_value, out, static_name, text_arg};
use crate::errors::{Fail, boundary, guard, mw_result};
use mailwright::smtp::ClientOptions;
use mailwright::smtp::settings::{self, ConnectionLoss, TlsMode};
use std::ffi::c_char;

/// Encryption (the core's `TlsMode`; names "starttls", "opportunistic",
/// "implicit", "none" through `mw_tls_mode_name`/`mw_tls_mode_from_name`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_tls_mode {
    /// STARTTLS required (the default; ports 25, 587, 2525).
    MW_TLS_STARTTLS = 0,
    /// STARTTLS when offered, clear text otherwise.
    MW_TLS_OPPORTUNISTIC = 1,
    /// TLS from the first byte (port 465).
    MW_TLS_IMPLICIT = 2,
    /// Clear text only (local test servers).
    MW_TLS_NONE = 3,
}

/// The C values, in the order of the core's `TlsMode::ALL`.
const TLS_MODES: &[mw_tls_mode] = {
    use mw_tls_mode::*;
    &[
        MW_TLS_STARTTLS,
        MW_TLS_OPPORTUNISTIC,
        MW_TLS_IMPLICIT,
        MW_TLS_NONE,
    ]
};

impl From<mw_tls_mode> for u32 {
    fn from(value: mw_tls_mode) -> u32 {
        value as u32
    }
}

/// The one mapping of `mw_tls_mode` to the core's `TlsMode`: a value out of
/// range is MW_ERR_INVALID_OPTION (never clear text).
pub(crate) fn tls_mode(value: u32) -> Result<TlsMode, Fail> {
    core_value(TlsMode::ALL, TLS_MODES, value).ok_or_else(|| {
        Fail::new(
            mw_result::MW_ERR_INVALID_OPTION,
            format!("{value} is not an mw_tls_mode"),
        )
    })
}

fn c_tls_mode(mode: TlsMode) -> mw_tls_mode {
    c_value(TlsMode::ALL, TLS_MODES, mode).unwrap_or(mw_tls_mode::MW_TLS_STARTTLS)
}

/// Looks a TLS mode up by the core's name (`len` bytes at `name`:
/// "starttls", "opportunistic", "implicit" or "none"); any other name is
/// MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_tls_mode_from_name(
    name: *const c_char,
    len: usize,
    out_mode: *mut mw_tls_mode,
) -> mw_result {
    boundary(|| {
        let name = unsafe { text_arg(name, len, "name") }?;
        let slot = out(out_mode, "out_mode")?;
        *slot = c_tls_mode(TlsMode::from_name(name)?);
        Ok(())
    })
}

/// The core's name of a TLS mode ("starttls", ...), or NULL when `mode` is
/// not an `mw_tls_mode`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_tls_mode_name(mode: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        tls_mode(mode).map_or(std::ptr::null(), |m| static_name(m.as_str()))
    })
}

/// Why a connection ended, as the transport saw it (the core's
/// `ConnectionLoss`), for `mw_session_connection_lost`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_connection_loss {
    /// The peer closed or reset the connection: MW_ERR_CONNECTION_CLOSED.
    MW_LOSS_CLOSED = 0,
    /// Nothing arrived (or could be sent) in time: MW_ERR_TIMEOUT.
    MW_LOSS_TIMEOUT = 1,
    /// The TLS layer failed (handshake, certificate, bad record): MW_ERR_TLS.
    MW_LOSS_TLS = 2,
    /// The connection could not be opened: MW_ERR_CONNECT.
    MW_LOSS_CONNECT = 3,
}

/// The C values, in the order of the core's `ConnectionLoss::ALL`.
const LOSSES: &[mw_connection_loss] = {
    use mw_connection_loss::*;
    &[
        MW_LOSS_CLOSED,
        MW_LOSS_TIMEOUT,
        MW_LOSS_TLS,
        MW_LOSS_CONNECT,
    ]
};

impl From<mw_connection_loss> for u32 {
    fn from(value: mw_connection_loss) -> u32 {
        value as u32
    }
}

/// The core's `ConnectionLoss` of a C value; out of range is MW_ERR_INVALID_OPTION.
pub(crate) fn connection_loss(value: u32) -> Result<ConnectionLoss, Fail> {
    core_value(ConnectionLoss::ALL, LOSSES, value).ok_or_else(|| {
        Fail::new(
            mw_result::MW_ERR_INVALID_OPTION,
            format!("{value} is not an mw_connection_loss"),
        )
    })
}

/// Looks a cause up by the core's name ("closed", "timeout", "tls",
/// "connect"); any other name is MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_connection_loss_from_name(
    name: *const c_char,
    len: usize,
    out_cause: *mut mw_connection_loss,
) -> mw_result {
    boundary(|| {
        let name = unsafe { text_arg(name, len, "name") }?;
        let slot = out(out_cause, "out_cause")?;
        let cause = ConnectionLoss::from_name(name)?;
        *slot = c_value(ConnectionLoss::ALL, LOSSES, cause)
            .ok_or_else(|| Fail::new(mw_result::MW_ERR_INVALID_ARGUMENT, "no C value"))?;
        Ok(())
    })
}

/// The core's name of a cause ("closed", ...), or NULL when `cause` is not
/// an `mw_connection_loss`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_connection_loss_name(cause: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        connection_loss(cause).map_or(std::ptr::null(), |c| static_name(c.as_str()))
    })
}

/// Where and how `mw_client_connect` and `mw_send` connect (opaque). Made
/// by `mw_client_options_new` with the core's defaults (STARTTLS required,
/// the TLS mode's default port, 30 s time-outs and 300 s per message, EHLO
/// "localhost", PIPELINING when offered, credentials in clear text only to a
/// loopback host, no transcript); each setter checks its value with the core's
/// rule and leaves the options unchanged when it refuses it. Free with
/// `mw_client_options_free`.
pub struct mw_client_options {
    pub(crate) inner: ClientOptions,
}

/// Creates options for `host` (`host_len` bytes of UTF-8: a name or an IP
/// address) with every default. On success `*out_options` is owned by the
/// caller (free with `mw_client_options_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_new(
    host: *const c_char,
    host_len: usize,
    out_options: *mut *mut mw_client_options,
) -> mw_result {
    boundary(|| {
        let host = unsafe { text_arg(host, host_len, "host") }?;
        let slot = out(out_options, "out_options")?;
        *slot = Box::into_raw(Box::new(mw_client_options {
            inner: ClientOptions::for_host(host),
        }));
        Ok(())
    })
}

/// Frees options. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_free(options: *mut mw_client_options) {
    guard((), || {
        if !options.is_null() {
            // SAFETY: from `mw_client_options_new` (contract).
            drop(unsafe { Box::from_raw(options) });
        }
    })
}

/// Applies `change` to a copy and keeps it only when it succeeds.
fn update(
    options: *mut mw_client_options,
    change: impl FnOnce(ClientOptions) -> Result<ClientOptions, Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(options, "options")?;
        handle.inner = change(handle.inner.clone())?;
        Ok(())
    })
}

pub(crate) fn options_ref<'a>(
    options: *const mw_client_options,
) -> Result<&'a ClientOptions, Fail> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { options.as_ref() }
        .map(|o| &o.inner)
        .ok_or_else(|| Fail::null("options"))
}

/// Sets the port (1 to 65535, else MW_ERR_INVALID_OPTION). Without it the
/// TLS mode's default port is used (465 for implicit TLS, else 25).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_port(
    options: *mut mw_client_options,
    port: i64,
) -> mw_result {
    update(options, |mut o| {
        o.port = Some(settings::port_from_i64(port)?);
        Ok(o)
    })
}

/// Sets the encryption (an `mw_tls_mode`; out of range is MW_ERR_INVALID_OPTION).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_tls(
    options: *mut mw_client_options,
    mode: u32,
) -> mw_result {
    update(options, |o| Ok(o.tls(tls_mode(mode)?)))
}

/// Authenticates with these credentials (copied; NULL removes them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_credentials(
    options: *mut mw_client_options,
    credentials: *const mw_credentials,
) -> mw_result {
    update(options, |mut o| {
        o.credentials = creds_ref(credentials).cloned();
        Ok(o)
    })
}

/// Sets the EHLO name (`len` bytes: a domain or an address literal; anything
/// else, above all CR/LF, is MW_ERR_INVALID_OPTION).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_hello_name(
    options: *mut mw_client_options,
    name: *const c_char,
    len: usize,
) -> mw_result {
    update(options, |o| {
        let name = unsafe { text_arg(name, len, "name") }?;
        settings::check_hello_name(name)?;
        Ok(o.hello_name(name))
    })
}

/// Sets the connect, read and write time-out, which is also the longest wait
/// for each complete reply however slowly its bytes trickle in, in
/// milliseconds: 1 ms to one day, else MW_ERR_INVALID_OPTION (0 is refused:
/// there is no "wait forever").
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_timeout_ms(
    options: *mut mw_client_options,
    timeout_ms: u64,
) -> mw_result {
    update(options, |o| {
        Ok(o.timeout(settings::timeout_from_millis(timeout_ms as f64)?))
    })
}

/// Sets the longest a message may take, from MAIL FROM to the server's
/// final reply, in milliseconds (the core's default is 300 s): 1 ms to one
/// day, else MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_message_timeout_ms(
    options: *mut mw_client_options,
    timeout_ms: u64,
) -> mw_result {
    update(options, |mut o| {
        o.message_timeout = settings::timeout_from_millis(timeout_ms as f64)?;
        Ok(o)
    })
}

/// Whether credentials may be sent over a connection that is not encrypted
/// (no STARTTLS offered, a 454 answer to it, or MW_TLS_NONE): the core's
/// `ClientOptions::allow_plaintext_auth`. Without permission, AUTH fails
/// with MW_ERR_TLS_UNAVAILABLE before any secret is sent.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_plaintext_auth {
    /// The default: only when the host is a loopback address (`localhost`,
    /// 127.0.0.0/8, ::1), where nothing crosses a network.
    MW_PLAINTEXT_AUTH_LOOPBACK_ONLY = 0,
    /// Always (the user accepts that the secret may be read on the way).
    MW_PLAINTEXT_AUTH_ALWAYS = 1,
    /// Never, not even to a loopback host.
    MW_PLAINTEXT_AUTH_NEVER = 2,
}

/// The C values, in the order of `PLAINTEXT_CORE`.
const PLAINTEXT: &[mw_plaintext_auth] = {
    use mw_plaintext_auth::*;
    &[
        MW_PLAINTEXT_AUTH_LOOPBACK_ONLY,
        MW_PLAINTEXT_AUTH_ALWAYS,
        MW_PLAINTEXT_AUTH_NEVER,
    ]
};
/// The core's values (`Option<bool>`: None is the loopback rule).
const PLAINTEXT_CORE: &[Option<bool>] = &[None, Some(true), Some(false)];

impl From<mw_plaintext_auth> for u32 {
    fn from(value: mw_plaintext_auth) -> u32 {
        value as u32
    }
}

/// Sets when credentials may go over an unencrypted connection (an
/// `mw_plaintext_auth`; out of range is MW_ERR_INVALID_OPTION).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_allow_plaintext_auth(
    options: *mut mw_client_options,
    allow: u32,
) -> mw_result {
    update(options, |mut o| {
        o.allow_plaintext_auth = core_value(PLAINTEXT_CORE, PLAINTEXT, allow).ok_or_else(|| {
            Fail::new(
                mw_result::MW_ERR_INVALID_OPTION,
                format!("{allow} is not an mw_plaintext_auth"),
            )
        })?;
        Ok(o)
    })
}

/// When credentials may go over an unencrypted connection;
/// MW_PLAINTEXT_AUTH_LOOPBACK_ONLY if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_allow_plaintext_auth(
    options: *const mw_client_options,
) -> mw_plaintext_auth {
    let fallback = mw_plaintext_auth::MW_PLAINTEXT_AUTH_LOOPBACK_ONLY;
    guard(fallback, || {
        options_ref(options)
            .ok()
            .and_then(|o| c_value(PLAINTEXT_CORE, PLAINTEXT, o.allow_plaintext_auth))
            .unwrap_or(fallback)
    })
}

/// Keeps a transcript of the conversation (secrets masked, server text
/// escaped, at most the core's `mw_transcript_max_lines()` lines, oldest
/// dropped) for `mw_client_take_transcript`. Off by default.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_transcript(
    options: *mut mw_client_options,
    transcript: bool,
) -> mw_result {
    update(options, |mut o| {
        o.transcript = transcript;
        Ok(o)
    })
}

/// Uses PIPELINING when the server offers it (`true`, the default) or never.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_set_pipelining(
    options: *mut mw_client_options,
    pipelining: bool,
) -> mw_result {
    update(options, |mut o| {
        o.pipelining = pipelining;
        Ok(o)
    })
}

/// Trusts the certificates of this PEM file too (`len` bytes of UTF-8 path),
/// added to the Mozilla roots. An unreadable file is MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_add_ca_file(
    options: *mut mw_client_options,
    path: *const c_char,
    len: usize,
) -> mw_result {
    update(options, |o| {
        let path = unsafe { text_arg(path, len, "path") }?;
        Ok(o.ca_file(path)?)
    })
}

/// Trusts the certificates in this PEM text too (`len` bytes, copied).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_add_ca_pem(
    options: *mut mw_client_options,
    pem: *const u8,
    len: usize,
) -> mw_result {
    update(options, |o| {
        Ok(o.ca_pem(unsafe { bytes_arg(pem, len, "pem") }?.to_vec()))
    })
}

/// Trusts exactly the certificate with this SHA-256 fingerprint (`len`
/// bytes: 64 hex digits, colons allowed, as `openssl x509 -fingerprint
/// -sha256` prints it, prefix included). May be called more than once; with
/// any pin, the server's certificate must be one of the pinned ones and
/// nothing else about it is checked (a self-signed certificate works). A
/// malformed fingerprint is MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_pin_sha256(
    options: *mut mw_client_options,
    fingerprint: *const c_char,
    len: usize,
) -> mw_result {
    update(options, |o| {
        Ok(o.pin_sha256(unsafe { text_arg(fingerprint, len, "fingerprint") }?)?)
    })
}

/// Trusts exactly the certificate(s) in this PEM text (`len` bytes), e.g. a
/// self-signed server certificate: pins their SHA-256 fingerprints, as
/// `mw_client_options_pin_sha256` does. PEM without a certificate is
/// MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_pin_certificate_pem(
    options: *mut mw_client_options,
    pem: *const u8,
    len: usize,
) -> mw_result {
    update(options, |o| {
        Ok(o.pin_certificate_pem(unsafe { bytes_arg(pem, len, "pem") }?)?)
    })
}

/// The port that will be used (the one set, or the TLS mode's default); 0
/// if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_port(options: *const mw_client_options) -> u16 {
    guard(0, || options_ref(options).map_or(0, |o| o.effective_port()))
}

/// The TLS mode (an `mw_tls_mode`); MW_TLS_STARTTLS if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_tls(
    options: *const mw_client_options,
) -> mw_tls_mode {
    guard(mw_tls_mode::MW_TLS_STARTTLS, || {
        options_ref(options).map_or(mw_tls_mode::MW_TLS_STARTTLS, |o| c_tls_mode(o.tls))
    })
}

/// The read/write time-out in milliseconds; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_timeout_ms(
    options: *const mw_client_options,
) -> u64 {
    guard(0, || {
        options_ref(options).map_or(0, |o| {
            u64::try_from(o.timeout.as_millis()).unwrap_or(u64::MAX)
        })
    })
}

/// The longest a message may take, in milliseconds; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_message_timeout_ms(
    options: *const mw_client_options,
) -> u64 {
    guard(0, || {
        options_ref(options).map_or(0, |o| {
            u64::try_from(o.message_timeout.as_millis()).unwrap_or(u64::MAX)
        })
    })
}

/// Whether PIPELINING is used when offered; false if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_client_options_get_pipelining(
    options: *const mw_client_options,
) -> bool {
    guard(false, || options_ref(options).is_ok_and(|o| o.pipelining))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_values_follow_the_core_order() {
        assert_eq!(TLS_MODES.len(), TlsMode::ALL.len());
        for (c, core) in TLS_MODES.iter().zip(TlsMode::ALL) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_TLS_{}", core.as_str().to_uppercase())
            );
            assert_eq!(tls_mode(*c as u32).ok(), Some(*core));
        }
        assert_eq!(LOSSES.len(), ConnectionLoss::ALL.len());
        for (c, core) in LOSSES.iter().zip(ConnectionLoss::ALL) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_LOSS_{}", core.as_str().to_uppercase())
            );
        }
        assert_eq!(
            tls_mode(4).err().map(|f| f.code),
            Some(mw_result::MW_ERR_INVALID_OPTION)
        );
        assert_eq!(PLAINTEXT.len(), PLAINTEXT_CORE.len());
        // The default is the core's.
        let default = ClientOptions::for_host("x").allow_plaintext_auth;
        assert_eq!(
            c_value(PLAINTEXT_CORE, PLAINTEXT, default),
            Some(mw_plaintext_auth::MW_PLAINTEXT_AUTH_LOOPBACK_ONLY)
        );
    }
}
