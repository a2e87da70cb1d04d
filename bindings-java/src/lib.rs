//! The JNI library behind `org.mailwright.Native` (all natives live in that
//! one package-private Java class). The modules mirror the core's: each
//! converts Java values to the core's types and back, and holds no rule of
//! its own.
//!
//! - [`errors`]: a core error is thrown as the `MailwrightException` subclass
//!   of its category, built here (kind, code, category, transience, reply).
//! - [`convert`]: strings, byte arrays, handles, `Reply` and `SendResult`.
//! - [`message`]: the builder (one native per setter) and `Message`.
//! - [`smtp`]: credentials and AUTH, options, replies, session, client.
//!
//! Every native runs through [`errors::run`], inside the `jni` crate's panic
//! boundary: a Rust panic becomes a Java exception, never an unwind into the JVM.

mod convert;
mod errors;
mod message;
mod smtp;

use jni::EnvUnowned;
use jni::objects::{JClass, JString};

/// The library's version; `Native` refuses to run when it differs from the jar's.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_version<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JString<'l> {
    errors::run(&mut env, |env| {
        Ok(convert::new_string(env, Some(env!("CARGO_PKG_VERSION")))?)
    })
}
