//! Failures of a native call, and how they reach Java: a core error becomes
//! the `MailwrightException` subclass of its kind's category (kind name,
//! code, category, transience and the server's reply all from the core),
//! constructed and thrown here; a JNI failure becomes the JDK exception it
//! stands for. Every native is defined with [`native!`] and runs through
//! [`run`], inside the `jni` crate's panic boundary.

use crate::convert::{self, JResult};
use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JObjectArray, JString, JThrowable};
use jni::strings::JNIStr;
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use mailwright::{Error, ErrorCategory, ErrorKind};

pub use crate::convert::{Fail, Outcome};

/// Runs the body of a native method: its value, or (on failure) the Java
/// exception thrown and a default value returned.
pub fn run<'l, T: Default>(
    env: &mut EnvUnowned<'l>,
    body: impl FnOnce(&mut Env<'l>) -> Outcome<T>,
) -> T {
    env.with_env(body).resolve::<ThrowJava>()
}

/// Defines natives of `org.mailwright.Native`: each `fn name(env, args) -> T
/// { body }` becomes the exported `Java_org_mailwright_Native_name`, taking
/// the JNI environment and class and then `args`, whose body runs through
/// [`run`] (panic boundary, failure thrown as a Java exception). `env` (or
/// `_`) names the `&mut Env` the body uses, the lifetime `'l` is the call's,
/// and the body's value is the result: `?` leaves with the failure.
macro_rules! native {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($env:pat_param $(, $arg:ident: $ty:ty)* $(,)?) $(-> $ret:ty)? $body:block
    )+) => {$(
        $(#[$attr])*
        #[allow(non_snake_case)]
        #[unsafe(export_name = concat!("Java_org_mailwright_Native_", stringify!($name)))]
        pub extern "system" fn $name<'l>(
            mut env: ::jni::EnvUnowned<'l>,
            _class: ::jni::objects::JClass<'l>,
            $($arg: $ty),*
        ) $(-> $ret)? {
            $crate::errors::run(&mut env, |$env| Ok($body))
        }
    )+};
}

pub(crate) use native;

/// The Java class for a kind: a few kinds have their own class, every other
/// kind the class of its category (the core's [`ErrorKind::category`]).
fn class_name(kind: ErrorKind) -> &'static JNIStr {
    match kind {
        ErrorKind::RateLimited => jni_str!("org/mailwright/RateLimitedException"),
        ErrorKind::AuthenticationFailed => jni_str!("org/mailwright/AuthenticationException"),
        ErrorKind::Tls => jni_str!("org/mailwright/TlsException"),
        _ => match kind.category() {
            ErrorCategory::Input => jni_str!("org/mailwright/InputException"),
            ErrorCategory::Server => jni_str!("org/mailwright/SmtpReplyException"),
            ErrorCategory::Capability => jni_str!("org/mailwright/CapabilityException"),
            ErrorCategory::Protocol => jni_str!("org/mailwright/ProtocolException"),
            ErrorCategory::Connection => jni_str!("org/mailwright/ConnectionException"),
            ErrorCategory::System => jni_str!("org/mailwright/SystemException"),
            ErrorCategory::State => jni_str!("org/mailwright/StateException"),
            _ => jni_str!("org/mailwright/MailwrightException"),
        },
    }
}

/// The Java exception for a core error (not thrown).
pub fn exception<'l>(env: &mut Env<'l>, error: &Error) -> JResult<JObject<'l>> {
    let kind = error.kind();
    let kind_name = convert::new_string(env, Some(kind.as_str()))?;
    let category = convert::new_string(env, Some(error.category().as_str()))?;
    let reply = match error.reply() {
        Some(reply) => convert::new_reply(env, reply)?,
        None => JObject::null(),
    };
    let message = convert::new_string(env, Some(&error.to_string()))?;
    let code = i32::try_from(kind.code()).unwrap_or(i32::MAX);
    env.new_object(
        class_name(kind),
        jni_sig!(
            "(Ljava/lang/String;ILjava/lang/String;ZLorg/mailwright/Reply;Ljava/lang/String;)V"
        ),
        &[
            (&kind_name).into(),
            code.into(),
            (&category).into(),
            error.is_transient().into(),
            (&reply).into(),
            (&message).into(),
        ],
    )
}

fn throw_core(env: &mut Env<'_>, error: &Error) -> JResult<()> {
    let object = exception(env, error)?;
    let throwable = env.cast_local::<JThrowable>(object)?;
    match env.throw(throwable) {
        Err(jni::errors::Error::JavaException) | Ok(()) => Ok(()),
        Err(other) => Err(other),
    }
}

fn throw_new(env: &mut Env<'_>, class: &'static JNIStr, message: &str) -> JResult<()> {
    match env.throw_new(class, jni::strings::JNIString::from(message)) {
        Err(jni::errors::Error::JavaException) | Ok(()) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The error policy of every native: see the module documentation.
pub struct ThrowJava;

impl<T: Default> ErrorPolicy<T, Fail> for ThrowJava {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        error: Fail,
    ) -> JResult<T> {
        if env.exception_check() {
            return Ok(T::default());
        }
        match error {
            Fail::Core(error) => throw_core(env, &error)?,
            Fail::Jni(jni::errors::Error::NullPtr(what)) => throw_new(
                env,
                jni_str!("java/lang/NullPointerException"),
                &format!("mailwright: {what} is null"),
            )?,
            Fail::Jni(error) => throw_new(
                env,
                jni_str!("java/lang/RuntimeException"),
                &format!("mailwright: JNI failure: {error}"),
            )?,
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> JResult<T> {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // Leak the payload rather than risk a panic while dropping it.
        std::mem::forget(payload);
        if !env.exception_check() {
            throw_new(
                env,
                jni_str!("java/lang/IllegalStateException"),
                &format!("mailwright: internal error (a bug): {text}"),
            )?;
        }
        Ok(T::default())
    }
}

native! {
    /// The core's error kind names, in the core's order (for `MailwrightException.kinds()`).
    fn errorKindNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, ErrorKind::ALL.iter().map(|k| k.as_str()))?
    }

    /// The core's error category names.
    fn errorCategoryNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, ErrorCategory::ALL.iter().map(|c| c.as_str()))?
    }

    /// The exception a core error of this kind becomes (not thrown); null for a
    /// name the core does not know.
    fn errorFor(env, kind: JString<'l>, message: JString<'l>) -> JObject<'l> {
        let kind = convert::string(env, &kind, "kind")?;
        let message = convert::string(env, &message, "message")?;
        match ErrorKind::from_name(&kind) {
            Some(kind) => exception(env, &Error::new(kind, message))?,
            None => JObject::null(),
        }
    }
}
