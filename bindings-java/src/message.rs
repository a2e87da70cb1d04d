//! `Message.Builder` and `Message`. The Java builder records its calls and, in
//! `build()`, replays them on a native draft (one native per setter, every
//! value a Java `String`, `byte[]` or number) that the core's consuming
//! `MessageBuilder` validates once in `build`.

use crate::convert::{self, JResult};
use crate::errors::{Outcome, run};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use mailwright::{Attachment, Inline, MailboxSpec, Message, MessageBuilder, XSmtpApi};

/// A message being built: the core's builder and its X-SMTPAPI header.
#[derive(Default)]
struct Draft {
    builder: Option<MessageBuilder>,
    api: Option<XSmtpApi>,
}

impl Draft {
    fn with(&mut self, step: impl FnOnce(MessageBuilder) -> MessageBuilder) {
        self.builder = Some(step(self.builder.take().unwrap_or_else(Message::builder)));
    }

    fn with_api(&mut self, step: impl FnOnce(XSmtpApi) -> XSmtpApi) {
        self.api = Some(step(self.api.take().unwrap_or_default()));
    }
}

fn draft<'a>(handle: jlong) -> JResult<&'a mut Draft> {
    convert::handle_mut::<Draft>(handle)
}

/// A mailbox as the user gave it: text to parse (`text` not null), or an
/// optional display name and an address; `field` names it (e.g. `to`).
fn mailbox(
    env: &Env<'_>,
    field: &'static str,
    text: &JString<'_>,
    name: &JString<'_>,
    address: &JString<'_>,
) -> Outcome<MailboxSpec> {
    Ok(match convert::opt_string(env, text, field)? {
        Some(text) => MailboxSpec::Text(text),
        None => MailboxSpec::Parts(
            convert::opt_string(env, name, field)?,
            convert::string(env, address, field)?,
        ),
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
) -> jlong {
    run(&mut env, |_env| Ok(convert::into_handle(Draft::default())))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by the `build()` that made the draft.
        unsafe { convert::free::<Draft>(handle) };
        Ok(())
    })
}

macro_rules! mailbox_setter {
    ($native:ident, $method:ident) => {
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            text: JString<'l>,
            name: JString<'l>,
            address: JString<'l>,
        ) {
            run(&mut env, |env| -> Outcome<()> {
                let spec = mailbox(env, stringify!($method), &text, &name, &address)?;
                draft(handle)?.with(|b| b.$method(spec));
                Ok(())
            })
        }
    };
}

mailbox_setter!(Java_org_mailwright_Native_builderFrom, from);
mailbox_setter!(Java_org_mailwright_Native_builderSender, sender);
mailbox_setter!(Java_org_mailwright_Native_builderReplyTo, reply_to);
mailbox_setter!(Java_org_mailwright_Native_builderTo, to);
mailbox_setter!(Java_org_mailwright_Native_builderCc, cc);
mailbox_setter!(Java_org_mailwright_Native_builderBcc, bcc);
mailbox_setter!(
    Java_org_mailwright_Native_builderEnvelopeFrom,
    envelope_from
);

macro_rules! text_setter {
    ($native:ident, $method:ident) => {
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            value: JString<'l>,
        ) {
            run(&mut env, |env| -> Outcome<()> {
                let value = convert::string(env, &value, stringify!($method))?;
                draft(handle)?.with(|b| b.$method(value));
                Ok(())
            })
        }
    };
}

text_setter!(Java_org_mailwright_Native_builderSubject, subject);
text_setter!(Java_org_mailwright_Native_builderText, text);
text_setter!(Java_org_mailwright_Native_builderHtml, html);
text_setter!(Java_org_mailwright_Native_builderMessageId, message_id);
text_setter!(Java_org_mailwright_Native_builderInReplyTo, in_reply_to);
text_setter!(Java_org_mailwright_Native_builderReferences, references);
text_setter!(
    Java_org_mailwright_Native_builderBoundarySeed,
    boundary_seed
);

macro_rules! pair_setter {
    ($native:ident, $method:ident, $first_field:literal, $second_field:literal) => {
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            first: JString<'l>,
            second: JString<'l>,
        ) {
            run(&mut env, |env| -> Outcome<()> {
                let first = convert::string(env, &first, $first_field)?;
                let second = convert::string(env, &second, $second_field)?;
                draft(handle)?.with(|b| b.$method(first, second));
                Ok(())
            })
        }
    };
}

pair_setter!(
    Java_org_mailwright_Native_builderHeader,
    header,
    "header name",
    "header value"
);
pair_setter!(
    Java_org_mailwright_Native_builderScCustom,
    sc_custom,
    "SC-Custom key",
    "SC-Custom value"
);

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderDate<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    seconds: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        draft(handle)?.with(|b| b.date(seconds));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderInline<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    content_id: JString<'l>,
    content_type: JString<'l>,
    data: JByteArray<'l>,
    filename: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let mut part = Inline::new(
            convert::string(env, &content_id, "content id")?,
            convert::string(env, &content_type, "content type")?,
            convert::bytes(env, &data)?,
        );
        if let Some(filename) = convert::opt_string(env, &filename, "filename")? {
            part = part.filename(filename);
        }
        draft(handle)?.with(|b| b.inline(part));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderAttachment<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    filename: JString<'l>,
    content_type: JString<'l>,
    data: JByteArray<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let part = Attachment::new(
            convert::string(env, &filename, "filename")?,
            convert::string(env, &content_type, "content type")?,
            convert::bytes(env, &data)?,
        );
        draft(handle)?.with(|b| b.attachment(part));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderXSmtpApiTo<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    address: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let address = convert::string(env, &address, "X-SMTPAPI to")?;
        draft(handle)?.with_api(|x| x.to(address));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderXSmtpApiSub<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    variable: JString<'l>,
    values: JObjectArray<'l, JString<'l>>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let variable = convert::string(env, &variable, "X-SMTPAPI sub variable")?;
        let values = convert::strings(env, &values, "X-SMTPAPI sub value")?;
        draft(handle)?.with_api(|x| x.sub(variable, values));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderXSmtpApiSection<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    name: JString<'l>,
    value: JString<'l>,
) {
    run(&mut env, |env| -> Outcome<()> {
        let name = convert::string(env, &name, "X-SMTPAPI section name")?;
        let value = convert::string(env, &value, "X-SMTPAPI section value")?;
        draft(handle)?.with_api(|x| x.section(name, value));
        Ok(())
    })
}

macro_rules! tracking_setter {
    ($native:ident, $method:ident) => {
        #[unsafe(no_mangle)]
        pub extern "system" fn $native<'l>(
            mut env: EnvUnowned<'l>,
            _c: JClass<'l>,
            handle: jlong,
            on: jboolean,
        ) {
            run(&mut env, |_env| -> Outcome<()> {
                draft(handle)?.with_api(|x| x.$method(on));
                Ok(())
            })
        }
    };
}

tracking_setter!(
    Java_org_mailwright_Native_builderXSmtpApiOpenTracking,
    open_tracking
);
tracking_setter!(
    Java_org_mailwright_Native_builderXSmtpApiClickTracking,
    click_tracking
);
tracking_setter!(
    Java_org_mailwright_Native_builderXSmtpApiSubscriptionTracking,
    subscription_tracking
);

/// Builds the message (the core validates everything); the draft is used up.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_builderBuild<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        let draft = draft(handle)?;
        let mut builder = draft.builder.take().unwrap_or_else(Message::builder);
        if let Some(api) = draft.api.take() {
            builder = builder.x_smtpapi(api);
        }
        Ok(convert::into_handle(builder.build()?))
    })
}

fn message<'a>(handle: jlong) -> JResult<&'a Message> {
    convert::handle::<Message>(handle)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageToBytes<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        Ok(convert::new_bytes(env, &message(handle)?.to_vec())?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageSize<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(jlong::try_from(message(handle)?.size()).unwrap_or(jlong::MAX))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageId<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(
            env,
            Some(message(handle)?.message_id()),
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageStructure<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JString<'l> {
    run(&mut env, |env| {
        Ok(convert::new_string(
            env,
            Some(&message(handle)?.structure()),
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageDate<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| Ok(message(handle)?.date()))
}

/// `org.mailwright.Envelope`: MAIL FROM and RCPT TO as the core computes them.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageEnvelope<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        let envelope = message(handle)?.envelope();
        let sender = convert::new_string(env, Some(envelope.sender()))?;
        let recipients: Vec<&str> = envelope.recipients().collect();
        let recipients = convert::new_strings(env, recipients.iter())?;
        Ok(env.new_object(
            jni_str!("org/mailwright/Envelope"),
            jni_sig!("(Ljava/lang/String;[Ljava/lang/String;)V"),
            &[(&sender).into(), (&recipients).into()],
        )?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by Message.close().
        unsafe { convert::free::<Message>(handle) };
        Ok(())
    })
}
