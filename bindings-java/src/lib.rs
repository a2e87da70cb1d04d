//! The JNI library behind `org.mailwright.Native` (all natives in that one
//! package-private class). It converts Java values to the core's types; on
//! failure a native returns a sentinel (0, null, -1) and records the error
//! for `Native.lastError()`, from which the Java side builds the exception.
//! Every native runs inside `EnvUnowned::with_env`, which catches panics.
#![allow(non_snake_case)]

use jni::errors::ThrowRuntimeExAndDefault;
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned};
use mailwright::smtp::{self, ClientOptions, Session, SessionConfig, SmtpClient, TlsMode, TlsPolicy, auth};
use mailwright::{Attachment, Credentials, Error, ErrorKind, Inline, MailboxSpec, Message, XSmtpApi};
use std::cell::RefCell;
use std::time::Duration;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `error` as "code\0kind\0smtpCode\0enhanced\0message" for `lastError()`.
fn record(error: &Error) {
    let reply = error.reply();
    let text = format!(
        "{}\0{}\0{}\0{}\0{}",
        error.kind().code(),
        error.kind().as_str(),
        reply.map_or(0, |r| r.code()),
        reply.and_then(|r| r.enhanced()).map(|e| e.to_string()).unwrap_or_default(),
        error.to_string().replace('\0', "\\0")
    );
    LAST_ERROR.with(|last| *last.borrow_mut() = text);
}

/// The value, or `sentinel` with the error recorded for `lastError()`.
fn or_record<R>(result: Result<R, Error>, sentinel: R) -> R {
    result.unwrap_or_else(|error| {
        record(&error);
        sentinel
    })
}

/// A Java `byte[]` of the bytes, or null with the error recorded.
fn bytes_or_record<'l>(env: &mut Env<'l>, result: Result<Vec<u8>, Error>) -> JResult<JByteArray<'l>> {
    match result {
        Ok(bytes) => env.byte_array_from_slice(&bytes),
        Err(error) => {
            record(&error);
            Ok(JByteArray::default())
        }
    }
}

/// A Java `String`, or null with the error recorded.
fn string_or_record<'l>(env: &mut Env<'l>, result: Result<String, Error>) -> JResult<JString<'l>> {
    match result {
        Ok(text) => new_string(env, &text),
        Err(error) => {
            record(&error);
            Ok(JString::default())
        }
    }
}

fn fail(kind: ErrorKind, message: &str) -> Error {
    Error::new(kind, message)
}

type JResult<T> = jni::errors::Result<T>;

fn string(env: &Env<'_>, value: &JString<'_>) -> JResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    value.try_to_string(env).map(Some)
}

fn new_string<'local>(env: &mut Env<'local>, value: &str) -> JResult<JString<'local>> {
    JString::from_str(env, value)
}

fn handle<'a, T>(value: jlong) -> Result<&'a mut T, Error> {
    // SAFETY: handles are `Box::into_raw` pointers owned by a Java object that
    // checks it is open before every call and frees it once.
    unsafe { (value as *mut T).as_mut() }.ok_or_else(|| fail(ErrorKind::InvalidState, "the object is closed"))
}

fn into_handle<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

unsafe fn free<T>(value: jlong) {
    if value != 0 {
        // SAFETY: see `handle`; called once by the Java owner.
        drop(unsafe { Box::from_raw(value as *mut T) });
    }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_version<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>) -> JString<'l> {
    env.with_env(|env| -> JResult<_> { new_string(env, env!("CARGO_PKG_VERSION")) })
        .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_lastError<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        let text = LAST_ERROR.with(|last| last.borrow().clone());
        new_string(env, &text)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

fn mailbox(value: &str) -> MailboxSpec {
    // "name\0address" from Builder.from(name, address); otherwise text to parse.
    match value.split_once('\0') {
        Some((name, address)) => MailboxSpec::Parts((!name.is_empty()).then(|| name.to_string()), address.to_string()),
        None => MailboxSpec::Text(value.to_string()),
    }
}

/// Builds a message from the Java builder's recorded operations: `ops[i]` is
/// an operation name, `args[i]` its text argument (fields joined with NUL),
/// `data[i]` its bytes (or null).
fn build(env: &mut Env<'_>, ops: &JObjectArray<'_, JString<'_>>, args: &JObjectArray<'_, JString<'_>>, data: &JObjectArray<'_, JByteArray<'_>>) -> JResult<Result<Message, Error>> {
    let n = ops.len(env)?;
    let mut b = Message::builder();
    let mut api: Option<XSmtpApi> = None;
    for i in 0..n {
        let op_obj = ops.get_element(env, i)?;
        let op = string(env, &op_obj)?.unwrap_or_default();
        let arg_obj = args.get_element(env, i)?;
        let arg = string(env, &arg_obj)?.unwrap_or_default();
        let bytes_obj = data.get_element(env, i)?;
        let bytes = if bytes_obj.is_null() { Vec::new() } else { env.convert_byte_array(&bytes_obj)? };
        let mut fields = arg.split('\0');
        let mut next = || fields.next().unwrap_or("").to_string();
        b = match op.as_str() {
            "from" => b.from(mailbox(&arg)),
            "sender" => b.sender(mailbox(&arg)),
            "envelopeFrom" => b.envelope_from(mailbox(&arg)),
            "replyTo" => b.reply_to(mailbox(&arg)),
            "to" => b.to(mailbox(&arg)),
            "cc" => b.cc(mailbox(&arg)),
            "bcc" => b.bcc(mailbox(&arg)),
            "subject" => b.subject(arg),
            "text" => b.text(arg),
            "html" => b.html(arg),
            "messageId" => b.message_id(arg),
            "inReplyTo" => b.in_reply_to(arg),
            "references" => b.references(arg),
            "boundarySeed" => b.boundary_seed(arg),
            "date" => match arg.parse::<i64>() {
                Ok(seconds) => b.date(seconds),
                Err(_) => return Ok(Err(fail(ErrorKind::InvalidHeaderValue, "date is not a number"))),
            },
            "header" => {
                let (name, value) = (next(), next());
                b.header(name, value)
            }
            "scCustom" => {
                let (key, value) = (next(), next());
                b.sc_custom(key, value)
            }
            "inline" => {
                let (cid, content_type, filename) = (next(), next(), next());
                let mut part = Inline::new(cid, content_type, bytes);
                if !filename.is_empty() {
                    part = part.filename(filename);
                }
                b.inline(part)
            }
            "attachment" => {
                let (filename, content_type) = (next(), next());
                b.attachment(Attachment::new(filename, content_type, bytes))
            }
            "xTo" => {
                api = Some(api.take().unwrap_or_default().to(arg));
                b
            }
            "xSub" => {
                let variable = next();
                let values: Vec<String> = fields.map(str::to_string).collect();
                api = Some(api.take().unwrap_or_default().sub(variable, values));
                b
            }
            "xSection" => {
                let (name, value) = (next(), next());
                api = Some(api.take().unwrap_or_default().section(name, value));
                b
            }
            "xTracking" => {
                let mut x = api.take().unwrap_or_default();
                for (i, setting) in arg.split('\0').enumerate() {
                    let on = match setting {
                        "1" => true,
                        "0" => false,
                        _ => continue,
                    };
                    x = match i {
                        0 => x.open_tracking(on),
                        1 => x.click_tracking(on),
                        _ => x.subscription_tracking(on),
                    };
                }
                api = Some(x);
                b
            }
            other => return Ok(Err(fail(ErrorKind::InvalidState, &format!("unknown builder operation {other}")))),
        };
    }
    if let Some(api) = api {
        b = b.x_smtpapi(api);
    }
    Ok(b.build())
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageBuild<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    ops: JObjectArray<'l, JString<'l>>,
    args: JObjectArray<'l, JString<'l>>,
    data: JObjectArray<'l, JByteArray<'l>>,
) -> jlong {
    env.with_env(|env| -> JResult<_> {
        Ok(or_record(build(env, &ops, &args, &data)?.map(into_handle), 0))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageToBytes<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, message: jlong) -> JByteArray<'l> {
    env.with_env(|env| -> JResult<_> {
        let bytes = handle::<Message>(message).map(|m| m.to_vec());
        bytes_or_record(env, bytes)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageSize<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, message: jlong) -> jlong {
    env.with_env(|_env| -> JResult<_> {
        Ok(or_record(handle::<Message>(message).map(|m| m.size() as jlong), -1))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// "messageId\0structure\0date\0sender\0rcpt1\0rcpt2..."
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageInfo<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, message: jlong) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        let info = handle::<Message>(message).map(|m| {
            let envelope = m.envelope();
            let mut parts = vec![m.message_id().to_string(), m.structure(), m.date().to_string(), envelope.sender().to_string()];
            parts.extend(envelope.recipients().map(str::to_string));
            parts.join("\0")
        });
        string_or_record(env, info)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_messageFree<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, message: jlong) {
    env.with_env(|_env| -> JResult<_> {
        // SAFETY: called once by Message.close().
        unsafe { free::<Message>(message) };
        Ok(())
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

fn credentials(env: &Env<'_>, user: &JString<'_>, key: &JString<'_>, label: &JString<'_>, oauth2: bool) -> JResult<Option<Credentials>> {
    let Some(user) = string(env, user)? else { return Ok(None) };
    let key = string(env, key)?.unwrap_or_default();
    let mut c = if oauth2 { Credentials::oauth2(user, key) } else { Credentials::new(user, key) };
    if let Some(label) = string(env, label)? {
        c = c.with_label(label);
    }
    Ok(Some(c))
}

/// The user name the server sees (`user` or `user#label`), as the core forms it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_credentialsUsername<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    user: JString<'l>,
    label: JString<'l>,
) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        match credentials(env, &user, &JString::default(), &label, false)? {
            Some(c) => new_string(env, c.username()),
            None => Ok(JString::default()),
        }
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// kind: 0 AUTH LOGIN, 1 AUTH PLAIN, 2 XOAUTH2 (oauth2 credentials), 3 the answer to a LOGIN challenge.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_authPayload<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    kind: jint,
    user: JString<'l>,
    key: JString<'l>,
    label: JString<'l>,
    oauth2: jboolean,
    challenge: JString<'l>,
    username_sent: jboolean,
) -> JByteArray<'l> {
    env.with_env(|env| -> JResult<_> {
        let Some(creds) = credentials(env, &user, &key, &label, oauth2)? else { return Ok(JByteArray::default()) };
        let challenge = string(env, &challenge)?.unwrap_or_default();
        let payload: Result<Vec<u8>, Error> = creds.validate().and_then(|()| match kind {
            0 => Ok(auth::auth_login(&creds)),
            1 => Ok(auth::auth_plain(&creds).to_vec()),
            2 => auth::auth_xoauth2(&creds).map(|p| p.to_vec()),
            _ => Ok(auth::login_answer(auth::login_prompt(&challenge, username_sent), &creds).to_vec()),
        });
        bytes_or_record(env, payload)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

fn class_name(class: smtp::ReplyClass) -> &'static str {
    match class {
        smtp::ReplyClass::Positive => "POSITIVE",
        smtp::ReplyClass::Intermediate => "INTERMEDIATE",
        smtp::ReplyClass::Transient => "TRANSIENT",
        smtp::ReplyClass::Permanent => "PERMANENT",
        smtp::ReplyClass::RateLimited => "RATE_LIMITED",
    }
}

/// "code\0enhanced\0classification\0queueId\0text"
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_replyParse<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, data: JByteArray<'l>) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        let bytes = env.convert_byte_array(&data)?;
        let reply = smtp::Reply::parse(&bytes).map(|r| {
            format!(
                "{}\0{}\0{}\0{}\0{}",
                r.code(),
                r.enhanced().map(|e| e.to_string()).unwrap_or_default(),
                class_name(r.class()),
                r.queue_id().unwrap_or(""),
                r.text()
            )
        });
        string_or_record(env, reply)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// "queueId\0acceptedCount\0accepted...\0refused..."
fn report_text(report: &smtp::SendReport) -> String {
    let mut parts = vec![report.queue_id.clone().unwrap_or_default(), report.accepted.len().to_string()];
    parts.extend(report.accepted.iter().cloned());
    parts.extend(report.refused.iter().map(|(a, r)| format!("{a} {}", r.code())));
    parts.join("\0")
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientConnect<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    host: JString<'l>,
    port: jint,
    tls: jint,
    user: JString<'l>,
    key: JString<'l>,
    label: JString<'l>,
    oauth2: jboolean,
    ca_file: JString<'l>,
    timeout_ms: jint,
    hello_name: JString<'l>,
    pipelining: jboolean,
) -> jlong {
    env.with_env(|env| -> JResult<_> {
        let host = string(env, &host)?.unwrap_or_default();
        let mut options = ClientOptions::new(host, u16::try_from(port).unwrap_or(25));
        options.tls = match tls {
            0 => TlsMode::StartTls,
            1 => TlsMode::StartTlsOpportunistic,
            2 => TlsMode::Implicit,
            _ => TlsMode::None,
        };
        options.credentials = credentials(env, &user, &key, &label, oauth2)?;
        options = options.timeout(Duration::from_millis(u64::try_from(timeout_ms.max(1)).unwrap_or(30_000)));
        if let Some(name) = string(env, &hello_name)? {
            options.hello_name = name;
        }
        options.pipelining = pipelining;
        let ca = string(env, &ca_file)?;
        let connected = match ca {
            Some(path) => options.ca_file(path).and_then(SmtpClient::connect),
            None => SmtpClient::connect(options),
        };
        Ok(or_record(connected.map(into_handle), 0))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientSend<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, client: jlong, message: jlong) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        let result = handle::<SmtpClient>(client).and_then(|c| handle::<Message>(message).and_then(|m| c.send(m)));
        string_or_record(env, result.map(|report| report_text(&report)))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientQuit<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, client: jlong) -> jboolean {
    env.with_env(|_env| -> JResult<_> {
        Ok(or_record(handle::<SmtpClient>(client).and_then(|c| c.quit()).map(|()| true), false))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientFree<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, client: jlong) {
    env.with_env(|_env| -> JResult<_> {
        // SAFETY: called once by SmtpClient.close().
        unsafe { free::<SmtpClient>(client) };
        Ok(())
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionNew<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    hello_name: JString<'l>,
    tls: jint,
    user: JString<'l>,
    key: JString<'l>,
    label: JString<'l>,
    oauth2: jboolean,
    pipelining: jboolean,
) -> jlong {
    env.with_env(|env| -> JResult<_> {
        let mut config = SessionConfig::default();
        if let Some(name) = string(env, &hello_name)? {
            config.hello_name = name;
        }
        match tls {
            0 => config.tls = TlsPolicy::Required,
            1 => config.tls = TlsPolicy::Opportunistic,
            2 => config.implicit_tls = true,
            _ => config.tls = TlsPolicy::Never,
        }
        config.credentials = credentials(env, &user, &key, &label, oauth2)?;
        config.pipelining = pipelining;
        config.transcript = true;
        Ok(into_handle(Session::new(config)))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionReceive<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong, data: JByteArray<'l>) -> jboolean {
    env.with_env(|env| -> JResult<_> {
        let bytes = env.convert_byte_array(&data)?;
        Ok(or_record(handle::<Session>(session).map(|s| s.receive(&bytes)).map(|()| true), false))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionTakeOutput<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong) -> JByteArray<'l> {
    env.with_env(|env| -> JResult<_> {
        let output = handle::<Session>(session).map(|s| s.take_output());
        bytes_or_record(env, output)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionSend<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong, message: jlong) -> jlong {
    env.with_env(|_env| -> JResult<_> {
        let sent = handle::<Session>(session).and_then(|s| handle::<Message>(message).and_then(|m| s.send(m)));
        Ok(or_record(sent.map(|h| h as jlong), -1))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// op: 0 quit, 1 TLS established, 2 connection lost.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionControl<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong, op: jint) -> jboolean {
    env.with_env(|_env| -> JResult<_> {
        let done = handle::<Session>(session).map(|s| match op {
            0 => s.quit(),
            1 => s.tls_established(),
            _ => s.connection_lost(fail(ErrorKind::ConnectionClosed, "the connection closed")),
        });
        Ok(or_record(done.map(|()| true), false))
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

/// null when there is no event; else "kind\0handle\0errorCode\0errorKind\0smtpCode\0message\0report..."
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionPollEvent<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong) -> JString<'l> {
    env.with_env(|env| -> JResult<_> {
        let s = match handle::<Session>(session) {
            Ok(s) => s,
            Err(error) => {
                record(&error);
                return Ok(JString::default());
            }
        };
        let Some(event) = s.poll_event() else { return Ok(JString::default()) };
        let error_fields = |e: &Error| format!("{}\0{}\0{}\0{}", e.kind().code(), e.kind().as_str(), e.reply().map_or(0, |r| r.code()), e.to_string().replace('\0', "\\0"));
        let text = match event {
            smtp::Event::StartTls => "START_TLS\x000\x000\0\x000\0".to_string(),
            smtp::Event::Ready => "READY\x000\x000\0\x000\0".to_string(),
            smtp::Event::Closed => "CLOSED\x000\x000\0\x000\0".to_string(),
            smtp::Event::Sent(r) => format!("SENT\0{}\x000\0\x000\0\0{}", r.handle, report_text(&r)),
            smtp::Event::Failed(f) => format!("FAILED\0{}\0{}", f.handle, error_fields(&f.error)),
            smtp::Event::Error(e) => format!("ERROR\x000\0{}", error_fields(&e)),
        };
        new_string(env, &text)
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_sessionFree<'l>(mut env: EnvUnowned<'l>, _c: JClass<'l>, session: jlong) {
    env.with_env(|_env| -> JResult<_> {
        // SAFETY: called once by Session.close().
        unsafe { free::<Session>(session) };
        Ok(())
    })
    .resolve::<ThrowRuntimeExAndDefault>()
}
