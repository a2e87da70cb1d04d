//! `dkim: [{ domain, selector, algorithm, sign, time?, expiresAfter?,
//! canonicalization? }]` → the core's external signers (`dkim-external`: no
//! crypto in the .wasm). The core canonicalizes, hashes and writes the
//! `DKIM-Signature` field; JS's `sign` makes the signature (node:crypto in
//! the Node entry's `dkimSigner`) while the message is built.
//!
//! A JS function is not `Send`, which the core asks of a signer: the
//! functions of the builds in progress wait in a thread-local stack instead,
//! and the core's closure holds only an index into it. A `Scope` per build
//! pops what the build pushed, also when a `sign` function builds a message
//! itself.

use crate::convert::{get, missing, opt_string, string};
use crate::errors::{IntoJs, js_error, type_error};
use js_sys::{Function, Uint8Array};
use mailwright::{Canonicalization, DkimAlgorithm, DkimSigner, Error, ErrorKind};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static SIGN: RefCell<Vec<Function>> = const { RefCell::new(Vec::new()) };
}

/// The `sign` functions of one build: removed when it ends.
pub(crate) struct Scope {
    base: usize,
}

impl Scope {
    pub(crate) fn new() -> Scope {
        Scope {
            base: SIGN.with(|s| s.borrow().len()),
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        SIGN.with(|s| s.borrow_mut().truncate(self.base));
    }
}

fn option_error(message: String) -> JsValue {
    js_error(Error::new(ErrorKind::InvalidDkimOption, message))
}

/// Calls the `index`th `sign` function with the bytes the core gives.
fn call(index: usize, data: &[u8]) -> Result<Vec<u8>, String> {
    // Cloned out: the function may build a message, which pushes its own.
    let sign = SIGN
        .with(|s| s.borrow().get(index).cloned())
        .ok_or("its sign function is gone (the build it belonged to ended)")?;
    let out = sign
        .call1(&JsValue::UNDEFINED, &Uint8Array::from(data))
        .map_err(|e| match e.dyn_ref::<js_sys::Error>() {
            Some(e) => format!("sign threw: {}", String::from(e.message())),
            None => format!(
                "sign threw {}",
                e.as_string().unwrap_or_else(|| "a non-Error value".into())
            ),
        })?;
    if let Some(array) = out.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = out.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        Err("sign must return the raw signature as a Uint8Array".into())
    }
}

/// One member of `dkim` as the core's signer; its `sign` kept in `SIGN`
/// until the `Scope` of this build ends.
pub(crate) fn signer(v: &JsValue, _scope: &Scope) -> Result<DkimSigner, JsValue> {
    if !v.is_object() {
        return Err(type_error(
            "dkim must be { domain, selector, algorithm, sign, ... } (or an array of them)".into(),
        ));
    }
    let domain = string(get(v, "domain")?, "dkim.domain")?;
    let selector = string(get(v, "selector")?, "dkim.selector")?;
    let name = string(get(v, "algorithm")?, "dkim.algorithm")?;
    let algorithm = DkimAlgorithm::from_name(&name).ok_or_else(|| {
        option_error(format!(
            "DKIM algorithm {name:?} is not rsa-sha256 or ed25519-sha256"
        ))
    })?;
    let sign = get(v, "sign")?.dyn_into::<Function>().map_err(|_| {
        type_error(
            "dkim.sign must be a function (bytes) => signature; in Node, dkimSigner({ domain, selector, privateKey }) makes one".into(),
        )
    })?;
    let index = SIGN.with(|s| {
        let mut s = s.borrow_mut();
        s.push(sign);
        s.len() - 1
    });
    let mut signer = DkimSigner::external(domain, selector, algorithm, move |data: &[u8]| {
        call(index, data)
    });
    if let Some(tag) = opt_string(v, "canonicalization")? {
        let (header, body) = Canonicalization::parse_tag(&tag).js()?;
        signer = signer.canonicalization(header, body);
    }
    let time = get(v, "time")?;
    if !missing(&time) {
        signer = signer.time(whole(seconds(&time)?, "dkim.time")? as i64);
    }
    let expires = get(v, "expiresAfter")?;
    if !missing(&expires) {
        let after = expires
            .as_f64()
            .ok_or_else(|| type_error("dkim.expiresAfter must be a number of seconds".into()))?;
        signer = signer.expires_after(whole(after, "dkim.expiresAfter")? as u64);
    }
    Ok(signer)
}

/// Seconds since the epoch from a `Date` or a number.
fn seconds(v: &JsValue) -> Result<f64, JsValue> {
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        return Ok((d.get_time() / 1000.0).floor());
    }
    v.as_f64()
        .ok_or_else(|| type_error("dkim.time must be a Date or a number of seconds".into()))
}

/// A whole number in 0..=2^53-1 (the core checks the range it allows).
fn whole(n: f64, what: &str) -> Result<f64, JsValue> {
    if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
        Ok(n)
    } else {
        Err(option_error(format!(
            "{what} must be a whole number of seconds, 0 or more; {} was given",
            crate::convert::number_text(n)
        )))
    }
}

/// The core's algorithm name for a key node:crypto read (`keyType` its
/// `asymmetricKeyType`, `bits` an RSA key's `modulusLength`), or the core's
/// InvalidDkimKey error (a size or a type DKIM does not sign with).
#[wasm_bindgen(js_name = __dkimAlgorithmForKey)]
pub fn dkim_algorithm_for_key(key_type: String, bits: Option<f64>) -> Result<String, JsValue> {
    // A size node:crypto reports is a whole number; anything else is no size.
    let bits = bits.filter(|b| b.fract() == 0.0 && *b >= 0.0 && *b <= 1e9);
    DkimAlgorithm::for_key(&key_type, bits.map(|b| b as u64))
        .map(|a| a.as_str().to_string())
        .map_err(js_error)
}

/// A `MailwrightError` of kind InvalidDkimKey (for the Node entry's
/// `dkimSigner`, which reads keys with node:crypto).
#[wasm_bindgen(js_name = __dkimKeyError)]
pub fn dkim_key_error(message: String) -> JsValue {
    js_error(Error::new(ErrorKind::InvalidDkimKey, message))
}
