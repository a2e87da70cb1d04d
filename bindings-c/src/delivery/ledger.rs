//! The ledger (the core's `mailwright::ledger`): `mw_ledger`, an opened
//! SQLite ledger shared with the mailers that record into it, and
//! `mw_ledger_record`, what it holds for one key. Every rule (states, keys,
//! export formats, pruning ages) is the core's.

use crate::convert::{core_value, opt_str_arg, out, out_opt, static_name, str_arg, to_c_string};
use crate::errors::{Fail, boundary, code_of, guard, mw_result};
use mailwright::ledger::{self, Durability, Format, Record, SharedStore, State};
use std::ffi::{CString, c_char, c_int, c_void};

/// The state of a record (the core's `ledger::State`, in its order; names
/// "pending", "data_sent", "delivered", "failed", "uncertain" through
/// `mw_ledger_state_name`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_ledger_state {
    /// Submitted, not yet sent: a restart sends it.
    MW_LEDGER_PENDING = 0,
    /// The end of its data was about to be written when the record was
    /// last changed: a restart records it uncertain and does not resend it.
    MW_LEDGER_DATA_SENT = 1,
    /// Delivered (the relay's queue id recorded).
    MW_LEDGER_DELIVERED = 2,
    /// Failed for good.
    MW_LEDGER_FAILED = 3,
    /// It may have been delivered: never resent unless at-least-once.
    MW_LEDGER_UNCERTAIN = 4,
}

const STATES: &[mw_ledger_state] = {
    use mw_ledger_state::*;
    &[
        MW_LEDGER_PENDING,
        MW_LEDGER_DATA_SENT,
        MW_LEDGER_DELIVERED,
        MW_LEDGER_FAILED,
        MW_LEDGER_UNCERTAIN,
    ]
};

impl From<mw_ledger_state> for u32 {
    fn from(value: mw_ledger_state) -> u32 {
        value as u32
    }
}

fn c_state(state: State) -> mw_ledger_state {
    State::ALL
        .iter()
        .position(|s| *s == state)
        .and_then(|i| STATES.get(i).copied())
        .unwrap_or(mw_ledger_state::MW_LEDGER_PENDING)
}

/// What a keyed submission found in the ledger (the core's `Claim`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mw_claim {
    /// The key is new: recorded and queued.
    MW_CLAIM_NEW = 0,
    /// The key is already on its way: not sent again; its outcome comes for
    /// this ticket too.
    MW_CLAIM_PENDING = 1,
    /// The key has its outcome: nothing is sent; the recorded outcome comes
    /// for this ticket at once.
    MW_CLAIM_DONE = 2,
}

impl From<&ledger::Claim> for mw_claim {
    fn from(claim: &ledger::Claim) -> mw_claim {
        match claim {
            ledger::Claim::New => mw_claim::MW_CLAIM_NEW,
            ledger::Claim::Pending(_) => mw_claim::MW_CLAIM_PENDING,
            ledger::Claim::Done(_) => mw_claim::MW_CLAIM_DONE,
        }
    }
}

/// An opened ledger: one SQLite file (WAL), the durable record of every
/// message sent through a mailer started with it (opaque). Thread-safe: it
/// may be read while mailers record into it. Free with `mw_ledger_free`
/// (mailers started with it keep their own reference).
pub struct mw_ledger {
    pub(crate) store: SharedStore,
}

/// Counts by state, filled by `mw_ledger_summary`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct mw_ledger_counts {
    /// Submitted, not yet sent.
    pub pending: u64,
    /// End of data sent, no answer recorded.
    pub data_sent: u64,
    /// Delivered.
    pub delivered: u64,
    /// Failed.
    pub failed: u64,
    /// Uncertain.
    pub uncertain: u64,
    /// All records.
    pub total: u64,
}

/// What the ledger holds for one key (opaque, read-only; strings owned by
/// it). From `mw_ledger_get` (free with `mw_ledger_record_free`) or lent to
/// an `mw_ledger_each` visitor.
pub struct mw_ledger_record {
    record: Record,
    key: CString,
    message_id: Option<CString>,
    sender: CString,
    queue_id: Option<CString>,
    error: Option<CString>,
}

impl From<Record> for mw_ledger_record {
    fn from(record: Record) -> mw_ledger_record {
        mw_ledger_record {
            key: to_c_string(&record.key),
            message_id: record.message_id.as_deref().map(to_c_string),
            sender: to_c_string(&record.sender),
            queue_id: record.queue_id.as_deref().map(to_c_string),
            error: record.error.as_deref().map(to_c_string),
            record,
        }
    }
}

/// Visits one record (lent: it lives until the visitor returns; the
/// ledger's lock is not held). Return 0 to go on, anything else to stop.
pub type mw_ledger_visitor =
    Option<unsafe extern "C" fn(userdata: *mut c_void, record: *const mw_ledger_record) -> c_int>;

pub(crate) fn ledger_ref<'a>(ledger: *const mw_ledger) -> Result<&'a mw_ledger, Fail> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { ledger.as_ref() }.ok_or_else(|| Fail::null("ledger"))
}

fn record_ref<'a>(record: *const mw_ledger_record) -> Option<&'a mw_ledger_record> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { record.as_ref() }
}

unsafe fn state_arg(state: *const c_char) -> Result<Option<State>, Fail> {
    let name = unsafe { opt_str_arg(state, "state") }?;
    Ok(name.map(State::parse).transpose()?)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The core's name of a state ("pending", "data_sent", "delivered",
/// "failed", "uncertain"), or NULL when `state` is not an
/// `mw_ledger_state`. Static.
#[unsafe(no_mangle)]
pub extern "C" fn mw_ledger_state_name(state: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        core_value(State::ALL, STATES, state).map_or(std::ptr::null(), |s| static_name(s.as_str()))
    })
}

/// Opens the ledger at `path` (created when missing), or on the PostgreSQL
/// database of a `postgresql://` URL (its tables created when missing;
/// `durability` is then the server's own). `durability`: "full"
/// (every commit on the disk before it returns: survives a power loss;
/// NULL means this) or "process" (survives a crash of the process, not a
/// power loss); `keep_bodies`: keep each message's bytes after its outcome.
/// A file that is not a ledger, from a newer version, read-only, locked or
/// unreadable: MW_ERR_LEDGER, with the reason. On success `*out_ledger` is
/// the caller's: free it with `mw_ledger_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_open(
    path: *const c_char,
    durability: *const c_char,
    keep_bodies: bool,
    out_ledger: *mut *mut mw_ledger,
) -> mw_result {
    boundary(|| {
        let path = unsafe { str_arg(path, "path") }?;
        let durability = match unsafe { opt_str_arg(durability, "durability") }? {
            Some(name) => Durability::from_name(name)?,
            None => Durability::default(),
        };
        let slot = out(out_ledger, "out_ledger")?;
        let store = ledger::open_store(path, durability, keep_bodies)?;
        *slot = Box::into_raw(Box::new(mw_ledger {
            store: SharedStore::new(store),
        }));
        Ok(())
    })
}

/// Fills `*out_summary` with the counts by state. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_summary(
    ledger: *const mw_ledger,
    out_summary: *mut mw_ledger_counts,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        let slot = out(out_summary, "out_summary")?;
        let s = ledger.store.with(|st| st.summary())?;
        *slot = mw_ledger_counts {
            pending: s.pending,
            data_sent: s.data_sent,
            delivered: s.delivered,
            failed: s.failed,
            uncertain: s.uncertain,
            total: s.total(),
        };
        Ok(())
    })
}

/// The record of one key: on MW_OK `*out_record` is the caller's (free
/// with `mw_ledger_record_free`), or NULL when the ledger does not hold the
/// key. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_get(
    ledger: *const mw_ledger,
    key: *const c_char,
    out_record: *mut *mut mw_ledger_record,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        let key = unsafe { str_arg(key, "key") }?;
        let slot = out(out_record, "out_record")?;
        *slot = std::ptr::null_mut();
        if let Some(record) = ledger.store.with(|st| st.get(key))? {
            *slot = Box::into_raw(Box::new(mw_ledger_record::from(record)));
        }
        Ok(())
    })
}

/// Calls `visitor` with every record in `state` (a state's name; NULL for
/// all), in submission order, a page at a time (the ledger is not locked
/// while the visitor runs), until it returns non-zero. `*out_count` (when
/// not NULL) receives how many were visited. An unknown state:
/// MW_ERR_INVALID_OPTION. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_each(
    ledger: *const mw_ledger,
    state: *const c_char,
    visitor: mw_ledger_visitor,
    userdata: *mut c_void,
    out_count: *mut u64,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        let state = unsafe { state_arg(state) }?;
        let visitor = visitor.ok_or_else(|| Fail::null("visitor"))?;
        let mut store = ledger.store.clone();
        let (mut visited, mut stopped) = (0u64, false);
        let walked = ledger::each(&mut store, state, |record| {
            let lent = mw_ledger_record::from(record.clone());
            visited += 1;
            // SAFETY: the caller's function and userdata (contract).
            if unsafe { visitor(userdata, &lent) } == 0 {
                return Ok(());
            }
            stopped = true;
            Err(mailwright::Error::new(
                mailwright::ErrorKind::InvalidState,
                "the visitor stopped",
            ))
        });
        if !stopped {
            walked?;
        }
        out_opt(out_count, visited);
        Ok(())
    })
}

/// Writes every record in `state` (NULL for all) to the file at `path`
/// (created or replaced) as `format`: "csv" (a header line, then RFC 4180
/// rows; NULL means this) or "json" (one object per line); `*out_count`
/// (when not NULL) receives how many. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_export(
    ledger: *const mw_ledger,
    path: *const c_char,
    format: *const c_char,
    state: *const c_char,
    out_count: *mut u64,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        let path = unsafe { str_arg(path, "path") }?;
        let format = match unsafe { opt_str_arg(format, "format") }? {
            Some(name) => Format::from_name(name)?,
            None => Format::Csv,
        };
        let state = unsafe { state_arg(state) }?;
        let file = std::fs::File::create(path)
            .map_err(|e| Fail::new(mw_result::MW_ERR_IO, format!("cannot create {path}: {e}")))?;
        let mut writer = std::io::BufWriter::new(file);
        let mut store = ledger.store.clone();
        let n = ledger::export(&mut store, state, format, &mut writer)?;
        out_opt(out_count, n);
        Ok(())
    })
}

/// Deletes the records whose outcome was last changed more than
/// `older_than_seconds` ago (0 or more); `*out_count` (when not NULL)
/// receives how many. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_prune(
    ledger: *const mw_ledger,
    older_than_seconds: f64,
    out_count: *mut u64,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        let before = ledger::prune_cutoff(older_than_seconds, now_ms())?;
        let n = ledger.store.with(|st| st.prune(before))?;
        out_opt(out_count, n);
        Ok(())
    })
}

/// Frees a ledger handle (mailers started with it keep recording: the file
/// is closed once the last of them is freed). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_free(ledger: *mut mw_ledger) {
    guard((), || {
        if !ledger.is_null() {
            // SAFETY: from this library (contract).
            drop(unsafe { Box::from_raw(ledger) });
        }
    })
}

/// The record's key. Owned by the record; NULL if `record` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_key(record: *const mw_ledger_record) -> *const c_char {
    guard(std::ptr::null(), || {
        record_ref(record).map_or(std::ptr::null(), |r| r.key.as_ptr())
    })
}

/// The record's state; MW_LEDGER_PENDING if `record` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_state(
    record: *const mw_ledger_record,
) -> mw_ledger_state {
    guard(mw_ledger_state::MW_LEDGER_PENDING, || {
        record_ref(record).map_or(mw_ledger_state::MW_LEDGER_PENDING, |r| {
            c_state(r.record.state)
        })
    })
}

/// The message's Message-ID (without angle brackets), or NULL. Owned by
/// the record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_message_id(
    record: *const mw_ledger_record,
) -> *const c_char {
    guard(std::ptr::null(), || {
        record_ref(record)
            .and_then(|r| r.message_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The envelope sender ("" for the null reverse-path). Owned by the record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_sender(record: *const mw_ledger_record) -> *const c_char {
    guard(std::ptr::null(), || {
        record_ref(record).map_or(std::ptr::null(), |r| r.sender.as_ptr())
    })
}

/// The relay's queue id of a delivered message, or NULL. Owned by the
/// record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_queue_id(
    record: *const mw_ledger_record,
) -> *const c_char {
    guard(std::ptr::null(), || {
        record_ref(record)
            .and_then(|r| r.queue_id.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Attempts recorded (an attempt counts once its end of data was sent).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_attempts(record: *const mw_ledger_record) -> u32 {
    guard(0, || record_ref(record).map_or(0, |r| r.record.attempts))
}

/// The error of a failed or uncertain record (the same codes as
/// `mw_result`), MW_OK otherwise; MW_ERR_NULL_PARAMETER if `record` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_error(record: *const mw_ledger_record) -> mw_result {
    guard(mw_result::MW_ERR_PANIC, || {
        record_ref(record).map_or(mw_result::MW_ERR_NULL_PARAMETER, |r| {
            r.record.error_kind.map_or(mw_result::MW_OK, code_of)
        })
    })
}

/// The error's description (failed, uncertain), or NULL. Owned by the
/// record.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_error_message(
    record: *const mw_ledger_record,
) -> *const c_char {
    guard(std::ptr::null(), || {
        record_ref(record)
            .and_then(|r| r.error.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// When it was submitted, in milliseconds since the Unix epoch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_submitted_ms(record: *const mw_ledger_record) -> i64 {
    guard(0, || {
        record_ref(record).map_or(0, |r| r.record.submitted_ms)
    })
}

/// When it last changed, in milliseconds since the Unix epoch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_updated_ms(record: *const mw_ledger_record) -> i64 {
    guard(0, || record_ref(record).map_or(0, |r| r.record.updated_ms))
}

/// Frees a record from `mw_ledger_get`. NULL does nothing; never pass one
/// lent to a visitor.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_ledger_record_free(record: *mut mw_ledger_record) {
    guard((), || {
        if !record.is_null() {
            // SAFETY: from this library (contract).
            drop(unsafe { Box::from_raw(record) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn states_follow_the_core_order() {
        assert_eq!(STATES.len(), State::ALL.len());
        for (c, core) in STATES.iter().zip(State::ALL) {
            assert_eq!(
                format!("{c:?}"),
                format!("MW_LEDGER_{}", core.as_str().to_uppercase())
            );
            assert_eq!(c_state(*core), *c);
            // SAFETY: a static name.
            let name = unsafe { CStr::from_ptr(mw_ledger_state_name(*c as u32)) };
            assert_eq!(name.to_str().unwrap(), core.as_str());
        }
        assert!(mw_ledger_state_name(5).is_null());
    }
}
