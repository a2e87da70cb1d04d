//! Result codes, the last error, the panic boundary and argument conversion.

use mailwright::ErrorKind;
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Result of every fallible function. The numbers are stable: never
/// renumbered or reused. 100..=199 are message errors and 200..=299 SMTP
/// errors, equal to the core's `ErrorKind::code()`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_result {
    /// Success.
    MW_OK = 0,
    /// A pointer argument that must not be NULL was NULL.
    MW_ERR_NULL_PARAMETER = 1,
    /// A string argument was not valid UTF-8.
    MW_ERR_INVALID_UTF8 = 2,
    /// A bug inside mailwright (a Rust panic, caught at the boundary).
    MW_ERR_PANIC = 3,
    /// An enum argument out of range, or an error of a kind newer than this header.
    MW_ERR_INVALID_ARGUMENT = 4,
    MW_ERR_INVALID_ADDRESS = 100,
    MW_ERR_HEADER_INJECTION = 101,
    MW_ERR_INVALID_HEADER_NAME = 102,
    MW_ERR_MISSING_FROM = 103,
    MW_ERR_NO_RECIPIENTS = 104,
    MW_ERR_DUPLICATE_CONTENT_ID = 105,
    MW_ERR_INVALID_CONTENT_ID = 106,
    MW_ERR_INVALID_CONTENT_TYPE = 107,
    MW_ERR_X_SMTPAPI_INVALID = 108,
    MW_ERR_MESSAGE_TOO_LARGE = 109,
    MW_ERR_INVALID_MESSAGE_ID = 110,
    MW_ERR_INVALID_HEADER_VALUE = 111,
    MW_ERR_INVALID_BOUNDARY_SEED = 112,
    MW_ERR_BOUNDARY_COLLISION = 113,
    MW_ERR_NO_CLOCK = 114,
    MW_ERR_RANDOM = 115,
    MW_ERR_IO = 116,
    MW_ERR_SMTP_TRANSIENT = 200,
    MW_ERR_SMTP_PERMANENT = 201,
    MW_ERR_RATE_LIMITED = 202,
    MW_ERR_AUTHENTICATION_FAILED = 203,
    MW_ERR_AUTH_UNAVAILABLE = 204,
    MW_ERR_TLS_UNAVAILABLE = 205,
    MW_ERR_PROTOCOL = 206,
    MW_ERR_CONNECTION_CLOSED = 207,
    MW_ERR_TIMEOUT = 208,
    MW_ERR_TLS = 209,
    MW_ERR_CONNECT = 210,
    MW_ERR_INVALID_CREDENTIALS = 211,
    MW_ERR_INVALID_STATE = 212,
}

pub(crate) fn code_of(kind: ErrorKind) -> mw_result {
    use mw_result::*;
    match kind {
        ErrorKind::InvalidAddress => MW_ERR_INVALID_ADDRESS,
        ErrorKind::HeaderInjection => MW_ERR_HEADER_INJECTION,
        ErrorKind::InvalidHeaderName => MW_ERR_INVALID_HEADER_NAME,
        ErrorKind::MissingFrom => MW_ERR_MISSING_FROM,
        ErrorKind::NoRecipients => MW_ERR_NO_RECIPIENTS,
        ErrorKind::DuplicateContentId => MW_ERR_DUPLICATE_CONTENT_ID,
        ErrorKind::InvalidContentId => MW_ERR_INVALID_CONTENT_ID,
        ErrorKind::InvalidContentType => MW_ERR_INVALID_CONTENT_TYPE,
        ErrorKind::XSmtpApiInvalid => MW_ERR_X_SMTPAPI_INVALID,
        ErrorKind::MessageTooLarge => MW_ERR_MESSAGE_TOO_LARGE,
        ErrorKind::InvalidMessageId => MW_ERR_INVALID_MESSAGE_ID,
        ErrorKind::InvalidHeaderValue => MW_ERR_INVALID_HEADER_VALUE,
        ErrorKind::InvalidBoundarySeed => MW_ERR_INVALID_BOUNDARY_SEED,
        ErrorKind::BoundaryCollision => MW_ERR_BOUNDARY_COLLISION,
        ErrorKind::NoClock => MW_ERR_NO_CLOCK,
        ErrorKind::Random => MW_ERR_RANDOM,
        ErrorKind::Io => MW_ERR_IO,
        ErrorKind::SmtpTransient => MW_ERR_SMTP_TRANSIENT,
        ErrorKind::SmtpPermanent => MW_ERR_SMTP_PERMANENT,
        ErrorKind::RateLimited => MW_ERR_RATE_LIMITED,
        ErrorKind::AuthenticationFailed => MW_ERR_AUTHENTICATION_FAILED,
        ErrorKind::AuthUnavailable => MW_ERR_AUTH_UNAVAILABLE,
        ErrorKind::TlsUnavailable => MW_ERR_TLS_UNAVAILABLE,
        ErrorKind::Protocol => MW_ERR_PROTOCOL,
        ErrorKind::ConnectionClosed => MW_ERR_CONNECTION_CLOSED,
        ErrorKind::Timeout => MW_ERR_TIMEOUT,
        ErrorKind::Tls => MW_ERR_TLS,
        ErrorKind::Connect => MW_ERR_CONNECT,
        ErrorKind::InvalidCredentials => MW_ERR_INVALID_CREDENTIALS,
        ErrorKind::InvalidState => MW_ERR_INVALID_STATE,
        _ => MW_ERR_INVALID_ARGUMENT,
    }
}

struct LastError {
    message: CString,
    smtp_code: u16,
    enhanced: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// A failure on its way to C: the code and, for the last-error functions, details.
pub(crate) struct Fail {
    pub code: mw_result,
    message: String,
    smtp_code: u16,
    enhanced: Option<String>,
}

impl Fail {
    pub fn new(code: mw_result, message: impl Into<String>) -> Fail {
        Fail {
            code,
            message: message.into(),
            smtp_code: 0,
            enhanced: None,
        }
    }

    pub fn null(what: &str) -> Fail {
        Fail::new(mw_result::MW_ERR_NULL_PARAMETER, format!("{what} is NULL"))
    }
}

impl From<mailwright::Error> for Fail {
    fn from(err: mailwright::Error) -> Fail {
        Fail {
            code: code_of(err.kind()),
            message: err.to_string(),
            smtp_code: err.reply().map_or(0, |r| r.code()),
            enhanced: err
                .reply()
                .and_then(|r| r.enhanced())
                .map(|e| e.to_string()),
        }
    }
}

fn record(fail: Fail) -> mw_result {
    let code = fail.code;
    LAST_ERROR.with(|last| {
        *last.borrow_mut() = Some(LastError {
            message: c_string(&fail.message),
            smtp_code: fail.smtp_code,
            enhanced: fail.enhanced.as_deref().map(c_string),
        })
    });
    code
}

/// Runs `body` inside the panic boundary; records the error for `mw_last_error_message`.
pub(crate) fn boundary(body: impl FnOnce() -> Result<(), Fail>) -> mw_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => mw_result::MW_OK,
        Ok(Err(fail)) => record(fail),
        Err(_) => record(Fail::new(
            mw_result::MW_ERR_PANIC,
            "internal error (a panic was caught)",
        )),
    }
}

/// For functions that return a value instead of `mw_result`: `fallback` on panic.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Fail> {
    if ptr.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: the caller passes a NUL-terminated string (documented).
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|_| {
        Fail::new(
            mw_result::MW_ERR_INVALID_UTF8,
            format!("{what} is not valid UTF-8"),
        )
    })
}

pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    what: &str,
) -> Result<Option<&'a str>, Fail> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { str_arg(ptr, what) }.map(Some)
    }
}

pub(crate) unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Fail> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Fail::null(what))
        };
    }
    // SAFETY: the caller passes `len` readable bytes at `ptr` (documented).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

pub(crate) fn out<T>(ptr: *mut T, what: &str) -> Result<&'static mut T, Fail> {
    // SAFETY: a non-NULL out-pointer points to writable storage (documented).
    unsafe { ptr.as_mut() }.ok_or_else(|| Fail::null(what))
}

pub(crate) fn to_c_string(text: &str) -> CString {
    c_string(text)
}

/// Hands a buffer to C: freed with `mw_bytes_free`.
pub(crate) fn give_bytes(bytes: Vec<u8>, data: &mut *mut u8, len: &mut usize) {
    let boxed = bytes.into_boxed_slice();
    *len = boxed.len();
    *data = Box::into_raw(boxed) as *mut u8;
}

/// The message of the last error on the calling thread, or NULL if none.
/// The string belongs to the library and stays valid until the next call
/// into mailwright on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn mw_last_error_message() -> *const c_char {
    guard(std::ptr::null(), || {
        LAST_ERROR.with(|last| {
            last.borrow()
                .as_ref()
                .map_or(std::ptr::null(), |e| e.message.as_ptr())
        })
    })
}

/// The SMTP reply code of the last error on the calling thread (e.g. 536),
/// or 0 when the last error did not come from a server reply.
#[unsafe(no_mangle)]
pub extern "C" fn mw_last_error_smtp_code() -> u16 {
    guard(0, || {
        LAST_ERROR.with(|last| last.borrow().as_ref().map_or(0, |e| e.smtp_code))
    })
}

/// The RFC 3463 enhanced status code of the last error ("5.7.8"), or NULL.
/// Valid until the next call into mailwright on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn mw_last_error_enhanced_code() -> *const c_char {
    guard(std::ptr::null(), || {
        LAST_ERROR.with(|last| {
            last.borrow()
                .as_ref()
                .and_then(|e| e.enhanced.as_ref())
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The name of a result code ("MW_ERR_RATE_LIMITED"); a static string, never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mw_result_name(result: u32) -> *const c_char {
    guard(c"MW_ERR_UNKNOWN".as_ptr(), || {
        let name: &'static CStr = match result {
            0 => c"MW_OK",
            1 => c"MW_ERR_NULL_PARAMETER",
            2 => c"MW_ERR_INVALID_UTF8",
            3 => c"MW_ERR_PANIC",
            4 => c"MW_ERR_INVALID_ARGUMENT",
            code => match ErrorKind::ALL.iter().find(|k| k.code() == code) {
                Some(kind) => return kind_name(*kind).as_ptr(),
                None => c"MW_ERR_UNKNOWN",
            },
        };
        name.as_ptr()
    })
}

fn kind_name(kind: ErrorKind) -> &'static CStr {
    use mw_result::*;
    match code_of(kind) {
        MW_ERR_INVALID_ADDRESS => c"MW_ERR_INVALID_ADDRESS",
        MW_ERR_HEADER_INJECTION => c"MW_ERR_HEADER_INJECTION",
        MW_ERR_INVALID_HEADER_NAME => c"MW_ERR_INVALID_HEADER_NAME",
        MW_ERR_MISSING_FROM => c"MW_ERR_MISSING_FROM",
        MW_ERR_NO_RECIPIENTS => c"MW_ERR_NO_RECIPIENTS",
        MW_ERR_DUPLICATE_CONTENT_ID => c"MW_ERR_DUPLICATE_CONTENT_ID",
        MW_ERR_INVALID_CONTENT_ID => c"MW_ERR_INVALID_CONTENT_ID",
        MW_ERR_INVALID_CONTENT_TYPE => c"MW_ERR_INVALID_CONTENT_TYPE",
        MW_ERR_X_SMTPAPI_INVALID => c"MW_ERR_X_SMTPAPI_INVALID",
        MW_ERR_MESSAGE_TOO_LARGE => c"MW_ERR_MESSAGE_TOO_LARGE",
        MW_ERR_INVALID_MESSAGE_ID => c"MW_ERR_INVALID_MESSAGE_ID",
        MW_ERR_INVALID_HEADER_VALUE => c"MW_ERR_INVALID_HEADER_VALUE",
        MW_ERR_INVALID_BOUNDARY_SEED => c"MW_ERR_INVALID_BOUNDARY_SEED",
        MW_ERR_BOUNDARY_COLLISION => c"MW_ERR_BOUNDARY_COLLISION",
        MW_ERR_NO_CLOCK => c"MW_ERR_NO_CLOCK",
        MW_ERR_RANDOM => c"MW_ERR_RANDOM",
        MW_ERR_IO => c"MW_ERR_IO",
        MW_ERR_SMTP_TRANSIENT => c"MW_ERR_SMTP_TRANSIENT",
        MW_ERR_SMTP_PERMANENT => c"MW_ERR_SMTP_PERMANENT",
        MW_ERR_RATE_LIMITED => c"MW_ERR_RATE_LIMITED",
        MW_ERR_AUTHENTICATION_FAILED => c"MW_ERR_AUTHENTICATION_FAILED",
        MW_ERR_AUTH_UNAVAILABLE => c"MW_ERR_AUTH_UNAVAILABLE",
        MW_ERR_TLS_UNAVAILABLE => c"MW_ERR_TLS_UNAVAILABLE",
        MW_ERR_PROTOCOL => c"MW_ERR_PROTOCOL",
        MW_ERR_CONNECTION_CLOSED => c"MW_ERR_CONNECTION_CLOSED",
        MW_ERR_TIMEOUT => c"MW_ERR_TIMEOUT",
        MW_ERR_TLS => c"MW_ERR_TLS",
        MW_ERR_CONNECT => c"MW_ERR_CONNECT",
        MW_ERR_INVALID_CREDENTIALS => c"MW_ERR_INVALID_CREDENTIALS",
        MW_ERR_INVALID_STATE => c"MW_ERR_INVALID_STATE",
        _ => c"MW_ERR_UNKNOWN",
    }
}

/// Frees a buffer the library returned (its bytes are zeroed first: AUTH
/// payloads hold secrets). NULL does nothing. Never pass it to libc `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_bytes_free(data: *mut u8, len: usize) {
    guard((), || {
        if data.is_null() {
            return;
        }
        // SAFETY: `data`/`len` came from `give_bytes` (a boxed slice), per the contract.
        let mut boxed = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) };
        boxed.iter_mut().for_each(|b| *b = 0);
        drop(boxed);
    })
}

/// Frees a string the library returned. NULL does nothing. Never pass it to libc `free()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_string_free(text: *mut c_char) {
    guard((), || {
        if !text.is_null() {
            // SAFETY: `text` came from `CString::into_raw`, per the contract.
            drop(unsafe { CString::from_raw(text) });
        }
    })
}

/// The library's version, e.g. "0.1.0" (static).
#[unsafe(no_mangle)]
pub extern "C" fn mw_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_own_stable_number() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = code_of(*kind);
            assert_eq!(code as u32, kind.code(), "{kind:?}");
            assert!(seen.insert(code as u32));
            // SAFETY: static strings.
            let name = unsafe { CStr::from_ptr(mw_result_name(code as u32)) };
            assert_ne!(name.to_str().unwrap(), "MW_ERR_UNKNOWN", "{kind:?}");
        }
    }
}
