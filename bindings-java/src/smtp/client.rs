//! `SmtpClient`: the core's blocking transport (rustls) behind a handle, and
//! its `Interrupter` (a second handle, used by `close()` from another thread
//! while a call is blocked).

use crate::convert::{self, JResult};
use crate::errors::{Outcome, run};
use jni::EnvUnowned;
use jni::objects::{JClass, JObject, JObjectArray};
use jni::sys::jlong;
use mailwright::Message;
use mailwright::smtp::{ClientOptions, Interrupter, SmtpClient};

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
        // SAFETY: called once, by the SmtpClient's cleaner (close() runs it).
        unsafe { convert::free::<SmtpClient>(handle) };
        Ok(())
    })
}

/// A handle that ends this client's connection from any thread.
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientInterrupter<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jlong {
    run(&mut env, |_env| {
        Ok(convert::into_handle(client(handle)?.interrupter()?))
    })
}

/// Shuts the connection down: the call in progress on the client returns
/// `ConnectionClosed`. Runs concurrently with that call (the interrupter is
/// its own handle, shared: it only touches a cloned socket and a flag).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_interrupterInterrupt<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| -> Outcome<()> {
        convert::handle::<Interrupter>(handle)?.interrupt();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_interrupterFree<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_env| {
        // SAFETY: called once, by the SmtpClient's cleaner, never during an interrupt.
        unsafe { convert::free::<Interrupter>(handle) };
        Ok(())
    })
}

/// The transcript so far, drained (when the options asked for one).
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientTakeTranscript<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> JObjectArray<'l> {
    run(&mut env, |env| {
        let lines = client(handle)?.take_transcript();
        Ok(convert::new_transcript(env, &lines)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_org_mailwright_Native_clientIsTls<'l>(
    mut env: EnvUnowned<'l>,
    _c: JClass<'l>,
    handle: jlong,
) -> jni::sys::jboolean {
    run(&mut env, |_env| Ok(client(handle)?.is_tls()))
}
