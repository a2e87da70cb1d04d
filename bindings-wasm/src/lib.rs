//! The WebAssembly binding of mailwright: registration only. Each module
//! converts JS values to the core's types and the core's results back; no
//! rule lives here (defaults, validation, names and error classification all
//! come from the core). The date comes from JS (`Date.now()`), random numbers
//! from `crypto.getRandomValues` (the core's `wasm-js` feature), UTS 46
//! (internationalized domains) from the runtime's URL parser (`idna`, the
//! core's `host-idna` feature).
//!
//! The npm package around this crate (entry points, the Node transport, the
//! TypeScript types) is committed in `npm/`.

mod convert;
mod delivery;
mod dkim;
mod errors;
#[cfg(target_arch = "wasm32")]
mod idna;
mod message;
mod smtp;
mod testing;

mod names;

pub use delivery::{Dispatcher, Prepared, rate_numbers};
pub use dkim::dkim_key_error;
pub use errors::{error_kinds, register_errors};
pub use message::{Message, build_message};
pub use names::{names, wasm_memory_size};
pub use smtp::{ClientPlan, Credentials, Reply, Session};
