//! `TlsMode`, `ConnectionLoss` and `SmtpOptions`: names, defaults and every
//! check are the core's (`mailwright::smtp::options`). `SmtpOptions.build()`
//! replays the user's settings on a native `ClientOptions` (one native per
//! setting, each through the core's conversion) and validates it; the
//! getters read the result back, defaults included.

use super::auth::credentials;
use crate::convert::{self, JResult};
use crate::errors::{Outcome, run};
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use jni::{Env, EnvUnowned};
use mailwright::smtp::options::{port_from_i64, timeout_from_millis};
use mailwright::smtp::{ClientOptions, ConnectionLoss, TlsMode};

/// A TLS mode by the core's name (null: none given); an unknown name is the
/// core's `InvalidOption`, never clear text.
pub fn tls_mode(env: &Env<'_>, name: &JString<'_>) -> Outcome<Option<TlsMode>> {
    match convert::opt_string(env, name, "TLS mode")? {
        Some(name) => Ok(Some(TlsMode::from_name(&name)?)),
        None => Ok(None),
    }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_tlsModeNames<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JObjectArray<'l, JString<'l>> {
    run(&mut env, |env| {
        Ok(convert::new_strings(
            env,
            TlsMode::ALL.iter().map(|m| m.as_str()),
        )?)
    })
}

/// The core's name of the mode called `name` (the same), or `InvalidOption`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_tlsModeFromName<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    name: JString<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        let mode = TlsMode::from_name(&convert::string(env, &name, "TLS mode")?)?;
        Ok(convert::new_string(env, Some(mode.as_str()))?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_connectionLossNames<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JObjectArray<'l, JString<'l>> {
    run(&mut env, |env| {
        Ok(convert::new_strings(
            env,
            ConnectionLoss::ALL.iter().map(|c| c.as_str()),
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_connectionLossFromName<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    name: JString<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        let cause =
            ConnectionLoss::from_name(&convert::string(env, &name, "connection-loss cause")?)?;
        Ok(convert::new_string(env, Some(cause.as_str()))?)
    })
}

/// The error kind name a connection-loss cause is reported as.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_connectionLossKind<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    name: JString<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        let cause =
            ConnectionLoss::from_name(&convert::string(env, &name, "connection-loss cause")?)?;
        Ok(convert::new_string(env, Some(cause.kind().as_str()))?)
    })
}

fn options<'a>(handle: jlong) -> JResult<&'a ClientOptions> {
    convert::handle::<ClientOptions>(handle)
}

fn options_mut<'a>(handle: jlong) -> JResult<&'a mut ClientOptions> {
    convert::handle_mut::<ClientOptions>(handle)
}

/// Options for `host` with every core default (port: the TLS mode's).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    host: JString<'l>,
) -> jlong {
    run(&mut env, |env| {
        Ok(convert::into_handle(ClientOptions::for_host(
            convert::string(env, &host, "host")?,
        )))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPort<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    port: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options_mut(handle)?.port = Some(port_from_i64(port)?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTls<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    name: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        if let Some(mode) = tls_mode(env, &name)? {
            let o = options_mut(handle)?;
            *o = o.clone().tls(mode);
        }
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsCredentials<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    credentials_handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        let c = credentials(credentials_handle)?.clone();
        let o = options_mut(handle)?;
        *o = o.clone().credentials(c);
        Ok(())
    })
}

/// A time-out in milliseconds, checked by the core (1 ms to a day).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTimeout<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    millis: jdouble,
) {
    run(&mut env, |_env| -> Outcome<()> {
        let timeout = timeout_from_millis(millis)?;
        let o = options_mut(handle)?;
        *o = o.clone().timeout(timeout);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsHelloName<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    name: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let name = convert::string(env, &name, "hello name")?;
        let o = options_mut(handle)?;
        *o = o.clone().hello_name(name);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPipelining<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    on: jboolean,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options_mut(handle)?.pipelining = on;
        Ok(())
    })
}

/// The longest a message may take, MAIL FROM to its final reply, in
/// milliseconds (checked by the core: 1 ms to a day).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsMessageTimeout<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    millis: jdouble,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options_mut(handle)?.message_timeout = timeout_from_millis(millis)?;
        Ok(())
    })
}

/// Keep a transcript (secrets masked; bounded and drained by the core).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTranscript<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    on: jboolean,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options_mut(handle)?.transcript = on;
        Ok(())
    })
}

/// Whether credentials may go over an unencrypted connection: set, the
/// user's choice; never called, the core's rule (loopback hosts only).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsAllowPlaintextAuth<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    allow: jboolean,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options_mut(handle)?.allow_plaintext_auth = Some(allow);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsCaFile<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    path: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let path = convert::string(env, &path, "CA file")?;
        let o = options_mut(handle)?;
        *o = o.clone().ca_file(path)?;
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsCaPem<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    pem: JByteArray<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let pem = convert::bytes(env, &pem)?;
        let o = options_mut(handle)?;
        *o = o.clone().ca_pem(pem);
        Ok(())
    })
}

/// Trust exactly the certificate with this SHA-256 fingerprint (the core
/// parses it: `InvalidOption` when malformed).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPinSha256<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    fingerprint: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let fingerprint = convert::string(env, &fingerprint, "fingerprint")?;
        let o = options_mut(handle)?;
        *o = o.clone().pin_sha256(&fingerprint)?;
        Ok(())
    })
}

/// Trust exactly the certificate(s) of this PEM text.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPinCertificatePem<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    pem: JByteArray<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let pem = convert::bytes(env, &pem)?;
        let o = options_mut(handle)?;
        *o = o.clone().pin_certificate_pem(&pem)?;
        Ok(())
    })
}

/// Applies every rule of the core to the finished options.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsValidate<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        options(handle)?.validate()?;
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsHost<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(env, Some(&options(handle)?.host))?)
    })
}

/// The port connected to (the TLS mode's default when none was given).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsEffectivePort<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jint {
    run(&mut env, |_env| {
        Ok(jint::from(options(handle)?.effective_port()))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTlsName<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(
            env,
            Some(options(handle)?.tls.as_str()),
        )?)
    })
}

/// The read/write time-out in milliseconds.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTimeoutMillis<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(jlong::try_from(options(handle)?.timeout.as_millis()).unwrap_or(jlong::MAX))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsHelloNameValue<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(
            env,
            Some(&options(handle)?.hello_name),
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPipeliningValue<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jboolean {
    run(&mut env, |_env| Ok(options(handle)?.pipelining))
}

/// The message time-out in milliseconds.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsMessageTimeoutMillis<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(jlong::try_from(options(handle)?.message_timeout.as_millis()).unwrap_or(jlong::MAX))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsTranscriptValue<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jboolean {
    run(&mut env, |_env| Ok(options(handle)?.transcript))
}

/// The plaintext-AUTH choice as given: 1 allowed, 0 refused, -1 not set
/// (the core decides by the host).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsAllowPlaintextAuthValue<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jint {
    run(&mut env, |_env| {
        Ok(match options(handle)?.allow_plaintext_auth {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        })
    })
}

/// Whether credentials will be sent without TLS, as the core decides for
/// these options (the user's choice, else loopback hosts only).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsPlaintextAuthAllowed<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jboolean {
    run(&mut env, |_env| {
        Ok(options(handle)?.session_config().allow_plaintext_auth)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_optionsFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by SmtpOptions' cleaner or a failed build().
        unsafe { convert::free::<ClientOptions>(handle) };
        Ok(())
    })
}
