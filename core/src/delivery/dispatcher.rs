//! The sans-IO dispatcher: a pool of sessions, one throttle, retries by
//! class, one outcome per message.
//!
//! # Theory of operation
//!
//! **Where a message is.** A submitted message becomes a `Job`, and a job is
//! in exactly one place at a time:
//!
//! | place | meaning | leaves it when |
//! | --- | --- | --- |
//! | `queue` | ready to go, in order | `assign` hands it to a ready connection (the limiter allowing), or its deadline passes (`Failed`) |
//! | `delayed` | waiting for its backoff after a transient failure | its time comes (`advance`): back to the end of `queue` |
//! | a connection's `jobs` | in flight on that session | the session reports it: `Sent` (`Delivered`), `Failed` (retried: to `delayed`; or `Failed`), uncertain (`Uncertain`, or retried with at-least-once); the connection ends before the session took it: back to the front of `queue` |
//! | `outcomes` | done: its one [`Outcome`] waits for `poll_outcome` | the driver takes it |
//!
//! **Which input moves it.** `submit` puts a job in `queue`. `advance(now)`
//! moves due jobs from `delayed` to `queue`, expires late ones and lets each
//! session keep its deadlines. `connection_opened`, `receive`,
//! `tls_established` and `connection_lost` feed one session; its events
//! (`Ready`, `Sent`, `Failed`, `Error`, `Closed`) move that connection's jobs.
//! After every input, `schedule` hands waiting jobs to ready connections,
//! opens connections (one at a time after a failure to open, with backoff),
//! and closes idle or spent ones; what the driver must do comes out of
//! `poll_action`.
//!
//! **The dispatcher's phase** (`Phase`): `Open` takes submissions;
//! `drain` makes it `Draining` (no new messages; every submitted one is still
//! sent, with its retries); once nothing is waiting or in flight, or at
//! `shutdown`, it is `Stopping`: no new connection, waiting jobs fail at
//! once (`InvalidState`), jobs in flight finish, every connection says QUIT;
//! [`Dispatcher::is_finished`] once the last is gone.
//!
//! **Retries.** A transient failure (4xx, `536`, a lost connection before
//! the end of the data) waits `backoff(attempt)` (exponential, at most
//! `max_backoff`, with full jitter) within the message's deadline and
//! attempts; a permanent one fails at once; an uncertain one (the end of the
//! data sent, no answer) is never resent unless at-least-once is asked.
//! Opening a connection backs off by the same exponential (without jitter);
//! a permanent failure to open (wrong credentials, no TLS) fails every
//! waiting message at once.

use super::limiter::{Limiter, QuotaGate, WindowLimiter};
use super::types::{
    Action, ConnId, Counters, JournalWaits, Outcome, SubmitError, Ticket, closed_error,
};
use super::{DeliveryConfig, Prepared};
use crate::error::{Error, ErrorKind, Result};
use crate::smtp::{
    ClientOptions, ConnectionLoss, Event, MessageHandle, Reply, SendFailure, SendReport, Session,
};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

struct Job {
    ticket: Ticket,
    message: Prepared,
    attempts: u32,
    uncertain_attempts: u32,
    submitted: Duration,
    not_before: Duration,
    last_error: Option<Error>,
    /// Recipients refused for good (5xx) by an earlier attempt: never tried
    /// again, reported in the outcome.
    refused: Vec<(String, Reply)>,
}

/// Where the dispatcher is in its life; see the module's theory of
/// operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Taking messages.
    Open,
    /// `drain` was called: no new messages; every submitted one is still
    /// sent (with its retries); `Stopping` once none waits or is in flight.
    Draining,
    /// No new messages and no new connection; waiting messages fail at once;
    /// those in flight finish, then every connection says QUIT.
    Stopping,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnState {
    /// Opened or opening; greeting, EHLO, TLS, AUTH under way.
    Starting,
    /// Ready for messages.
    Ready,
    /// QUIT sent (or about to be closed).
    Closing,
}

struct Conn {
    session: Session,
    state: ConnState,
    jobs: HashMap<MessageHandle, Job>,
    sent: usize,
    idle_since: Duration,
    /// With the journal on: the last mark in this connection's output; the
    /// output is held until that mark is durable.
    held: Option<u64>,
}

/// The end of a message's data is about to be written (see
/// [`Dispatcher::journal_data_ends`]): record it durably, then call
/// [`Dispatcher::marks_durable`] with its `seq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataEndMark {
    /// Marks are numbered from 1, in order; durable through `seq` covers
    /// every earlier one.
    pub seq: u64,
    /// The message.
    pub ticket: Ticket,
    /// Its attempt (1 for the first).
    pub attempt: u32,
}

/// The dispatcher. See the [module documentation](super).
pub struct Dispatcher {
    config: DeliveryConfig,
    limiter: Box<dyn Limiter>,
    rng: u64,
    now: Duration,
    queue: VecDeque<Job>,
    /// Jobs waiting for their backoff, by the time they may go again.
    delayed: BTreeMap<(Duration, Ticket), Job>,
    conns: BTreeMap<ConnId, Conn>,
    next_conn: ConnId,
    next_ticket: Ticket,
    actions: VecDeque<Action>,
    outcomes: VecDeque<Outcome>,
    counters: Counters,
    /// When the limiter said the next slot frees.
    limiter_wake: Option<Duration>,
    /// Connection attempts that failed in a row (backoff for opening).
    open_failures: u32,
    open_not_before: Duration,
    /// When waiting messages are next checked against their deadline.
    next_deadline_scan: Duration,
    phase: Phase,
    /// The journal (`journal_data_ends`): marks not yet taken by the driver,
    /// the last one made and the last one durable.
    journal: bool,
    marks: VecDeque<DataEndMark>,
    last_mark: u64,
    durable_mark: u64,
}

impl Dispatcher {
    /// A dispatcher with the built-in limiter for `config.rate`.
    pub fn new(config: DeliveryConfig) -> Result<Dispatcher> {
        let limiter = WindowLimiter::new(config.rate, config.rate_limited_pause);
        Dispatcher::with_limiter(config, Box::new(limiter))
    }

    /// A dispatcher with the built-in limiter for `config.rate`, which also
    /// asks `gate` (a quota shared with other processes) before each message.
    pub fn with_gate(config: DeliveryConfig, gate: Box<dyn QuotaGate>) -> Result<Dispatcher> {
        let limiter = WindowLimiter::new(config.rate, config.rate_limited_pause).with_gate(gate);
        Dispatcher::with_limiter(config, Box::new(limiter))
    }

    /// A dispatcher for a client's `options` (validated; their session
    /// configuration replaces `delivery.session`), with the built-in limiter
    /// and `gate` when given: what every driver starts from.
    pub fn for_client(
        options: &ClientOptions,
        mut delivery: DeliveryConfig,
        gate: Option<Box<dyn QuotaGate>>,
    ) -> Result<Dispatcher> {
        options.validate()?;
        delivery.session = options.session_config();
        match gate {
            Some(gate) => Dispatcher::with_gate(delivery, gate),
            None => Dispatcher::new(delivery),
        }
    }

    /// A dispatcher with another limiter.
    pub fn with_limiter(config: DeliveryConfig, limiter: Box<dyn Limiter>) -> Result<Dispatcher> {
        config.validate()?;
        let rng = match config.seed {
            Some(seed) => seed,
            None => {
                let mut bytes = [0u8; 8];
                crate::clock::random_bytes(&mut bytes)?;
                u64::from_le_bytes(bytes)
            }
        } | 1;
        Ok(Dispatcher {
            config,
            limiter,
            rng,
            now: Duration::ZERO,
            queue: VecDeque::new(),
            delayed: BTreeMap::new(),
            conns: BTreeMap::new(),
            next_conn: 1,
            next_ticket: 1,
            actions: VecDeque::new(),
            outcomes: VecDeque::new(),
            counters: Counters::default(),
            limiter_wake: None,
            open_failures: 0,
            open_not_before: Duration::ZERO,
            next_deadline_scan: Duration::ZERO,
            phase: Phase::Open,
            journal: false,
            marks: VecDeque::new(),
            last_mark: 0,
            durable_mark: 0,
        })
    }

    /// Holds back the end of every message's data until the driver says it
    /// is recorded durably: each one comes out of
    /// [`Dispatcher::poll_data_end`] first, and the connection's output
    /// stays empty until [`Dispatcher::marks_durable`] covers it. A ledger
    /// needs this: once the final `.` is written the relay may hold the
    /// message, so after a crash it must be reported uncertain and never
    /// sent again, and only a durable mark can say so. The driver should
    /// record the marks of every connection together (one commit for all).
    /// Turn it on before the first submission.
    pub fn journal_data_ends(&mut self, on: bool) {
        self.journal = on;
        for conn in self.conns.values_mut() {
            conn.session.report_data_ends(on);
        }
        if !on {
            self.marks_durable(self.last_mark);
        }
    }

    /// How many connections carry a message, and how many of them hold
    /// their output until a mark is durable (see
    /// [`crate::ledger::commit_wait`]).
    pub fn journal_waits(&self) -> JournalWaits {
        let busy = self.conns.values().filter(|c| !c.jobs.is_empty());
        let (mut held, mut count) = (0, 0);
        for conn in busy {
            count += 1;
            held += usize::from(conn.held.is_some());
        }
        JournalWaits { held, busy: count }
    }

    /// The next end of data to record durably (with the journal on).
    pub fn poll_data_end(&mut self) -> Option<DataEndMark> {
        self.marks.pop_front()
    }

    /// Every mark through `seq` is durable: the output it held goes out.
    pub fn marks_durable(&mut self, seq: u64) {
        if seq <= self.durable_mark {
            return;
        }
        self.durable_mark = seq.min(self.last_mark);
        let durable = self.durable_mark;
        for (&id, conn) in self.conns.iter_mut() {
            if conn.held.is_some_and(|held| held <= durable) {
                conn.held = None;
                if conn.session.has_output() {
                    self.actions.push_back(Action::Send(id));
                }
            }
        }
    }

    /// Queues a message taken back from a durable record after a restart:
    /// `attempts` were made before, and it was first submitted `age` ago
    /// (its retries and its deadline continue from there).
    pub fn resubmit(
        &mut self,
        message: Prepared,
        attempts: u32,
        age: Duration,
    ) -> std::result::Result<Ticket, Box<SubmitError>> {
        let ticket = self.submit(message)?;
        if let Some(job) = self.queue.iter_mut().rev().find(|j| j.ticket == ticket) {
            job.attempts = attempts;
            job.submitted = self.now.saturating_sub(age);
        } else {
            for conn in self.conns.values_mut() {
                if let Some(job) = conn.jobs.values_mut().find(|j| j.ticket == ticket) {
                    job.attempts += attempts;
                    job.submitted = self.now.saturating_sub(age);
                }
            }
        }
        Ok(ticket)
    }

    /// Queues a message; its outcome comes later from `poll_outcome`.
    pub fn submit(&mut self, message: Prepared) -> std::result::Result<Ticket, Box<SubmitError>> {
        if self.phase != Phase::Open {
            return Err(Box::new(SubmitError {
                message,
                error: closed_error(),
            }));
        }
        if self.waiting() >= self.config.queue_capacity {
            return Err(Box::new(SubmitError {
                message,
                error: Error::new(
                    ErrorKind::InvalidState,
                    format!(
                        "the queue is full ({} messages waiting)",
                        self.config.queue_capacity
                    ),
                ),
            }));
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.queue.push_back(Job {
            ticket,
            message,
            attempts: 0,
            uncertain_attempts: 0,
            submitted: self.now,
            not_before: self.now,
            last_error: None,
            refused: Vec::new(),
        });
        self.schedule();
        Ok(ticket)
    }

    /// A ticket for a message the driver answers itself (one whose outcome
    /// a ledger already holds): never used by another message.
    pub fn reserve_ticket(&mut self) -> Ticket {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        ticket
    }

    /// True when `submit` would take another message now.
    pub fn has_room(&self) -> bool {
        self.phase == Phase::Open && self.waiting() < self.config.queue_capacity
    }

    fn waiting(&self) -> usize {
        self.queue.len() + self.delayed.len()
    }

    /// Reports the driver's clock (monotonic, any origin): due retries go
    /// out, deadlines are kept, idle connections close.
    pub fn advance(&mut self, now: Duration) {
        self.now = self.now.max(now);
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            if let Some(conn) = self.conns.get_mut(&id) {
                conn.session.advance(self.now);
            }
            self.after_session(id);
        }
        self.schedule();
    }

    /// When the driver must call `advance` next, if anything waits on time.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut at: Option<Duration> = None;
        let mut consider = |t: Duration| at = Some(at.map_or(t, |a| a.min(t)));
        for conn in self.conns.values() {
            if let Some(t) = conn.session.poll_timeout() {
                consider(t);
            }
            if conn.state == ConnState::Ready && conn.session.is_idle() && self.queue.is_empty() {
                consider(conn.idle_since.saturating_add(self.config.idle_timeout));
            }
        }
        if let Some((&(t, _), _)) = self.delayed.iter().next() {
            consider(t);
        }
        if !self.queue.is_empty() {
            if let Some(t) = self.limiter_wake {
                consider(t);
            }
            if self.open_not_before > self.now {
                consider(self.open_not_before);
            }
            if let Some(job) = self.queue.front() {
                consider(
                    (job.submitted.saturating_add(self.config.retry.deadline))
                        .max(self.next_deadline_scan),
                );
            }
        }
        at
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next final outcome.
    pub fn poll_outcome(&mut self) -> Option<Outcome> {
        self.outcomes.pop_front()
    }

    /// What has happened so far.
    pub fn counters(&self) -> Counters {
        Counters {
            queued: self.waiting(),
            in_flight: self.conns.values().map(|c| c.jobs.len()).sum(),
            connections: self.conns.len(),
            current_rate: self.limiter.current_rate(),
            ..self.counters
        }
    }

    /// Bytes connection `k` must send now.
    pub fn pending_output(&self, conn: ConnId) -> &[u8] {
        match self.conns.get(&conn) {
            Some(c) if c.held.is_none() => c.session.pending_output(),
            _ => &[],
        }
    }

    /// True while connection `k` awaits a reply (its driver must read).
    pub fn awaits_reply(&self, conn: ConnId) -> bool {
        self.conns
            .get(&conn)
            .is_some_and(|c| c.held.is_none() && c.session.awaits_reply())
    }

    /// When connection `k`'s session gives up waiting (its reply or message
    /// deadline), if it waits.
    pub fn reply_deadline(&self, conn: ConnId) -> Option<Duration> {
        self.conns.get(&conn).and_then(|c| c.session.poll_timeout())
    }

    /// True while connection `k` exists (was opened and not closed).
    pub fn is_open(&self, conn: ConnId) -> bool {
        self.conns.contains_key(&conn)
    }

    /// Everything connection `k` must send now, as one buffer, marked sent
    /// (a pipelined flight: MAIL, every RCPT and DATA, or the data and the
    /// next message's commands).
    pub fn take_output(&mut self, conn: ConnId) -> Vec<u8> {
        match self.conns.get_mut(&conn) {
            Some(c) if c.held.is_none() => c.session.take_output(),
            _ => Vec::new(),
        }
    }

    /// `n` bytes of `pending_output(k)` were sent.
    pub fn consume_output(&mut self, conn: ConnId, n: usize) {
        if let Some(c) = self.conns.get_mut(&conn)
            && c.held.is_none()
        {
            c.session.consume_output(n);
        }
    }

    /// The connection asked for by `Action::Open` is open.
    pub fn connection_opened(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session.advance(self.now);
        }
    }

    /// Bytes arrived on connection `k`.
    pub fn receive(&mut self, conn: ConnId, data: &[u8]) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session.advance(self.now);
            c.session.receive(data);
        }
        self.after_session(conn);
        self.schedule();
    }

    /// The TLS handshake asked for by `Action::StartTls` is done.
    pub fn tls_established(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session.tls_established();
        }
        self.after_session(conn);
        self.schedule();
    }

    /// Connection `k` ended (or could not be opened: `Connect`).
    pub fn connection_lost(&mut self, conn: ConnId, cause: ConnectionLoss, detail: &str) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.session.connection_lost(cause, detail);
        }
        self.after_session(conn);
        self.schedule();
    }

    /// Stops taking messages but sends every one already submitted (with its
    /// retries, within its deadline); once each has its outcome, every
    /// connection says QUIT and [`Dispatcher::is_finished`] turns true.
    /// A later [`Dispatcher::shutdown`] still stops at once.
    pub fn drain(&mut self) {
        if self.phase == Phase::Open {
            self.phase = Phase::Draining;
        }
        self.schedule();
    }

    /// True while messages submitted before [`Dispatcher::drain`] or
    /// [`Dispatcher::shutdown`] have no outcome yet.
    fn drained(&self) -> bool {
        self.queue.is_empty()
            && self.delayed.is_empty()
            && self.conns.values().all(|c| c.jobs.is_empty())
    }

    /// Stops at once: those not yet handed to a connection come back
    /// as `Failed` (not sent, `InvalidState`); those in flight finish; then
    /// every connection says QUIT.
    pub fn shutdown(&mut self) {
        self.phase = Phase::Stopping;
        self.fail_waiting(&Error::new(
            ErrorKind::InvalidState,
            "not sent: the dispatcher was shut down before its turn",
        ));
        self.schedule();
    }

    /// True once shut down and every connection is gone.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Stopping && self.conns.is_empty() && self.queue.is_empty()
    }

    /// Every message not handed to a connection yet (waiting or delayed)
    /// fails now with `error`, not sent.
    fn fail_waiting(&mut self, error: &Error) {
        let waiting: Vec<Job> = self
            .queue
            .drain(..)
            .chain(std::mem::take(&mut self.delayed).into_values())
            .collect();
        for job in waiting {
            self.fail(job, error.clone(), false, Vec::new());
        }
    }

    // --- internals -------------------------------------------------------

    /// Takes the session's events for connection `k` and acts on them.
    fn after_session(&mut self, id: ConnId) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        let mut events = Vec::new();
        while let Some(event) = conn.session.poll_event() {
            events.push(event);
        }
        while let Some(handle) = conn.session.poll_data_end() {
            if let Some(job) = conn.jobs.get(&handle) {
                self.last_mark += 1;
                conn.held = Some(self.last_mark);
                self.marks.push_back(DataEndMark {
                    seq: self.last_mark,
                    ticket: job.ticket,
                    attempt: job.attempts,
                });
            }
        }
        if conn.session.has_output() && conn.held.is_none() {
            self.actions.push_back(Action::Send(id));
        }
        for event in events {
            match event {
                Event::StartTls => self.actions.push_back(Action::StartTls(id)),
                Event::Ready => {
                    if let Some(conn) = self.conns.get_mut(&id) {
                        conn.state = ConnState::Ready;
                        conn.idle_since = self.now;
                    }
                    self.open_failures = 0;
                }
                Event::Sent(report) => self.sent(id, report),
                Event::Failed(failure) => self.failed(id, failure),
                Event::Error(error) => self.conn_failed(id, error),
                Event::Closed => self.remove(id),
            }
        }
    }

    fn take_job(&mut self, id: ConnId, handle: MessageHandle) -> Option<Job> {
        let conn = self.conns.get_mut(&id)?;
        let job = conn.jobs.remove(&handle)?;
        if conn.jobs.is_empty() {
            conn.idle_since = self.now;
        }
        Some(job)
    }

    fn sent(&mut self, id: ConnId, report: SendReport) {
        let Some(mut job) = self.take_job(id, report.handle) else {
            return;
        };
        self.counters.delivered += 1;
        job.refused.extend(report.refused);
        self.outcomes.push_back(Outcome::Delivered {
            ticket: job.ticket,
            key: job.message.key.take(),
            message_id: job.message.message_id.take(),
            queue_id: report.queue_id,
            accepted: report.accepted,
            refused: job.refused,
            attempts: job.attempts,
            uncertain_attempts: job.uncertain_attempts,
        });
    }

    fn failed(&mut self, id: ConnId, failure: SendFailure) {
        let Some(mut job) = self.take_job(id, failure.handle) else {
            return;
        };
        let error = failure.error;
        if error.kind() == ErrorKind::RateLimited {
            self.rate_limited();
        }
        if failure.uncertain {
            if !self.config.at_least_once {
                self.counters.uncertain += 1;
                self.outcomes.push_back(Outcome::Uncertain {
                    ticket: job.ticket,
                    key: job.message.key.take(),
                    message_id: job.message.message_id.take(),
                    error,
                    attempts: job.attempts,
                });
                return;
            }
            job.uncertain_attempts += 1;
        }
        let retryable = failure.uncertain || error.is_transient();
        // A recipient refused for good is never tried again, even when the
        // message as a whole is (the connection dropped after its 5xx, say).
        let mut refused = std::mem::take(&mut job.refused);
        for (rcpt, reply) in failure.refused {
            if reply.class() == crate::smtp::ReplyClass::Permanent {
                job.message.recipients.retain(|r| *r != rcpt);
            }
            refused.push((rcpt, reply));
        }
        if retryable && job.message.recipients.is_empty() {
            let error = Error::new(
                ErrorKind::SmtpPermanent,
                "every recipient was refused for good",
            );
            return self.fail(job, error, false, refused);
        }
        job.refused = refused
            .iter()
            .filter(|(_, reply)| reply.class() == crate::smtp::ReplyClass::Permanent)
            .cloned()
            .collect();
        // (The refusals of this attempt are reported if it is the last.)
        self.retry_or_fail(job, error, retryable, refused);
    }

    fn retry_or_fail(
        &mut self,
        mut job: Job,
        error: Error,
        retryable: bool,
        refused: Vec<(String, Reply)>,
    ) {
        if !retryable {
            return self.fail(job, error, false, refused);
        }
        let backoff = self.jittered(self.config.retry.backoff(job.attempts));
        let at = self.now.saturating_add(backoff);
        if job.attempts >= self.config.retry.max_attempts
            || at >= job.submitted.saturating_add(self.config.retry.deadline)
            || self.phase == Phase::Stopping
        {
            return self.fail(job, error, true, refused);
        }
        job.not_before = at;
        job.last_error = Some(error);
        self.delayed.insert((at, job.ticket), job);
    }

    fn fail(&mut self, mut job: Job, error: Error, gave_up: bool, refused: Vec<(String, Reply)>) {
        self.counters.failed += 1;
        for entry in refused {
            if !job.refused.iter().any(|(r, _)| *r == entry.0) {
                job.refused.push(entry);
            }
        }
        let refused = job.refused;
        self.outcomes.push_back(Outcome::Failed {
            ticket: job.ticket,
            key: job.message.key.take(),
            message_id: job.message.message_id.take(),
            error,
            attempts: job.attempts,
            gave_up,
            refused,
        });
    }

    /// Full jitter: a random wait between half and all of `wait`.
    fn jittered(&mut self, wait: Duration) -> Duration {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
        wait.mul_f64(0.5 + 0.5 * unit)
    }

    fn rate_limited(&mut self) {
        self.counters.rate_limited += 1;
        let until = self.limiter.rate_limited(self.now);
        self.limiter_wake = Some(until);
    }

    /// The session of connection `k` is over.
    fn conn_failed(&mut self, id: ConnId, error: Error) {
        let Some(conn) = self.conns.get(&id) else {
            return;
        };
        let never_ready = conn.state == ConnState::Starting;
        let still_speaking = !conn.session.is_done();
        if error.kind() == ErrorKind::RateLimited {
            self.rate_limited();
        }
        if still_speaking {
            // The session says QUIT first; `Closed` removes it. (It
            // reported every message it held before its error.)
            if let Some(conn) = self.conns.get_mut(&id) {
                conn.state = ConnState::Closing;
                for (_, job) in conn.jobs.drain() {
                    self.queue.push_front(job);
                }
            }
        } else {
            self.remove(id);
        }
        if never_ready {
            self.open_failures += 1;
            self.open_not_before = self
                .now
                .saturating_add(self.config.retry.backoff(self.open_failures));
            // Another connection that is open, or may still open, can
            // deliver what waits: a relay that answers its connection limit
            // with 554 must not fail the queue that a working connection
            // is sending.
            let others = self.conns.iter().any(|(&other, c)| {
                other != id && matches!(c.state, ConnState::Ready | ConnState::Starting)
            });
            if !error.is_transient() && error.kind() != ErrorKind::RateLimited && !others {
                // Nothing will go through (wrong key, no TLS, no AUTH):
                // every waiting message fails now rather than at its deadline.
                self.fail_waiting(&error);
            } else {
                for job in self.queue.iter_mut() {
                    job.last_error = Some(error.clone());
                }
            }
        }
    }

    fn remove(&mut self, id: ConnId) {
        if let Some(mut conn) = self.conns.remove(&id) {
            // The session reported every message it held before its end; a
            // job still here never reached it: back to the queue.
            for (_, job) in conn.jobs.drain() {
                self.queue.push_front(job);
            }
            self.actions.push_back(Action::Close(id));
        }
    }

    /// Hands waiting messages to idle connections, opens connections,
    /// closes idle or spent ones, fails messages past their deadline.
    fn schedule(&mut self) {
        if self.phase == Phase::Draining && self.drained() {
            self.phase = Phase::Stopping;
        }
        // Due retries back to the queue.
        while let Some((&(at, ticket), _)) = self.delayed.iter().next() {
            if at > self.now {
                break;
            }
            if let Some(job) = self.delayed.remove(&(at, ticket)) {
                self.counters.retries += 1;
                self.queue.push_back(job);
            }
        }
        // Deadlines of waiting messages (a full pass at most once a second;
        // a message is also checked when its turn comes).
        if self.now >= self.next_deadline_scan && !self.queue.is_empty() {
            self.next_deadline_scan = self.now.saturating_add(Duration::from_secs(1));
            let deadline = self.config.retry.deadline;
            let now = self.now;
            let (late, waiting): (Vec<Job>, Vec<Job>) = self
                .queue
                .drain(..)
                .partition(|job| job.submitted.saturating_add(deadline) <= now);
            self.queue = waiting.into();
            for job in late {
                self.expire(job);
            }
        }
        self.assign();
        self.open_more();
        self.close_idle();
    }

    fn expire(&mut self, job: Job) {
        let error = job.last_error.clone().unwrap_or_else(|| {
            let detail = match self.limiter.gate_error() {
                Some(why) => format!(
                    "the message could not be sent before its deadline: the shared quota could not be asked ({why})"
                ),
                None => "the message could not be sent before its deadline".to_string(),
            };
            Error::new(ErrorKind::Timeout, detail)
        });
        self.fail(job, error, true, Vec::new());
    }

    fn assign(&mut self) {
        let per_conn_limit = if self.config.session.pipeline_after_data {
            2
        } else {
            1
        };
        self.limiter_wake = None;
        let ids: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.state == ConnState::Ready)
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            while let Some(conn) = self.conns.get(&id) {
                let spent = self
                    .config
                    .messages_per_connection
                    .is_some_and(|cap| conn.sent >= cap);
                if conn.jobs.len() >= per_conn_limit || spent || self.queue.is_empty() {
                    break;
                }
                if let Err(at) = self.limiter.try_acquire(self.now) {
                    self.limiter_wake = Some(at);
                    return;
                }
                let Some(mut job) = self.queue.pop_front() else {
                    break;
                };
                if job.submitted.saturating_add(self.config.retry.deadline) <= self.now {
                    self.expire(job);
                    continue;
                }
                let Some(conn) = self.conns.get_mut(&id) else {
                    self.queue.push_front(job);
                    break;
                };
                let m = &job.message;
                match conn
                    .session
                    .send_checked(m.data.clone(), m.size, &m.sender, &m.recipients)
                {
                    Ok(handle) => {
                        job.attempts += 1;
                        conn.sent += 1;
                        conn.jobs.insert(handle, job);
                        // (Its Send, or its hold, comes from after_session.)
                        // A refusal at once (over SIZE) comes as an event.
                        self.after_session(id);
                    }
                    Err(error) if error.kind() == ErrorKind::MessageTooLarge => {
                        self.fail(job, error, false, Vec::new());
                    }
                    Err(_) => {
                        // The session is closing: back to the queue.
                        self.queue.push_front(job);
                        break;
                    }
                }
            }
        }
    }

    fn open_more(&mut self) {
        if self.phase == Phase::Stopping || self.queue.is_empty() || self.now < self.open_not_before
        {
            return;
        }
        let starting = self
            .conns
            .values()
            .filter(|c| c.state == ConnState::Starting)
            .count();
        let free = self
            .conns
            .values()
            .filter(|c| c.state == ConnState::Ready && c.jobs.is_empty())
            .count();
        // After a failure, open one at a time until one succeeds.
        let limit = if self.open_failures > 0 {
            1
        } else {
            self.config.connections
        };
        let mut wanted = self.queue.len().saturating_sub(starting + free);
        while wanted > 0 && self.conns.len() < self.config.connections && starting < limit {
            let Ok(mut session) = Session::new(self.config.session.clone()) else {
                return;
            };
            session.report_data_ends(self.journal);
            let id = self.next_conn;
            self.next_conn += 1;
            self.conns.insert(
                id,
                Conn {
                    session,
                    state: ConnState::Starting,
                    jobs: HashMap::new(),
                    sent: 0,
                    idle_since: self.now,
                    held: None,
                },
            );
            self.actions.push_back(Action::Open(id));
            wanted -= 1;
            if self.open_failures > 0 {
                break;
            }
        }
    }

    fn close_idle(&mut self) {
        let idle_timeout = self.config.idle_timeout;
        let now = self.now;
        let nothing_waiting = self.queue.is_empty();
        let stopping = self.phase == Phase::Stopping;
        let cap = self.config.messages_per_connection;
        let mut quitting = Vec::new();
        for (&id, conn) in self.conns.iter_mut() {
            if conn.state != ConnState::Ready || !conn.jobs.is_empty() {
                continue;
            }
            let spent = cap.is_some_and(|cap| conn.sent >= cap);
            let idle = nothing_waiting && conn.idle_since.saturating_add(idle_timeout) <= now;
            if spent || idle || (stopping && nothing_waiting) {
                conn.state = ConnState::Closing;
                conn.session.quit();
                quitting.push(id);
            }
        }
        for id in quitting {
            self.after_session(id);
        }
        if stopping {
            // Connections still starting with nothing to do: close them.
            let starting: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, c)| c.state == ConnState::Starting && c.jobs.is_empty())
                .map(|(&id, _)| id)
                .collect();
            if self.queue.is_empty() {
                for id in starting {
                    self.remove(id);
                }
            }
        }
    }
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::{SessionConfig, TlsMode};

    fn journaled() -> (Dispatcher, ConnId) {
        let mut config = DeliveryConfig {
            session: SessionConfig {
                tls: TlsMode::None,
                ..SessionConfig::default()
            },
            connections: 1,
            seed: Some(7),
            ..DeliveryConfig::default()
        };
        config.retry.initial_backoff = Duration::from_millis(10);
        let mut d = Dispatcher::new(config).unwrap();
        d.journal_data_ends(true);
        let raw = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
        d.submit(Prepared::raw(raw, "a@example.com", &["b@example.com"]).unwrap())
            .unwrap();
        let Some(Action::Open(k)) = d.poll_action() else {
            panic!("no Open");
        };
        d.connection_opened(k);
        for reply in [
            &b"220 hi\r\n"[..],
            b"250-x\r\n250 PIPELINING\r\n",
            b"250 ok\r\n250 ok\r\n354 go\r\n",
        ] {
            d.take_output(k);
            d.receive(k, reply);
        }
        (d, k)
    }

    #[test]
    fn the_end_of_data_waits_for_its_mark_to_be_durable() {
        let (mut d, k) = journaled();
        let mark = d.poll_data_end().expect("a mark for the end of data");
        assert_eq!((mark.seq, mark.ticket, mark.attempt), (1, 1, 1));
        assert_eq!(d.poll_data_end(), None);
        // Held: nothing to write, nothing to read, until it is durable.
        assert!(d.pending_output(k).is_empty());
        assert!(d.take_output(k).is_empty());
        assert!(!d.awaits_reply(k));
        assert_eq!(d.journal_waits(), JournalWaits { held: 1, busy: 1 });
        while d.poll_action().is_some() {}
        d.marks_durable(1);
        assert_eq!(d.journal_waits(), JournalWaits { held: 0, busy: 1 });
        assert_eq!(d.poll_action(), Some(Action::Send(k)));
        let out = d.take_output(k);
        assert!(out.ends_with(b"hello\r\n.\r\n"), "{out:?}");
        assert!(d.awaits_reply(k));
        d.receive(k, b"250 queued as Q1\r\n");
        let Some(Outcome::Delivered { queue_id, .. }) = d.poll_outcome() else {
            panic!("not delivered");
        };
        assert_eq!(queue_id.as_deref(), Some("Q1"));
        assert_eq!(d.journal_waits(), JournalWaits { held: 0, busy: 0 });
    }

    #[test]
    fn a_connection_lost_while_its_data_is_held_retries_it() {
        // The final dot never left: not uncertain, tried again.
        let (mut d, k) = journaled();
        assert!(d.poll_data_end().is_some());
        d.connection_lost(k, ConnectionLoss::Closed, "gone");
        assert_eq!(d.poll_outcome(), None);
        assert_eq!(d.counters().queued, 1);
        // Once written and lost before the answer: uncertain.
        let (mut d, k) = journaled();
        d.marks_durable(1);
        d.take_output(k);
        d.connection_lost(k, ConnectionLoss::Closed, "gone");
        assert!(matches!(d.poll_outcome(), Some(Outcome::Uncertain { .. })));
    }

    #[test]
    fn without_the_journal_nothing_is_held() {
        let (mut d, k) = journaled();
        assert!(d.take_output(k).is_empty());
        d.journal_data_ends(false);
        assert!(d.take_output(k).ends_with(b".\r\n"));
    }

    #[test]
    fn every_outcome_names_its_key_and_message_id() {
        // Delivered, failed (a 554 after the data) and uncertain (lost
        // after the final dot): each carries what it was submitted with.
        let end = |last: Option<&[u8]>| {
            let mut config = DeliveryConfig::default();
            config.session.tls = TlsMode::None;
            let mut d = Dispatcher::new(config).unwrap();
            let raw = b"Message-ID: <m1@example.com>\r\nSubject: hi\r\n\r\nhello\r\n";
            let p = Prepared::raw(raw, "a@example.com", &["b@example.com"]).unwrap();
            d.submit(p.with_key("order-7").unwrap()).unwrap();
            let Some(Action::Open(k)) = d.poll_action() else {
                panic!("no Open");
            };
            d.connection_opened(k);
            for reply in [
                &b"220 hi\r\n"[..],
                b"250-x\r\n250 PIPELINING\r\n",
                b"250 ok\r\n250 ok\r\n354 go\r\n",
            ] {
                d.take_output(k);
                d.receive(k, reply);
            }
            d.take_output(k);
            match last {
                Some(reply) => d.receive(k, reply),
                None => d.connection_lost(k, ConnectionLoss::Closed, "gone"),
            }
            d.poll_outcome().expect("an outcome")
        };
        let delivered = end(Some(b"250 queued as Q1\r\n"));
        let failed = end(Some(b"554 no\r\n"));
        let uncertain = end(None);
        for (outcome, kind) in [
            (delivered, "delivered"),
            (failed, "failed"),
            (uncertain, "uncertain"),
        ] {
            assert_eq!(outcome.kind(), kind, "{outcome:?}");
            assert_eq!(outcome.key(), Some("order-7"));
            assert_eq!(outcome.message_id(), Some("m1@example.com"));
        }
        // No key given: none reported; the Message-ID still is.
        let p = Prepared::raw(
            b"Subject: x\r\n\r\nx\r\n",
            "a@example.com",
            &["b@example.com"],
        );
        assert_eq!(p.unwrap().key(), None);
    }

    #[test]
    fn a_resubmitted_message_keeps_its_attempts_and_age() {
        let mut config = DeliveryConfig::default();
        config.session.tls = TlsMode::None;
        config.retry.deadline = Duration::from_secs(60);
        let mut d = Dispatcher::new(config).unwrap();
        d.advance(Duration::from_secs(100));
        let raw = b"Subject: x\r\n\r\nx\r\n";
        let p = Prepared::raw(raw, "a@example.com", &["b@example.com"]).unwrap();
        // Submitted 61 s ago: past its deadline, it fails at its turn.
        d.resubmit(p, 2, Duration::from_secs(61)).unwrap();
        d.advance(Duration::from_secs(101));
        match d.poll_outcome() {
            Some(Outcome::Failed {
                attempts, error, ..
            }) => {
                assert_eq!(attempts, 2);
                assert_eq!(error.kind(), ErrorKind::Timeout);
            }
            other => panic!("{other:?}"),
        }
    }

    fn pool(connections: usize, messages: usize) -> Dispatcher {
        let config = DeliveryConfig {
            session: SessionConfig {
                tls: TlsMode::None,
                ..SessionConfig::default()
            },
            connections,
            seed: Some(7),
            ..DeliveryConfig::default()
        };
        let mut d = Dispatcher::new(config).unwrap();
        for i in 0..messages {
            let raw = format!("Subject: {i}\r\n\r\nhello\r\n");
            d.submit(Prepared::raw(raw.as_bytes(), "a@example.com", &["b@example.com"]).unwrap())
                .unwrap();
        }
        d
    }

    fn opens(d: &mut Dispatcher) -> Vec<ConnId> {
        std::iter::from_fn(|| d.poll_action())
            .filter_map(|a| match a {
                Action::Open(k) => Some(k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_554_greeting_beside_a_working_connection_fails_nothing() {
        // Some relays answer their connection limit with 554, not 421.
        let mut d = pool(2, 3);
        let ks = opens(&mut d);
        assert_eq!(ks.len(), 2);
        let (one, two) = (ks[0], ks[1]);
        d.connection_opened(one);
        d.receive(one, b"220 hi\r\n");
        d.take_output(one);
        d.receive(one, b"250-x\r\n250 PIPELINING\r\n");
        d.connection_opened(two);
        d.receive(two, b"554 5.7.1 too many connections from your address\r\n");
        assert_eq!(d.poll_outcome(), None, "nothing failed");
        // The refused connection says QUIT and stays until it is answered.
        assert_eq!(d.take_output(two), b"QUIT\r\n");
        assert!(d.is_open(two));
        while d.poll_action().is_some() {}
        d.receive(two, b"221 bye\r\n");
        assert!(!d.is_open(two));
        assert!(std::iter::from_fn(|| d.poll_action()).any(|a| a == Action::Close(two)));
        // The working connection delivers every message.
        let mut delivered = 0;
        for _ in 0..3 {
            d.take_output(one);
            d.receive(one, b"250 ok\r\n250 ok\r\n354 go\r\n");
            d.take_output(one);
            d.receive(one, b"250 queued as Q\r\n");
            while let Some(outcome) = d.poll_outcome() {
                assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
                delivered += 1;
            }
        }
        assert_eq!(delivered, 3);
    }

    #[test]
    fn a_refused_key_on_every_connection_fails_the_queue_once_all_are_refused() {
        let mut d = pool(2, 3);
        let ks = opens(&mut d);
        for (n, &k) in ks.iter().enumerate() {
            d.connection_opened(k);
            d.receive(k, b"554 5.7.1 go away\r\n");
            let failed = std::iter::from_fn(|| d.poll_outcome()).count();
            // The first refusal leaves the other connection to try; the
            // last fails every waiting message at once.
            assert_eq!(failed, if n + 1 == ks.len() { 3 } else { 0 });
        }
    }

    #[test]
    fn a_clock_at_its_end_never_panics() {
        let mut d = pool(1, 2);
        let k = opens(&mut d)[0];
        d.connection_opened(k);
        d.receive(k, b"220 hi\r\n");
        d.advance(Duration::MAX - Duration::from_secs(5));
        let _ = d.poll_timeout();
        d.take_output(k);
        d.receive(k, b"250 PIPELINING\r\n");
        d.advance(Duration::MAX);
        let _ = d.poll_timeout();
        d.rate_limited();
        d.advance(Duration::MAX);
        let outcomes: Vec<Outcome> = std::iter::from_fn(|| d.poll_outcome()).collect();
        assert_eq!(outcomes.len(), 2, "{outcomes:?}");
        assert!(outcomes.iter().all(|o| matches!(o, Outcome::Failed { .. })));
        let mut limited = WindowLimiter::new(
            Some(crate::delivery::Rate::new(1, Duration::from_secs(1)).unwrap()),
            Duration::from_secs(1),
        );
        assert!(limited.try_acquire(Duration::MAX).is_ok());
        assert!(limited.try_acquire(Duration::MAX).is_err());
        limited.rate_limited(Duration::MAX);
    }

    #[test]
    fn a_rate_window_is_bounded() {
        let bad = crate::delivery::Rate {
            messages: 1,
            per: Duration::MAX,
            burst: 1,
        };
        assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        assert!(crate::delivery::Rate::new(1, Duration::MAX).is_err());
        assert!(crate::delivery::Rate::new(1_000_000, crate::delivery::MAX_RATE_WINDOW).is_ok());
        assert!(bad.held() >= bad.per, "saturates");
    }
}
