//! `SessionConfig` and `Session`: the core's sans-IO SMTP session behind a
//! handle (configuration, clock, transcript), and its events built as
//! `Session.Event` objects.

use super::auth::credentials;
use super::options::{connection_loss, tls_mode};
use crate::convert::{self, JResult};
use crate::errors::{self, native};
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use jni::{Env, jni_sig, jni_str};
use mailwright::Message;
use mailwright::smtp::settings::timeout_from_millis;
use mailwright::smtp::{Direction, Event, Session, SessionConfig};
use std::time::Duration;

fn session<'a>(handle: jlong) -> JResult<&'a mut Session> {
    convert::handle_mut::<Session>(handle)
}

fn config_mut<'a>(handle: jlong) -> JResult<&'a mut SessionConfig> {
    convert::handle_mut::<SessionConfig>(handle)
}

native! {
    /// A session configuration with every core default (`SessionConfig.build()`
    /// replays the user's settings on it, one native each).
    fn sessionConfigNew(_) -> jlong {
        convert::into_handle(SessionConfig::default())
    }

    fn sessionConfigHelloName(env, handle: jlong, name: JString<'l>) {
        config_mut(handle)?.hello_name = convert::string(env, &name, "hello name")?;
    }

    fn sessionConfigTls(env, handle: jlong, name: JString<'l>) {
        if let Some(mode) = tls_mode(env, &name)? {
            config_mut(handle)?.tls = mode;
        }
    }

    fn sessionConfigCredentials(_, handle: jlong, credentials_handle: jlong) {
        config_mut(handle)?.credentials = Some(credentials(credentials_handle)?.clone());
    }
}

/// Natives `name(handle, on)` setting a switch of the configuration.
macro_rules! config_flags {
    ($($native:ident => $field:ident),+ $(,)?) => {$(
        native! {
            fn $native(_, handle: jlong, on: jboolean) {
                config_mut(handle)?.$field = on;
            }
        }
    )+};
}

config_flags! {
    sessionConfigPipelining => pipelining,
    sessionConfigTranscript => transcript,
    sessionConfigAllowPlaintextAuth => allow_plaintext_auth,
}

/// Natives `name(handle, millis)` setting a time-out of the configuration,
/// checked by the core (1 ms to a day).
macro_rules! config_timeouts {
    ($($native:ident => $field:ident),+ $(,)?) => {$(
        native! {
            fn $native(_, handle: jlong, millis: jdouble) {
                config_mut(handle)?.$field = timeout_from_millis(millis)?;
            }
        }
    )+};
}

config_timeouts! {
    sessionConfigReplyTimeout => reply_timeout,
    sessionConfigMessageTimeout => message_timeout,
}

native! {
    fn sessionConfigFree(_, handle: jlong) {
        // SAFETY: called once, by the `new Session(config)` that made it.
        unsafe { convert::free::<SessionConfig>(handle) }
    }

    /// A session with (a copy of) this configuration, checked by the core.
    fn sessionNew(_, config: jlong) -> jlong {
        let config = convert::handle::<SessionConfig>(config)?.clone();
        convert::into_handle(Session::new(config)?)
    }

    /// The core's event names (`Session.Event.Kind` maps each by name).
    fn sessionEventNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, Event::NAMES.iter())?
    }

    /// The core's transcript directions (`TranscriptLine.Direction` maps each by name).
    fn directionNames(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, Direction::ALL.iter().map(|d| d.as_str()))?
    }

    /// The transport's clock (any monotonic origin): the session fails with
    /// `Timeout` when a reply or a message is overdue.
    fn sessionAdvance(_, handle: jlong, seconds: jlong, nanos: jint) {
        let now = Duration::new(
            u64::try_from(seconds).unwrap_or(0),
            u32::try_from(nanos).unwrap_or(0),
        );
        session(handle)?.advance(now);
    }

    /// When (on the `advance` clock, in nanoseconds) the session must hear from
    /// the server; -1 when it waits for nothing.
    fn sessionPollTimeout(_, handle: jlong) -> jlong {
        match session(handle)?.poll_timeout() {
            Some(at) => convert::long(at.as_nanos()),
            None => -1,
        }
    }

    /// The transcript so far, drained (`Object[]` of `TranscriptLine`).
    fn sessionTakeTranscript(env, handle: jlong) -> JObjectArray<'l> {
        let lines = session(handle)?.take_transcript();
        convert::new_transcript(env, &lines)?
    }

    /// How many transcript lines the core dropped (oldest first) because it was full.
    fn sessionTranscriptDropped(_, handle: jlong) -> jlong {
        convert::long(session(handle)?.transcript_dropped())
    }

    fn sessionReceive(env, handle: jlong, data: JByteArray<'l>) {
        let bytes = convert::bytes(env, &data)?;
        session(handle)?.receive(&bytes);
    }

    fn sessionTakeOutput(env, handle: jlong) -> JByteArray<'l> {
        let output = session(handle)?.take_output();
        convert::new_bytes(env, &output)?
    }

    fn sessionSend(_, handle: jlong, message: jlong) -> jlong {
        let message = convert::handle::<Message>(message)?;
        convert::long(session(handle)?.send(message)?)
    }

    fn sessionQuit(_, handle: jlong) {
        session(handle)?.quit();
    }

    fn sessionTlsEstablished(_, handle: jlong) {
        session(handle)?.tls_established();
    }

    /// The connection was lost: the cause by the core's name, and what the
    /// transport knows.
    fn sessionConnectionLost(env, handle: jlong, cause: JString<'l>, detail: JString<'l>) {
        let cause = connection_loss(env, &cause, "cause")?;
        let detail = convert::opt_string(env, &detail, "detail")?.unwrap_or_default();
        session(handle)?.connection_lost(cause, &detail);
    }
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
            convert::long(handle).into(),
            (&result).into(),
            (&error).into(),
            (&recipients).into(),
            (&codes).into(),
        ],
    )
}

native! {
    /// The next event, or null.
    fn sessionPollEvent(env, handle: jlong) -> JObject<'l> {
        match session(handle)?.poll_event() {
            Some(event) => new_event(env, &event)?,
            None => JObject::null(),
        }
    }

    fn sessionFree(_, handle: jlong) {
        // SAFETY: called once, by the Session's cleaner (close() runs it).
        unsafe { convert::free::<Session>(handle) }
    }
}
