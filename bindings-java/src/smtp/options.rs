//! `TlsMode`, `ConnectionLoss` and `SmtpOptions`: names, defaults and every
//! check are the core's (`mailwright::smtp::settings`). `SmtpOptions.build()`
//! replays the user's settings on a native `ClientOptions` (one native per
//! setting, each through the core's conversion) and validates it; the
//! getters read the result back, defaults included.

use super::auth::credentials;
use crate::convert::{self, JResult};
use crate::errors::{Outcome, native};
use jni::Env;
use jni::objects::{JByteArray, JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use mailwright::smtp::settings::{port_from_i64, timeout_from_millis};
use mailwright::smtp::{ClientOptions, ConnectionLoss, TlsMode};

/// A TLS mode by the core's name (null: none given); an unknown name is the
/// core's `InvalidOption`, never clear text.
pub fn tls_mode(env: &Env<'_>, name: &JString<'_>) -> Outcome<Option<TlsMode>> {
    match convert::opt_string(env, name, "TLS mode")? {
        Some(name) => Ok(Some(TlsMode::from_name(&name)?)),
        None => Ok(None),
    }
}

/// A connection-loss cause by the core's name (`field` names the argument).
pub fn connection_loss(
    env: &Env<'_>,
    name: &JString<'_>,
    field: &'static str,
) -> Outcome<ConnectionLoss> {
    let name = convert::string(env, name, field)?;
    Ok(ConnectionLoss::from_name(&name)?)
}

native! {
    fn tlsModeNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, TlsMode::ALL.iter().map(|m| m.as_str()))?
    }

    /// The core's name of the mode called `name` (the same), or `InvalidOption`.
    fn tlsModeFromName(env, name: JString<'l>) -> JString<'l> {
        let mode = TlsMode::from_name(&convert::string(env, &name, "TLS mode")?)?;
        convert::new_string(env, Some(mode.as_str()))?
    }

    fn connectionLossNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, ConnectionLoss::ALL.iter().map(|c| c.as_str()))?
    }

    fn connectionLossFromName(env, name: JString<'l>) -> JString<'l> {
        let cause = connection_loss(env, &name, "connection-loss cause")?;
        convert::new_string(env, Some(cause.as_str()))?
    }

    /// The error kind name a connection-loss cause is reported as.
    fn connectionLossKind(env, name: JString<'l>) -> JString<'l> {
        let cause = connection_loss(env, &name, "connection-loss cause")?;
        convert::new_string(env, Some(cause.kind().as_str()))?
    }
}

fn options<'a>(handle: jlong) -> JResult<&'a ClientOptions> {
    convert::handle::<ClientOptions>(handle)
}

fn options_mut<'a>(handle: jlong) -> JResult<&'a mut ClientOptions> {
    convert::handle_mut::<ClientOptions>(handle)
}

/// Replaces the options behind `handle` by what a builder method of the
/// core's `ClientOptions` makes of them (unchanged when it refuses).
fn update(
    handle: jlong,
    step: impl FnOnce(ClientOptions) -> mailwright::Result<ClientOptions>,
) -> Outcome<()> {
    let o = options_mut(handle)?;
    *o = step(o.clone())?;
    Ok(())
}

native! {
    /// Options for `host` with every core default (port: the TLS mode's).
    fn optionsNew(env, host: JString<'l>) -> jlong {
        convert::into_handle(ClientOptions::for_host(convert::string(env, &host, "host")?))
    }

    fn optionsPort(_, handle: jlong, port: jlong) {
        options_mut(handle)?.port = Some(port_from_i64(port)?);
    }

    fn optionsTls(env, handle: jlong, name: JString<'l>) {
        if let Some(mode) = tls_mode(env, &name)? {
            update(handle, |o| Ok(o.tls(mode)))?;
        }
    }

    fn optionsCredentials(_, handle: jlong, credentials_handle: jlong) {
        let c = credentials(credentials_handle)?.clone();
        update(handle, |o| Ok(o.credentials(c)))?;
    }

    /// A time-out in milliseconds, checked by the core (1 ms to a day).
    fn optionsTimeout(_, handle: jlong, millis: jdouble) {
        let timeout = timeout_from_millis(millis)?;
        update(handle, |o| Ok(o.timeout(timeout)))?;
    }

    fn optionsHelloName(env, handle: jlong, name: JString<'l>) {
        let name = convert::string(env, &name, "hello name")?;
        update(handle, |o| Ok(o.hello_name(name)))?;
    }

    fn optionsPipelining(_, handle: jlong, on: jboolean) {
        options_mut(handle)?.pipelining = on;
    }

    /// The longest a message may take, MAIL FROM to its final reply, in
    /// milliseconds (checked by the core: 1 ms to a day).
    fn optionsMessageTimeout(_, handle: jlong, millis: jdouble) {
        options_mut(handle)?.message_timeout = timeout_from_millis(millis)?;
    }

    /// Keep a transcript (secrets masked; bounded and drained by the core).
    fn optionsTranscript(_, handle: jlong, on: jboolean) {
        options_mut(handle)?.transcript = on;
    }

    /// Whether credentials may go over an unencrypted connection: set, the
    /// user's choice; never called, the core's rule (loopback hosts only).
    fn optionsAllowPlaintextAuth(_, handle: jlong, allow: jboolean) {
        options_mut(handle)?.allow_plaintext_auth = Some(allow);
    }

    fn optionsCaFile(env, handle: jlong, path: JString<'l>) {
        let path = convert::string(env, &path, "CA file")?;
        update(handle, |o| o.ca_file(path))?;
    }

    fn optionsCaPem(env, handle: jlong, pem: JByteArray<'l>) {
        let pem = convert::bytes(env, &pem)?;
        update(handle, |o| Ok(o.ca_pem(pem)))?;
    }

    /// Trust exactly the certificate with this SHA-256 fingerprint (the core
    /// parses it: `InvalidOption` when malformed).
    fn optionsPinSha256(env, handle: jlong, fingerprint: JString<'l>) {
        let fingerprint = convert::string(env, &fingerprint, "fingerprint")?;
        update(handle, |o| o.pin_sha256(&fingerprint))?;
    }

    /// Trust exactly the certificate(s) of this PEM text.
    fn optionsPinCertificatePem(env, handle: jlong, pem: JByteArray<'l>) {
        let pem = convert::bytes(env, &pem)?;
        update(handle, |o| o.pin_certificate_pem(&pem))?;
    }

    /// Applies every rule of the core to the finished options.
    fn optionsValidate(_, handle: jlong) {
        options(handle)?.validate()?;
    }

    fn optionsHost(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(&options(handle)?.host))?
    }

    /// The port connected to (the TLS mode's default when none was given).
    fn optionsEffectivePort(_, handle: jlong) -> jint {
        jint::from(options(handle)?.effective_port())
    }

    fn optionsTlsName(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(options(handle)?.tls.as_str()))?
    }

    /// The read/write time-out in milliseconds.
    fn optionsTimeoutMillis(_, handle: jlong) -> jlong {
        convert::long(options(handle)?.timeout.as_millis())
    }

    fn optionsHelloNameValue(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(&options(handle)?.hello_name))?
    }

    fn optionsPipeliningValue(_, handle: jlong) -> jboolean {
        options(handle)?.pipelining
    }

    /// The message time-out in milliseconds.
    fn optionsMessageTimeoutMillis(_, handle: jlong) -> jlong {
        convert::long(options(handle)?.message_timeout.as_millis())
    }

    fn optionsTranscriptValue(_, handle: jlong) -> jboolean {
        options(handle)?.transcript
    }

    /// The plaintext-AUTH choice as given: 1 allowed, 0 refused, -1 not set
    /// (the core decides by the host).
    fn optionsAllowPlaintextAuthValue(_, handle: jlong) -> jint {
        match options(handle)?.allow_plaintext_auth {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        }
    }

    /// Whether credentials will be sent without TLS, as the core decides for
    /// these options (the user's choice, else loopback hosts only).
    fn optionsPlaintextAuthAllowed(_, handle: jlong) -> jboolean {
        options(handle)?.session_config().allow_plaintext_auth
    }

    fn optionsFree(_, handle: jlong) {
        // SAFETY: called once, by SmtpOptions' cleaner or a failed build().
        unsafe { convert::free::<ClientOptions>(handle) }
    }
}
