//! `SmtpClient`: the core's blocking transport (rustls) behind a handle.

use crate::convert::{self, JResult};
use crate::errors::{Outcome, run};
use jni::EnvUnowned;
use jni::objects::{JClass, JObject};
use jni::sys::jlong;
use mailwright::Message;
use mailwright::smtp::{ClientOptions, SmtpClient};

fn client<'a>(handle: jlong) -> JResult<&'a mut SmtpClient> {
    convert::handle_mut::<SmtpClient>(handle)
}

/// Connects with a copy of built `SmtpOptions` (the core validates them again).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientConnect<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    options: jlong,
) -> jlong {
    run(&mut env, |_env| {
        let options = convert::handle::<ClientOptions>(options)?.clone();
        Ok(convert::into_handle(SmtpClient::connect(options)?))
    })
}

/// Sends one message; a `SendResult` once the server accepted it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientSend<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
    message: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        let message = convert::handle::<Message>(message)?;
        let report = client(handle)?.send(message)?;
        Ok(convert::new_send_result(env, &report)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientQuit<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        client(handle)?.quit()?;
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by SmtpClient.close().
        unsafe { convert::free::<SmtpClient>(handle) };
        Ok(())
    })
}
