//! The core's delivery engine (`mailwright::delivery`): a pool of
//! connections, one throttle, retries, one outcome per message. Every rule
//! (defaults, checks, retries, the SendCloud quota) is the core's; this
//! module only converts.
//!
//! - here: `Rate` (a handle of the core's `Rate`) and the `DeliveryConfig`
//!   draft that `Mailer.Builder.build()` replays its settings on (one native
//!   per setting; a setting never called keeps `DeliveryConfig::default()`).
//! - [`mailer`]: the blocking `Mailer` (`delivery::blocking::Mailer`) and the
//!   prepared messages it takes.
//! - [`ledger`]: `Ledger` and `LedgerRecord` (the core's SQLite ledger).
//! - [`outcome`]: `Outcome.Delivered` / `Failed` / `Uncertain` and
//!   `Mailer.Counters`, built by calling their constructors.
//! - [`attach`]: how the core's driver threads reach Java to complete a
//!   `CompletableFuture` (attached as daemon threads, detached when they end).

pub mod attach;
pub mod ledger;
pub mod mailer;
pub mod outcome;

use crate::convert::{self, JResult};
use crate::errors::native;
use jni::objects::{JObjectArray, JString};
use jni::sys::{jboolean, jdouble, jint, jlong};
use mailwright::delivery::{DeliveryConfig, Outcome, Rate};
use mailwright::smtp::settings::{count_from_i64, timeout_from_millis};

/// A count from Java (`int`), by the core's rule: a negative one is
/// `InvalidOption` naming `what` (the Java name of the setting); whether 0
/// is allowed is the core's check of the setting.
fn count(value: jint, what: &str) -> mailwright::Result<u32> {
    count_from_i64(i64::from(value), what)
}

/// A count from Java held as a `usize` by the core (as [`count`]).
fn size(value: jint, what: &str) -> mailwright::Result<usize> {
    Ok(usize::try_from(count(value, what)?).unwrap_or(usize::MAX))
}

fn rate<'a>(handle: jlong) -> JResult<&'a Rate> {
    convert::handle::<Rate>(handle)
}

fn config<'a>(handle: jlong) -> JResult<&'a mut DeliveryConfig> {
    convert::handle_mut::<DeliveryConfig>(handle)
}

native! {
    /// The core's names of the outcomes (`delivered`, `failed`, `uncertain`).
    fn outcomeKinds(env) -> JObjectArray<'l, JString<'l>> {
        convert::new_strings(env, Outcome::KINDS.iter())?
    }

    /// A named rate preset of the core (`sendcloud`); any other name is `InvalidOption`.
    fn rateFromName(env, name: JString<'l>) -> jlong {
        let name = convert::string(env, &name, "rate")?;
        convert::into_handle(Rate::from_name(&name)?)
    }

    /// `messages` per window (the window in milliseconds, by the core's
    /// time-out rule); the core picks the burst and checks the numbers.
    fn rateNew(_, messages: jint, per_millis: jdouble) -> jlong {
        convert::into_handle(Rate::new(count(messages, "messages")?, timeout_from_millis(per_millis)?)?)
    }

    fn rateMessages(_, handle: jlong) -> jlong {
        jlong::from(rate(handle)?.messages)
    }

    /// The window in nanoseconds.
    fn ratePerNanos(_, handle: jlong) -> jlong {
        convert::long(rate(handle)?.per.as_nanos())
    }

    fn rateBurst(_, handle: jlong) -> jlong {
        jlong::from(rate(handle)?.burst)
    }

    fn rateFree(_, handle: jlong) {
        // SAFETY: called once, by Rate's cleaner.
        unsafe { convert::free::<Rate>(handle) }
    }

    /// A delivery configuration with every default of the core.
    fn deliveryNew(_) -> jlong {
        convert::into_handle(DeliveryConfig::default())
    }

    fn deliveryConnections(_, handle: jlong, n: jint) {
        config(handle)?.connections = size(n, "connections")?;
    }

    fn deliveryMessagesPerConnection(_, handle: jlong, n: jint) {
        config(handle)?.messages_per_connection = Some(size(n, "messagesPerConnection")?);
    }

    fn deliveryQueueCapacity(_, handle: jlong, n: jint) {
        config(handle)?.queue_capacity = size(n, "queueCapacity")?;
    }

    fn deliveryIdleTimeout(_, handle: jlong, millis: jdouble) {
        config(handle)?.idle_timeout = timeout_from_millis(millis)?;
    }

    fn deliveryMaxAttempts(_, handle: jlong, n: jint) {
        config(handle)?.retry.max_attempts = count(n, "maxAttempts")?;
    }

    fn deliveryInitialBackoff(_, handle: jlong, millis: jdouble) {
        config(handle)?.retry.initial_backoff = timeout_from_millis(millis)?;
    }

    fn deliveryMaxBackoff(_, handle: jlong, millis: jdouble) {
        config(handle)?.retry.max_backoff = timeout_from_millis(millis)?;
    }

    fn deliveryDeadline(_, handle: jlong, millis: jdouble) {
        config(handle)?.retry.deadline = timeout_from_millis(millis)?;
    }

    fn deliveryRateLimitedPause(_, handle: jlong, millis: jdouble) {
        config(handle)?.rate_limited_pause = timeout_from_millis(millis)?;
    }

    fn deliveryRate(_, handle: jlong, rate_handle: jlong) {
        config(handle)?.rate = Some(*rate(rate_handle)?);
    }

    fn deliveryAtLeastOnce(_, handle: jlong, on: jboolean) {
        config(handle)?.at_least_once = on;
    }

    fn deliveryFree(_, handle: jlong) {
        // SAFETY: called once, by Mailer.Builder.build().
        unsafe { convert::free::<DeliveryConfig>(handle) }
    }
}
