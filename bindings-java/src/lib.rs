//! The JNI library behind `org.mailwright.Native` (all natives live in that
//! one package-private Java class). The modules mirror the core's: each
//! converts Java values to the core's types and back, and holds no rule of
//! its own.
//!
//! - [`errors`]: a core error is thrown as the `MailwrightException` subclass
//!   of its category, built here (kind, code, category, transience, reply).
//! - [`convert`]: why a call failed (`Fail`), strings (read as UTF-16 and
//!   decoded by the core: a lone surrogate is `InvalidUnicode`), byte arrays,
//!   handles, `Reply`, `SendResult` and `TranscriptLine`.
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
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::jlong;

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

/// A Java string as UTF-8 bytes, strictly (a lone surrogate is the core's
/// `InvalidUnicode`, naming `field`): for the Java methods that take text
/// but hand the core bytes (PEM text, a reply to parse).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_utf8<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    value: JString<'l>,
    field: JString<'l>,
) -> JByteArray<'l> {
    errors::run(&mut env, |env| {
        let field = convert::string(env, &field, "field")?;
        let text = mailwright::unicode::from_utf16(&convert::utf16(env, &value)?, &field)?;
        Ok(convert::new_bytes(env, text.as_bytes())?)
    })
}

/// How many native handles are alive (test support: dropped objects must
/// come back to this number once collected).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_liveHandles<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> jlong {
    errors::run(&mut env, |_env| Ok(convert::live_handles()))
}
