//! The C API of mailwright. Every exported function converts its arguments,
//! calls the core inside a panic boundary and converts the result; no rule
//! lives here. The header `include/mailwright.h` is generated from this crate
//! by cbindgen.
//!
//! The modules mirror the core: `errors` (result codes, last error, panic
//! boundary), `convert` (arguments in, values out), `message`, `dkim`
//! (keys and signers), `smtp` (credentials, auth, reply, options, session,
//! client) and `delivery` (the mailer over the core's blocking delivery
//! driver).
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

mod convert;
mod cstring;
mod delivery;
mod dkim;
mod errors;
mod message;
mod smtp;

pub use convert::*;
pub use delivery::*;
pub use dkim::*;
pub use errors::*;
pub use message::*;
pub use smtp::*;
