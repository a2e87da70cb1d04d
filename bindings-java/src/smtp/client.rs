//! `SmtpClient`: the core's blocking transport (rustls) behind a handle, and
//! its `Interrupter` (a second handle, used by `close()` from another thread
//! while a call is blocked).

use crate::convert::{self, JResult};
use crate::errors::native;
use jni::objects::{JObject, JObjectArray};
use jni::sys::{jboolean, jlong};
use mailwright::Message;
use mailwright::smtp::{ClientOptions, Interrupter, SmtpClient};

fn client<'a>(handle: jlong) -> JResult<&'a mut SmtpClient> {
    convert::handle_mut::<SmtpClient>(handle)
}

native! {
    /// Connects with a copy of built `SmtpOptions` (the core validates them again).
    fn clientConnect(_, options: jlong) -> jlong {
        let options = convert::handle::<ClientOptions>(options)?.clone();
        convert::into_handle(SmtpClient::connect(options)?)
    }

    /// Sends one message; a `SendResult` once the server accepted it.
    fn clientSend(env, handle: jlong, message: jlong) -> JObject<'l> {
        let message = convert::handle::<Message>(message)?;
        let report = client(handle)?.send(message)?;
        convert::new_send_result(env, &report)?
    }

    fn clientQuit(_, handle: jlong) {
        client(handle)?.quit()?;
    }

    fn clientFree(_, handle: jlong) {
        // SAFETY: called once, by the SmtpClient's cleaner (close() runs it).
        unsafe { convert::free::<SmtpClient>(handle) }
    }

    /// A handle that ends this client's connection from any thread.
    fn clientInterrupter(_, handle: jlong) -> jlong {
        convert::into_handle(client(handle)?.interrupter()?)
    }

    /// Shuts the connection down: the call in progress on the client returns
    /// `ConnectionClosed`. Runs concurrently with that call (the interrupter is
    /// its own handle, shared: it only touches a cloned socket and a flag).
    fn interrupterInterrupt(_, handle: jlong) {
        convert::handle::<Interrupter>(handle)?.interrupt();
    }

    fn interrupterFree(_, handle: jlong) {
        // SAFETY: called once, by the SmtpClient's cleaner, never during an interrupt.
        unsafe { convert::free::<Interrupter>(handle) }
    }

    /// The transcript so far, drained (when the options asked for one).
    fn clientTakeTranscript(env, handle: jlong) -> JObjectArray<'l> {
        let lines = client(handle)?.take_transcript();
        convert::new_transcript(env, &lines)?
    }

    fn clientIsTls(_, handle: jlong) -> jboolean {
        client(handle)?.is_tls()
    }
}
