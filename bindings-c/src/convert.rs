//! Arguments in (pointers to strings, bytes and out-slots) and values out
//! (buffers, strings, static names), plus the functions that free what the
//! library hands out.

pub(crate) use crate::cstring::{static_name, to_c_string};
use crate::errors::{Fail, guard, mw_result};
use std::ffi::{CStr, CString, c_char};

fn invalid_utf8(what: &str) -> Fail {
    Fail::new(
        mw_result::MW_ERR_INVALID_UTF8,
        format!("{what} is not valid UTF-8"),
    )
}

/// A NUL-terminated UTF-8 string argument (not NULL).
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Fail> {
    if ptr.is_null() {
        return Err(Fail::null(what));
    }
    // SAFETY: the caller passes a NUL-terminated string (documented).
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| invalid_utf8(what))
}

/// A NUL-terminated UTF-8 string argument, or NULL for none.
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

/// `len` bytes at `ptr` (NULL allowed when `len` is 0).
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

/// A UTF-8 string given as a pointer and a length (no NUL needed; NULL
/// allowed when `len` is 0).
pub(crate) unsafe fn text_arg<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
) -> Result<&'a str, Fail> {
    let bytes = unsafe { bytes_arg(ptr.cast(), len, what) }?;
    std::str::from_utf8(bytes).map_err(|_| invalid_utf8(what))
}

/// A writable out-slot (not NULL).
pub(crate) fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Fail> {
    // SAFETY: a non-NULL out-pointer points to writable storage (documented).
    unsafe { ptr.as_mut() }.ok_or_else(|| Fail::null(what))
}

/// Writes `value` through `ptr` when it is not NULL (optional out-slots).
pub(crate) fn out_opt<T>(ptr: *mut T, value: T) {
    // SAFETY: NULL or writable (documented).
    if let Some(slot) = unsafe { ptr.as_mut() } {
        *slot = value;
    }
}

/// The C value of a core enum value: its position in the core's `ALL`,
/// looked up in the C enum's values listed in the same order.
pub(crate) fn c_value<C: Copy, R: PartialEq>(core: &[R], c: &[C], value: R) -> Option<C> {
    core.iter()
        .position(|v| *v == value)
        .and_then(|i| c.get(i).copied())
}

/// The core enum value of a C value (an integer from the caller), or None
/// when it is out of range.
pub(crate) fn core_value<C: Copy + Into<u32>, R: Copy>(
    core: &[R],
    c: &[C],
    value: u32,
) -> Option<R> {
    c.iter()
        .position(|v| (*v).into() == value)
        .and_then(|i| core.get(i).copied())
}

/// Hands a buffer to C: freed with `mw_bytes_free`.
pub(crate) fn give_bytes(bytes: Vec<u8>, data: &mut *mut u8, len: &mut usize) {
    let boxed = bytes.into_boxed_slice();
    *len = boxed.len();
    *data = Box::into_raw(boxed) as *mut u8;
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
