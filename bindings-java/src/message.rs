//! `Message.Builder` and `Message`. The Java builder records its calls and, in
//! `build()`, replays them on a native draft (one native per setter, every
//! value a Java `String`, `byte[]` or number) that the core's consuming
//! `MessageBuilder` validates once in `build`.

use crate::convert::{self, JResult};
use crate::errors::{Outcome, native};
use jni::Env;
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jlong};
use jni::{jni_sig, jni_str};
use mailwright::{Attachment, Calendar, Inline, MailboxSpec, Message, MessageBuilder, XSmtpApi};

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

/// The name (`field` in errors), content type and bytes of an inline part or
/// an attachment.
fn part(
    env: &Env<'_>,
    name: &JString<'_>,
    field: &'static str,
    content_type: &JString<'_>,
    data: &JByteArray<'_>,
) -> Outcome<(String, String, Vec<u8>)> {
    Ok((
        convert::string(env, name, field)?,
        convert::string(env, content_type, "content type")?,
        convert::bytes(env, data)?,
    ))
}

native! {
    fn builderNew(_) -> jlong {
        convert::into_handle(Draft::default())
    }

    fn builderFree(_, handle: jlong) {
        // SAFETY: called once, by the `build()` that made the draft.
        unsafe { convert::free::<Draft>(handle) }
    }
}

/// Natives `name(handle, text, name, address)` setting a mailbox by the
/// builder method of the same field.
macro_rules! mailbox_setters {
    ($($native:ident => $method:ident),+ $(,)?) => {$(
        native! {
            fn $native(
                env,
                handle: jlong,
                text: JString<'l>,
                name: JString<'l>,
                address: JString<'l>,
            ) {
                let spec = mailbox(env, stringify!($method), &text, &name, &address)?;
                draft(handle)?.with(|b| b.$method(spec));
            }
        }
    )+};
}

mailbox_setters! {
    builderFrom => from,
    builderSender => sender,
    builderReplyTo => reply_to,
    builderTo => to,
    builderCc => cc,
    builderBcc => bcc,
    builderEnvelopeFrom => envelope_from,
}

/// Natives `name(handle, value)` setting a text field by the builder method
/// of the same name.
macro_rules! text_setters {
    ($($native:ident => $method:ident),+ $(,)?) => {$(
        native! {
            fn $native(env, handle: jlong, value: JString<'l>) {
                let value = convert::string(env, &value, stringify!($method))?;
                draft(handle)?.with(|b| b.$method(value));
            }
        }
    )+};
}

text_setters! {
    builderSubject => subject,
    builderText => text,
    builderHtml => html,
    builderMessageId => message_id,
    builderInReplyTo => in_reply_to,
    builderReferences => references,
    builderBoundarySeed => boundary_seed,
    builderListUnsubscribe => list_unsubscribe,
    builderListId => list_id,
}

/// Natives `name(handle, first, second)` setting a pair of strings (each
/// named in errors) by a method of the builder (`with`) or of its
/// X-SMTPAPI header (`with_api`).
macro_rules! pair_setters {
    ($($native:ident => $with:ident.$method:ident($first:literal, $second:literal)),+ $(,)?) => {$(
        native! {
            fn $native(env, handle: jlong, first: JString<'l>, second: JString<'l>) {
                let first = convert::string(env, &first, $first)?;
                let second = convert::string(env, &second, $second)?;
                draft(handle)?.$with(|b| b.$method(first, second));
            }
        }
    )+};
}

pair_setters! {
    builderHeader => with.header("header name", "header value"),
    builderScCustom => with.sc_custom("SC-Custom key", "SC-Custom value"),
    builderXSmtpApiSection => with_api.section("X-SMTPAPI section name", "X-SMTPAPI section value"),
}

/// Natives `name(handle, on)` switching an X-SMTPAPI tracking setting.
macro_rules! tracking_setters {
    ($($native:ident => $method:ident),+ $(,)?) => {$(
        native! {
            fn $native(_, handle: jlong, on: jboolean) {
                draft(handle)?.with_api(|x| x.$method(on));
            }
        }
    )+};
}

tracking_setters! {
    builderXSmtpApiOpenTracking => open_tracking,
    builderXSmtpApiClickTracking => click_tracking,
    builderXSmtpApiSubscriptionTracking => subscription_tracking,
}

native! {
    fn builderDate(_, handle: jlong, seconds: jlong) {
        draft(handle)?.with(|b| b.date(seconds));
    }

    fn builderInline(
        env,
        handle: jlong,
        content_id: JString<'l>,
        content_type: JString<'l>,
        data: JByteArray<'l>,
        filename: JString<'l>,
    ) {
        let (content_id, content_type, data) =
            part(env, &content_id, "content id", &content_type, &data)?;
        let mut part = Inline::new(content_id, content_type, data);
        if let Some(filename) = convert::opt_string(env, &filename, "filename")? {
            part = part.filename(filename);
        }
        draft(handle)?.with(|b| b.inline(part));
    }

    fn builderAttachment(
        env,
        handle: jlong,
        filename: JString<'l>,
        content_type: JString<'l>,
        data: JByteArray<'l>,
    ) {
        let (filename, content_type, data) =
            part(env, &filename, "filename", &content_type, &data)?;
        let part = Attachment::new(filename, content_type, data);
        draft(handle)?.with(|b| b.attachment(part));
    }

    fn builderOneClickUnsubscribe(_, handle: jlong, on: jboolean) {
        draft(handle)?.with(|b| b.one_click_unsubscribe(on));
    }

    /// A calendar invitation: its method, the iCalendar text and the file
    /// name of its `.ics` copy (null: none), checked by the core in `build`.
    fn builderCalendar(
        env,
        handle: jlong,
        method: JString<'l>,
        content: JString<'l>,
        attachment: JString<'l>,
    ) {
        let method = convert::string(env, &method, "calendar method")?;
        let content = convert::string(env, &content, "calendar")?;
        let mut calendar = Calendar::new(method, content);
        if let Some(filename) = convert::opt_string(env, &attachment, "calendar attachment")? {
            calendar = calendar.attachment(filename);
        }
        draft(handle)?.with(|b| b.calendar(calendar));
    }

    /// Signs with the signer behind `signer` (a clone, sharing its key).
    fn builderDkim(_, handle: jlong, signer: jlong) {
        let signer = crate::dkim::signer(signer)?.clone();
        draft(handle)?.with(|b| b.dkim(signer));
    }

    fn builderXSmtpApiTo(env, handle: jlong, address: JString<'l>) {
        let address = convert::string(env, &address, "X-SMTPAPI to")?;
        draft(handle)?.with_api(|x| x.to(address));
    }

    fn builderXSmtpApiSub(
        env,
        handle: jlong,
        variable: JString<'l>,
        values: JObjectArray<'l, JString<'l>>,
    ) {
        let variable = convert::string(env, &variable, "X-SMTPAPI sub variable")?;
        let values = convert::strings(env, &values, "X-SMTPAPI sub value")?;
        draft(handle)?.with_api(|x| x.sub(variable, values));
    }

    /// Builds the message (the core validates everything); the draft is used up.
    fn builderBuild(_, handle: jlong) -> jlong {
        let draft = draft(handle)?;
        let mut builder = draft.builder.take().unwrap_or_else(Message::builder);
        if let Some(api) = draft.api.take() {
            builder = builder.x_smtpapi(api);
        }
        convert::into_handle(builder.build()?)
    }
}

fn message<'a>(handle: jlong) -> JResult<&'a Message> {
    convert::handle::<Message>(handle)
}

native! {
    fn messageToBytes(env, handle: jlong) -> JByteArray<'l> {
        convert::new_bytes(env, &message(handle)?.to_vec())?
    }

    fn messageSize(_, handle: jlong) -> jlong {
        convert::long(message(handle)?.size())
    }

    fn messageId(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(message(handle)?.message_id()))?
    }

    fn messageStructure(env, handle: jlong) -> JString<'l> {
        convert::new_string(env, Some(&message(handle)?.structure()))?
    }

    fn messageIsSigned(_, handle: jlong) -> jboolean {
        message(handle)?.is_signed()
    }

    fn messageDate(_, handle: jlong) -> jlong {
        message(handle)?.date()
    }

    /// `org.mailwright.Envelope`: MAIL FROM and RCPT TO as the core computes them.
    fn messageEnvelope(env, handle: jlong) -> JObject<'l> {
        let envelope = message(handle)?.envelope();
        let sender = convert::new_string(env, Some(envelope.sender()))?;
        let recipients: Vec<&str> = envelope.recipients().collect();
        let recipients = convert::new_strings(env, recipients.iter())?;
        env.new_object(
            jni_str!("org/mailwright/Envelope"),
            jni_sig!("(Ljava/lang/String;[Ljava/lang/String;)V"),
            &[(&sender).into(), (&recipients).into()],
        )?
    }

    fn messageFree(_, handle: jlong) {
        // SAFETY: called once, by Message.close().
        unsafe { convert::free::<Message>(handle) }
    }
}
