//! `SessionConfig` and `Session`: the core's sans-IO SMTP session behind a
//! handle (configuration, clock, transcript), and its events built as
//! `Session.Event` objects.

use super::auth::credentials;
use super::options::tls_mode;
use crate::convert::{self, JResult};
use crate::errors::{self, Outcome, run};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use mailwright::Message;
use mailwright::smtp::options::timeout_from_millis;
use mailwright::smtp::{ConnectionLoss, Direction, Event, Session, SessionConfig};
use std::time::Duration;

fn session<'a>(handle: jlong) -> JResult<&'a mut Session> {
    convert::handle_mut::<Session>(handle)
}

fn config_mut<'a>(handle: jlong) -> JResult<&'a mut SessionConfig> {
    convert::handle_mut::<SessionConfig>(handle)
}

/// A session configuration with every core default (`SessionConfig.build()`
/// replays the user's settings on it, one native each).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConfigNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> jlong {
    run(&mut env, |_env| {
        Ok(convert::into_handle(SessionConfig::default()))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConfigHelloName<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    name: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        config_mut(handle)?.hello_name = convert::string(env, &name, "hello name")?;
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConfigTls<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    name: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        if let Some(mode) = tls_mode(env, &name)? {
            config_mut(handle)?.tls = mode;
        }
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConfigCredentials<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    credentials_handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        config_mut(handle)?.credentials = Some(credentials(credentials_handle)?.clone());
        Ok(())
    })
}

macro_rules! config_flag {
    ($native:ident, $field:ident) => {
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            on: jboolean,
        ) {
            run(&mut env, |_env| -> Outcome<()> {
                config_mut(handle)?.$field = on;
                Ok(())
            })
        }
    };
}

config_flag!(
    Java_org_mailwright_Native_sessionConfigPipelining,
    pipelining
);
config_flag!(
    Java_org_mailwright_Native_sessionConfigTranscript,
    transcript
);
config_flag!(
    Java_org_mailwright_Native_sessionConfigAllowPlaintextAuth,
    allow_plaintext_auth
);

macro_rules! config_timeout {
    ($native:ident, $field:ident) => {
        /// A time-out in milliseconds, checked by the core (1 ms to a day).
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            millis: jdouble,
        ) {
            run(&mut env, |_env| -> Outcome<()> {
                config_mut(handle)?.$field = timeout_from_millis(millis)?;
                Ok(())
            })
        }
    };
}

config_timeout!(
    Java_org_mailwright_Native_sessionConfigReplyTimeout,
    reply_timeout
);
config_timeout!(
    Java_org_mailwright_Native_sessionConfigMessageTimeout,
    message_timeout
);

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionConfigFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by the `new Session(config)` that made it.
        unsafe { convert::free::<SessionConfig>(handle) };
        Ok(())
    })
}

/// A session with (a copy of) this configuration, checked by the core.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    config: jlong,
) -> jlong {
    run(&mut env, |_env| {
        let config = convert::handle::<SessionConfig>(config)?.clone();
        Ok(convert::into_handle(Session::new(config)?))
    })
}

/// The core's event names (`Session.Event.Kind` maps each by name).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionEventNames<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JObjectArray<'l, JString<'l>> {
    run(&mut env, |env| {
        Ok(convert::new_strings(env, Event::NAMES.iter())?)
    })
}

/// The core's transcript directions (`TranscriptLine.Direction` maps each by name).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_directionNames<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> JObjectArray<'l, JString<'l>> {
    run(&mut env, |env| {
        Ok(convert::new_strings(
            env,
            Direction::ALL.iter().map(|d| d.as_str()),
        )?)
    })
}

/// The transport's clock (any monotonic origin): the session fails with
/// `Timeout` when a reply or a message is overdue.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionAdvance<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    seconds: jlong,
    nanos: jint,
) {
    run(&mut env, |_env| -> Outcome<()> {
        let now = Duration::new(
            u64::try_from(seconds).unwrap_or(0),
            u32::try_from(nanos).unwrap_or(0),
        );
        session(handle)?.advance(now);
        Ok(())
    })
}

/// When (on the `advance` clock, in nanoseconds) the session must hear from
/// the server; -1 when it waits for nothing.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionPollTimeout<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(match session(handle)?.poll_timeout() {
            Some(at) => jlong::try_from(at.as_nanos()).unwrap_or(jlong::MAX),
            None => -1,
        })
    })
}

/// The transcript so far, drained (`Object[]` of `TranscriptLine`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionTakeTranscript<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JObjectArray<'l> {
    run(&mut env, |env| {
        let lines = session(handle)?.take_transcript();
        Ok(convert::new_transcript(env, &lines)?)
    })
}

/// How many transcript lines the core dropped (oldest first) because it was full.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionTranscriptDropped<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(jlong::try_from(session(handle)?.transcript_dropped()).unwrap_or(jlong::MAX))
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
        let cause = ConnectionLoss::from_name(&convert::string(env, &cause, "cause")?)?;
        let detail = convert::opt_string(env, &detail, "detail")?.unwrap_or_default();
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
        // SAFETY: called once, by the Session's cleaner (close() runs it).
        unsafe { convert::free::<Session>(handle) };
        Ok(())
    })
}
