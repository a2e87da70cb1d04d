//! The blocking driver (feature `net`): std threads and rustls executing a
//! [`Dispatcher`]'s actions. One thread per connection moves bytes, one
//! thread keeps time; every decision is the dispatcher's. Python, C and Java
//! use this driver.
//!
//! ```no_run
//! use mailwright::delivery::blocking::Mailer;
//! use mailwright::delivery::{DeliveryConfig, Outcome, Prepared, Rate};
//! use mailwright::smtp::ClientOptions;
//! use mailwright::{Credentials, Message};
//!
//! let options = ClientOptions::new("smtp.example.com", 2525)
//!     .credentials(Credentials::new("api_user", "api_key")?.with_label("12345")?);
//! let delivery = DeliveryConfig { connections: 8, rate: Some(Rate::sendcloud()), ..DeliveryConfig::default() };
//! let mailer = Mailer::new(options, delivery)?;
//! let message = Message::builder().from("a@example.com").to("b@example.com").text("hi").build()?;
//! match mailer.send(Prepared::message(&message)?)? {
//!     Outcome::Delivered { queue_id, .. } => println!("queued as {queue_id:?}"),
//!     other => println!("{other:?}"),
//! }
//! mailer.close();
//! # Ok::<(), mailwright::Error>(())
//! ```

use super::{
    Action, ConnId, Counters, DeliveryConfig, Dispatcher, Outcome, Prepared, QuotaGate, Ticket,
};
use crate::error::{Error, ErrorKind, Result};
use crate::ledger::{Change, Claim, LEASE, Record, Resume, Store, Unfinished};
use crate::smtp::transport::{Stream, io_cause, open, server_name};
use crate::smtp::{ClientOptions, ConnectionLoss, LossStage};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

type Callback = Box<dyn FnOnce(Outcome) + Send>;
type Observer = Arc<dyn Fn(&Outcome) + Send + Sync>;

/// Sends through a pool of connections with one throttle, retries and one
/// outcome per message; thread-safe (share it behind an `Arc`).
pub struct Mailer {
    shared: Arc<Shared>,
    timer: Mutex<Option<JoinHandle<()>>>,
    committer: Mutex<Option<JoinHandle<()>>>,
    housekeeper: Mutex<Option<JoinHandle<()>>>,
}

/// A message to submit under a key (see [`Mailer::submit_keyed_batch`]).
pub struct Keyed {
    /// Its idempotency key.
    pub key: String,
    /// The message.
    pub message: Prepared,
    /// Gets its outcome (or the recorded one), on a mailer thread; `None`:
    /// kept for [`Mailer::wait`].
    pub callback: Option<Box<dyn FnOnce(Outcome) + Send>>,
}

/// What a keyed submission did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    /// Its ticket: its outcome comes for it in every case (at once when
    /// the ledger already holds one).
    pub ticket: Ticket,
    /// `New`: recorded and queued. `Pending`: the key is already on its
    /// way (its outcome comes for this ticket too). `Done`: the key has its
    /// outcome; nothing is sent.
    pub claim: Claim,
}

/// What opening a ledger found (see [`Mailer::with_ledger`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Messages left unsent by an earlier process, queued again (their
    /// outcomes go to the observer and the ledger).
    pub queued: u64,
    /// Messages whose end of data an earlier process may have sent before
    /// it died: recorded uncertain now, not resent.
    pub uncertain: Vec<Record>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the timer thread (the dispatcher's next deadline changed).
    timer: Condvar,
    /// Wakes callers waiting for an outcome or for room in the queue.
    outcomes: Condvar,
    options: ClientOptions,
    tls: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    epoch: Instant,
    /// The ledger's store (its own lock: never taken with `state` held).
    store: Option<Mutex<Box<dyn Store>>>,
    /// Wakes the committer (changes to record).
    commit: Condvar,
    /// Wakes the housekeeper (keys to watch, or the end).
    keep: Condvar,
}

/// The ledger's side of the state: what waits to be recorded, and the
/// outcomes that wait for their record before anyone is told.
#[derive(Default)]
struct Journal {
    /// The pending record of each message in this process, by ticket.
    records: HashMap<Ticket, Record>,
    /// Tickets of the same key submitted again while it was on its way.
    aliases: HashMap<Ticket, Vec<(Ticket, Option<Callback>)>>,
    /// The ticket on its way for each key.
    by_key: HashMap<String, Ticket>,
    /// Tickets of keys another process (or another mailer on the same
    /// store) is sending: answered once the ledger holds their outcome, or
    /// sent here if that process is gone.
    watching: HashMap<String, Vec<(Ticket, Option<Callback>)>>,
    changes: Vec<Change>,
    /// The last data-end mark among `changes`.
    mark: u64,
    /// Outcomes told once `changes` are recorded.
    told: Ready,
    /// The keys and tickets of those outcomes (their keys are no longer
    /// on their way once recorded).
    finished: Vec<(String, Ticket)>,
    /// The store failed: no more submissions, nothing more is sent.
    failed: Option<Error>,
    /// The mailer is closed and every connection thread is gone: the
    /// committer records what is left and ends.
    closing: bool,
    resumed: Resumed,
    /// Uncertain keys submitted again are sent again.
    at_least_once: bool,
    /// Closed now (`abort`, a drop, a failed store): what is not sent
    /// stays unfinished.
    aborted: bool,
}

struct State {
    dispatcher: Dispatcher,
    conns: HashMap<ConnId, ConnSlot>,
    results: HashMap<Ticket, Outcome>,
    callbacks: HashMap<Ticket, Callback>,
    any: Option<Observer>,
    stopping: bool,
    journal: Option<Journal>,
}

/// What the dispatcher asked of one connection, picked up by its thread.
struct ConnSlot {
    wake: Arc<Condvar>,
    start_tls: bool,
    close: bool,
    /// A clone of the socket, to end a blocked read from outside.
    tcp: Option<TcpStream>,
    thread: Option<JoinHandle<()>>,
}

impl Mailer {
    /// Starts a mailer for `options` (where and how to connect) and
    /// `delivery` (pool, throttle, retries; its `session` is replaced by the
    /// options' session configuration). Nothing connects until a message is
    /// submitted.
    pub fn new(options: ClientOptions, delivery: DeliveryConfig) -> Result<Mailer> {
        Mailer::start(options, delivery, None, None)
    }

    /// A mailer that records every message in a ledger (see
    /// [`crate::ledger`]) before it is sent, marks the end of each
    /// message's data durably before its final `.` is written (the marks
    /// of every connection in one commit), and records each outcome before
    /// anyone is told of it. What an earlier process left unfinished is
    /// taken up first: unsent messages are queued again (their attempts
    /// and deadline continue), those whose end of data may have been sent
    /// are recorded uncertain ([`Mailer::resumed`]). Submissions are
    /// idempotent by key ([`Mailer::submit_keyed`]; `submit` keys by
    /// Message-ID).
    pub fn with_ledger(
        options: ClientOptions,
        delivery: DeliveryConfig,
        store: Box<dyn Store>,
    ) -> Result<Mailer> {
        Mailer::start(options, delivery, None, Some(store))
    }

    /// [`Mailer::with_ledger`] with a shared quota ([`Mailer::with_gate`]).
    pub fn with_ledger_and_gate(
        options: ClientOptions,
        delivery: DeliveryConfig,
        store: Box<dyn Store>,
        gate: Box<dyn QuotaGate>,
    ) -> Result<Mailer> {
        Mailer::start(options, delivery, Some(gate), Some(store))
    }

    /// The same, sharing the quota with other processes through `gate`
    /// (see [`QuotaGate`]): the relay's window is then never exceeded by
    /// all of them together.
    pub fn with_gate(
        options: ClientOptions,
        delivery: DeliveryConfig,
        gate: Box<dyn QuotaGate>,
    ) -> Result<Mailer> {
        Mailer::start(options, delivery, Some(gate), None)
    }

    fn start(
        options: ClientOptions,
        delivery: DeliveryConfig,
        gate: Option<Box<dyn QuotaGate>>,
        store: Option<Box<dyn Store>>,
    ) -> Result<Mailer> {
        let at_least_once = delivery.at_least_once;
        let mut dispatcher = Dispatcher::for_client(&options, delivery, gate)?;
        dispatcher.journal_data_ends(store.is_some());
        let journal = store.is_some().then(|| Journal {
            at_least_once,
            ..Journal::default()
        });
        let tls = options.tls_config()?;
        let server_name = server_name(options.server_name())?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                dispatcher,
                conns: HashMap::new(),
                results: HashMap::new(),
                callbacks: HashMap::new(),
                any: None,
                stopping: false,
                journal,
            }),
            timer: Condvar::new(),
            outcomes: Condvar::new(),
            options,
            tls,
            server_name,
            epoch: Instant::now(),
            store: store.map(Mutex::new),
            commit: Condvar::new(),
            keep: Condvar::new(),
        });
        let timer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("mailwright-timer".into())
                .spawn(move || timer_thread(&shared))
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start a thread: {e}")))?
        };
        let committer = if shared.store.is_some() {
            let shared = shared.clone();
            Some(
                std::thread::Builder::new()
                    .name("mailwright-ledger".into())
                    .spawn(move || committer_thread(&shared))
                    .map_err(|e| {
                        Error::new(ErrorKind::Io, format!("cannot start a thread: {e}"))
                    })?,
            )
        } else {
            None
        };
        let mailer = Mailer {
            shared,
            timer: Mutex::new(Some(timer)),
            committer: Mutex::new(committer),
            housekeeper: Mutex::new(None),
        };
        if mailer.shared.store.is_some() {
            mailer.shared.with_store(|s| s.hold(wall_ms()))?;
            take_up(&mailer.shared)?;
            let shared = mailer.shared.clone();
            let thread = std::thread::Builder::new()
                .name("mailwright-lease".into())
                .spawn(move || housekeeper_thread(&shared))
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start a thread: {e}")))?;
            *lock(&mailer.housekeeper) = Some(thread);
        }
        Ok(mailer)
    }

    /// What opening the ledger found: messages queued again, and those
    /// recorded uncertain (empty without a ledger).
    pub fn resumed(&self) -> Resumed {
        lock(&self.shared.state)
            .journal
            .as_ref()
            .map(|j| j.resumed.clone())
            .unwrap_or_default()
    }

    /// Runs `f` on the ledger's store (an `InvalidState` error without one).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut dyn Store) -> Result<T>) -> Result<T> {
        self.shared.with_store(f)
    }

    /// Submits a message under `key` (see [`Mailer::submit_keyed_batch`]).
    pub fn submit_keyed(&self, key: &str, message: Prepared) -> Result<Submitted> {
        let mut done = self.submit_keyed_batch(vec![Keyed {
            key: key.to_string(),
            message,
            callback: None,
        }])?;
        done.pop()
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "nothing was submitted"))
    }

    /// Submits a message under `key`; `callback` gets its outcome, or the
    /// one recorded for the key (see [`Mailer::submit_keyed_batch`]).
    pub fn submit_keyed_with(
        &self,
        key: &str,
        message: Prepared,
        callback: impl FnOnce(Outcome) + Send + 'static,
    ) -> Result<Submitted> {
        let mut done = self.submit_keyed_batch(vec![Keyed {
            key: key.to_string(),
            message,
            callback: Some(Box::new(callback)),
        }])?;
        done.pop()
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "nothing was submitted"))
    }

    /// Submits messages under their keys, recorded in the ledger in one
    /// commit before any is queued (waiting while the queue is full). A
    /// key the ledger already holds is not sent again: its recorded outcome
    /// comes for the new ticket at once (`Done`), or the pending one's when
    /// it comes (`Pending`). Needs a ledger ([`Mailer::with_ledger`]).
    pub fn submit_keyed_batch(&self, entries: Vec<Keyed>) -> Result<Vec<Submitted>> {
        if self.shared.store.is_none() {
            return Err(crate::ledger::needs_ledger_error());
        }
        self.check_open()?;
        let now_ms = wall_ms();
        let claims = {
            let pairs: Vec<(&str, &Prepared)> = entries
                .iter()
                .map(|e| (e.key.as_str(), &e.message))
                .collect();
            self.with_store(|store| store.submit(&pairs, now_ms))?
        };
        let at_least_once = lock(&self.shared.state)
            .journal
            .as_ref()
            .is_some_and(|j| j.at_least_once);
        let mut out = Vec::with_capacity(entries.len());
        for (entry, claim) in entries.into_iter().zip(claims) {
            let ticket = match &claim {
                Claim::Done(record) if record.state.resend_on_submit(at_least_once) => {
                    let change = Change::Reopen {
                        key: entry.key.clone(),
                        message: entry.message.clone(),
                        at_ms: now_ms,
                    };
                    self.with_store(|store| store.record(&[change]))?;
                    let mut again =
                        Record::pending(&entry.key, &entry.message, record.submitted_ms);
                    again.attempts = record.attempts;
                    let age = Duration::from_millis(
                        u64::try_from(now_ms - record.submitted_ms).unwrap_or(0),
                    );
                    self.queue(entry.message, entry.callback, Some((again, age)))?
                }
                Claim::New => {
                    let record = Record::pending(&entry.key, &entry.message, now_ms);
                    self.queue(
                        entry.message,
                        entry.callback,
                        Some((record, Duration::ZERO)),
                    )?
                }
                Claim::Pending(record) | Claim::Done(record) => {
                    self.answer(record, entry.callback)?
                }
            };
            out.push(Submitted { ticket, claim });
        }
        Ok(out)
    }

    fn check_open(&self) -> Result<()> {
        let state = lock(&self.shared.state);
        if let Some(error) = state.journal.as_ref().and_then(|j| j.failed.clone()) {
            return Err(error);
        }
        if state.stopping {
            return Err(super::closed_error());
        }
        Ok(())
    }

    /// A ticket for a key the ledger holds: answered with its recorded
    /// outcome now, or with the outcome of the ticket on its way.
    fn answer(&self, record: &Record, callback: Option<Callback>) -> Result<Ticket> {
        let mut state = lock(&self.shared.state);
        let ticket = state.dispatcher.reserve_ticket();
        let State {
            journal,
            results,
            any,
            ..
        } = &mut *state;
        let journal = journal.as_mut().ok_or_else(super::closed_error)?;
        if let Some(outcome) = record.outcome(ticket) {
            let any = any.clone();
            if callback.is_none() {
                results.insert(ticket, outcome.clone());
            }
            drop(state);
            self.shared.outcomes.notify_all();
            deliver(vec![(outcome, callback, any)]);
            return Ok(ticket);
        }
        let Some(&first) = journal.by_key.get(&record.key) else {
            // Its outcome was recorded since the ledger was asked: read it.
            drop(state);
            if let Some(recorded) = self.with_store(|s| s.get(&record.key))?
                && let Some(outcome) = recorded.outcome(ticket)
            {
                let any = lock(&self.shared.state).any.clone();
                if callback.is_none() {
                    lock(&self.shared.state)
                        .results
                        .insert(ticket, outcome.clone());
                }
                self.shared.outcomes.notify_all();
                deliver(vec![(outcome, callback, any)]);
                return Ok(ticket);
            }
            // Another process (or mailer) is sending it: watched until the
            // ledger holds its outcome, or sent here if that process is gone.
            let mut state = lock(&self.shared.state);
            let journal = state.journal.as_mut().ok_or_else(super::closed_error)?;
            journal
                .watching
                .entry(record.key.clone())
                .or_default()
                .push((ticket, callback));
            drop(state);
            self.shared.keep.notify_all();
            return Ok(ticket);
        };
        journal
            .aliases
            .entry(first)
            .or_default()
            .push((ticket, callback));
        Ok(ticket)
    }

    /// Queues a message, waiting while the queue is full; its outcome is kept
    /// for [`Mailer::wait`].
    pub fn submit(&self, message: Prepared) -> Result<Ticket> {
        self.submit_inner(message, None)
    }

    fn submit_default_key(&self, message: Prepared, callback: Option<Callback>) -> Result<Ticket> {
        let key = crate::ledger::default_key(&message)?;
        let mut done = self.submit_keyed_batch(vec![Keyed {
            key,
            message,
            callback,
        }])?;
        done.pop()
            .map(|s| s.ticket)
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "nothing was submitted"))
    }

    /// Queues a message; `callback` gets its outcome (on a mailer thread,
    /// without any lock held).
    pub fn submit_with(
        &self,
        message: Prepared,
        callback: impl FnOnce(Outcome) + Send + 'static,
    ) -> Result<Ticket> {
        self.submit_inner(message, Some(Box::new(callback)))
    }

    /// Calls `observer` with every outcome (for progress displays, counters),
    /// besides whatever waits for it.
    pub fn on_outcome(&self, observer: impl Fn(&Outcome) + Send + Sync + 'static) {
        lock(&self.shared.state).any = Some(Arc::new(observer));
    }

    fn submit_inner(&self, message: Prepared, callback: Option<Callback>) -> Result<Ticket> {
        if self.shared.store.is_some() {
            return self.submit_default_key(message, callback);
        }
        self.queue(message, callback, None)
    }

    /// Queues a message in the dispatcher (waiting for room), with its
    /// ledger record and age when there is a ledger.
    fn queue(
        &self,
        message: Prepared,
        callback: Option<Callback>,
        record: Option<(Record, Duration)>,
    ) -> Result<Ticket> {
        queue(&self.shared, message, callback, record)
    }

    /// Waits for the outcome of a message `submit` queued.
    pub fn wait(&self, ticket: Ticket) -> Outcome {
        let mut state = lock(&self.shared.state);
        loop {
            if let Some(outcome) = state.results.remove(&ticket) {
                return outcome;
            }
            state = self
                .shared
                .outcomes
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Sends one message and waits for its outcome.
    pub fn send(&self, message: Prepared) -> Result<Outcome> {
        let ticket = self.submit(message)?;
        Ok(self.wait(ticket))
    }

    /// Sends many messages through the pool; the outcomes come back in order.
    pub fn send_many(&self, messages: impl IntoIterator<Item = Prepared>) -> Vec<Result<Outcome>> {
        let tickets: Vec<Result<Ticket>> = messages.into_iter().map(|m| self.submit(m)).collect();
        tickets
            .into_iter()
            .map(|t| t.map(|ticket| self.wait(ticket)))
            .collect()
    }

    /// What has happened so far.
    pub fn counters(&self) -> Counters {
        lock(&self.shared.state).dispatcher.counters()
    }

    /// Ends every connection at once from any thread: messages in flight end
    /// as the dispatcher decides (retried, or uncertain after their data).
    pub fn interrupt_connections(&self) {
        let state = lock(&self.shared.state);
        for slot in state.conns.values() {
            if let Some(tcp) = &slot.tcp {
                tcp.shutdown(std::net::Shutdown::Both).ok();
            }
        }
    }

    /// Closes after sending: no new messages; every message already
    /// submitted is sent (with its retries, within its deadline) and gets
    /// its outcome, then connections say QUIT and threads end. Returns once
    /// everything is done. Idempotent; after [`Mailer::abort`] it only waits.
    pub fn close(&self) {
        self.stop(false);
    }

    /// Closes now: messages not yet handed to a connection come back as
    /// `Failed` (`InvalidState`, not sent), those in flight finish (an
    /// answer, or uncertain), connections say QUIT, threads end. Returns
    /// once everything is done. Dropping a mailer aborts it.
    pub fn abort(&self) {
        self.stop(true);
    }

    fn stop(&self, now: bool) {
        {
            let mut state = lock(&self.shared.state);
            if !state.stopping || now {
                state.stopping = true;
                if now {
                    if let Some(journal) = state.journal.as_mut() {
                        journal.aborted = true;
                    }
                    state.dispatcher.shutdown();
                } else {
                    state.dispatcher.drain();
                }
                let ready = pump(&self.shared, &mut state);
                drop(state);
                deliver(ready);
            }
        }
        self.shared.timer.notify_all();
        // Held until every thread is joined: a second close or abort (from
        // another thread) returns only once the first is done. The timer
        // thread ends once the dispatcher is finished, so no connection
        // starts after it is joined.
        let mut timer = lock(&self.timer);
        if let Some(timer) = timer.take() {
            timer.join().ok();
        }
        let threads: Vec<JoinHandle<()>> = lock(&self.shared.state)
            .conns
            .values_mut()
            .filter_map(|slot| slot.thread.take())
            .collect();
        for thread in threads {
            thread.join().ok();
        }
        // Every outcome is in: the committer records what is left, tells
        // of it, and ends.
        if let Some(journal) = lock(&self.shared.state).journal.as_mut() {
            journal.closing = true;
        }
        self.shared.commit.notify_all();
        if let Some(committer) = lock(&self.committer).take() {
            committer.join().ok();
        }
        // Keys another process was sending are waited for (answered at
        // once after an abort); then this process's hold is given up, so
        // that what it left unfinished may be taken up at once.
        self.shared.keep.notify_all();
        if let Some(housekeeper) = lock(&self.housekeeper).take() {
            housekeeper.join().ok();
            self.shared.with_store(|s| s.release()).ok();
        }
        drop(timer);
        self.shared.outcomes.notify_all();
    }
}

impl Drop for Mailer {
    fn drop(&mut self) {
        self.abort();
    }
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn with_store<T>(&self, f: impl FnOnce(&mut dyn Store) -> Result<T>) -> Result<T> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidState, "this mailer has no ledger"))?;
        let mut store = lock(store);
        f(store.as_mut())
    }
}

fn queue(
    shared: &Arc<Shared>,
    mut message: Prepared,
    callback: Option<Callback>,
    record: Option<(Record, Duration)>,
) -> Result<Ticket> {
    if let Some((record, _)) = &record {
        // Its outcome carries the key it is recorded under.
        message.key = Some(record.key.clone());
    }
    let mut state = lock(&shared.state);
    loop {
        if let Some(error) = state.journal.as_ref().and_then(|j| j.failed.clone()) {
            return Err(error);
        }
        if state.stopping {
            return Err(super::closed_error());
        }
        state.dispatcher.advance(shared.now());
        let submitted = match &record {
            Some((r, age)) => state.dispatcher.resubmit(message, r.attempts, *age),
            None => state.dispatcher.submit(message),
        };
        match submitted {
            Ok(ticket) => {
                if let Some(callback) = callback {
                    state.callbacks.insert(ticket, callback);
                }
                if let (Some(journal), Some((record, _))) = (state.journal.as_mut(), record) {
                    journal.by_key.insert(record.key.clone(), ticket);
                    journal.records.insert(ticket, record);
                }
                let ready = pump(shared, &mut state);
                drop(state);
                deliver(ready);
                return Ok(ticket);
            }
            Err(refused) => {
                if !state.dispatcher.has_room() && !state.stopping {
                    message = refused.message;
                    state = shared
                        .outcomes
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                    continue;
                }
                return Err(refused.error);
            }
        }
    }
}

/// Takes over and queues again what the ledger holds unfinished and no
/// live process holds (see `with_ledger`): at the start, and when
/// another process sharing the ledger is gone.
fn take_up(shared: &Arc<Shared>) -> Result<()> {
    let at_least_once = lock(&shared.state)
        .journal
        .as_ref()
        .is_some_and(|j| j.at_least_once);
    loop {
        let now_ms = wall_ms();
        let page: Vec<Unfinished> = shared.with_store(|store| store.take_over(now_ms, 512))?;
        if page.is_empty() {
            return Ok(());
        }
        let mut uncertain = Vec::new();
        let mut left = Vec::new();
        for entry in page {
            let record = entry.record;
            match (record.state.on_resume(at_least_once), entry.message) {
                (Resume::Send, Some(message)) => {
                    let age = Duration::from_millis(
                        u64::try_from(now_ms - record.submitted_ms).unwrap_or(0),
                    );
                    let key = record.key.clone();
                    match queue(shared, message, None, Some((record, age))) {
                        Ok(_) => {
                            if let Some(journal) = lock(&shared.state).journal.as_mut() {
                                journal.resumed.queued += 1;
                            }
                        }
                        // Closing: it stays pending (released at the end,
                        // for the next run).
                        Err(_) if lock(&shared.state).stopping => left.push(key),
                        Err(error) => return Err(error),
                    }
                }
                (Resume::Done, _) => {}
                (Resume::Send | Resume::Uncertain, _) => {
                    uncertain.push(record.uncertain_after_restart(now_ms));
                }
            }
        }
        if !uncertain.is_empty() {
            let changes: Vec<Change> = uncertain.iter().cloned().map(Change::Finished).collect();
            shared.with_store(|store| store.record(&changes))?;
            let mut state = lock(&shared.state);
            if let Some(journal) = state.journal.as_mut() {
                journal.resumed.uncertain.extend(uncertain);
            }
        }
        if !left.is_empty() {
            let error = Error::new(
                ErrorKind::InvalidState,
                "not sent: the process sending this key is gone and this mailer is closing \
                 (it stays pending in the ledger for the next run)",
            );
            answer_watched(shared, &left, &error);
        }
    }
}

/// Answers the watched tickets of `keys` with a failure (not sent by this
/// mailer).
fn answer_watched(shared: &Arc<Shared>, keys: &[String], error: &Error) {
    let mut state = lock(&shared.state);
    let State {
        journal,
        results,
        any,
        ..
    } = &mut *state;
    let Some(journal) = journal.as_mut() else {
        return;
    };
    let mut ready: Ready = Vec::new();
    for key in keys {
        for (ticket, callback) in journal.watching.remove(key).unwrap_or_default() {
            let outcome = Outcome::Failed {
                ticket,
                key: Some(key.clone()),
                message_id: None,
                error: error.clone(),
                attempts: 0,
                gave_up: false,
                refused: Vec::new(),
            };
            if callback.is_none() {
                results.insert(ticket, outcome.clone());
            }
            ready.push((outcome, callback, any.clone()));
        }
    }
    drop(state);
    shared.outcomes.notify_all();
    deliver(ready);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

type Ready = Vec<(
    Outcome,
    Option<Callback>,
    Option<Arc<dyn Fn(&Outcome) + Send + Sync>>,
)>;

/// Routes the dispatcher's actions to connection threads and collects the
/// outcomes (their callbacks run after the lock is released).
fn pump(shared: &Arc<Shared>, state: &mut State) -> Ready {
    while let Some(action) = state.dispatcher.poll_action() {
        match action {
            Action::Open(id) => {
                let wake = Arc::new(Condvar::new());
                let thread = {
                    let shared = shared.clone();
                    let wake = wake.clone();
                    std::thread::Builder::new()
                        .name(format!("mailwright-conn-{id}"))
                        .spawn(move || conn_thread(&shared, id, &wake))
                        .ok()
                };
                if thread.is_none() {
                    state.dispatcher.connection_lost(
                        id,
                        ConnectionLoss::Connect,
                        "cannot start a thread",
                    );
                    continue;
                }
                state.conns.insert(
                    id,
                    ConnSlot {
                        wake,
                        start_tls: false,
                        close: false,
                        tcp: None,
                        thread,
                    },
                );
            }
            Action::Send(id) => {
                if let Some(slot) = state.conns.get(&id) {
                    slot.wake.notify_all();
                }
            }
            Action::StartTls(id) => {
                if let Some(slot) = state.conns.get_mut(&id) {
                    slot.start_tls = true;
                    slot.wake.notify_all();
                }
            }
            Action::Close(id) => {
                if let Some(slot) = state.conns.get_mut(&id) {
                    slot.close = true;
                    if let Some(tcp) = &slot.tcp {
                        tcp.shutdown(std::net::Shutdown::Read).ok();
                    }
                    slot.wake.notify_all();
                }
            }
        }
    }
    let mut ready = Vec::new();
    let now_ms = if state.journal.is_some() {
        wall_ms()
    } else {
        0
    };
    if let Some(journal) = state.journal.as_mut() {
        while let Some(mark) = state.dispatcher.poll_data_end() {
            if let Some(record) = journal.records.get(&mark.ticket) {
                journal.changes.push(Change::DataSent {
                    key: record.key.clone(),
                    attempt: mark.attempt,
                    at_ms: now_ms,
                });
            }
            journal.mark = mark.seq;
        }
    }
    while let Some(outcome) = state.dispatcher.poll_outcome() {
        let ticket = outcome.ticket();
        let callback = state.callbacks.remove(&ticket);
        let any = state.any.clone();
        if let Some(journal) = state.journal.as_mut()
            && let Some(record) = journal.records.remove(&ticket)
        {
            // Told once recorded (by the committer). An outcome of a
            // mailer closed now (not sent, or not sent again) is not: the
            // message stays unfinished for the next run.
            if crate::ledger::records_outcome(&outcome, journal.aborted) {
                journal
                    .changes
                    .push(Change::Finished(record.finished(&outcome, now_ms)));
            }
            journal.finished.push((record.key, ticket));
            journal.told.push((outcome, callback, any));
            continue;
        }
        if callback.is_none() {
            state.results.insert(ticket, outcome.clone());
        }
        ready.push((outcome, callback, any));
    }
    if state
        .journal
        .as_ref()
        .is_some_and(|j| !j.changes.is_empty())
    {
        shared.commit.notify_all();
    }
    shared.outcomes.notify_all();
    shared.timer.notify_all();
    ready
}

fn set_ticket(outcome: &mut Outcome, to: Ticket) {
    match outcome {
        Outcome::Delivered { ticket, .. }
        | Outcome::Failed { ticket, .. }
        | Outcome::Uncertain { ticket, .. } => *ticket = to,
    }
}

/// The wall clock in milliseconds since the Unix epoch (the ledger's
/// times; the dispatcher itself only sees the monotonic clock).
fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Records the ledger's changes in batches (group commit: the marks and
/// outcomes of every connection since the last commit, in one), then lets
/// the held output go and tells the recorded outcomes. On a failure of the
/// store nothing more is sent: the connections are ended (a held final `.`
/// never goes out), later submissions get the error, and what was not
/// recorded stays pending or data_sent in the ledger for the next run.
fn committer_thread(shared: &Arc<Shared>) {
    let Some(store) = shared.store.as_ref() else {
        return;
    };
    let mut state = lock(&shared.state);
    // Since when the oldest change not yet committed waits (group commit).
    let mut since: Option<Instant> = None;
    loop {
        let waits = state.dispatcher.journal_waits();
        let Some(journal) = state.journal.as_mut() else {
            return;
        };
        if journal.changes.is_empty() && journal.told.is_empty() && journal.finished.is_empty() {
            if journal.closing {
                return;
            }
            state = shared.commit.wait(state).unwrap_or_else(|e| e.into_inner());
            continue;
        }
        if !journal.changes.is_empty() && !journal.closing && journal.failed.is_none() {
            let first = *since.get_or_insert_with(Instant::now);
            if let Some(wait) = crate::ledger::commit_wait(first.elapsed(), waits) {
                state = shared
                    .commit
                    .wait_timeout(state, wait)
                    .map_or_else(|e| e.into_inner().0, |(s, _)| s);
                continue;
            }
        }
        since = None;
        let changes = std::mem::take(&mut journal.changes);
        let mut told = std::mem::take(&mut journal.told);
        let finished = std::mem::take(&mut journal.finished);
        let mark = journal.mark;
        let failed = journal.failed.is_some();
        drop(state);
        let written = if failed {
            Ok(())
        } else {
            lock(store).record(&changes)
        };
        state = lock(&shared.state);
        match written {
            Ok(()) if !failed => state.dispatcher.marks_durable(mark),
            Ok(()) => {}
            Err(error) => store_failed(&mut state, error),
        }
        // Recorded: the keys are no longer on their way; tickets of the
        // same key submitted meanwhile get the same outcome.
        if let Some(journal) = state.journal.as_mut() {
            let mut copies = Vec::new();
            for (key, ticket) in &finished {
                journal.by_key.remove(key);
                let aliases = journal.aliases.remove(ticket).unwrap_or_default();
                if let Some((outcome, _, _)) = told.iter().find(|(o, _, _)| o.ticket() == *ticket) {
                    for (alias, callback) in aliases {
                        let mut copy = outcome.clone();
                        set_ticket(&mut copy, alias);
                        copies.push((copy, callback, None));
                    }
                }
            }
            told.append(&mut copies);
        }
        for (outcome, callback, _) in &told {
            if callback.is_none() {
                state.results.insert(outcome.ticket(), outcome.clone());
            }
        }
        let mut ready = pump(shared, &mut state);
        drop(state);
        // (`told` first: they were decided before what pump just found.)
        let mut all = told;
        all.append(&mut ready);
        shared.outcomes.notify_all();
        deliver(all);
        state = lock(&shared.state);
    }
}

/// The ledger cannot record (or lost its hold): nothing more is sent, no
/// submission is taken.
fn store_failed(state: &mut State, error: Error) {
    let detail = format!("the ledger cannot record: {}", error.message());
    if let Some(journal) = state.journal.as_mut() {
        if journal.failed.is_some() {
            return;
        }
        journal.failed = Some(error);
        journal.aborted = true;
    }
    state.stopping = true;
    state.dispatcher.shutdown();
    // Every connection ends now (a held final `.` never goes out): what was
    // in flight is retried no more, or uncertain when its end of data went
    // out before.
    let ids: Vec<ConnId> = state.conns.keys().copied().collect();
    for id in ids {
        state
            .dispatcher
            .connection_lost(id, ConnectionLoss::Closed, &detail);
    }
}

/// How often the housekeeper looks at watched keys and at the other
/// processes sharing the ledger.
const TICK: Duration = Duration::from_millis(250);

/// Keeps this process's hold on its records (renewing the lease), takes up
/// the work of a process sharing the ledger that is gone, and answers the
/// tickets of keys another process was sending once the ledger holds their
/// outcome. Ends once the mailer is closed and nothing is watched.
fn housekeeper_thread(shared: &Arc<Shared>) {
    let mut renewed = Instant::now();
    let mut swept = Instant::now();
    loop {
        let mut state = lock(&shared.state);
        let stopping = state.stopping;
        let Some(journal) = state.journal.as_mut() else {
            return;
        };
        let closing = journal.closing;
        // Closed now, or the store failed: what another process was sending
        // is not waited for (its fate is in the ledger, for the next run).
        let give_up = journal.failed.clone().or_else(|| {
            (stopping && journal.aborted).then(|| {
                Error::new(
                    ErrorKind::InvalidState,
                    "the mailer closed before the process sending this key finished \
                     (the ledger holds its outcome when it comes)",
                )
            })
        });
        if let Some(error) = give_up {
            let keys: Vec<String> = journal.watching.keys().cloned().collect();
            drop(state);
            answer_watched(shared, &keys, &error);
            if closing {
                return;
            }
            state = lock(&shared.state);
        } else if closing && journal.watching.is_empty() {
            return;
        }
        let waiting = state
            .journal
            .as_ref()
            .is_some_and(|j| !j.watching.is_empty());
        drop(state);
        let now_ms = wall_ms();
        if renewed.elapsed() >= LEASE / 6 {
            renewed = Instant::now();
            if let Err(error) = shared.with_store(|s| s.renew(now_ms)) {
                store_failed(&mut lock(&shared.state), error);
                continue;
            }
        }
        if swept.elapsed() >= Duration::from_secs(1) {
            swept = Instant::now();
            if let Err(error) = take_up(shared) {
                store_failed(&mut lock(&shared.state), error);
                continue;
            }
        }
        if waiting && let Err(error) = look_at_watched(shared) {
            store_failed(&mut lock(&shared.state), error);
            continue;
        }
        let state = lock(&shared.state);
        if !state.journal.as_ref().is_none_or(|j| j.closing) {
            drop(
                shared
                    .keep
                    .wait_timeout(state, TICK)
                    .unwrap_or_else(|e| e.into_inner()),
            );
        }
    }
}

/// Answers the watched tickets whose key has its outcome in the ledger;
/// those whose key this mailer has taken over follow its ticket.
fn look_at_watched(shared: &Arc<Shared>) -> Result<()> {
    let keys: Vec<String> = lock(&shared.state)
        .journal
        .as_ref()
        .map(|j| j.watching.keys().cloned().collect())
        .unwrap_or_default();
    for key in keys {
        let record = shared.with_store(|s| s.get(&key))?;
        let mut state = lock(&shared.state);
        let State {
            journal,
            results,
            any,
            ..
        } = &mut *state;
        let Some(journal) = journal.as_mut() else {
            return Ok(());
        };
        if let Some(&first) = journal.by_key.get(&key) {
            let moved = journal.watching.remove(&key).unwrap_or_default();
            journal.aliases.entry(first).or_default().extend(moved);
            continue;
        }
        let Some(record) = record.filter(|r| r.state.is_final()) else {
            continue;
        };
        let watched = journal.watching.remove(&key).unwrap_or_default();
        let mut ready: Ready = Vec::new();
        for (ticket, callback) in watched {
            if let Some(outcome) = record.outcome(ticket) {
                if callback.is_none() {
                    results.insert(ticket, outcome.clone());
                }
                ready.push((outcome, callback, any.clone()));
            }
        }
        drop(state);
        shared.outcomes.notify_all();
        deliver(ready);
    }
    Ok(())
}

fn deliver(ready: Ready) {
    for (outcome, callback, any) in ready {
        if let Some(any) = any {
            any(&outcome);
        }
        if let Some(callback) = callback {
            callback(outcome);
        }
    }
}

/// Keeps time: calls `advance` at the dispatcher's deadlines.
fn timer_thread(shared: &Arc<Shared>) {
    let mut state = lock(&shared.state);
    loop {
        if state.stopping && state.dispatcher.is_finished() {
            return;
        }
        let now = shared.now();
        state.dispatcher.advance(now);
        let ready = pump(shared, &mut state);
        if !ready.is_empty() {
            drop(state);
            deliver(ready);
            state = lock(&shared.state);
            continue;
        }
        let wait = state
            .dispatcher
            .poll_timeout()
            .map_or(Duration::from_secs(1), |t| t.saturating_sub(now))
            .clamp(Duration::from_millis(1), Duration::from_secs(1));
        state = shared
            .timer
            .wait_timeout(state, wait)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// One connection: opens it, then writes what the dispatcher queued for it
/// and reads while a reply is awaited, until the dispatcher closes it.
fn conn_thread(shared: &Arc<Shared>, id: ConnId, wake: &Condvar) {
    let Some(mut stream) = connect(shared, id) else {
        return;
    };
    let mut buffer = vec![0u8; 16 * 1024];
    while let Some(work) = next_work(shared, id, wake) {
        if !work.output.is_empty()
            && let Err(err) = stream.write_all(&work.output)
        {
            return end(shared, id, io_cause(&err, LossStage::Sending));
        }
        if work.start_tls {
            match stream.upgrade(shared.tls.clone(), shared.server_name.clone()) {
                Ok(upgraded) => stream = upgraded,
                Err(error) => {
                    return end(shared, id, (ConnectionLoss::Tls, error.message().into()));
                }
            }
            input(shared, |d| d.tls_established(id));
            continue;
        }
        if let Some(wait) = work.read_for {
            read(shared, id, &mut stream, &mut buffer, wait);
        }
    }
    // Closed by the dispatcher (after QUIT): TLS ends with close_notify.
    stream.close();
}

/// What a connection thread must do next.
struct Work {
    /// Bytes to write (a pipelined flight), maybe none.
    output: Vec<u8>,
    /// Run the TLS handshake now.
    start_tls: bool,
    /// Read a reply, waiting at most this long.
    read_for: Option<Duration>,
}

/// Opens the connection (TCP, and TLS at once for implicit TLS) and tells
/// the dispatcher; `None` when it could not be opened (the dispatcher was
/// told that too).
fn connect(shared: &Arc<Shared>, id: ConnId) -> Option<Stream> {
    let options = &shared.options;
    let opened = open(options).and_then(|tcp| {
        tcp.set_write_timeout(Some(options.timeout)).ok();
        let stream = Stream::Plain(tcp);
        if options.tls.is_implicit() {
            stream.upgrade(shared.tls.clone(), shared.server_name.clone())
        } else {
            Ok(stream)
        }
    });
    match opened {
        Ok(stream) => {
            let tcp = stream.tcp().try_clone().ok();
            input(shared, |d| d.connection_opened(id)).conns_mut(id, |slot| slot.tcp = tcp);
            Some(stream)
        }
        Err(error) => {
            let cause = match error.kind() {
                ErrorKind::Tls => ConnectionLoss::Tls,
                ErrorKind::Timeout => ConnectionLoss::Timeout,
                _ => ConnectionLoss::Connect,
            };
            end(shared, id, (cause, error.message().into()));
            None
        }
    }
}

/// Waits until the connection has something to do; `None` once the
/// dispatcher closed it (its slot is then gone).
fn next_work(shared: &Arc<Shared>, id: ConnId, wake: &Condvar) -> Option<Work> {
    let timeout = shared.options.timeout;
    let mut state = lock(&shared.state);
    loop {
        let is_open = state.dispatcher.is_open(id);
        let slot = state.conns.get_mut(&id)?;
        if slot.close || !is_open {
            state.conns.remove(&id);
            return None;
        }
        let start_tls = std::mem::take(&mut slot.start_tls);
        let output = state.dispatcher.take_output(id);
        let read_for = state.dispatcher.awaits_reply(id).then(|| {
            state
                .dispatcher
                .reply_deadline(id)
                .map_or(timeout, |t| t.saturating_sub(shared.now()))
                .min(timeout)
        });
        if output.is_empty() && !start_tls && read_for.is_none() {
            state = wake.wait(state).unwrap_or_else(|e| e.into_inner());
            continue;
        }
        return Some(Work {
            output,
            start_tls,
            read_for,
        });
    }
}

/// Reads once (at most `wait`) and hands the dispatcher what came, or the
/// loss; a read time-out alone is a loss only past `timeout` (before it,
/// the dispatcher's own deadlines decide).
fn read(shared: &Arc<Shared>, id: ConnId, stream: &mut Stream, buffer: &mut [u8], wait: Duration) {
    stream.set_read_timeout(wait);
    let read = stream.read(buffer);
    let timeout = shared.options.timeout;
    input(shared, |d| match read {
        Ok(0) => d.connection_lost(id, ConnectionLoss::Closed, &LossStage::Waiting.detail("")),
        Ok(n) => d.receive(id, &buffer[..n]),
        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) && wait < timeout => {}
        Err(err) => {
            let (cause, detail) = io_cause(&err, LossStage::Waiting);
            d.connection_lost(id, cause, &detail);
        }
    });
}

/// Feeds the dispatcher one input (after telling it the time), routes its
/// actions, and runs the outcomes' callbacks once the lock is released.
fn input(shared: &Arc<Shared>, feed: impl FnOnce(&mut Dispatcher)) -> Fed<'_> {
    let mut state = lock(&shared.state);
    state.dispatcher.advance(shared.now());
    feed(&mut state.dispatcher);
    let ready = pump(shared, &mut state);
    Fed {
        state: Some(state),
        ready,
    }
}

/// The dispatcher's lock after an input, with the outcomes to deliver:
/// delivered when it is dropped, after the lock is released.
struct Fed<'a> {
    state: Option<MutexGuard<'a, State>>,
    ready: Ready,
}

impl Fed<'_> {
    /// Changes the connection's slot before the lock is released.
    fn conns_mut(mut self, id: ConnId, change: impl FnOnce(&mut ConnSlot)) {
        if let Some(slot) = self.state.as_mut().and_then(|s| s.conns.get_mut(&id)) {
            change(slot);
        }
    }
}

impl Drop for Fed<'_> {
    fn drop(&mut self) {
        drop(self.state.take());
        deliver(std::mem::take(&mut self.ready));
    }
}

/// The connection is lost (`cause`, and the driver's detail): the
/// dispatcher is told and the thread's slot is gone.
fn end(shared: &Arc<Shared>, id: ConnId, (cause, detail): (ConnectionLoss, String)) {
    let mut fed = input(shared, |d| d.connection_lost(id, cause, &detail));
    if let Some(state) = fed.state.as_mut() {
        state.conns.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_mailer_can_be_shared_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<super::Mailer>();
    }
}
