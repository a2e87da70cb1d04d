//! `Credentials` (a native handle, validated by the core when made) and the
//! AUTH payloads of `Auth`.

use crate::convert;
use crate::errors::run;
use jni::EnvUnowned;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jlong};
use mailwright::Credentials;
use mailwright::smtp::auth;

/// The credentials behind a handle (immutable once made).
pub fn credentials<'a>(handle: jlong) -> jni::errors::Result<&'a Credentials> {
    convert::handle::<Credentials>(handle)
}

/// Credentials from their parts, checked by the core (`InvalidCredentials`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    user: JString<'l>,
    secret: JString<'l>,
    label: JString<'l>,
    oauth2: jboolean,
) -> jlong {
    run(&mut env, |env| {
        let user = convert::string(env, &user, "user")?;
        let secret = convert::string(env, &secret, if oauth2 { "token" } else { "key" })?;
        let label = convert::opt_string(env, &label, "label")?;
        Ok(convert::into_handle(Credentials::from_parts(
            &user,
            &secret,
            label.as_deref(),
            oauth2,
        )?))
    })
}

/// The same credentials with a label (checked by the core).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsWithLabel<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    label: JString<'l>,
) -> jlong {
    run(&mut env, |env| {
        let label = convert::string(env, &label, "label")?;
        Ok(convert::into_handle(
            credentials(handle)?.clone().with_label(label)?,
        ))
    })
}

/// The user name the server sees (`user` or `user#label`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsUsername<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(
            env,
            Some(credentials(handle)?.username()),
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsIsOAuth2<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jboolean {
    run(&mut env, |_env| Ok(credentials(handle)?.is_oauth2()))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by the Credentials' cleaner.
        unsafe { convert::free::<Credentials>(handle) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_authLogin<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        Ok(convert::new_bytes(
            env,
            &auth::auth_login(credentials(handle)?)?,
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_authPlain<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        Ok(convert::new_bytes(
            env,
            &auth::auth_plain(credentials(handle)?)?,
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_authXoauth2<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        Ok(convert::new_bytes(
            env,
            &auth::auth_xoauth2(credentials(handle)?)?,
        )?)
    })
}

/// The answer to a LOGIN challenge; the core decides from the prompt (or,
/// when the prompt says nothing, from whether the user name was sent).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_authLoginAnswer<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    challenge: JString<'l>,
    username_sent: jboolean,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        let challenge = convert::string(env, &challenge, "challenge")?;
        let answer = auth::login_answer(
            auth::login_prompt(&challenge, username_sent),
            credentials(handle)?,
        )?;
        Ok(convert::new_bytes(env, &answer)?)
    })
}
