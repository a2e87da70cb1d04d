//! The mailer: the core's `delivery::blocking::Mailer` with outcomes handed
//! to C either by callback (on one library thread of this binding) or kept
//! for `mw_mailer_poll` / `mw_mailer_wait`. Which of the two gets a
//! message's outcome is decided when the message is submitted.

use super::ledger::{ledger_ref, mw_claim, mw_ledger};
use super::options::{delivery_ref, mw_delivery_options};
use super::outcome::{mw_counters, mw_outcome};
use crate::convert::{bytes_arg, out, out_opt, str_arg};
use crate::errors::{Fail, boundary, guard, mw_result};
use crate::message::mw_message;
use crate::smtp::{mw_client_options, options_ref};
use mailwright::delivery::{DeliveryConfig, Outcome, Prepared, Ticket, blocking};
use mailwright::ledger::Claim;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Receives one outcome: called on the mailer's callback thread (one thread
/// per mailer, one outcome at a time, no library lock held). `outcome`
/// belongs to the library and lives until the callback returns (copy it
/// with `mw_outcome_clone` to keep it). See `mw_mailer_set_callback` for
/// what the callback may call.
pub type mw_outcome_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, outcome: *const mw_outcome)>;

/// Sends through a pool of connections with one throttle, retries and
/// exactly one outcome per message (opaque; the core's blocking `Mailer`).
/// Thread-safe: see `mw_mailer_new`. Free with `mw_mailer_free`.
pub struct mw_mailer {
    inner: blocking::Mailer,
    routes: Arc<Routes>,
    /// The callback thread and the sender feeding it; taken by close.
    dispatch: Mutex<Option<(Sender<Handed>, JoinHandle<()>)>>,
    /// Held while the callback thread is joined (a second closer returns
    /// only once the first has joined it).
    closing: Mutex<()>,
}

/// The user's callback and its userdata.
#[derive(Clone, Copy)]
struct Callback {
    call: unsafe extern "C" fn(*mut c_void, *const mw_outcome),
    userdata: *mut c_void,
}

// SAFETY: the caller promises (documented) that the callback may run on
// another thread with this userdata.
unsafe impl Send for Callback {}
unsafe impl Sync for Callback {}

/// An outcome on its way to the callback thread.
type Handed = (Outcome, Callback);

struct Routes {
    kept: Mutex<Kept>,
    /// Wakes `mw_mailer_wait` callers when an outcome is kept.
    arrived: Condvar,
    callback: Mutex<Option<Callback>>,
}

/// Outcomes kept for poll and wait.
#[derive(Default)]
struct Kept {
    next: u64,
    /// Outcomes not yet taken, in the order they arrived.
    ready: BTreeMap<u64, Outcome>,
    by_ticket: HashMap<Ticket, u64>,
    /// Tickets submitted for poll/wait whose outcome has not been taken.
    outstanding: HashSet<Ticket>,
    /// Tickets whose outcome was taken before `submit` registered them.
    early: HashSet<Ticket>,
}

thread_local! {
    /// True on the callback thread while the user's callback runs.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Routes {
    fn keep(&self, outcome: Outcome) {
        let mut kept = lock(&self.kept);
        let seq = kept.next;
        kept.next += 1;
        kept.by_ticket.insert(outcome.ticket(), seq);
        kept.ready.insert(seq, outcome);
        drop(kept);
        self.arrived.notify_all();
    }

    fn register(&self, ticket: Ticket) {
        let mut kept = lock(&self.kept);
        if !kept.early.remove(&ticket) {
            kept.outstanding.insert(ticket);
        }
    }
}

impl Kept {
    fn take(&mut self, seq: u64) -> Option<Outcome> {
        let outcome = self.ready.remove(&seq)?;
        let ticket = outcome.ticket();
        self.by_ticket.remove(&ticket);
        if !self.outstanding.remove(&ticket) {
            self.early.insert(ticket);
        }
        Some(outcome)
    }
}

fn refuse_in_callback(what: &str) -> Result<(), Fail> {
    if IN_CALLBACK.with(Cell::get) {
        return Err(Fail::new(
            mw_result::MW_ERR_INVALID_STATE,
            format!("{what} cannot be called from an outcome callback"),
        ));
    }
    Ok(())
}

fn mailer_ref<'a>(mailer: *const mw_mailer) -> Result<&'a mw_mailer, Fail> {
    // SAFETY: NULL or a live handle (contract).
    unsafe { mailer.as_ref() }.ok_or_else(|| Fail::null("mailer"))
}

fn give_outcome(slot: &mut *mut mw_outcome, outcome: Outcome) {
    *slot = Box::into_raw(Box::new(mw_outcome::from(outcome)));
}

/// The callback thread: hands each outcome to the callback it was
/// submitted with, one at a time, until every sender is gone.
fn dispatch(receiver: std::sync::mpsc::Receiver<Handed>) {
    for (outcome, callback) in receiver {
        let handle = catch_unwind(AssertUnwindSafe(|| mw_outcome::from(outcome)));
        if let Ok(handle) = handle {
            IN_CALLBACK.with(|c| c.set(true));
            // SAFETY: the caller's function and userdata (contract).
            unsafe { (callback.call)(callback.userdata, &handle) };
            IN_CALLBACK.with(|c| c.set(false));
        }
    }
}

impl mw_mailer {
    /// Queues a message: its outcome goes to the callback set now, or is
    /// kept for poll/wait (always when `keep` is true).
    fn submit(&self, message: Prepared, keep: bool) -> Result<Ticket, Fail> {
        Ok(self.submit_as(None, message, keep)?.0)
    }

    /// `submit`, under `key` when one is given (the ledger's claim then
    /// comes back too).
    fn submit_as(
        &self,
        key: Option<&str>,
        message: Prepared,
        keep: bool,
    ) -> Result<(Ticket, Option<Claim>), Fail> {
        refuse_in_callback("mw_mailer_submit")?;
        let callback = if keep {
            None
        } else {
            *lock(&self.routes.callback)
        };
        let route: Box<dyn FnOnce(Outcome) + Send> = match callback {
            Some(callback) => {
                let sender = lock(&self.dispatch)
                    .as_ref()
                    .map(|(sender, _)| sender.clone())
                    .ok_or_else(|| Fail::from(mailwright::delivery::closed_error()))?;
                Box::new(move |outcome| {
                    sender.send((outcome, callback)).ok();
                })
            }
            None => {
                let routes = self.routes.clone();
                Box::new(move |outcome| routes.keep(outcome))
            }
        };
        let (ticket, claim) = match key {
            Some(key) => {
                let done = self.inner.submit_keyed_with(key, message, route)?;
                (done.ticket, Some(done.claim))
            }
            None => (self.inner.submit_with(message, route)?, None),
        };
        if callback.is_none() {
            self.routes.register(ticket);
        }
        Ok((ticket, claim))
    }

    fn wait(&self, ticket: Ticket) -> Result<Outcome, Fail> {
        refuse_in_callback("mw_mailer_wait")?;
        let mut kept = lock(&self.routes.kept);
        loop {
            if let Some(seq) = kept.by_ticket.get(&ticket).copied()
                && let Some(outcome) = kept.take(seq)
            {
                return Ok(outcome);
            }
            if !kept.outstanding.contains(&ticket) {
                return Err(Fail::new(
                    mw_result::MW_ERR_INVALID_STATE,
                    format!(
                        "no outcome to wait for with ticket {ticket}: not submitted to this \
                         mailer, already taken, or handed to the callback"
                    ),
                ));
            }
            kept = self
                .routes
                .arrived
                .wait(kept)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The core's `close` (drain) or `abort` (now), then the end of the
    /// callback thread, which comes once every message routed to the
    /// callback has been through it.
    fn close(&self, now: bool) {
        if now {
            self.inner.abort();
        } else {
            self.inner.close();
        }
        // A second caller waits here until the first has joined the thread.
        let _one_at_a_time = lock(&self.closing);
        let dispatch = lock(&self.dispatch).take();
        if let Some((sender, thread)) = dispatch {
            drop(sender);
            thread.join().ok();
        }
        self.routes.arrived.notify_all();
    }
}

/// Starts a mailer for `options` (where and how to connect: host, port,
/// TLS, credentials with their label, time-outs, CA and pins; copied) and
/// `delivery` (copied; NULL for the core's defaults). The core checks both
/// (MW_ERR_INVALID_OPTION, MW_ERR_INVALID_CREDENTIALS, MW_ERR_TLS for
/// unreadable roots); nothing connects until a message is submitted. On
/// success `*out_mailer` is the caller's: end it with `mw_mailer_free`.
///
/// Threads: `mw_mailer_submit`, `_submit_raw`, `_send`, `_send_raw`,
/// `_poll`, `_wait`, `_counters`, `_set_callback`, `_close` and `_abort` may be
/// called from several threads at once on the same mailer;
/// `mw_mailer_free` only once no other call on it is running or will start.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_new(
    options: *const mw_client_options,
    delivery: *const mw_delivery_options,
    out_mailer: *mut *mut mw_mailer,
) -> mw_result {
    boundary(|| unsafe { start(options, delivery, None, out_mailer) })
}

unsafe fn start(
    options: *const mw_client_options,
    delivery: *const mw_delivery_options,
    ledger: Option<&mw_ledger>,
    out_mailer: *mut *mut mw_mailer,
) -> Result<(), Fail> {
    let options = options_ref(options)?.clone();
    let delivery = delivery_ref(delivery)
        .cloned()
        .unwrap_or_else(DeliveryConfig::default);
    let slot = out(out_mailer, "out_mailer")?;
    let inner = match ledger {
        Some(ledger) => {
            blocking::Mailer::with_ledger(options, delivery, Box::new(ledger.store.clone()))?
        }
        None => blocking::Mailer::new(options, delivery)?,
    };
    let routes = Arc::new(Routes {
        kept: Mutex::new(Kept::default()),
        arrived: Condvar::new(),
        callback: Mutex::new(None),
    });
    let (sender, receiver) = channel::<Handed>();
    let thread = std::thread::Builder::new()
        .name("mailwright-callback".into())
        .spawn(move || dispatch(receiver))
        .map_err(|e| Fail::new(mw_result::MW_ERR_IO, format!("cannot start a thread: {e}")))?;
    *slot = Box::into_raw(Box::new(mw_mailer {
        inner,
        routes,
        dispatch: Mutex::new(Some((sender, thread))),
        closing: Mutex::new(()),
    }));
    Ok(())
}

/// `mw_mailer_new` with a ledger (from `mw_ledger_open`; the mailer keeps
/// its own reference, so the handle may be freed at once): every message
/// is recorded before it is queued, the end of its data is marked durably
/// before its final `.` is written, and its outcome is recorded before it
/// is handed out. Work an earlier process left unfinished in the ledger is
/// taken up now: unsent messages are sent again (their outcomes are kept
/// for `mw_mailer_poll`, or go to the callback set later), those whose end
/// of data may have gone out are recorded uncertain and not resent
/// (`mw_mailer_resumed` counts both). Messages submitted without a key are
/// keyed by their Message-ID. A store that fails later ends delivery: the
/// next submission returns MW_ERR_LEDGER.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_new_with_ledger(
    options: *const mw_client_options,
    delivery: *const mw_delivery_options,
    ledger: *const mw_ledger,
    out_mailer: *mut *mut mw_mailer,
) -> mw_result {
    boundary(|| {
        let ledger = ledger_ref(ledger)?;
        unsafe { start(options, delivery, Some(ledger), out_mailer) }
    })
}

/// What starting the mailer found in its ledger: `*out_queued` messages an
/// earlier process left unsent, queued again, and `*out_uncertain` whose
/// end of data it may have sent, recorded uncertain (list them with
/// `mw_ledger_each(ledger, "uncertain", ...)`). Both 0 without a ledger.
/// Either pointer may be NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_resumed(
    mailer: *const mw_mailer,
    out_queued: *mut u64,
    out_uncertain: *mut u64,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let resumed = mailer.inner.resumed();
        out_opt(out_queued, resumed.queued);
        out_opt(out_uncertain, resumed.uncertain.len() as u64);
        Ok(())
    })
}

/// Queues a built message under `key` (its idempotency key: an order id, a
/// row; 1 to 512 bytes, no control characters, else MW_ERR_INVALID_KEY) in
/// a mailer with a ledger (else MW_ERR_INVALID_STATE). A key the ledger
/// already holds is not sent again: `*out_claim` (when not NULL) says
/// MW_CLAIM_PENDING (its outcome comes for this ticket when it comes) or
/// MW_CLAIM_DONE (its recorded outcome comes for this ticket at once).
/// Otherwise as `mw_mailer_submit`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_submit_keyed(
    mailer: *const mw_mailer,
    key: *const c_char,
    message: *const mw_message,
    out_ticket: *mut u64,
    out_claim: *mut mw_claim,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let key = unsafe { str_arg(key, "key") }?;
        let prepared = prepared_message(message)?;
        let (ticket, claim) = mailer.submit_as(Some(key), prepared, false)?;
        out_opt(out_ticket, ticket);
        if let Some(claim) = claim {
            out_opt(out_claim, mw_claim::from(&claim));
        }
        Ok(())
    })
}

/// `mw_mailer_submit_keyed` for raw bytes with an explicit envelope (see
/// `mw_mailer_submit_raw`). Thread-safe.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mw_mailer_submit_raw_keyed(
    mailer: *const mw_mailer,
    key: *const c_char,
    data: *const u8,
    len: usize,
    sender: *const c_char,
    recipients: *const *const c_char,
    recipient_count: usize,
    out_ticket: *mut u64,
    out_claim: *mut mw_claim,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let key = unsafe { str_arg(key, "key") }?;
        let prepared = unsafe { prepared_raw(data, len, sender, recipients, recipient_count) }?;
        let (ticket, claim) = mailer.submit_as(Some(key), prepared, false)?;
        out_opt(out_ticket, ticket);
        if let Some(claim) = claim {
            out_opt(out_claim, mw_claim::from(&claim));
        }
        Ok(())
    })
}

/// Hands the outcomes of the messages submitted from now on to `callback`
/// (with `userdata`) instead of keeping them for `mw_mailer_poll` and
/// `mw_mailer_wait`; NULL goes back to keeping them. Messages submitted
/// before keep the route they had. Set it before submitting.
///
/// The callback runs on the mailer's own callback thread, one outcome at a
/// time, with no library lock held, until `mw_mailer_close` (or
/// `mw_mailer_free`) has returned: `userdata` must stay valid until then.
/// It may call `mw_outcome_*` on the outcome (and `mw_outcome_clone` to
/// keep it), `mw_mailer_poll`, `mw_mailer_counters`,
/// `mw_mailer_set_callback` and anything on other handles; it must not
/// block for long (outcomes queue behind it). It may not call the functions
/// that wait for the mailer (`mw_mailer_submit`, `_submit_raw`, `_send`,
/// `_send_raw`, `_wait`, `_close`, `_abort`): they return MW_ERR_INVALID_STATE
/// there, and `mw_mailer_free` does nothing there. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_set_callback(
    mailer: *const mw_mailer,
    callback: mw_outcome_callback,
    userdata: *mut c_void,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        *lock(&mailer.routes.callback) = callback.map(|call| Callback { call, userdata });
        Ok(())
    })
}

/// Queues a built message (copied: free it whenever you like), waiting
/// while the queue is full; `*out_ticket` (when not NULL) receives its
/// ticket. Its outcome goes to the callback if one is set, else it is kept
/// for `mw_mailer_poll` / `mw_mailer_wait`. After `mw_mailer_close`:
/// MW_ERR_INVALID_STATE. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_submit(
    mailer: *const mw_mailer,
    message: *const mw_message,
    out_ticket: *mut u64,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let prepared = prepared_message(message)?;
        out_opt(out_ticket, mailer.submit(prepared, false)?);
        Ok(())
    })
}

fn prepared_message(message: *const mw_message) -> Result<Prepared, Fail> {
    // SAFETY: NULL or a live handle (contract).
    let message = unsafe { message.as_ref() }.ok_or_else(|| Fail::null("message"))?;
    Ok(Prepared::message(&message.inner)?)
}

unsafe fn prepared_raw(
    data: *const u8,
    len: usize,
    sender: *const c_char,
    recipients: *const *const c_char,
    recipient_count: usize,
) -> Result<Prepared, Fail> {
    let data = unsafe { bytes_arg(data, len, "data") }?;
    let sender = unsafe { str_arg(sender, "sender") }?;
    let list: &[*const c_char] = if recipient_count == 0 {
        &[]
    } else if recipients.is_null() {
        return Err(Fail::null("recipients"));
    } else {
        // SAFETY: `recipient_count` readable pointers (contract).
        unsafe { std::slice::from_raw_parts(recipients, recipient_count) }
    };
    let list = list
        .iter()
        .map(|r| unsafe { str_arg(*r, "recipient") })
        .collect::<Result<Vec<&str>, Fail>>()?;
    Ok(Prepared::raw(data, sender, &list)?)
}

/// Queues raw RFC 5322 bytes (`len` bytes at `data`, copied; bare LF line
/// ends become CRLF) with an explicit envelope: `sender` ("" for the null
/// reverse-path of a bounce) and `recipient_count` recipients (at least
/// one, else MW_ERR_NO_RECIPIENTS; addresses checked as the builder checks
/// them). Otherwise as `mw_mailer_submit`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_submit_raw(
    mailer: *const mw_mailer,
    data: *const u8,
    len: usize,
    sender: *const c_char,
    recipients: *const *const c_char,
    recipient_count: usize,
    out_ticket: *mut u64,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let prepared = unsafe { prepared_raw(data, len, sender, recipients, recipient_count) }?;
        out_opt(out_ticket, mailer.submit(prepared, false)?);
        Ok(())
    })
}

/// Sends one message and waits for its outcome (never handed to the
/// callback); on MW_OK `*out_outcome` is the caller's (free with
/// `mw_outcome_free`). A message that failed or is uncertain is still
/// MW_OK: read the outcome. Errors are for bad input and misuse (after
/// `mw_mailer_close`: MW_ERR_INVALID_STATE). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_send(
    mailer: *const mw_mailer,
    message: *const mw_message,
    out_outcome: *mut *mut mw_outcome,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let prepared = prepared_message(message)?;
        let slot = out(out_outcome, "out_outcome")?;
        let ticket = mailer.submit(prepared, true)?;
        give_outcome(slot, mailer.wait(ticket)?);
        Ok(())
    })
}

/// `mw_mailer_send` for raw bytes with an explicit envelope (see
/// `mw_mailer_submit_raw`). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_send_raw(
    mailer: *const mw_mailer,
    data: *const u8,
    len: usize,
    sender: *const c_char,
    recipients: *const *const c_char,
    recipient_count: usize,
    out_outcome: *mut *mut mw_outcome,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let prepared = unsafe { prepared_raw(data, len, sender, recipients, recipient_count) }?;
        let slot = out(out_outcome, "out_outcome")?;
        let ticket = mailer.submit(prepared, true)?;
        give_outcome(slot, mailer.wait(ticket)?);
        Ok(())
    })
}

/// Takes the oldest kept outcome without waiting: on MW_OK `*out_outcome`
/// is an outcome the caller frees with `mw_outcome_free`, or NULL when none
/// has arrived. Outcomes handed to a callback are never kept. Thread-safe
/// (each outcome is taken once).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_poll(
    mailer: *const mw_mailer,
    out_outcome: *mut *mut mw_outcome,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let slot = out(out_outcome, "out_outcome")?;
        let taken = {
            let mut kept = lock(&mailer.routes.kept);
            let first = kept.ready.keys().next().copied();
            first.and_then(|seq| kept.take(seq))
        };
        *slot = std::ptr::null_mut();
        if let Some(outcome) = taken {
            give_outcome(slot, outcome);
        }
        Ok(())
    })
}

/// Waits for the outcome of the message with this ticket (every message
/// gets one, within its deadline) and takes it: on MW_OK `*out_outcome` is
/// the caller's (free with `mw_outcome_free`). A ticket this mailer did not
/// give, whose outcome was already taken (by poll or another wait) or goes
/// to the callback: MW_ERR_INVALID_STATE. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_wait(
    mailer: *const mw_mailer,
    ticket: u64,
    out_outcome: *mut *mut mw_outcome,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let slot = out(out_outcome, "out_outcome")?;
        give_outcome(slot, mailer.wait(ticket)?);
        Ok(())
    })
}

/// Fills `*out_counters` with what has happened so far. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_counters(
    mailer: *const mw_mailer,
    out_counters: *mut mw_counters,
) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        let slot = out(out_counters, "out_counters")?;
        *slot = mw_counters::from(mailer.inner.counters());
        Ok(())
    })
}

/// Closes after sending, returning once it is done: new submissions are
/// refused (MW_ERR_INVALID_STATE); every message already submitted is sent
/// (with its retries, within its deadline) and gets its outcome, kept or
/// handed to the callback (whose last call has returned); then connections
/// say QUIT and the library's threads end. Kept outcomes can still be
/// polled and waited for. Idempotent and thread-safe (a second caller
/// returns once the first is done); from a callback: MW_ERR_INVALID_STATE.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_close(mailer: *const mw_mailer) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        refuse_in_callback("mw_mailer_close")?;
        mailer.close(false);
        Ok(())
    })
}

/// Closes now, returning once it is done: new submissions are refused;
/// messages not yet handed to a connection end as failed
/// (MW_ERR_INVALID_STATE, 0 attempts), those in flight finish (an answer,
/// or uncertain); every outcome is then kept or through the callback,
/// connections say QUIT and the library's threads end. Also ends a
/// `mw_mailer_close` under way on another thread sooner. Thread-safe; from
/// a callback: MW_ERR_INVALID_STATE.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_abort(mailer: *const mw_mailer) -> mw_result {
    boundary(|| {
        let mailer = mailer_ref(mailer)?;
        refuse_in_callback("mw_mailer_abort")?;
        mailer.close(true);
        Ok(())
    })
}

/// Closes the mailer if that was not done (as `mw_mailer_close`: every
/// message submitted is sent first, and the callback may still run during
/// this call; call `mw_mailer_abort` first to stop at once), then frees it
/// with the outcomes nobody took. NULL does nothing. No other call on the mailer may
/// be running or start. Inside a callback it does nothing (the mailer
/// cannot end its own thread).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mw_mailer_free(mailer: *mut mw_mailer) {
    guard((), || {
        if mailer.is_null() || IN_CALLBACK.with(Cell::get) {
            return;
        }
        // SAFETY: from `mw_mailer_new` (contract).
        let mailer = unsafe { Box::from_raw(mailer) };
        mailer.close(false);
        drop(mailer);
    })
}
