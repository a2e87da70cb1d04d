//! A quota shared across processes: any JS object with a synchronous
//! `acquire()` as the core's `QuotaGate` (the `limiter` option of
//! `new Dispatcher(plan, options)` and of Node's `new Mailer(options)`).
//!
//! The contract of `acquire()` (Python's `limiter=` in milliseconds, like
//! every JS duration): `0` (or `undefined`) means a slot of the shared window
//! was taken (go), a number of milliseconds above zero means the window is
//! full (ask again after that long), and a thrown error means the shared
//! store could not be asked (the core holds every message and asks again
//! after its `GATE_RETRY`; the error's text ends up in the failure of a
//! message that waited for it past its deadline). The core asks only when
//! this process's own pacing would let a message go at once, and a slot it
//! is granted is always used. `acquire()` runs inside the dispatcher's call:
//! it must not call the dispatcher (or the Mailer's counters) back, which
//! wasm-bindgen refuses with an error (seen here as a throw, so as
//! "unavailable").
//!
//! `Send`: the core's `QuotaGate` is `Send`, a `JsValue` is not (it names a
//! slot of one thread's JS heap table). The gate therefore holds no
//! `JsValue`: the limiter object stays in a thread-local table, and the gate
//! holds only its key (a number, which is `Send`). On the thread that made
//! it (the only thread of a wasm module built without the `atomics` feature,
//! as this package is) the gate finds its object; on any other thread it
//! would find nothing and answer "unavailable" instead of touching another
//! thread's heap. No `unsafe impl Send` is needed.

use crate::convert::{get, missing, number_text};
use crate::errors::type_error;
use js_sys::{Function, Reflect};
use mailwright::delivery::{GateAnswer, QuotaGate};
use mailwright::smtp::settings::timeout_from_millis;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The limiter objects of this thread's gates, with their keys (a few at
    /// most: a list costs less .wasm than a map).
    static LIMITERS: RefCell<Vec<(u64, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Keys unique over every thread, so a key never names another gate's object.
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

const CONTRACT: &str = "0 (go) or the milliseconds to wait";

/// A JS limiter object seen by the core as a [`QuotaGate`].
pub struct JsGate {
    key: u64,
}

impl JsGate {
    /// The gate for `limiter`: an object with a callable `acquire`, else a
    /// TypeError.
    pub fn new(limiter: JsValue) -> Result<JsGate, JsValue> {
        let callable = !missing(&limiter)
            && (limiter.is_object() || limiter.is_function())
            && get(&limiter, "acquire")?.is_function();
        if !callable {
            return Err(type_error(format!(
                "limiter must be an object with a synchronous acquire() method returning {CONTRACT}"
            )));
        }
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        LIMITERS.with(|table| table.borrow_mut().push((key, limiter)));
        Ok(JsGate { key })
    }
}

impl Drop for JsGate {
    fn drop(&mut self) {
        // On another thread (or once the table is gone) there is nothing to remove.
        let _ = LIMITERS.try_with(|table| table.borrow_mut().retain(|(key, _)| *key != self.key));
    }
}

impl QuotaGate for JsGate {
    fn acquire(&mut self) -> GateAnswer {
        // The borrow ends before JS runs: acquire() may make other gates.
        let limiter = LIMITERS
            .try_with(|table| {
                let table = table.borrow();
                table
                    .iter()
                    .find(|(key, _)| *key == self.key)
                    .map(|(_, limiter)| limiter.clone())
            })
            .ok()
            .flatten();
        let Some(limiter) = limiter else {
            return GateAnswer::Unavailable(
                "the limiter belongs to another thread of this WebAssembly module".into(),
            );
        };
        let answer =
            get(&limiter, "acquire").and_then(|acquire| match acquire.dyn_ref::<Function>() {
                Some(acquire) => acquire.call0(&limiter),
                None => Err(type_error("limiter.acquire is no longer a function".into())),
            });
        match answer {
            Ok(value) => answer_of(&value),
            Err(thrown) => GateAnswer::Unavailable(described(&thrown)),
        }
    }
}

/// What one value returned by `acquire()` means for the core.
fn answer_of(value: &JsValue) -> GateAnswer {
    if value.is_undefined() {
        return GateAnswer::Go;
    }
    let Some(ms) = value.as_f64() else {
        let what = if value.is_object() && get(value, "then").is_ok_and(|then| then.is_function()) {
            "a Promise (acquire() must answer at once; an adapter over an asynchronous store prefetches its slots)".to_string()
        } else {
            format!("a {}", value.js_typeof().as_string().unwrap_or_default())
        };
        return GateAnswer::Unavailable(format!(
            "limiter.acquire() returned {what}: it must return {CONTRACT}"
        ));
    };
    if ms == 0.0 {
        return GateAnswer::Go;
    }
    if ms.is_nan() || ms < 0.0 {
        return GateAnswer::Unavailable(format!(
            "limiter.acquire() returned {}: a wait must be a number of milliseconds above zero",
            number_text(ms)
        ));
    }
    // Waits shorter than the core's shortest time-out are rounded up to it;
    // the longest is the core's too.
    match timeout_from_millis(ms.max(1.0)) {
        Ok(wait) => GateAnswer::Wait(wait),
        Err(err) => GateAnswer::Unavailable(format!(
            "limiter.acquire() returned {} ms: {err}",
            number_text(ms)
        )),
    }
}

/// `limiter.acquire() threw Name: message` for what `acquire()` threw.
fn described(thrown: &JsValue) -> String {
    if let Some(text) = thrown.as_string() {
        return format!("limiter.acquire() threw {text}");
    }
    if thrown.is_instance_of::<js_sys::Error>() {
        let field = |key: &str| {
            Reflect::get(thrown, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let name = Some(field("name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Error".into());
        let message = field("message");
        return if message.is_empty() {
            format!("limiter.acquire() threw {name}")
        } else {
            format!("limiter.acquire() threw {name}: {message}")
        };
    }
    format!(
        "limiter.acquire() threw a {}",
        thrown.js_typeof().as_string().unwrap_or_default()
    )
}
