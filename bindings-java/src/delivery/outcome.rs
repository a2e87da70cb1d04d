//! `Outcome.Delivered`, `Outcome.Failed`, `Outcome.Uncertain` and
//! `Mailer.Counters`, built by calling their constructors with the core's
//! values; a failure's error is the `MailwrightException` of its kind (built,
//! not thrown).

use crate::convert::{self, JResult};
use crate::errors;
use jni::objects::{JObject, JObjectArray, JString};
use jni::sys::{jint, jlong};
use jni::{Env, jni_sig, jni_str};
use mailwright::delivery::{Counters, Outcome};
use mailwright::smtp::Reply;

fn int(value: u32) -> jint {
    jint::try_from(value).unwrap_or(jint::MAX)
}

/// The refused recipients as two parallel arrays: addresses and `Reply` objects.
fn new_refusals<'l>(
    env: &mut Env<'l>,
    refused: &[(String, Reply)],
) -> JResult<(JObjectArray<'l, JString<'l>>, JObjectArray<'l>)> {
    let addresses = convert::new_strings(env, refused.iter().map(|(address, _)| address))?;
    let replies = JObjectArray::<JObject>::new(env, refused.len(), JObject::null())?;
    for (i, (_, reply)) in refused.iter().enumerate() {
        // Each reply's strings live in a frame of their own: any number of
        // refusals stays within the caller's local references.
        let object = env
            .with_local_frame_returning_local::<_, JObject, jni::errors::Error>(8, |env| {
                convert::new_reply(env, reply)
            })?;
        replies.set_element(env, i, &object)?;
        env.delete_local_ref(object);
    }
    Ok((addresses, replies))
}

/// The key and the Message-ID as Java strings (null when absent).
fn new_ids<'l>(
    env: &mut Env<'l>,
    key: &Option<String>,
    message_id: &Option<String>,
) -> JResult<(JString<'l>, JString<'l>)> {
    Ok((
        convert::new_string(env, key.as_deref())?,
        convert::new_string(env, message_id.as_deref())?,
    ))
}

/// The Java `Outcome` of a message.
pub fn new_outcome<'l>(env: &mut Env<'l>, outcome: &Outcome) -> JResult<JObject<'l>> {
    match outcome {
        Outcome::Delivered {
            ticket,
            key,
            message_id,
            queue_id,
            accepted,
            refused,
            attempts,
            uncertain_attempts,
        } => {
            let (key, message_id) = new_ids(env, key, message_id)?;
            let queue_id = convert::new_string(env, queue_id.as_deref())?;
            let accepted = convert::new_strings(env, accepted.iter())?;
            let (addresses, replies) = new_refusals(env, refused)?;
            env.new_object(
                jni_str!("org/mailwright/Outcome$Delivered"),
                jni_sig!("(JLjava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/Object;II)V"),
                &[
                    convert::long(*ticket).into(),
                    (&key).into(),
                    (&message_id).into(),
                    (&queue_id).into(),
                    (&accepted).into(),
                    (&addresses).into(),
                    (&replies).into(),
                    int(*attempts).into(),
                    int(*uncertain_attempts).into(),
                ],
            )
        }
        Outcome::Failed {
            ticket,
            key,
            message_id,
            error,
            attempts,
            gave_up,
            refused,
        } => {
            let (key, message_id) = new_ids(env, key, message_id)?;
            let error = errors::exception(env, error)?;
            let (addresses, replies) = new_refusals(env, refused)?;
            env.new_object(
                jni_str!("org/mailwright/Outcome$Failed"),
                jni_sig!("(JLjava/lang/String;Ljava/lang/String;Lorg/mailwright/MailwrightException;IZ[Ljava/lang/String;[Ljava/lang/Object;)V"),
                &[
                    convert::long(*ticket).into(),
                    (&key).into(),
                    (&message_id).into(),
                    (&error).into(),
                    int(*attempts).into(),
                    (*gave_up).into(),
                    (&addresses).into(),
                    (&replies).into(),
                ],
            )
        }
        Outcome::Uncertain {
            ticket,
            key,
            message_id,
            error,
            attempts,
        } => {
            let (key, message_id) = new_ids(env, key, message_id)?;
            let error = errors::exception(env, error)?;
            env.new_object(
                jni_str!("org/mailwright/Outcome$Uncertain"),
                jni_sig!(
                    "(JLjava/lang/String;Ljava/lang/String;Lorg/mailwright/MailwrightException;I)V"
                ),
                &[
                    convert::long(*ticket).into(),
                    (&key).into(),
                    (&message_id).into(),
                    (&error).into(),
                    int(*attempts).into(),
                ],
            )
        }
    }
}

/// `Mailer.Counters`; `hasRate` false when no rate limits the mailer.
pub fn new_counters<'l>(env: &mut Env<'l>, c: &Counters) -> JResult<JObject<'l>> {
    let long = |n: u64| -> jlong { convert::long(n) };
    env.new_object(
        jni_str!("org/mailwright/Mailer$Counters"),
        jni_sig!("(JJJJJJJJZD)V"),
        &[
            convert::long(c.queued).into(),
            convert::long(c.in_flight).into(),
            long(c.delivered).into(),
            long(c.failed).into(),
            long(c.uncertain).into(),
            long(c.retries).into(),
            long(c.rate_limited).into(),
            convert::long(c.connections).into(),
            c.current_rate.is_some().into(),
            c.current_rate.unwrap_or(0.0).into(),
        ],
    )
}
