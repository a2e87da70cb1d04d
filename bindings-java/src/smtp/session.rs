//! `Session`: the core's sans-IO SMTP session behind a handle, and its events
//! built as `Session.Event` objects.

use super::auth::credentials;
use super::options::tls_mode;
use crate::convert::{self, JResult};
use crate::errors::{self, Outcome, run};
use jni::objects::{JByteArray, JClass, JObject, JString};
use jni::sys::{jboolean, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use mailwright::Message;
use mailwright::smtp::{ConnectionLoss, Event, Session, SessionConfig};

fn session<'a>(handle: jlong) -> JResult<&'a mut Session> {
    convert::handle_mut::<Session>(handle)
}

/// A session: each argument left null (or 0) keeps the core's default.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    hello_name: JString<'l>,
    tls: JString<'l>,
    credentials_handle: jlong,
    pipelining: jboolean,
) -> jlong {
    run(&mut env, |env| {
        let mut config = SessionConfig::default();
        if let Some(name) = convert::opt_string(env, &hello_name)? {
            config.hello_name = name;
        }
        if let Some(mode) = tls_mode(env, &tls)? {
            config.tls = mode;
        }
        if credentials_handle != 0 {
            config.credentials = Some(credentials(credentials_handle)?.clone());
        }
        config.pipelining = pipelining;
        Ok(convert::into_handle(Session::new(config)?))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionReceive<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    data: JByteArray<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let bytes = convert::bytes(env, &data)?;
        session(handle)?.receive(&bytes);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionTakeOutput<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        let output = session(handle)?.take_output();
        Ok(convert::new_bytes(env, &output)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionSend<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    message: jlong,
) -> jlong {
    run(&mut env, |_env| {
        let message = convert::handle::<Message>(message)?;
        let sent = session(handle)?.send(message)?;
        Ok(jlong::try_from(sent).unwrap_or(jlong::MAX))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionQuit<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        session(handle)?.quit();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionTlsEstablished<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        session(handle)?.tls_established();
        Ok(())
    })
}

/// The connection was lost: the cause by the core's name, and what the
/// transport knows.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConnectionLost<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    cause: JString<'l>,
    detail: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let cause = ConnectionLoss::from_name(&convert::string(env, &cause)?)?;
        let detail = convert::opt_string(env, &detail)?.unwrap_or_default();
        session(handle)?.connection_lost(cause, &detail);
        Ok(())
    })
}

/// `Session.Event` for a core event (its name is the core's `Event::as_str`).
fn new_event<'l>(env: &mut Env<'l>, event: &Event) -> JResult<JObject<'l>> {
    let kind = convert::new_string(env, Some(event.as_str()))?;
    let (handle, result, error, refused) = match event {
        Event::Sent(report) => (
            report.handle,
            convert::new_send_result(env, report)?,
            JObject::null(),
            &report.refused[..],
        ),
        Event::Failed(failure) => (
            failure.handle,
            JObject::null(),
            errors::exception(env, &failure.error)?,
            &failure.refused[..],
        ),
        Event::Error(error) => (0, JObject::null(), errors::exception(env, error)?, &[][..]),
        _ => (0, JObject::null(), JObject::null(), &[][..]),
    };
    let (recipients, codes) = convert::new_refused(env, refused)?;
    env.new_object(
        jni_str!("org/mailwright/Session$Event"),
        jni_sig!("(Ljava/lang/String;JLorg/mailwright/SendResult;Lorg/mailwright/MailwrightException;[Ljava/lang/String;[I)V"),
        &[
            (&kind).into(),
            jlong::try_from(handle).unwrap_or(jlong::MAX).into(),
            (&result).into(),
            (&error).into(),
            (&recipients).into(),
            (&codes).into(),
        ],
    )
}

/// The next event, or null.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionPollEvent<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        Ok(match session(handle)?.poll_event() {
            Some(event) => new_event(env, &event)?,
            None => JObject::null(),
        })
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by Session.close().
        unsafe { convert::free::<Session>(handle) };
        Ok(())
    })
}
