//! Result codes, the calling thread's last error, and the panic boundary.
//!
//! The codes of the core's error kinds are the core's `ErrorKind::code()`;
//! their names, categories and whether they are transient are asked of the
//! core (`ErrorKind::from_code`), never decided here.

use crate::cstring::{static_name, to_c_string};
use mailwright::{ErrorCategory, ErrorKind};
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// Result of every fallible function. The numbers are stable: never
/// renumbered or reused. 1..=99 belong to the C boundary; 100..=199 are
/// message errors and 200..=299 SMTP errors, equal to the core's
/// `ErrorKind::code()`.
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
    /// An enum argument out of range (other than an option: those are
    /// MW_ERR_INVALID_OPTION), or an error of a kind newer than this header.
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
    /// A string held text that is not Unicode (a lone surrogate from a
    /// UTF-16 source). C strings are bytes: invalid UTF-8 is
    /// MW_ERR_INVALID_UTF8 before the core sees it.
    MW_ERR_INVALID_UNICODE = 117,
    /// A List-Unsubscribe URI is not an absolute `https:` or `mailto:` URI
    /// in printable ASCII.
    MW_ERR_INVALID_UNSUBSCRIBE_URI = 118,
    /// One-click unsubscribe (RFC 8058) without an `https:` List-Unsubscribe URI.
    MW_ERR_ONE_CLICK_REQUIRES_HTTPS = 119,
    /// A List-Id that is not `label.namespace` (RFC 2919).
    MW_ERR_INVALID_LIST_ID = 120,
    /// A DKIM private key that cannot be read or used (never quoted in the message).
    MW_ERR_INVALID_DKIM_KEY = 121,
    /// A DKIM domain, selector, signature time or expiry out of range.
    MW_ERR_INVALID_DKIM_OPTION = 122,
    /// A calendar invitation that is not an iCalendar object, or a bad method.
    MW_ERR_INVALID_CALENDAR = 123,
    /// The calendar's METHOD property differs from the method given.
    MW_ERR_CALENDAR_METHOD_MISMATCH = 124,
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
    /// A connection or session option is out of range or malformed (a
    /// time-out, a port, the EHLO name, a TLS mode, a pinned fingerprint).
    MW_ERR_INVALID_OPTION = 213,
    /// The ledger cannot be used: not a ledger or damaged, from a newer
    /// mailwright, read-only, a full disk, locked by another process.
    MW_ERR_LEDGER = 300,
    /// An idempotency key that is empty, over 512 bytes or holds a control
    /// character.
    MW_ERR_INVALID_KEY = 301,
}

/// Every `mw_result`, once: the only list of them (a test checks it against
/// the core's kinds).
const ALL_RESULTS: &[mw_result] = {
    use mw_result::*;
    &[
        MW_OK,
        MW_ERR_NULL_PARAMETER,
        MW_ERR_INVALID_UTF8,
        MW_ERR_PANIC,
        MW_ERR_INVALID_ARGUMENT,
        MW_ERR_INVALID_ADDRESS,
        MW_ERR_HEADER_INJECTION,
        MW_ERR_INVALID_HEADER_NAME,
        MW_ERR_MISSING_FROM,
        MW_ERR_NO_RECIPIENTS,
        MW_ERR_DUPLICATE_CONTENT_ID,
        MW_ERR_INVALID_CONTENT_ID,
        MW_ERR_INVALID_CONTENT_TYPE,
        MW_ERR_X_SMTPAPI_INVALID,
        MW_ERR_MESSAGE_TOO_LARGE,
        MW_ERR_INVALID_MESSAGE_ID,
        MW_ERR_INVALID_HEADER_VALUE,
        MW_ERR_INVALID_BOUNDARY_SEED,
        MW_ERR_BOUNDARY_COLLISION,
        MW_ERR_NO_CLOCK,
        MW_ERR_RANDOM,
        MW_ERR_IO,
        MW_ERR_INVALID_UNICODE,
        MW_ERR_INVALID_UNSUBSCRIBE_URI,
        MW_ERR_ONE_CLICK_REQUIRES_HTTPS,
        MW_ERR_INVALID_LIST_ID,
        MW_ERR_INVALID_DKIM_KEY,
        MW_ERR_INVALID_DKIM_OPTION,
        MW_ERR_INVALID_CALENDAR,
        MW_ERR_CALENDAR_METHOD_MISMATCH,
        MW_ERR_SMTP_TRANSIENT,
        MW_ERR_SMTP_PERMANENT,
        MW_ERR_RATE_LIMITED,
        MW_ERR_AUTHENTICATION_FAILED,
        MW_ERR_AUTH_UNAVAILABLE,
        MW_ERR_TLS_UNAVAILABLE,
        MW_ERR_PROTOCOL,
        MW_ERR_CONNECTION_CLOSED,
        MW_ERR_TIMEOUT,
        MW_ERR_TLS,
        MW_ERR_CONNECT,
        MW_ERR_INVALID_CREDENTIALS,
        MW_ERR_INVALID_STATE,
        MW_ERR_INVALID_OPTION,
        MW_ERR_LEDGER,
        MW_ERR_INVALID_KEY,
    ]
};

fn result_of(code: u32) -> Option<mw_result> {
    ALL_RESULTS.iter().copied().find(|r| *r as u32 == code)
}

/// The `mw_result` of a core error kind: the kind's own code.
pub(crate) fn code_of(kind: ErrorKind) -> mw_result {
    result_of(kind.code()).unwrap_or(mw_result::MW_ERR_INVALID_ARGUMENT)
}

/// The family of a result, from the core's `ErrorKind::category()`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_error_category {
    /// MW_OK, the C boundary's own codes (1 to 4) and unknown codes.
    MW_CATEGORY_NONE = 0,
    /// The caller's input was refused.
    MW_CATEGORY_INPUT = 1,
    /// The server answered with a refusal.
    MW_CATEGORY_SERVER = 2,
    /// The server cannot do what was asked (no AUTH, no STARTTLS, over SIZE).
    MW_CATEGORY_CAPABILITY = 3,
    /// The server broke the protocol.
    MW_CATEGORY_PROTOCOL = 4,
    /// The connection failed: could not open, closed, timed out, TLS failed.
    MW_CATEGORY_CONNECTION = 5,
    /// The environment failed: no clock, no randomness, an output error.
    MW_CATEGORY_SYSTEM = 6,
    /// A call that makes no sense in the current state.
    MW_CATEGORY_STATE = 7,
}

/// The C values of the core's categories, in the order of `ErrorCategory::ALL`.
const CATEGORIES: &[mw_error_category] = {
    use mw_error_category::*;
    &[
        MW_CATEGORY_INPUT,
        MW_CATEGORY_SERVER,
        MW_CATEGORY_CAPABILITY,
        MW_CATEGORY_PROTOCOL,
        MW_CATEGORY_CONNECTION,
        MW_CATEGORY_SYSTEM,
        MW_CATEGORY_STATE,
    ]
};

fn category_of(category: ErrorCategory) -> mw_error_category {
    ErrorCategory::ALL
        .iter()
        .position(|c| *c == category)
        .and_then(|i| CATEGORIES.get(i).copied())
        .unwrap_or(mw_error_category::MW_CATEGORY_NONE)
}

struct LastError {
    message: CString,
    smtp_code: u16,
    enhanced: Option<CString>,
    reply_text: Option<CString>,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// A failure on its way to C: the code and, for the last-error functions, details.
#[derive(Clone, Debug)]
pub(crate) struct Fail {
    pub code: mw_result,
    message: String,
    smtp_code: u16,
    enhanced: Option<String>,
    reply_text: Option<String>,
}

impl Fail {
    pub fn new(code: mw_result, message: impl Into<String>) -> Fail {
        Fail {
            code,
            message: message.into(),
            smtp_code: 0,
            enhanced: None,
            reply_text: None,
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
            reply_text: err.reply().map(|r| r.text()),
        }
    }
}

fn record(fail: Fail) -> mw_result {
    let code = fail.code;
    LAST_ERROR.with(|last| {
        *last.borrow_mut() = Some(LastError {
            message: to_c_string(&fail.message),
            smtp_code: fail.smtp_code,
            enhanced: fail.enhanced.as_deref().map(to_c_string),
            reply_text: fail.reply_text.as_deref().map(to_c_string),
        })
    });
    code
}

/// Runs `body`, turning a panic into an MW_ERR_PANIC failure.
pub(crate) fn catch<T>(body: impl FnOnce() -> Result<T, Fail>) -> Result<T, Fail> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        Err(Fail::new(
            mw_result::MW_ERR_PANIC,
            "internal error (a panic was caught)",
        ))
    })
}

/// Runs `body` inside the panic boundary; records the error for `mw_last_error_message`.
pub(crate) fn boundary(body: impl FnOnce() -> Result<(), Fail>) -> mw_result {
    match catch(body) {
        Ok(()) => mw_result::MW_OK,
        Err(fail) => record(fail),
    }
}

/// For functions that return a value instead of `mw_result`: `fallback` on panic.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
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

/// The whole text of the server's reply behind the last error on the
/// calling thread (lines joined with "\n"; control characters escaped and
/// any echo of an AUTH secret replaced by `<redacted>`, by the core), or
/// NULL when the last error did not come from a reply. Valid until the next
/// call into mailwright on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn mw_last_error_reply_text() -> *const c_char {
    guard(std::ptr::null(), || {
        LAST_ERROR.with(|last| {
            last.borrow()
                .as_ref()
                .and_then(|e| e.reply_text.as_ref())
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The C name of a result code ("MW_ERR_RATE_LIMITED"), or "MW_ERR_UNKNOWN";
/// a static string, never NULL. `result` is an `mw_result`.
#[unsafe(no_mangle)]
pub extern "C" fn mw_result_name(result: u32) -> *const c_char {
    guard(c"MW_ERR_UNKNOWN".as_ptr(), || {
        static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            ALL_RESULTS
                .iter()
                .map(|r| to_c_string(&format!("{r:?}")))
                .collect()
        });
        ALL_RESULTS
            .iter()
            .position(|r| *r as u32 == result)
            .map_or(c"MW_ERR_UNKNOWN".as_ptr(), |i| names[i].as_ptr())
    })
}

/// The core's name of the error kind behind a result code ("RateLimited",
/// as in the shared test vectors and every other binding), or NULL for
/// MW_OK, the C boundary's own codes (1 to 4) and unknown codes. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_result_kind_name(result: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        ErrorKind::from_code(result).map_or(std::ptr::null(), |k| static_name(k.as_str()))
    })
}

/// True when trying again later may succeed (4xx replies, rate limiting, a
/// connection that could not be opened, closed or timed out), as the core
/// decides; false for MW_OK, the boundary's own codes and unknown codes.
#[unsafe(no_mangle)]
pub extern "C" fn mw_result_is_transient(result: u32) -> bool {
    guard(false, || {
        ErrorKind::from_code(result).is_some_and(|k| k.is_transient())
    })
}

/// The family of a result code, as the core decides (`MW_CATEGORY_NONE`
/// for MW_OK, the boundary's own codes 1 to 4 and unknown codes).
#[unsafe(no_mangle)]
pub extern "C" fn mw_result_category(result: u32) -> mw_error_category {
    guard(mw_error_category::MW_CATEGORY_NONE, || {
        ErrorKind::from_code(result).map_or(mw_error_category::MW_CATEGORY_NONE, |k| {
            category_of(k.category())
        })
    })
}

/// The core's name of a category ("input", "server", "capability",
/// "protocol", "connection", "system", "state"), or NULL for
/// MW_CATEGORY_NONE and values out of range. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_error_category_name(category: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        CATEGORIES
            .iter()
            .position(|c| *c as u32 == category)
            .and_then(|i| ErrorCategory::ALL.get(i))
            .map_or(std::ptr::null(), |c| static_name(c.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(ptr: *const c_char) -> String {
        assert!(!ptr.is_null());
        // SAFETY: static strings from this module.
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string()
    }

    /// "OneClickRequiresHttps" -> "MW_ERR_ONE_CLICK_REQUIRES_HTTPS"
    /// (SendCloud's header keeps its spelling: "MW_ERR_X_SMTPAPI_INVALID").
    fn c_name(kind: &str) -> String {
        let mut name = String::from("MW_ERR");
        for c in kind.replace("XSmtpApi", "XSmtpapi").chars() {
            if c.is_ascii_uppercase() {
                name.push('_');
            }
            name.push(c.to_ascii_uppercase());
        }
        name
    }

    #[test]
    fn every_core_kind_has_its_own_result_with_the_same_number() {
        let mut seen = std::collections::HashSet::new();
        for &kind in ErrorKind::ALL {
            let code = code_of(kind);
            assert_eq!(code as u32, kind.code(), "{kind:?}");
            assert!(seen.insert(code as u32));
            // The C name is the kind's name in upper snake case.
            assert_eq!(
                text(mw_result_name(code as u32)),
                c_name(kind.as_str()),
                "{kind:?}"
            );
            assert_eq!(text(mw_result_kind_name(code as u32)), kind.as_str());
            assert_eq!(mw_result_is_transient(code as u32), kind.is_transient());
            let category = mw_result_category(code as u32);
            assert_eq!(
                text(mw_error_category_name(category as u32)),
                kind.category().as_str()
            );
        }
        // The C list holds exactly the core's kinds plus the boundary's 0..=4.
        assert_eq!(ALL_RESULTS.len(), ErrorKind::ALL.len() + 5);
        assert!(mw_result_kind_name(1).is_null());
        assert_eq!(mw_result_category(3), mw_error_category::MW_CATEGORY_NONE);
        assert_eq!(text(mw_result_name(9999)), "MW_ERR_UNKNOWN");
    }

    #[test]
    fn categories_follow_the_core_order() {
        assert_eq!(CATEGORIES.len(), ErrorCategory::ALL.len());
        for (c, core) in CATEGORIES.iter().zip(ErrorCategory::ALL) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_CATEGORY_{}", core.as_str().to_uppercase())
            );
        }
        assert!(mw_error_category_name(0).is_null());
        assert!(mw_error_category_name(99).is_null());
    }
}
