//! Core errors as thrown JS `Error` objects. The classes are the package's
//! `MailwrightError` and `SmtpError` (declared empty by its entry points and
//! registered with `__registerErrors`); every property, and which class, is
//! decided here from the core: `code` (the kind's name), `errorCode` (its
//! stable number), `category` and `transient`, and the server's reply
//! (`smtpCode`, `enhancedCode`, `text`) when one caused the error.

use js_sys::{Array, Function, Object, Reflect};
use mailwright::{Error, ErrorCategory, ErrorKind};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// (MailwrightError, SmtpError), registered by the package's entry points.
    static CLASSES: RefCell<Option<(Function, Function)>> = const { RefCell::new(None) };
}

/// Called once by the package's entry points (not for users).
#[wasm_bindgen(js_name = __registerErrors)]
pub fn register_errors(base: Function, smtp: Function) {
    CLASSES.with(|c| *c.borrow_mut() = Some((base, smtp)));
}

fn set(object: &JsValue, key: &str, value: JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}

/// A core error as a JS error: `SmtpError` for the core's "server" category,
/// `MailwrightError` for every other.
pub fn js_error(err: Error) -> JsValue {
    let kind = err.kind();
    let classes = CLASSES.with(|c| c.borrow().clone());
    let message = JsValue::from_str(&err.to_string());
    let error: JsValue = match classes {
        Some((base, smtp)) => {
            let class = if kind.category() == ErrorCategory::Server {
                smtp
            } else {
                base
            };
            let args = Array::of1(&message);
            match Reflect::construct(&class, &args) {
                Ok(error) => {
                    set(&error, "name", class.name().into());
                    error
                }
                Err(e) => return e,
            }
        }
        // The raw module used without the package's entry points.
        None => {
            let error = js_sys::Error::new(&err.to_string());
            error.set_name("MailwrightError");
            error.into()
        }
    };
    set(&error, "code", kind.as_str().into());
    set(&error, "errorCode", kind.code().into());
    set(&error, "category", kind.category().as_str().into());
    set(&error, "transient", err.is_transient().into());
    if let Some(reply) = err.reply() {
        set(&error, "smtpCode", reply.code().into());
        set(
            &error,
            "enhancedCode",
            reply
                .enhanced()
                .map_or(JsValue::UNDEFINED, |e| e.to_string().into()),
        );
        set(&error, "text", reply.text().into());
    }
    error
}

/// Shorthand for `map_err(js_error)`.
pub trait IntoJs<T> {
    fn js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for mailwright::Result<T> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(js_error)
    }
}

/// A JS `TypeError` (a value of the wrong JS type: not a core error).
pub fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// Every error kind the core reports, in code order, with its stable number,
/// category and whether it is transient: `{ name, code, category, transient }`.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Array {
    // `ErrorKind::ALL` is in the order kinds were added (118.. after the
    // 2xx kinds), not in code order.
    let mut kinds = ErrorKind::ALL.to_vec();
    kinds.sort_by_key(|kind| kind.code());
    kinds
        .into_iter()
        .map(|kind| {
            let entry = Object::new();
            set(&entry, "name", kind.as_str().into());
            set(&entry, "code", kind.code().into());
            set(&entry, "category", kind.category().as_str().into());
            set(&entry, "transient", kind.is_transient().into());
            JsValue::from(entry)
        })
        .collect()
}

/// The error for a use of an object after `free()` (or after it was moved
/// into a call that takes it by value, or its `using` block ended), thrown
/// by the package's entry points instead of wasm-bindgen's "null pointer
/// passed to rust".
#[wasm_bindgen(js_name = __freedError)]
pub fn freed_error(class: JsValue) -> JsValue {
    let class = class.as_string().unwrap_or_default();
    js_error(Error::new(
        ErrorKind::InvalidState,
        format!(
            "this {class} was freed (by free(), the end of its `using` block, or being passed \
             by value): it cannot be used any more"
        ),
    ))
}

/// The error a Node `Mailer` rejects a message with once `close()` or
/// `abort()` was called (a misuse, like a use after `free()`): the core's.
#[wasm_bindgen(js_name = __closedError)]
pub fn closed_error() -> JsValue {
    js_error(mailwright::delivery::closed_error())
}

/// The error of a ledger file a Node `Mailer` cannot open, lock, read or
/// write (kind `Ledger`, the core's), worded by the driver from what the
/// runtime said.
#[wasm_bindgen(js_name = __ledgerError)]
pub fn ledger_error(message: &str) -> JsValue {
    js_error(Error::new(ErrorKind::Ledger, message.to_string()))
}

/// The properties of the error the entry points throw once the module has
/// trapped (an allocation failure inside the core aborts: wasm has no
/// unwinding). Fetched when the package loads, since a trapped module cannot
/// make errors any more: `{ code, errorCode, category, transient, message }`.
#[wasm_bindgen(js_name = __trapError)]
pub fn trap_error() -> Object {
    let kind = ErrorKind::Io;
    let entry = Object::new();
    set(&entry, "code", kind.as_str().into());
    set(&entry, "errorCode", kind.code().into());
    set(&entry, "category", kind.category().as_str().into());
    set(&entry, "transient", kind.is_transient().into());
    set(
        &entry,
        "message",
        "the WebAssembly module aborted (out of memory, most likely: wasm32 holds at most 4 GiB \
         and its memory never shrinks); it cannot be used any more: start a new process or worker"
            .into(),
    );
    entry
}
