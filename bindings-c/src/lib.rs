//! The C API of mailwright. Every exported function converts its arguments,
//! calls the core inside a panic boundary and converts the result; no rule
//! lives here. The header `include/mailwright.h` is generated from this crate
//! by cbindgen.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

mod ffi;
mod message;
mod smtp;

pub use ffi::*;
pub use message::*;
pub use smtp::*;
