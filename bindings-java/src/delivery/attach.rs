//! How a message's outcome reaches its `CompletableFuture`.
//!
//! The core calls a message's callback with no lock of its own held, on one
//! of its driver threads (a connection's, or the timer's) or on the Java
//! thread whose call (`submit`, `close`) produced the outcome. A driver
//! thread is not a Java thread: the first callback on it attaches it to the
//! JVM **as a daemon** (it never keeps the JVM from exiting), named after the
//! core's thread (`mailwright-conn-3`, `mailwright-timer`), with the
//! binding's class loader as its context loader (so the binding's classes
//! are found by name on it, also when the jar lives in an application's own
//! loader). It stays attached while it runs (a connection's thread lives as
//! long as its connection) and a thread-local guard detaches it when it ends.
//! A Java thread is used as it is.
//!
//! Nothing unwinds into the core's thread and no Java exception escapes:
//! `Mailer.complete` catches everything, and a failure to build the outcome
//! completes the future exceptionally instead of leaving it pending.

use super::outcome::new_outcome;
use crate::convert::{self, JResult};
use jni::objects::{Global, JObject};
use jni::sys::{self, JNI_OK, JNI_VERSION_1_8};
use jni::{Env, JavaVM, jni_sig, jni_str};
use mailwright::delivery::Outcome;
use std::cell::RefCell;
use std::ffi::{CString, c_char, c_void};
use std::sync::OnceLock;

/// The class loader of the binding's classes (that of `org.mailwright.Native`).
static LOADER: OnceLock<Global<JObject<'static>>> = OnceLock::new();

/// Remembers the binding's class loader; called from a native of `Native`
/// (a Java thread), before any callback can run.
pub fn remember_loader(env: &mut Env<'_>) -> JResult<()> {
    if LOADER.get().is_some() {
        return Ok(());
    }
    let class = env.find_class(jni_str!("org/mailwright/Native"))?;
    let loader = env
        .call_method(
            &class,
            jni_str!("getClassLoader"),
            jni_sig!("()Ljava/lang/ClassLoader;"),
            &[],
        )?
        .l()?;
    let global = env.new_global_ref(&loader)?;
    // Another thread may have set it meanwhile: the same loader either way.
    let _ = LOADER.set(global);
    Ok(())
}

/// Detaches the thread it belongs to when that thread ends.
struct Detach(*mut sys::JavaVM);

impl Drop for Detach {
    fn drop(&mut self) {
        // SAFETY: `self.0` is the process's JavaVM (it outlives every thread);
        // this thread attached itself in `attach_as_daemon` and, ending, holds
        // no JNI reference or frame any more.
        unsafe {
            ((**self.0).v1_1.DetachCurrentThread)(self.0);
        }
    }
}

thread_local! {
    static ATTACHED: RefCell<Option<Detach>> = const { RefCell::new(None) };
}

/// Attaches this thread as a daemon thread unless it is attached already
/// (a Java thread, or a driver thread attached by an earlier callback).
fn attach_as_daemon(vm: &JavaVM) -> JResult<()> {
    if vm.is_thread_attached()? {
        return Ok(());
    }
    let name = std::thread::current()
        .name()
        .and_then(|n| CString::new(n).ok())
        .unwrap_or_else(|| c"mailwright-driver".to_owned());
    let mut args = sys::JavaVMAttachArgs {
        version: JNI_VERSION_1_8,
        name: name.as_ptr().cast_mut().cast::<c_char>(),
        group: std::ptr::null_mut(),
    };
    let raw = vm.get_raw();
    let mut env: *mut c_void = std::ptr::null_mut();
    // SAFETY: `raw` is the live JavaVM; `args` and `name` outlive the call;
    // the thread is not attached (checked above).
    let rc = unsafe {
        ((**raw).v1_4.AttachCurrentThreadAsDaemon)(
            raw,
            &mut env,
            std::ptr::from_mut(&mut args).cast::<c_void>(),
        )
    };
    if rc != JNI_OK {
        return Err(jni::errors::Error::JniCall(jni::errors::JniError::Other(
            rc,
        )));
    }
    ATTACHED.with(|a| *a.borrow_mut() = Some(Detach(raw)));
    vm.attach_current_thread(|env| -> JResult<()> {
        let Some(loader) = LOADER.get() else {
            return Ok(());
        };
        let thread = env
            .call_static_method(
                jni_str!("java/lang/Thread"),
                jni_str!("currentThread"),
                jni_sig!("()Ljava/lang/Thread;"),
                &[],
            )?
            .l()?;
        env.call_method(
            &thread,
            jni_str!("setContextClassLoader"),
            jni_sig!("(Ljava/lang/ClassLoader;)V"),
            &[loader.as_obj().into()],
        )?;
        Ok(())
    })
}

/// Completes `future` (a `CompletableFuture<Outcome>`) with `outcome`,
/// through `Mailer.complete`. Called by the core, on any thread.
pub fn complete(future: Global<JObject<'static>>, outcome: Outcome) {
    let run = std::panic::AssertUnwindSafe(move || {
        let Ok(vm) = JavaVM::singleton() else {
            return;
        };
        if attach_as_daemon(&vm).is_err() {
            return;
        }
        let done = vm.attach_current_thread(|env| -> JResult<()> {
            let object = new_outcome(env, &outcome)?;
            env.call_static_method(
                jni_str!("org/mailwright/Mailer"),
                jni_str!("complete"),
                jni_sig!("(Ljava/util/concurrent/CompletableFuture;Lorg/mailwright/Outcome;)V"),
                &[future.as_obj().into(), (&object).into()],
            )?;
            Ok(())
        });
        if let Err(error) = done {
            let _ = vm.attach_current_thread(|env| -> JResult<()> {
                let text = format!(
                    "mailwright: the {} outcome of message {} could not reach Java: {error}",
                    outcome.kind(),
                    outcome.ticket()
                );
                let text = convert::new_string(env, Some(&text))?;
                env.call_static_method(
                    jni_str!("org/mailwright/Mailer"),
                    jni_str!("fail"),
                    jni_sig!("(Ljava/util/concurrent/CompletableFuture;Ljava/lang/String;)V"),
                    &[future.as_obj().into(), (&text).into()],
                )?;
                Ok(())
            });
        }
        drop(future);
    });
    // Nothing may unwind into the core's thread.
    let _ = std::panic::catch_unwind(run);
}
