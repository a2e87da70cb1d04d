//! The core's name tables (TLS modes, connection-loss causes, reply classes,
//! events, transcript directions, AUTH mechanisms, outcome kinds, dispatcher
//! actions, error categories) and the module's memory size: for the
//! package's tests, which check the `.d.ts` unions (and the Mailer's action
//! handlers) against them, and for users who watch memory.

use crate::convert::{memory_bytes, set};
use js_sys::{Array, Object};
use mailwright::ErrorCategory;
use mailwright::delivery::{Action, Outcome};
use mailwright::smtp::{ConnectionLoss, Direction, Event, Mechanism, ReplyClass, TlsMode};
use wasm_bindgen::prelude::*;

fn array<'a>(names: impl Iterator<Item = &'a str>) -> Array {
    names.map(JsValue::from_str).collect()
}

/// `{ tlsModes, connectionLosses, replyClasses, events, directions,
/// mechanisms, outcomes, actions, errorCategories }`: every name the core
/// uses, in its order.
#[wasm_bindgen(js_name = __names)]
pub fn names() -> Object {
    let o = Object::new();
    set(
        &o,
        "tlsModes",
        &array(TlsMode::ALL.iter().map(|m| m.as_str())),
    );
    set(
        &o,
        "connectionLosses",
        &array(ConnectionLoss::ALL.iter().map(|c| c.as_str())),
    );
    set(
        &o,
        "replyClasses",
        &array(ReplyClass::ALL.iter().map(|c| c.as_str())),
    );
    set(&o, "events", &array(Event::NAMES.iter().copied()));
    set(
        &o,
        "directions",
        &array(Direction::ALL.iter().map(|d| d.as_str())),
    );
    set(
        &o,
        "mechanisms",
        &array(Mechanism::ALL.iter().map(|m| m.as_str())),
    );
    set(&o, "outcomes", &array(Outcome::KINDS.iter().copied()));
    set(&o, "actions", &array(Action::NAMES.iter().copied()));
    set(
        &o,
        "errorCategories",
        &array(ErrorCategory::ALL.iter().map(|c| c.as_str())),
    );
    o
}

/// The size of the module's WebAssembly memory in bytes. It grows when a
/// call needs more and never shrinks (WebAssembly cannot give memory back):
/// free objects, or use `buildMessage`, to keep it small.
#[wasm_bindgen(js_name = wasmMemorySize)]
pub fn wasm_memory_size() -> f64 {
    memory_bytes()
}
