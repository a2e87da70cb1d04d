//! JS values → Rust values. Wrong JS types are `TypeError`s; values of the
//! right type go to the core, which decides whether they are valid.
//!
//! Every string parameter of the package comes through [`string`]: a JS
//! string is UTF-16 and may hold a lone surrogate, which wasm-bindgen's own
//! conversion would silently replace by U+FFFD. Here it is refused with the
//! core's `InvalidUnicode` (`mailwright::unicode::from_utf16`). Every byte
//! buffer comes through [`bytes`], which reports a buffer too large for
//! WebAssembly memory as an error instead of aborting.

use crate::errors::{IntoJs, js_error, type_error};
use js_sys::{Array, JsString, Object, Reflect, Uint8Array};
use mailwright::{Error, ErrorKind, MailboxSpec};
use wasm_bindgen::prelude::*;

/// `obj[key]`.
pub fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
}

/// Sets `object[key]` on an object this crate made.
pub fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// `undefined` or `null`.
pub fn missing(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// A string, or a TypeError naming `what`; a lone surrogate in it is the
/// core's `InvalidUnicode` (never U+FFFD).
pub fn string(v: JsValue, what: &str) -> Result<String, JsValue> {
    let text = v
        .as_string()
        .ok_or_else(|| type_error(format!("{what} must be a string")))?;
    // wasm-bindgen's conversion turns a lone surrogate into U+FFFD; only a
    // string that now holds U+FFFD needs the exact check, unit by unit.
    if !text.contains('\u{FFFD}') {
        return Ok(text);
    }
    let units: Vec<u16> = v.unchecked_ref::<JsString>().iter().collect();
    mailwright::unicode::from_utf16(&units, what).js()
}

/// `obj[key]` as a string, if given.
pub fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = get(obj, key)?;
    if missing(&v) {
        Ok(None)
    } else {
        string(v, key).map(Some)
    }
}

/// `obj[key]` as a boolean, if given.
pub fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    let v = get(obj, key)?;
    if missing(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| type_error(format!("{key} must be a boolean")))
}

/// `obj[key]` as a number, if given (NaN included: the core judges it).
pub fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, JsValue> {
    let v = get(obj, key)?;
    if missing(&v) {
        return Ok(None);
    }
    v.as_f64()
        .map(Some)
        .ok_or_else(|| type_error(format!("{key} must be a number")))
}

/// A mailbox: a string as a user writes it, or `{ name?, address }`.
pub fn mailbox(v: JsValue, what: &str) -> Result<MailboxSpec, JsValue> {
    if v.is_string() {
        return string(v, what).map(MailboxSpec::Text);
    }
    if v.is_object() && !Array::is_array(&v) {
        let name = opt_string(&v, "name")?;
        let address = string(get(&v, "address")?, &format!("{what}.address"))?;
        return Ok(MailboxSpec::Parts(name, address));
    }
    Err(type_error(format!(
        "{what} must be a string or {{ name, address }}"
    )))
}

/// One value or an array of them (none when missing).
pub fn list(v: JsValue) -> Vec<JsValue> {
    if missing(&v) {
        Vec::new()
    } else if Array::is_array(&v) {
        Array::from(&v).iter().collect()
    } else {
        vec![v]
    }
}

/// A Uint8Array or an ArrayBuffer, copied into WebAssembly memory.
pub fn bytes(v: JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    let array = if let Some(array) = v.dyn_ref::<Uint8Array>() {
        array.clone()
    } else if let Some(buffer) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        Uint8Array::new(buffer)
    } else {
        return Err(type_error(format!(
            "{what} must be a Uint8Array or an ArrayBuffer"
        )));
    };
    // The length as JS reports it (js-sys's u32 would wrap past 4 GiB).
    let len = get(&array, "length")?.as_f64().unwrap_or(0.0);
    let mut out = buffer(len, what)?;
    out.resize(len as usize, 0);
    array.copy_to(&mut out);
    Ok(out)
}

/// A number as JS writes it (Rust's own float formatting would add
/// kilobytes to the .wasm for error messages only).
pub fn number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// An empty buffer with room for `len` bytes, or an error (the core's `Io`,
/// category "system") when WebAssembly memory cannot hold them: allocation
/// failure is caught where the binding allocates, instead of aborting.
pub fn buffer(len: f64, what: &str) -> Result<Vec<u8>, JsValue> {
    let mut out = Vec::new();
    if len > isize::MAX as f64 || out.try_reserve_exact(len as usize).is_err() {
        return Err(js_error(Error::new(
            ErrorKind::Io,
            format!(
                "out of WebAssembly memory: {what} needs {} bytes, which the module \
                 (at most 4 GiB, {} bytes held now) cannot allocate",
                number_text(len),
                number_text(memory_bytes())
            ),
        )));
    }
    Ok(out)
}

/// The size of the module's WebAssembly memory, in bytes (it never shrinks).
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as f64 * 65536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Text or bytes (PEM, say): a string, a Uint8Array or an ArrayBuffer.
pub fn text_or_bytes(v: JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if v.is_string() {
        string(v, what).map(String::into_bytes)
    } else if v.is_instance_of::<Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>() {
        bytes(v, what)
    } else {
        Err(type_error(format!(
            "{what} must be a string or a Uint8Array"
        )))
    }
}

/// `[name, value]` pairs from an object or an array of pairs.
pub fn pairs(v: JsValue, what: &str) -> Result<Vec<(String, String)>, JsValue> {
    if missing(&v) {
        return Ok(Vec::new());
    }
    let entries: Vec<JsValue> = if Array::is_array(&v) {
        Array::from(&v).iter().collect()
    } else if v.is_object() {
        Object::entries(v.unchecked_ref()).iter().collect()
    } else {
        return Err(type_error(format!(
            "{what} must be an object or [name, value] pairs"
        )));
    };
    entries
        .into_iter()
        .map(|pair| {
            let pair = Array::from(&pair);
            Ok((string(pair.get(0), what)?, string(pair.get(1), what)?))
        })
        .collect()
}
