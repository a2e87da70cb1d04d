//! One message's final result (the core's `delivery::Outcome`) as an opaque
//! handle, and the mailer's counters (the core's `Counters`).

use crate::convert::{c_value, core_value, out, static_name, to_c_string};
use crate::errors::{Fail, boundary, code_of, guard, mw_result};
use crate::smtp::{Refused, refused_at, refused_list, refused_text};
use mailwright::delivery::{Counters, Outcome};
use std::ffi::{CString, c_char};

/// What became of a message (the core's outcome kinds; names "delivered",
/// "failed", "uncertain" through `mw_outcome_kind_name`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_outcome_kind {
    /// The relay accepted it (its final 2xx).
    MW_OUTCOME_DELIVERED = 0,
    /// It was not delivered: a permanent refusal, retries given up, or not
    /// sent because the mailer closed first.
    MW_OUTCOME_FAILED = 1,
    /// The connection was lost after the end of the data went out and before
    /// the relay answered: it may have been delivered. Not resent unless
    /// at-least-once was asked for.
    MW_OUTCOME_UNCERTAIN = 2,
}

/// The C values, in the order of the core's `Outcome::KINDS`.
const KINDS: &[mw_outcome_kind] = {
    use mw_outcome_kind::*;
    &[
        MW_OUTCOME_DELIVERED,
        MW_OUTCOME_FAILED,
        MW_OUTCOME_UNCERTAIN,
    ]
};

impl From<mw_outcome_kind> for u32 {
    fn from(value: mw_outcome_kind) -> u32 {
        value as u32
    }
}

/// The one final result of a message sent through an `mw_mailer` (opaque,
/// read-only: it may be read from several threads at once). Outcomes from
/// `mw_mailer_poll`, `mw_mailer_wait`, `mw_mailer_send` and
/// `mw_outcome_clone` are the caller's (free with `mw_outcome_free`); the
/// one a callback receives belongs to the library and lives until the
/// callback returns.
#[derive(Clone)]
pub struct mw_outcome {
    kind: mw_outcome_kind,
    ticket: u64,
    key: Option<CString>,
    message_id: Option<CString>,
    queue_id: Option<CString>,
    accepted: Vec<CString>,
    refused: Vec<Refused>,
    attempts: u32,
    uncertain_attempts: u32,
    gave_up: bool,
    error: mw_result,
    error_message: Option<CString>,
    smtp_code: u16,
    reply_text: Option<CString>,
}

impl From<Outcome> for mw_outcome {
    fn from(outcome: Outcome) -> mw_outcome {
        let kind = c_value(Outcome::KINDS, KINDS, outcome.kind())
            .unwrap_or(mw_outcome_kind::MW_OUTCOME_FAILED);
        let mut c = mw_outcome {
            kind,
            ticket: outcome.ticket(),
            key: outcome.key().map(to_c_string),
            message_id: outcome.message_id().map(to_c_string),
            queue_id: None,
            accepted: Vec::new(),
            refused: Vec::new(),
            attempts: 0,
            uncertain_attempts: 0,
            gave_up: false,
            error: mw_result::MW_OK,
            error_message: None,
            smtp_code: 0,
            reply_text: None,
        };
        let failed = |c: &mut mw_outcome, error: &mailwright::Error| {
            c.error = code_of(error.kind());
            c.error_message = Some(to_c_string(&error.to_string()));
            c.smtp_code = error.reply().map_or(0, |r| r.code());
            c.reply_text = error.reply().map(|r| to_c_string(&r.text()));
        };
        match outcome {
            Outcome::Delivered {
                queue_id,
                accepted,
                refused,
                attempts,
                uncertain_attempts,
                ..
            } => {
                c.queue_id = queue_id.as_deref().map(to_c_string);
                c.accepted = accepted.iter().map(|a| to_c_string(a)).collect();
                c.refused = refused_list(&refused);
                c.attempts = attempts;
                c.uncertain_attempts = uncertain_attempts;
            }
            Outcome::Failed {
                error,
                attempts,
                gave_up,
                refused,
                ..
            } => {
                failed(&mut c, &error);
                c.attempts = attempts;
                c.gave_up = gave_up;
                c.refused = refused_list(&refused);
            }
            Outcome::Uncertain {
                error, attempts, ..
            } => {
                failed(&mut c, &error);
                c.attempts = attempts;
            }
        }
        c
    }
}

fn outcome_ref<'a>(outcome: *const mw_outcome) -> Option<&'a mw_outcome> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { outcome.as_ref() }
}

/// The core's name of an outcome kind ("delivered", "failed",
/// "uncertain"), or NULL when `kind` is not an `mw_outcome_kind`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_outcome_kind_name(kind: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        core_value(Outcome::KINDS, KINDS, kind).map_or(std::ptr::null(), static_name)
    })
}

/// What became of the message (an `mw_outcome_kind`);
/// MW_OUTCOME_FAILED if `outcome` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_get_kind(outcome: *const mw_outcome) -> mw_outcome_kind {
    let fallback = mw_outcome_kind::MW_OUTCOME_FAILED;
    guard(fallback, || {
        outcome_ref(outcome).map_or(fallback, |o| o.kind)
    })
}

/// The ticket `mw_mailer_submit` gave for the message; 0 if `outcome` is
/// NULL (tickets start at 1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_ticket(outcome: *const mw_outcome) -> u64 {
    guard(0, || outcome_ref(outcome).map_or(0, |o| o.ticket))
}

/// The key the message was submitted under (the caller's, with
/// `mw_mailer_submit_keyed`; under a ledger its Message-ID by default), or
/// NULL. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_key(outcome: *const mw_outcome) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.key.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The message's Message-ID (without angle brackets), or NULL. Owned by
/// the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_message_id(outcome: *const mw_outcome) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.message_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The relay's queue id of a delivered message (control characters escaped
/// by the core), or NULL. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_queue_id(outcome: *const mw_outcome) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// How many recipients the relay accepted (0 unless delivered).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_accepted_count(outcome: *const mw_outcome) -> usize {
    guard(0, || outcome_ref(outcome).map_or(0, |o| o.accepted.len()))
}

/// The `index`-th accepted recipient, or NULL. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_accepted(
    outcome: *const mw_outcome,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.accepted.get(index))
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// How many recipients were refused for good (they will not get it), in a
/// delivered or failed outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_refused_count(outcome: *const mw_outcome) -> usize {
    guard(0, || outcome_ref(outcome).map_or(0, |o| o.refused.len()))
}

/// The `index`-th refused recipient (NULL if out of range); the code of the
/// server's refusal through `out_code` when not NULL. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_refused(
    outcome: *const mw_outcome,
    index: usize,
    out_code: *mut u16,
) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome).map_or(std::ptr::null(), |o| {
            refused_at(&o.refused, index, out_code)
        })
    })
}

/// The text of the server's reply refusing the `index`-th refused recipient
/// (control characters escaped by the core), or NULL. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_refused_text(
    outcome: *const mw_outcome,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome).map_or(std::ptr::null(), |o| refused_text(&o.refused, index))
    })
}

/// Attempts made (1 when the first one went through; 0 for a message that
/// never went out).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_attempts(outcome: *const mw_outcome) -> u32 {
    guard(0, || outcome_ref(outcome).map_or(0, |o| o.attempts))
}

/// Earlier attempts of a delivered message that ended uncertain and were
/// resent anyway (only with at-least-once): the relay may hold the message
/// that many more times.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_uncertain_attempts(outcome: *const mw_outcome) -> u32 {
    guard(0, || {
        outcome_ref(outcome).map_or(0, |o| o.uncertain_attempts)
    })
}

/// True for a failed message whose retries ran out (attempts or deadline)
/// on a transient failure; false otherwise.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_gave_up(outcome: *const mw_outcome) -> bool {
    guard(false, || outcome_ref(outcome).is_some_and(|o| o.gave_up))
}

/// The error of a failed or uncertain message (the same codes as every
/// call's `mw_result`; `mw_result_kind_name` names it, `mw_result_is_transient`
/// says whether it may pass): MW_OK for a delivered one,
/// MW_ERR_NULL_PARAMETER if `outcome` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_error(outcome: *const mw_outcome) -> mw_result {
    guard(mw_result::MW_ERR_PANIC, || {
        outcome_ref(outcome).map_or(mw_result::MW_ERR_NULL_PARAMETER, |o| o.error)
    })
}

/// The description of the error (secrets never in it), or NULL for a
/// delivered message. Owned by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_error_message(outcome: *const mw_outcome) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.error_message.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The code of the server's reply behind the error (e.g. 451), or 0 when
/// the error did not come from a reply (a lost connection, a time-out).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_error_smtp_code(outcome: *const mw_outcome) -> u16 {
    guard(0, || outcome_ref(outcome).map_or(0, |o| o.smtp_code))
}

/// The whole text of the server's reply behind the error (control
/// characters escaped, AUTH echoes redacted, by the core), or NULL. Owned
/// by the outcome.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_error_reply_text(outcome: *const mw_outcome) -> *const c_char {
    guard(std::ptr::null(), || {
        outcome_ref(outcome)
            .and_then(|o| o.reply_text.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Copies an outcome (e.g. the one a callback receives, to keep it after
/// the callback returns). On success `*out_outcome` is the caller's (free
/// with `mw_outcome_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_clone(
    outcome: *const mw_outcome,
    out_outcome: *mut *mut mw_outcome,
) -> mw_result {
    boundary(|| {
        let outcome = outcome_ref(outcome).ok_or_else(|| Fail::null("outcome"))?;
        let slot = out(out_outcome, "out_outcome")?;
        *slot = Box::into_raw(Box::new(outcome.clone()));
        Ok(())
    })
}

/// Frees an outcome the caller owns. NULL does nothing. Never pass the
/// outcome a callback received (it belongs to the library).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_outcome_free(outcome: *mut mw_outcome) {
    guard((), || {
        if !outcome.is_null() {
            // SAFETY: from this library (contract).
            drop(unsafe { Box::from_raw(outcome) });
        }
    })
}

/// What a mailer has done so far (the core's `Counters`), filled by
/// `mw_mailer_counters`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct mw_counters {
    /// Messages waiting (new, or for a retry).
    pub queued: u64,
    /// Messages handed to a connection and not answered yet.
    pub in_flight: u64,
    /// Delivered outcomes so far.
    pub delivered: u64,
    /// Failed outcomes so far.
    pub failed: u64,
    /// Uncertain outcomes so far.
    pub uncertain: u64,
    /// Attempts after the first.
    pub retries: u64,
    /// `536 Frequency limited` replies seen.
    pub rate_limited: u64,
    /// Connections open or opening.
    pub connections: u64,
    /// The pace the throttle allows now, in messages a second (valid only
    /// when `has_current_rate`: without a rate there is no limit).
    pub current_rate: f64,
    /// Whether `current_rate` holds a value.
    pub has_current_rate: bool,
}

impl From<Counters> for mw_counters {
    fn from(c: Counters) -> mw_counters {
        mw_counters {
            queued: c.queued as u64,
            in_flight: c.in_flight as u64,
            delivered: c.delivered,
            failed: c.failed,
            uncertain: c.uncertain,
            retries: c.retries,
            rate_limited: c.rate_limited,
            connections: c.connections as u64,
            current_rate: c.current_rate.unwrap_or(0.0),
            has_current_rate: c.current_rate.is_some(),
        }
    }
}

/// The C value of a core outcome kind name (for tests).
#[cfg(test)]
fn c_kind(name: &'static str) -> Option<mw_outcome_kind> {
    c_value(Outcome::KINDS, KINDS, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn kinds_follow_the_core_order() {
        assert_eq!(KINDS.len(), Outcome::KINDS.len());
        for (c, core) in KINDS.iter().zip(Outcome::KINDS) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_OUTCOME_{}", core.to_uppercase())
            );
            assert_eq!(c_kind(core), Some(*c));
            // SAFETY: a static name.
            let name = unsafe { CStr::from_ptr(mw_outcome_kind_name(*c as u32)) };
            assert_eq!(name.to_str().unwrap(), *core);
        }
        assert!(mw_outcome_kind_name(3).is_null());
    }
}
