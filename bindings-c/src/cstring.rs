//! Text made for C (NUL-terminated), a leaf that the error and conversion
//! modules both use.

use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char};
use std::sync::{Mutex, OnceLock};

/// Text for C: a NUL inside becomes the two characters `\0`.
pub(crate) fn to_c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// A NUL-terminated copy of one of the core's static names (`as_str()`),
/// made once and kept for the life of the process.
pub(crate) fn static_name(name: &'static str) -> *const c_char {
    static NAMES: OnceLock<Mutex<HashMap<&'static str, &'static CStr>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    names
        .entry(name)
        .or_insert_with(|| Box::leak(to_c_string(name).into_boxed_c_str()))
        .as_ptr()
}
