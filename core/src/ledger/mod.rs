//! The ledger: the durable record of every message from its submission to
//! its outcome, so that a process that dies (SIGKILL, a power cut, a
//! deploy) loses nothing and sends nothing twice.
//!
//! # The rules
//!
//! A message is recorded under a **key** (the caller's: an order id, a CSV
//! row; by default its Message-ID) in one of five [`State`]s:
//!
//! | state | recorded when | after a restart |
//! | --- | --- | --- |
//! | `pending` | submitted (with the bytes and envelope needed to send it) | sent (its attempts and deadline continue) |
//! | `data_sent` | before the final `.` of an attempt is written | reported `uncertain`, never resent (unless at-least-once) |
//! | `delivered` | the relay's 2xx (queue id, each recipient's answer) | kept; the key is never sent again |
//! | `failed` | a permanent refusal, or retries ran out | kept |
//! | `uncertain` | the connection was lost after the final `.` | kept |
//!
//! The invariant: **nothing is sent twice across a crash unless
//! at-least-once was asked, nothing submitted is lost, and a message whose
//! end of data may have reached the relay before the crash is reported
//! uncertain, never resent and never reported failed.** Three writes make
//! it hold, each durable before the step it guards:
//!
//! 1. the submission, before `submit` returns (a key already recorded is
//!    never queued again: its recorded or pending outcome comes back);
//! 2. the `data_sent` mark, before the final `.` goes out (the dispatcher
//!    holds that output until the driver says the mark is durable:
//!    [`crate::delivery::Dispatcher::journal_data_ends`]; marks of every
//!    connection are written together, one commit for many);
//! 3. the outcome, before anyone is told of it.
//!
//! What a restart does with each state is [`State::on_resume`]; what an
//! outcome records is [`Record::finished`]. The [`Store`] trait is where
//! the records live: [`SqliteStore`] (feature `sqlite`, the default: one
//! file, nothing to install) or another engine.

mod export;
mod journal;
pub use journal::{Journal, JournalClaim, Opened};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use export::{
    COLUMNS, Format, csv_header, each, export, message_id_for_key, prune_cutoff, row_key,
};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, is_postgres_url};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// Opens the ledger at `location`: a `postgresql://` (or `postgres://`)
/// URL with the feature `postgres` (the server's own durability: a commit
/// is on its disk), else the SQLite file at that path, created when missing
/// (`durability` as [`SqliteStore::open_with`]). `keep_bodies`: keep each
/// message's bytes after its outcome.
#[cfg(feature = "sqlite")]
pub fn open_store(
    location: &str,
    durability: Durability,
    keep_bodies: bool,
) -> Result<Box<dyn Store>> {
    #[cfg(feature = "postgres")]
    if is_postgres_url(location) {
        return Ok(Box::new(
            PostgresStore::connect(location)?.keep_bodies(keep_bodies),
        ));
    }
    Ok(Box::new(
        SqliteStore::open_with(location, durability)?.keep_bodies(keep_bodies),
    ))
}

/// [`open_store`] for a ledger that must exist already (to read it): a
/// missing SQLite file is refused with [`ErrorKind::Ledger`].
#[cfg(feature = "sqlite")]
pub fn open_existing_store(location: &str) -> Result<Box<dyn Store>> {
    #[cfg(feature = "postgres")]
    if is_postgres_url(location) {
        return Ok(Box::new(PostgresStore::connect(location)?));
    }
    Ok(Box::new(SqliteStore::open_existing(location)?))
}

use crate::delivery::{Outcome, Prepared, Ticket};
use crate::error::{Error, ErrorKind, Result};
use crate::smtp::Reply;

/// How far a commit is durable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is on the disk before it returns (SQLite `synchronous=FULL`; the journal: an fsync per write):
    /// survives a crash of the process and a power loss or kernel panic.
    #[default]
    Full,
    /// Every commit is in the operating system before it returns
    /// (SQLite `synchronous=NORMAL` in WAL mode; the journal: no fsync): survives a crash of the process
    /// (SIGKILL, an abort); a power loss may undo the last commits, and so
    /// resend messages whose end of data was sent. Faster on slow disks.
    Process,
}

impl Durability {
    /// Every durability's name: `full`, `process`.
    pub const NAMES: &'static [&'static str] = &["full", "process"];

    /// `full` or `process`, the same in every binding.
    pub const fn as_str(self) -> &'static str {
        match self {
            Durability::Full => "full",
            Durability::Process => "process",
        }
    }

    /// Looks a durability up by its name (`InvalidOption` otherwise).
    pub fn from_name(name: &str) -> Result<Durability> {
        match name {
            "full" => Ok(Durability::Full),
            "process" => Ok(Durability::Process),
            _ => Err(Error::new(
                ErrorKind::InvalidOption,
                format!("durability must be full or process, not {name:?}"),
            )),
        }
    }
}

/// The longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 512;

/// Checks an idempotency key: 1 to 512 bytes, no control character.
pub fn check_key(key: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::new(ErrorKind::InvalidKey, why.to_string()));
    if key.is_empty() {
        return bad("a key cannot be empty");
    }
    if key.len() > MAX_KEY_BYTES {
        return bad("a key is at most 512 bytes");
    }
    if key.chars().any(char::is_control) {
        return bad("a key cannot hold a control character (CR, LF, tab, NUL, ...)");
    }
    Ok(())
}

/// The key of a message submitted without one: its Message-ID.
pub fn default_key(message: &Prepared) -> Result<String> {
    let id = message.message_id().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidKey,
            "the message has no Message-ID to serve as its key: give a key",
        )
    })?;
    check_key(id)?;
    Ok(id.to_string())
}

/// Where a message stands in the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Submitted, no attempt has written its final `.` yet.
    Pending,
    /// An attempt's final `.` may have been written; no answer recorded.
    DataSent,
    /// The relay accepted it.
    Delivered,
    /// It was not delivered (a permanent refusal, or retries ran out).
    Failed,
    /// The connection was lost after its final `.`: the relay may hold it.
    Uncertain,
}

/// What a restart does with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Send it (again): nothing of it can have reached the relay (or
    /// at-least-once was asked).
    Send,
    /// Record it uncertain now: it may have reached the relay.
    Uncertain,
    /// Nothing: its outcome is recorded.
    Done,
}

impl State {
    /// Every state, in order.
    pub const ALL: &'static [State] = &[
        State::Pending,
        State::DataSent,
        State::Delivered,
        State::Failed,
        State::Uncertain,
    ];

    /// `pending`, `data_sent`, `delivered`, `failed` or `uncertain`, the
    /// same in every binding and in the store.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::DataSent => "data_sent",
            State::Delivered => "delivered",
            State::Failed => "failed",
            State::Uncertain => "uncertain",
        }
    }

    /// Looks a state up by its name: an `InvalidOption` error naming the
    /// states when it is none.
    pub fn parse(name: &str) -> Result<State> {
        State::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
            Error::new(
                ErrorKind::InvalidOption,
                format!("a state is one of {}, not {name:?}", names.join(", ")),
            )
        })
    }

    /// The state of a name, if it is one.
    pub fn from_name(name: &str) -> Option<State> {
        State::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    /// True once an outcome is recorded (delivered, failed or uncertain).
    pub const fn is_final(self) -> bool {
        matches!(self, State::Delivered | State::Failed | State::Uncertain)
    }

    /// What a restart does with a message left in this state: a pending
    /// one is sent; one whose final `.` may have gone out is uncertain
    /// (resent only with `at_least_once`); a final one stays as it is.
    pub const fn on_resume(self, at_least_once: bool) -> Resume {
        // (Submitting a key again follows the same rule: an uncertain one
        // is sent again only with at-least-once, see `resend_on_submit`.)
        match self {
            State::Pending => Resume::Send,
            State::DataSent if at_least_once => Resume::Send,
            State::DataSent => Resume::Uncertain,
            State::Delivered | State::Failed | State::Uncertain => Resume::Done,
        }
    }
}

impl State {
    /// True when a key submitted again in this state is sent again: only
    /// an uncertain one, and only with at-least-once (it may then arrive
    /// twice); a delivered or failed one never is.
    pub const fn resend_on_submit(self, at_least_once: bool) -> bool {
        at_least_once && matches!(self, State::Uncertain)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recipient's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The recipient.
    pub recipient: String,
    /// The reply code.
    pub code: u16,
    /// The reply text (lines joined with `\n`).
    pub text: String,
}

/// What the ledger holds for one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The key.
    pub key: String,
    /// The message's Message-ID, when it has one.
    pub message_id: Option<String>,
    /// Where it stands.
    pub state: State,
    /// Attempts that reached the end of their data, or made in all once
    /// the outcome is recorded.
    pub attempts: u32,
    /// The envelope sender.
    pub sender: String,
    /// The envelope recipients.
    pub recipients: Vec<String>,
    /// The relay's queue id (delivered).
    pub queue_id: Option<String>,
    /// Recipients the relay accepted (delivered).
    pub accepted: Vec<String>,
    /// Recipients refused, with the replies.
    pub refused: Vec<Refusal>,
    /// The error's kind (failed, uncertain).
    pub error_kind: Option<ErrorKind>,
    /// The error's message (failed, uncertain).
    pub error: Option<String>,
    /// When it was first submitted (milliseconds since the Unix epoch, the
    /// driver's clock).
    pub submitted_ms: i64,
    /// When its state last changed.
    pub updated_ms: i64,
}

impl Record {
    /// A new `pending` record for `message` under `key`.
    pub fn pending(key: &str, message: &Prepared, now_ms: i64) -> Record {
        Record {
            key: key.to_string(),
            message_id: message.message_id().map(str::to_string),
            state: State::Pending,
            attempts: 0,
            sender: message.sender().to_string(),
            recipients: message.recipients().to_vec(),
            queue_id: None,
            accepted: Vec::new(),
            refused: Vec::new(),
            error_kind: None,
            error: None,
            submitted_ms: now_ms,
            updated_ms: now_ms,
        }
    }

    /// What an outcome records (the final state, the queue id, each
    /// recipient's answer, the error, the attempts).
    pub fn finished(&self, outcome: &Outcome, now_ms: i64) -> Record {
        let refusals = |list: &[(String, Reply)]| -> Vec<Refusal> {
            list.iter()
                .map(|(recipient, reply)| Refusal {
                    recipient: recipient.clone(),
                    code: reply.code(),
                    text: reply.text(),
                })
                .collect()
        };
        let mut record = Record {
            updated_ms: now_ms,
            ..self.clone()
        };
        match outcome {
            Outcome::Delivered {
                queue_id,
                accepted,
                refused,
                attempts,
                ..
            } => {
                record.state = State::Delivered;
                record.queue_id = queue_id.clone();
                record.accepted = accepted.clone();
                record.refused = refusals(refused);
                record.attempts = *attempts;
                record.error_kind = None;
                record.error = None;
            }
            Outcome::Failed {
                error,
                attempts,
                refused,
                ..
            } => {
                record.state = State::Failed;
                record.refused = refusals(refused);
                record.attempts = *attempts;
                record.error_kind = Some(error.kind());
                record.error = Some(error.message().to_string());
            }
            Outcome::Uncertain {
                error, attempts, ..
            } => {
                record.state = State::Uncertain;
                record.attempts = *attempts;
                record.error_kind = Some(error.kind());
                record.error = Some(error.message().to_string());
            }
        }
        record
    }

    /// The `uncertain` record of a message found `data_sent` after a
    /// restart: its final `.` may have reached the relay before the crash.
    pub fn uncertain_after_restart(&self, now_ms: i64) -> Record {
        Record {
            state: State::Uncertain,
            error_kind: Some(ErrorKind::ConnectionClosed),
            error: Some(
                "the process ended after the end of the data was sent and before the relay's answer was recorded: it may have been delivered"
                    .to_string(),
            ),
            updated_ms: now_ms,
            ..self.clone()
        }
    }

    /// The outcome a recorded final state stands for (`None` while pending
    /// or data_sent), with `ticket`.
    pub fn outcome(&self, ticket: Ticket) -> Option<Outcome> {
        let refused = || -> Vec<(String, Reply)> {
            self.refused
                .iter()
                .map(|r| {
                    let lines = r.text.split('\n').map(str::to_string).collect();
                    (r.recipient.clone(), Reply::new(r.code, lines))
                })
                .collect()
        };
        let error = || {
            Error::new(
                self.error_kind.unwrap_or(ErrorKind::Io),
                self.error.clone().unwrap_or_default(),
            )
        };
        match self.state {
            State::Pending | State::DataSent => None,
            State::Delivered => Some(Outcome::Delivered {
                ticket,
                key: Some(self.key.clone()),
                message_id: self.message_id.clone(),
                queue_id: self.queue_id.clone(),
                accepted: self.accepted.clone(),
                refused: refused(),
                attempts: self.attempts,
                uncertain_attempts: 0,
            }),
            State::Failed => Some(Outcome::Failed {
                ticket,
                key: Some(self.key.clone()),
                message_id: self.message_id.clone(),
                error: error(),
                attempts: self.attempts,
                gave_up: self.error_kind.is_some_and(ErrorKind::is_transient),
                refused: refused(),
            }),
            State::Uncertain => Some(Outcome::Uncertain {
                ticket,
                key: Some(self.key.clone()),
                message_id: self.message_id.clone(),
                error: error(),
                attempts: self.attempts,
            }),
        }
    }
}

/// True when `outcome` is recorded as the message's fate. Not when the
/// mailer is closed now (`stopping`) and the outcome says only that: a
/// message not sent because of it (`InvalidState`), or one whose attempt
/// failed transiently and is not tried again because of it. Those stay
/// unfinished in the ledger, and the next run sends them (one past its
/// final `.` is then uncertain).
pub fn records_outcome(outcome: &Outcome, stopping: bool) -> bool {
    match outcome {
        Outcome::Failed { error, .. } => {
            !(error.kind() == ErrorKind::InvalidState || (stopping && error.is_transient()))
        }
        Outcome::Delivered { .. } | Outcome::Uncertain { .. } => true,
    }
}

/// The error of a message submitted under a key to a mailer without a
/// ledger (a key without a ledger would promise what nothing keeps), the
/// same in every driver and binding.
pub fn needs_ledger_error() -> Error {
    Error::new(
        ErrorKind::InvalidState,
        "submitting by key needs a ledger (a mailer made with one)",
    )
}

/// The longest a change waits for others to share its commit (group
/// commit): the end-of-data marks and outcomes of every connection go into
/// one transaction rather than one each.
pub const COMMIT_LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// When to commit the changes a mailer holds, the oldest of them `age`
/// old: `None` now, `Some(wait)` after `wait` at most (sooner if this is
/// asked again and says now). Now when every connection carrying a message
/// waits for its mark to be durable (no other change is coming soon), when
/// none carries one, or once the oldest change has waited
/// [`COMMIT_LINGER`]. `waits` is the dispatcher's
/// [`crate::delivery::Dispatcher::journal_waits`].
pub fn commit_wait(
    age: std::time::Duration,
    waits: crate::delivery::JournalWaits,
) -> Option<std::time::Duration> {
    if waits.busy == 0 || waits.held >= waits.busy || age >= COMMIT_LINGER {
        return None;
    }
    Some(COMMIT_LINGER - age)
}

/// How long a process's hold on its records lasts without renewal; a
/// mailer renews it every [`LEASE`]`/ 6`. On one machine a process that is
/// gone is known at once (the lock on its owner file is released); the
/// lease decides where that cannot be seen.
pub const LEASE: std::time::Duration = std::time::Duration::from_secs(30);

/// What the ledger said of a submitted key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: recorded pending; send it.
    New,
    /// The key is recorded and has no outcome yet (queued in this process,
    /// or left by one that died, which a resume sends): not sent again.
    Pending(Record),
    /// The key has its outcome: not sent again.
    Done(Record),
}

/// A change to record.
#[derive(Clone, Debug)]
pub enum Change {
    /// An attempt's final `.` is about to be written.
    DataSent {
        /// The key.
        key: String,
        /// The attempt (1 for the first).
        attempt: u32,
        /// When.
        at_ms: i64,
    },
    /// The outcome (a record from [`Record::finished`]).
    Finished(Record),
    /// An uncertain message is sent again (at-least-once was asked): back
    /// to pending, with its message (its body was dropped with its outcome).
    Reopen {
        /// The key.
        key: String,
        /// The message, as submitted again.
        message: Prepared,
        /// When.
        at_ms: i64,
    },
}

/// A message without an outcome, found when a ledger is opened.
#[derive(Clone, Debug)]
pub struct Unfinished {
    /// Its position in the store (pages of [`Store::unfinished`] go on
    /// after it).
    pub position: i64,
    /// Its record.
    pub record: Record,
    /// The message to send (`None` when its body was not kept).
    pub message: Option<Prepared>,
}

/// How many records are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
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
}

impl Summary {
    /// Records in all.
    pub fn total(&self) -> u64 {
        self.pending + self.data_sent + self.delivered + self.failed + self.uncertain
    }

    /// The count of one state.
    pub fn count(&self, state: State) -> u64 {
        match state {
            State::Pending => self.pending,
            State::DataSent => self.data_sent,
            State::Delivered => self.delivered,
            State::Failed => self.failed,
            State::Uncertain => self.uncertain,
        }
    }

    /// Adds `n` to one state's count.
    pub fn add(&mut self, state: State, n: u64) {
        let slot = match state {
            State::Pending => &mut self.pending,
            State::DataSent => &mut self.data_sent,
            State::Delivered => &mut self.delivered,
            State::Failed => &mut self.failed,
            State::Uncertain => &mut self.uncertain,
        };
        *slot += n;
    }
}

/// Where records live. Every method is one transaction: when it returns
/// `Ok`, what it wrote is durable (to the store's [`Durability`] where it
/// has one); when it fails, nothing of it was written.
pub trait Store: Send {
    /// Records each new key pending with its message, or says what the
    /// ledger already holds for it (one answer per entry, in order). A key
    /// twice in one batch: the second is `Pending`.
    fn submit(&mut self, entries: &[(&str, &Prepared)], now_ms: i64) -> Result<Vec<Claim>>;

    /// Records changes, in order, in one transaction.
    fn record(&mut self, changes: &[Change]) -> Result<()>;

    /// Up to `limit` records without an outcome, after position `after`
    /// (0: from the start), in submission order, with their messages.
    fn unfinished(&mut self, after: i64, limit: usize) -> Result<Vec<Unfinished>>;

    /// Takes over up to `limit` records without an outcome that no live
    /// owner holds (left by a process that is gone, or released), in
    /// submission order, with their messages: this store holds them from
    /// now on. Several processes may share a store: each record is taken
    /// over by one of them.
    fn take_over(&mut self, now_ms: i64, limit: usize) -> Result<Vec<Unfinished>>;

    /// A mailer starts recording into this store: the store becomes an
    /// owner of records (once, however many mailers share it), until the
    /// last of them calls [`Store::release`].
    fn hold(&mut self, now_ms: i64) -> Result<()>;

    /// Keeps what this store holds its own for another [`LEASE`] (called
    /// well within it). An error when another process took it over (this
    /// one was presumed gone): nothing more may be sent.
    fn renew(&mut self, now_ms: i64) -> Result<()>;

    /// A mailer ends cleanly: once the last one has, the store gives up
    /// what it holds, and what it left without an outcome may be taken over
    /// at once.
    fn release(&mut self) -> Result<()>;

    /// The record of one key.
    fn get(&mut self, key: &str) -> Result<Option<Record>>;

    /// Counts by state.
    fn summary(&mut self) -> Result<Summary>;

    /// Up to `limit` records (in one state, or all) after position `after`,
    /// with their positions, in submission order.
    fn list(
        &mut self,
        state: Option<State>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Record)>>;

    /// Deletes the records with an outcome last changed before `before_ms`;
    /// returns how many.
    fn prune(&mut self, before_ms: i64) -> Result<u64>;

    /// Where the ledger is, to show (a file's path; a database's address
    /// without its password).
    fn location(&self) -> String {
        "a ledger".to_string()
    }
}

/// One store shared by its owners (a mailer and the code that reads the
/// ledger while it runs, as the bindings' `Ledger` objects do): each call
/// takes the lock for its one transaction.
#[derive(Clone)]
pub struct SharedStore(std::sync::Arc<std::sync::Mutex<Box<dyn Store>>>);

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Box<dyn Store>) -> SharedStore {
        SharedStore(std::sync::Arc::new(std::sync::Mutex::new(store)))
    }

    /// Runs `f` with the store (its lock held).
    pub fn with<T>(&self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        let mut store = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(store.as_mut())
    }
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedStore")
    }
}

impl Store for SharedStore {
    fn submit(&mut self, entries: &[(&str, &Prepared)], now_ms: i64) -> Result<Vec<Claim>> {
        self.with(|s| s.submit(entries, now_ms))
    }
    fn record(&mut self, changes: &[Change]) -> Result<()> {
        self.with(|s| s.record(changes))
    }
    fn unfinished(&mut self, after: i64, limit: usize) -> Result<Vec<Unfinished>> {
        self.with(|s| s.unfinished(after, limit))
    }
    fn take_over(&mut self, now_ms: i64, limit: usize) -> Result<Vec<Unfinished>> {
        self.with(|s| s.take_over(now_ms, limit))
    }
    fn hold(&mut self, now_ms: i64) -> Result<()> {
        self.with(|s| s.hold(now_ms))
    }
    fn renew(&mut self, now_ms: i64) -> Result<()> {
        self.with(|s| s.renew(now_ms))
    }
    fn release(&mut self) -> Result<()> {
        self.with(|s| s.release())
    }
    fn get(&mut self, key: &str) -> Result<Option<Record>> {
        self.with(|s| s.get(key))
    }
    fn summary(&mut self) -> Result<Summary> {
        self.with(|s| s.summary())
    }
    fn list(
        &mut self,
        state: Option<State>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Record)>> {
        self.with(|s| s.list(state, after, limit))
    }
    fn prune(&mut self, before_ms: i64) -> Result<u64> {
        self.with(|s| s.prune(before_ms))
    }
    fn location(&self) -> String {
        self.with(|s| s.location())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_what_a_restart_does_with_them() {
        let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            ["pending", "data_sent", "delivered", "failed", "uncertain"]
        );
        for s in State::ALL {
            assert_eq!(State::from_name(s.as_str()), Some(*s));
        }
        assert_eq!(State::Pending.on_resume(false), Resume::Send);
        assert_eq!(State::DataSent.on_resume(false), Resume::Uncertain);
        assert_eq!(State::DataSent.on_resume(true), Resume::Send);
        for s in [State::Delivered, State::Failed, State::Uncertain] {
            assert!(s.is_final());
            assert_eq!(s.on_resume(true), Resume::Done);
        }
    }

    #[test]
    fn keys_are_checked() {
        assert!(check_key("order-1").is_ok());
        assert!(check_key(&"k".repeat(512)).is_ok());
        for bad in ["", "a\r\nb", "tab\there", "nul\0"] {
            assert_eq!(check_key(bad).unwrap_err().kind(), ErrorKind::InvalidKey);
        }
        assert_eq!(
            check_key(&"k".repeat(513)).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        let p = Prepared::raw(b"Subject: x\r\n\r\nx", "a@b.c", &["d@e.f"]).unwrap();
        assert_eq!(default_key(&p).unwrap_err().kind(), ErrorKind::InvalidKey);
        let p = Prepared::raw(b"Message-ID: <m1@b.c>\r\n\r\nx", "a@b.c", &["d@e.f"]).unwrap();
        assert_eq!(default_key(&p).unwrap(), "m1@b.c");
    }

    #[test]
    fn changes_wait_for_a_shared_commit_only_while_some_connection_may_add_one() {
        use crate::delivery::JournalWaits;
        use std::time::Duration;
        let waits = |held, busy| JournalWaits { held, busy };
        let young = Duration::from_micros(200);
        // Every busy connection waits on the journal: nothing more is coming.
        assert_eq!(commit_wait(young, waits(3, 3)), None);
        assert_eq!(commit_wait(young, waits(0, 0)), None);
        // Some are still sending: wait for them, up to the linger.
        assert_eq!(commit_wait(young, waits(1, 3)), Some(COMMIT_LINGER - young));
        assert_eq!(commit_wait(COMMIT_LINGER, waits(1, 3)), None);
        assert_eq!(commit_wait(Duration::MAX, waits(0, 8)), None);
    }

    #[test]
    fn outcomes_recorded_and_read_back() {
        let p = Prepared::raw(b"Message-ID: <m1@b.c>\r\n\r\nx", "a@b.c", &["d@e.f"]).unwrap();
        let pending = Record::pending("k1", &p, 1000);
        assert_eq!(pending.outcome(9), None);
        let delivered = Outcome::Delivered {
            key: Some("k1".into()),
            message_id: Some("m1@b.c".into()),
            ticket: 3,
            queue_id: Some("Q1".into()),
            accepted: vec!["d@e.f".into()],
            refused: vec![(
                "x@e.f".into(),
                Reply::new(550, vec!["5.1.1 no".into(), "such user".into()]),
            )],
            attempts: 2,
            uncertain_attempts: 0,
        };
        let done = pending.finished(&delivered, 2000);
        assert_eq!(done.state, State::Delivered);
        assert_eq!(done.submitted_ms, 1000);
        assert_eq!(done.updated_ms, 2000);
        assert_eq!(done.refused[0].text, "5.1.1 no\nsuch user");
        // Read back with another ticket: the same outcome.
        let Some(Outcome::Delivered { ticket, .. }) = done.outcome(3) else {
            panic!()
        };
        assert_eq!(ticket, 3);
        assert_eq!(done.outcome(3), Some(delivered));
        let failed = Outcome::Failed {
            key: Some("k1".into()),
            message_id: Some("m1@b.c".into()),
            ticket: 4,
            error: Error::new(ErrorKind::SmtpPermanent, "554 no"),
            attempts: 1,
            gave_up: false,
            refused: Vec::new(),
        };
        assert_eq!(pending.finished(&failed, 5).outcome(4), Some(failed));
        let lost = pending.uncertain_after_restart(7);
        assert_eq!(lost.state, State::Uncertain);
        assert!(matches!(lost.outcome(1), Some(Outcome::Uncertain { .. })));
    }
}
