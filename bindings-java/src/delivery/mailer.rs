//! `Mailer`: the core's blocking delivery driver
//! (`mailwright::delivery::blocking::Mailer`) behind a handle, shared by
//! every Java thread (the core's mailer is thread-safe; Java frees the handle
//! only once no call uses it), and the prepared messages it takes.
//!
//! A message is prepared first (`preparedMessage`, `preparedRaw`: the core
//! dot-stuffs it once and checks a raw envelope), outside any lock of the
//! mailer; the send or submit that receives the prepared handle consumes it,
//! whatever happens.

use super::{attach, outcome};
use crate::convert::{self, JResult};
use crate::errors::native;
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use jni::sys::jlong;
use mailwright::Message;
use mailwright::delivery::blocking::Mailer;
use mailwright::delivery::{DeliveryConfig, Prepared};
use mailwright::smtp::ClientOptions;

fn mailer<'a>(handle: jlong) -> JResult<&'a Mailer> {
    convert::handle::<Mailer>(handle)
}

/// The prepared message behind a handle Java handed over.
fn take_prepared(handle: jlong) -> JResult<Prepared> {
    // SAFETY: Java hands a prepared handle to exactly one native, which takes
    // it here first thing, and never uses it again.
    unsafe { convert::take::<Prepared>(handle) }
}

native! {
    /// A built message, ready for DATA (its own envelope).
    fn preparedMessage(_, message: jlong) -> jlong {
        convert::into_handle(Prepared::message(convert::handle::<Message>(message)?)?)
    }

    /// Raw RFC 5322 bytes with an explicit envelope, checked by the core.
    fn preparedRaw(
        env,
        data: JByteArray<'l>,
        sender: JString<'l>,
        recipients: JObjectArray<'l, JString<'l>>,
    ) -> jlong {
        let data = convert::bytes(env, &data)?;
        let sender = convert::string(env, &sender, "sender")?;
        let recipients = convert::strings(env, &recipients, "recipients")?;
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        convert::into_handle(Prepared::raw(&data, &sender, &refs)?)
    }

    fn preparedFree(_, handle: jlong) {
        // SAFETY: called once, by Mailer when a prepared message was not handed over.
        unsafe { convert::free::<Prepared>(handle) }
    }

    /// Starts a mailer with copies of built `SmtpOptions` and the delivery
    /// draft (the core checks both; nothing connects yet).
    fn mailerNew(env, options: jlong, config: jlong) -> jlong {
        attach::remember_loader(env)?;
        let options = convert::handle::<ClientOptions>(options)?.clone();
        let config = convert::handle::<DeliveryConfig>(config)?.clone();
        convert::into_handle(Mailer::new(options, config)?)
    }

    /// `mailerNew` recording into the ledger behind `ledger` (the mailer
    /// keeps its own reference to the store); unfinished work in it is
    /// taken up now (see `mailerResumed`).
    fn mailerNewWithLedger(env, options: jlong, config: jlong, ledger: jlong) -> jlong {
        attach::remember_loader(env)?;
        let options = convert::handle::<ClientOptions>(options)?.clone();
        let config = convert::handle::<DeliveryConfig>(config)?.clone();
        let store = super::ledger::store(ledger)?.clone();
        convert::into_handle(Mailer::with_ledger(options, config, Box::new(store))?)
    }

    /// Queues a prepared message (consumed) under `key`; `future` completed
    /// as for `mailerSubmit` (with the recorded outcome when the ledger
    /// holds the key). The ticket.
    fn mailerSubmitKeyed(env, handle: jlong, prepared: jlong, key: JString<'l>, future: JObject<'l>) -> jlong {
        let prepared = take_prepared(prepared)?;
        let key = convert::string(env, &key, "key")?;
        if future.is_null() {
            return Err(jni::errors::Error::NullPtr("future").into());
        }
        let future = env.new_global_ref(&future)?;
        let done = mailer(handle)?
            .submit_keyed_with(&key, prepared, move |result| attach::complete(future, result))?;
        convert::long(done.ticket)
    }

    /// What opening the ledger found: the number queued again.
    fn mailerResumedQueued(_, handle: jlong) -> jlong {
        convert::long(mailer(handle)?.resumed().queued)
    }

    /// What opening the ledger found: the records made uncertain.
    fn mailerResumedUncertain(env, handle: jlong) -> JObjectArray<'l> {
        let resumed = mailer(handle)?.resumed();
        let records: Vec<&mailwright::ledger::Record> = resumed.uncertain.iter().collect();
        super::ledger::new_records(env, &records)?
    }

    /// Sends a prepared message (consumed) and waits for its `Outcome`.
    fn mailerSend(env, handle: jlong, prepared: jlong) -> JObject<'l> {
        let prepared = take_prepared(prepared)?;
        let result = mailer(handle)?.send(prepared)?;
        outcome::new_outcome(env, &result)?
    }

    /// Queues a prepared message (consumed), waiting while the queue is full;
    /// `future` is completed with its `Outcome` by `Mailer.complete`. The ticket.
    fn mailerSubmit(env, handle: jlong, prepared: jlong, future: JObject<'l>) -> jlong {
        let prepared = take_prepared(prepared)?;
        if future.is_null() {
            return Err(jni::errors::Error::NullPtr("future").into());
        }
        let future = env.new_global_ref(&future)?;
        let ticket = mailer(handle)?.submit_with(prepared, move |result| attach::complete(future, result))?;
        convert::long(ticket)
    }

    fn mailerCounters(env, handle: jlong) -> JObject<'l> {
        let counters = mailer(handle)?.counters();
        outcome::new_counters(env, &counters)?
    }

    /// The core's draining close: no new messages; returns once every message
    /// submitted was sent (with its retries) and has its outcome (every
    /// callback has run), and the connections said QUIT.
    fn mailerClose(_, handle: jlong) {
        mailer(handle)?.close();
    }

    /// The core's abort: messages not yet on a connection fail (not sent),
    /// those in flight finish; returns once every callback has run. Also
    /// stops a drain under way on another thread.
    fn mailerAbort(_, handle: jlong) {
        mailer(handle)?.abort();
    }

    /// Throws the core's error for a message handed to a closed (or closing)
    /// mailer (`delivery::closed_error`, kind InvalidState): what `Mailer`
    /// throws once `close()` or `abort()` began.
    fn mailerClosed(_) {
        Err::<(), _>(mailwright::delivery::closed_error())?
    }

    fn mailerFree(_, handle: jlong) {
        // SAFETY: called once, by the Mailer's cleaner, once no call uses it
        // (dropping the core's mailer aborts it first when it was not closed).
        unsafe { convert::free::<Mailer>(handle) }
    }
}
