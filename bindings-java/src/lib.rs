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
//! - [`dkim`]: DKIM keys and signers (handles shared across messages).
//! - [`smtp`]: credentials and AUTH, options, replies, session, client.
//! - [`delivery`]: rates, the delivery configuration, the `Mailer` and its
//!   outcomes (completing Java futures from the core's driver threads).
//!
//! Every native is defined with [`errors::native!`] and runs through
//! [`errors::run`], inside the `jni` crate's panic boundary: a Rust panic
//! becomes a Java exception, never an unwind into the JVM.

mod convert;
mod delivery;
mod dkim;
mod errors;
mod message;
mod smtp;

use errors::native;
use jni::objects::{JByteArray, JString};
use jni::sys::jlong;

native! {
    /// The library's version; `Native` refuses to run when it differs from the jar's.
    fn version(env) -> JString<'l> {
        convert::new_string(env, Some(env!("CARGO_PKG_VERSION")))?
    }

    /// A Java string as UTF-8 bytes, strictly (a lone surrogate is the core's
    /// `InvalidUnicode`, naming `field`): for the Java methods that take text
    /// but hand the core bytes (PEM text, a reply to parse).
    fn utf8(env, value: JString<'l>, field: JString<'l>) -> JByteArray<'l> {
        let field = convert::string(env, &field, "field")?;
        let text = mailwright::unicode::from_utf16(&convert::utf16(env, &value)?, &field)?;
        convert::new_bytes(env, text.as_bytes())?
    }

    /// How many native handles are alive (test support: dropped objects must
    /// come back to this number once collected).
    fn liveHandles(_) -> jlong {
        convert::live_handles()
    }
}
