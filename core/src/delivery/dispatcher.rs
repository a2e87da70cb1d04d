//! The sans-IO dispatcher: a pool of sessions, one throttle, retries by
//! class, one outcome per message.

use super::limiter::{Limiter, QuotaGate, WindowLimiter};
use super::{DeliveryConfig, Prepared};
use crate::error::{Error, ErrorKind, Result};
use crate::smtp::{
    ClientOptions, ConnectionLoss, Event, MessageHandle, Reply, SendFailure, SendReport, Session,
};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

/// A connection, named by the dispatcher.
pub type ConnId = u64;
/// A submitted message, named by the dispatcher.
pub type Ticket = u64;

/// What the driver must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open a connection (TCP, and TLS at once for implicit TLS), then call
    /// `connection_opened`, or `connection_lost` with `Connect`.
    Open(ConnId),
    /// Send `pending_output(k)` (then `consume_output`).
    Send(ConnId),
    /// Run the TLS handshake on the connection, then `tls_established`.
    StartTls(ConnId),
    /// Close the connection (after sending what is pending); report nothing.
    Close(ConnId),
}

impl Action {
    /// Every action's name, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &["Open", "Send", "StartTls", "Close"];

    /// `Open`, `Send`, `StartTls` or `Close`, the same in every binding.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Action::Open(_) => "Open",
            Action::Send(_) => "Send",
            Action::StartTls(_) => "StartTls",
            Action::Close(_) => "Close",
        }
    }

    /// The connection it is for.
    pub const fn conn(&self) -> ConnId {
        match *self {
            Action::Open(k) | Action::Send(k) | Action::StartTls(k) | Action::Close(k) => k,
        }
    }
}

/// The error of a message submitted to a closed (or closing) mailer, the
/// same in every driver and binding.
pub fn closed_error() -> Error {
    Error::new(ErrorKind::InvalidState, "the mailer is closed")
}

/// The one final result of a submitted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The relay accepted it (its final 2xx).
    Delivered {
        /// The ticket `submit` returned.
        ticket: Ticket,
        /// The relay's queue id, when it gave one.
        queue_id: Option<String>,
        /// Recipients accepted.
        accepted: Vec<String>,
        /// Recipients refused (they will not get it), with the replies.
        refused: Vec<(String, Reply)>,
        /// Attempts made (1 when the first one went through).
        attempts: u32,
        /// Earlier attempts that ended uncertain and were resent anyway
        /// (only with at-least-once): the relay may hold it that many more
        /// times.
        uncertain_attempts: u32,
    },
    /// It was not delivered.
    Failed {
        /// The ticket `submit` returned.
        ticket: Ticket,
        /// Why (the last failure).
        error: Error,
        /// Attempts made (0 when it never went out).
        attempts: u32,
        /// True when retries ran out (attempts or deadline) on a transient
        /// failure; false for a permanent one (or a shutdown).
        gave_up: bool,
        /// Recipients refused, with the replies.
        refused: Vec<(String, Reply)>,
    },
    /// The connection was lost after the end of the data went out and before
    /// the relay answered: it may have been delivered. Not resent.
    Uncertain {
        /// The ticket `submit` returned.
        ticket: Ticket,
        /// How the connection ended.
        error: Error,
        /// Attempts made.
        attempts: u32,
    },
}

impl Outcome {
    /// Every outcome's name, in the order of the variants.
    pub const KINDS: &'static [&'static str] = &["delivered", "failed", "uncertain"];

    /// `delivered`, `failed` or `uncertain`, the same in every binding.
    pub const fn kind(&self) -> &'static str {
        match self {
            Outcome::Delivered { .. } => "delivered",
            Outcome::Failed { .. } => "failed",
            Outcome::Uncertain { .. } => "uncertain",
        }
    }

    /// The ticket of the message.
    pub fn ticket(&self) -> Ticket {
        match self {
            Outcome::Delivered { ticket, .. }
            | Outcome::Failed { ticket, .. }
            | Outcome::Uncertain { ticket, .. } => *ticket,
        }
    }
}

/// `submit` refused a message: the queue is full (or the dispatcher is
/// shutting down). The message is handed back.
#[derive(Debug)]
pub struct SubmitError {
    /// The message, unchanged.
    pub message: Prepared,
    /// Why (kind `InvalidState`).
    pub error: Error,
}

/// What a dispatcher has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counters {
    /// Messages waiting (new or for a retry).
    pub queued: usize,
    /// Messages handed to a connection and not answered yet.
    pub in_flight: usize,
    /// Outcomes so far.
    pub delivered: u64,
    /// Outcomes so far.
    pub failed: u64,
    /// Outcomes so far.
    pub uncertain: u64,
    /// Attempts after the first.
    pub retries: u64,
    /// `536 Frequency limited` replies seen.
    pub rate_limited: u64,
    /// Connections open or opening.
    pub connections: usize,
    /// The pace the limiter allows now (messages a second), if limited.
    pub current_rate: Option<f64>,
}

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
    shutting_down: bool,
    /// `drain` was called: no new messages; shut down once every message
    /// has its outcome.
    draining: bool,
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
            shutting_down: false,
            draining: false,
        })
    }

    /// Queues a message; its outcome comes later from `poll_outcome`.
    pub fn submit(&mut self, message: Prepared) -> std::result::Result<Ticket, Box<SubmitError>> {
        if self.shutting_down || self.draining {
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

    /// True when `submit` would take another message now.
    pub fn has_room(&self) -> bool {
        !self.shutting_down && !self.draining && self.waiting() < self.config.queue_capacity
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
                consider(conn.idle_since + self.config.idle_timeout);
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
                consider((job.submitted + self.config.retry.deadline).max(self.next_deadline_scan));
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
        self.conns
            .get(&conn)
            .map_or(&[][..], |c| c.session.pending_output())
    }

    /// True while connection `k` awaits a reply (its driver must read).
    pub fn awaits_reply(&self, conn: ConnId) -> bool {
        self.conns
            .get(&conn)
            .is_some_and(|c| c.session.awaits_reply())
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
        self.conns
            .get_mut(&conn)
            .map_or_else(Vec::new, |c| c.session.take_output())
    }

    /// `n` bytes of `pending_output(k)` were sent.
    pub fn consume_output(&mut self, conn: ConnId, n: usize) {
        if let Some(c) = self.conns.get_mut(&conn) {
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
        self.draining = true;
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
        self.shutting_down = true;
        let waiting: Vec<Job> = self
            .queue
            .drain(..)
            .chain(std::mem::take(&mut self.delayed).into_values())
            .collect();
        for job in waiting {
            let error = Error::new(
                ErrorKind::InvalidState,
                "not sent: the dispatcher was shut down before its turn",
            );
            self.fail(job, error, false, Vec::new());
        }
        self.schedule();
    }

    /// True once shut down and every connection is gone.
    pub fn is_finished(&self) -> bool {
        self.shutting_down && self.conns.is_empty() && self.queue.is_empty()
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
        if conn.session.has_output() {
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
        let backoff = self.backoff(job.attempts);
        let at = self.now + backoff;
        if job.attempts >= self.config.retry.max_attempts
            || at >= job.submitted + self.config.retry.deadline
            || self.shutting_down
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
            error,
            attempts: job.attempts,
            gave_up,
            refused,
        });
    }

    /// Exponential backoff with full jitter: a random wait between half and
    /// all of `initial * 2^(attempts-1)`, at most `max_backoff`.
    fn backoff(&mut self, attempts: u32) -> Duration {
        let retry = &self.config.retry;
        let exp = retry
            .initial_backoff
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20))
            .min(retry.max_backoff);
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let unit = (r >> 11) as f64 / (1u64 << 53) as f64;
        exp.mul_f64(0.5 + 0.5 * unit)
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
        if error.kind() == ErrorKind::RateLimited {
            self.rate_limited();
        }
        self.remove(id);
        if never_ready {
            self.open_failures += 1;
            let wait = self
                .config
                .retry
                .initial_backoff
                .saturating_mul(1u32 << self.open_failures.saturating_sub(1).min(16))
                .min(self.config.retry.max_backoff);
            self.open_not_before = self.now + wait;
            if !error.is_transient() && error.kind() != ErrorKind::RateLimited {
                // Nothing will go through (wrong key, no TLS, no AUTH):
                // every waiting message fails now rather than at its deadline.
                let waiting: Vec<Job> = self
                    .queue
                    .drain(..)
                    .chain(std::mem::take(&mut self.delayed).into_values())
                    .collect();
                for job in waiting {
                    self.fail(job, error.clone(), false, Vec::new());
                }
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
        if self.draining && !self.shutting_down && self.drained() {
            self.shutting_down = true;
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
            self.next_deadline_scan = self.now + Duration::from_secs(1);
            let deadline = self.config.retry.deadline;
            let now = self.now;
            let (late, waiting): (Vec<Job>, Vec<Job>) = self
                .queue
                .drain(..)
                .partition(|job| job.submitted + deadline <= now);
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
                if job.submitted + self.config.retry.deadline <= self.now {
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
                    .send_prepared(m.data.clone(), m.size, &m.sender, &m.recipients)
                {
                    Ok(handle) => {
                        job.attempts += 1;
                        conn.sent += 1;
                        conn.jobs.insert(handle, job);
                        if conn.session.has_output() {
                            self.actions.push_back(Action::Send(id));
                        }
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
        if self.shutting_down || self.queue.is_empty() || self.now < self.open_not_before {
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
            let Ok(session) = Session::new(self.config.session.clone()) else {
                return;
            };
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
        let shutting_down = self.shutting_down;
        let cap = self.config.messages_per_connection;
        let mut quitting = Vec::new();
        for (&id, conn) in self.conns.iter_mut() {
            if conn.state != ConnState::Ready || !conn.jobs.is_empty() {
                continue;
            }
            let spent = cap.is_some_and(|cap| conn.sent >= cap);
            let idle = nothing_waiting && conn.idle_since + idle_timeout <= now;
            if spent || idle || (shutting_down && nothing_waiting) {
                conn.state = ConnState::Closing;
                conn.session.quit();
                quitting.push(id);
            }
        }
        for id in quitting {
            self.after_session(id);
        }
        if self.shutting_down {
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

    #[test]
    fn action_names_and_connections() {
        let all = [
            Action::Open(1),
            Action::Send(2),
            Action::StartTls(3),
            Action::Close(4),
        ];
        let names: Vec<&str> = all.iter().map(Action::as_str).collect();
        assert_eq!(names, Action::NAMES);
        assert_eq!(all.map(|a| a.conn()), [1, 2, 3, 4]);
        assert_eq!(closed_error().kind(), ErrorKind::InvalidState);
    }
}
