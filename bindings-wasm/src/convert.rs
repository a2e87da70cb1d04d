//! JS values → Rust values. Wrong JS types are `TypeError`s; values of the
//! right type go to the core, which decides whether they are valid.

use crate::errors::type_error;
use js_sys::{Array, Object, Reflect, Uint8Array};
use mailwright::MailboxSpec;
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

/// A string, or a TypeError naming `what`.
pub fn string(v: JsValue, what: &str) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| type_error(format!("{what} must be a string")))
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
    if let Some(text) = v.as_string() {
        return Ok(MailboxSpec::Text(text));
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

/// A Uint8Array or an ArrayBuffer, copied.
pub fn bytes(v: JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(array) = v.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if let Some(buffer) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    Err(type_error(format!(
        "{what} must be a Uint8Array or an ArrayBuffer"
    )))
}

/// Text or bytes (PEM, say): a string, a Uint8Array or an ArrayBuffer.
pub fn text_or_bytes(v: JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    match v.as_string() {
        Some(text) => Ok(text.into_bytes()),
        None => bytes(v, what)
            .map_err(|_| type_error(format!("{what} must be a string or a Uint8Array"))),
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
