//! The delivery options handle: the core's `DeliveryConfig`, its defaults
//! (`DeliveryConfig::default()`), checks (`DeliveryConfig::validate`), rate
//! presets (`Rate::from_name`, `Rate::new`) and units
//! (`timeout_from_millis`); where to connect stays in `mw_client_options`.

use crate::convert::{out, text_arg};
use crate::errors::{Fail, boundary, guard, mw_result};
use mailwright::delivery::{DeliveryConfig, Rate};
use mailwright::smtp::settings::{count_from_i64, timeout_from_millis};
use std::ffi::c_char;
use std::time::Duration;

/// How an `mw_mailer` delivers (opaque): the pool, the throttle, retries,
/// the queue. Made by `mw_delivery_options_new` with the core's defaults (4
/// connections, 1,000 messages per connection, 30 s idle time-out, a queue
/// of 10,000, 5 attempts from 1 s backoff doubling up to 60 s within 600 s,
/// no rate, 60 s pause after a 536, at-most-once); each setter checks the
/// whole configuration with the core's rule and leaves it unchanged when it
/// refuses the value (MW_ERR_INVALID_OPTION). Free with
/// `mw_delivery_options_free`.
pub struct mw_delivery_options {
    pub(crate) inner: DeliveryConfig,
}

/// Creates delivery options with every default; `*out_options` is the
/// caller's (free with `mw_delivery_options_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_new(
    out_options: *mut *mut mw_delivery_options,
) -> mw_result {
    boundary(|| {
        let slot = out(out_options, "out_options")?;
        *slot = Box::into_raw(Box::new(mw_delivery_options {
            inner: DeliveryConfig::default(),
        }));
        Ok(())
    })
}

/// Frees delivery options. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_free(options: *mut mw_delivery_options) {
    guard((), || {
        if !options.is_null() {
            // SAFETY: from `mw_delivery_options_new` (contract).
            drop(unsafe { Box::from_raw(options) });
        }
    })
}

/// Applies `change` to a copy, checks the copy with the core's rule, and
/// keeps it only when both succeed.
fn update(
    options: *mut mw_delivery_options,
    change: impl FnOnce(&mut DeliveryConfig) -> Result<(), Fail>,
) -> mw_result {
    boundary(|| {
        let handle = out(options, "options")?;
        let mut next = handle.inner.clone();
        change(&mut next)?;
        next.validate()?;
        handle.inner = next;
        Ok(())
    })
}

fn millis(ms: u64) -> Result<Duration, Fail> {
    Ok(timeout_from_millis(ms as f64)?)
}

/// A count from C (signed, like the port): the core's `count_from_i64`.
fn count(n: i64, what: &str) -> Result<u32, Fail> {
    Ok(count_from_i64(n, what)?)
}

pub(crate) fn delivery_ref<'a>(options: *const mw_delivery_options) -> Option<&'a DeliveryConfig> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { options.as_ref() }.map(|o| &o.inner)
}

/// The most connections open at once (1 to 1024).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_connections(
    options: *mut mw_delivery_options,
    connections: i64,
) -> mw_result {
    update(options, |c| {
        c.connections = count(connections, "connections")? as usize;
        Ok(())
    })
}

/// Throttles to a named preset (`len` bytes): "sendcloud" (SendCloud's
/// quota, 20,000 a minute per api_user). Any other name is
/// MW_ERR_INVALID_OPTION.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_rate_name(
    options: *mut mw_delivery_options,
    name: *const c_char,
    len: usize,
) -> mw_result {
    update(options, |c| {
        let name = unsafe { text_arg(name, len, "name") }?;
        c.rate = Some(Rate::from_name(name)?);
        Ok(())
    })
}

/// Throttles to at most `messages` in any window of `per_ms` milliseconds
/// (both above zero, the window 1 ms to one day; the core's `Rate::new`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_rate(
    options: *mut mw_delivery_options,
    messages: i64,
    per_ms: u64,
) -> mw_result {
    update(options, |c| {
        let messages = count(messages, "rate messages")?;
        c.rate = Some(Rate::new(messages, millis(per_ms)?)?);
        Ok(())
    })
}

/// Attempts in all, the first included (1 = never retry; at least 1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_max_attempts(
    options: *mut mw_delivery_options,
    max_attempts: i64,
) -> mw_result {
    update(options, |c| {
        c.retry.max_attempts = count(max_attempts, "max_attempts")?;
        Ok(())
    })
}

/// The wait before the second attempt, in milliseconds (it doubles each
/// time); 1 ms to one day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_initial_backoff_ms(
    options: *mut mw_delivery_options,
    ms: u64,
) -> mw_result {
    update(options, |c| {
        c.retry.initial_backoff = millis(ms)?;
        Ok(())
    })
}

/// The longest wait between two attempts, in milliseconds; 1 ms to one day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_max_backoff_ms(
    options: *mut mw_delivery_options,
    ms: u64,
) -> mw_result {
    update(options, |c| {
        c.retry.max_backoff = millis(ms)?;
        Ok(())
    })
}

/// The longest a message may take from submission to its outcome, in
/// milliseconds; 1 ms to one day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_deadline_ms(
    options: *mut mw_delivery_options,
    ms: u64,
) -> mw_result {
    update(options, |c| {
        c.retry.deadline = millis(ms)?;
        Ok(())
    })
}

/// How long every connection stops after a `536 Frequency limited` when no
/// rate is set (with a rate, its window), in milliseconds; 1 ms to one day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_rate_limited_pause_ms(
    options: *mut mw_delivery_options,
    ms: u64,
) -> mw_result {
    update(options, |c| {
        c.rate_limited_pause = millis(ms)?;
        Ok(())
    })
}

/// A connection is closed (and replaced when needed) after this many
/// messages (at least 1); see `_set_unlimited_messages_per_connection`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_messages_per_connection(
    options: *mut mw_delivery_options,
    messages: i64,
) -> mw_result {
    update(options, |c| {
        c.messages_per_connection = Some(count(messages, "messages_per_connection")? as usize);
        Ok(())
    })
}

/// Connections are never replaced for the number of messages they sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_unlimited_messages_per_connection(
    options: *mut mw_delivery_options,
) -> mw_result {
    update(options, |c| {
        c.messages_per_connection = None;
        Ok(())
    })
}

/// An idle connection is closed (QUIT) after this long, in milliseconds; 1
/// ms to one day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_idle_timeout_ms(
    options: *mut mw_delivery_options,
    ms: u64,
) -> mw_result {
    update(options, |c| {
        c.idle_timeout = millis(ms)?;
        Ok(())
    })
}

/// The most messages waiting (queued or waiting for a retry; at least 1):
/// `mw_mailer_submit` waits while the queue is full.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_queue_capacity(
    options: *mut mw_delivery_options,
    capacity: i64,
) -> mw_result {
    update(options, |c| {
        c.queue_capacity = count(capacity, "queue_capacity")? as usize;
        Ok(())
    })
}

/// Resends uncertain messages (`true`; the relay may then hold them twice,
/// counted in `mw_outcome_uncertain_attempts`) or never (`false`, the default).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_at_least_once(
    options: *mut mw_delivery_options,
    at_least_once: bool,
) -> mw_result {
    update(options, |c| {
        c.at_least_once = at_least_once;
        Ok(())
    })
}

/// Seeds the jitter of the backoff (fixed for reproducible tests; by
/// default the core draws it from the system).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_set_seed(
    options: *mut mw_delivery_options,
    seed: u64,
) -> mw_result {
    update(options, |c| {
        c.seed = Some(seed);
        Ok(())
    })
}

fn ms_of(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The most connections open at once; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_get_connections(
    options: *const mw_delivery_options,
) -> usize {
    guard(0, || delivery_ref(options).map_or(0, |c| c.connections))
}

/// Attempts in all; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_get_max_attempts(
    options: *const mw_delivery_options,
) -> u32 {
    guard(0, || {
        delivery_ref(options).map_or(0, |c| c.retry.max_attempts)
    })
}

/// The deadline per message in milliseconds; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_get_deadline_ms(
    options: *const mw_delivery_options,
) -> u64 {
    guard(0, || {
        delivery_ref(options).map_or(0, |c| ms_of(c.retry.deadline))
    })
}

/// The queue's capacity; 0 if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_get_queue_capacity(
    options: *const mw_delivery_options,
) -> usize {
    guard(0, || delivery_ref(options).map_or(0, |c| c.queue_capacity))
}

/// Whether a rate is set (a preset or `mw_delivery_options_set_rate`);
/// false if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_delivery_options_has_rate(options: *const mw_delivery_options) -> bool {
    guard(false, || {
        delivery_ref(options).is_some_and(|c| c.rate.is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_core_s_and_refusals_change_nothing() {
        let mut handle: *mut mw_delivery_options = std::ptr::null_mut();
        assert_eq!(
            unsafe { mw_delivery_options_new(&mut handle) },
            mw_result::MW_OK
        );
        let core = DeliveryConfig::default();
        unsafe {
            assert_eq!(
                mw_delivery_options_get_connections(handle),
                core.connections
            );
            assert_eq!(
                mw_delivery_options_get_max_attempts(handle),
                core.retry.max_attempts
            );
            assert_eq!(
                mw_delivery_options_get_deadline_ms(handle),
                ms_of(core.retry.deadline)
            );
            assert_eq!(
                mw_delivery_options_get_queue_capacity(handle),
                core.queue_capacity
            );
            assert_eq!(mw_delivery_options_has_rate(handle), core.rate.is_some());
            assert_eq!(
                mw_delivery_options_set_connections(handle, 0),
                mw_result::MW_ERR_INVALID_OPTION
            );
            assert_eq!(
                mw_delivery_options_get_connections(handle),
                core.connections
            );
            assert_eq!(
                mw_delivery_options_set_rate_name(handle, c"sendcloud".as_ptr(), 9),
                mw_result::MW_OK
            );
            assert_eq!((*handle).inner.rate, Some(Rate::sendcloud()));
            assert_eq!(
                mw_delivery_options_set_rate(handle, 100, 1000),
                mw_result::MW_OK
            );
            assert_eq!(
                (*handle).inner.rate,
                Some(Rate::new(100, Duration::from_secs(1)).unwrap())
            );
            mw_delivery_options_free(handle);
        }
    }
}
