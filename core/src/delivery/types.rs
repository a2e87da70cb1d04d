//! The public types of delivery: what a driver is asked to do ([`Action`]),
//! the one final [`Outcome`] of each message, a refused submission, and the
//! dispatcher's [`Counters`].

use super::Prepared;
use crate::error::{Error, ErrorKind};
use crate::smtp::Reply;

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
        /// The key it was submitted under (the caller's, or under a ledger
        /// its Message-ID by default), when it has one.
        key: Option<String>,
        /// Its Message-ID (without angle brackets), when it has one.
        message_id: Option<String>,
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
        /// The key it was submitted under (the caller's, or under a ledger
        /// its Message-ID by default), when it has one.
        key: Option<String>,
        /// Its Message-ID (without angle brackets), when it has one.
        message_id: Option<String>,
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
        /// The key it was submitted under (the caller's, or under a ledger
        /// its Message-ID by default), when it has one.
        key: Option<String>,
        /// Its Message-ID (without angle brackets), when it has one.
        message_id: Option<String>,
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

    /// The key it was submitted under, when it has one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Outcome::Delivered { key, .. }
            | Outcome::Failed { key, .. }
            | Outcome::Uncertain { key, .. } => key.as_deref(),
        }
    }

    /// Its Message-ID (without angle brackets), when it has one.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Outcome::Delivered { message_id, .. }
            | Outcome::Failed { message_id, .. }
            | Outcome::Uncertain { message_id, .. } => message_id.as_deref(),
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

/// Connections waiting on the journal ([`crate::delivery::Dispatcher::journal_waits`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalWaits {
    /// Connections whose output is held until a mark is durable.
    pub held: usize,
    /// Connections carrying at least one message.
    pub busy: usize,
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
