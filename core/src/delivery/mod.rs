//! Delivery at a relay's scale, sans-IO: a [`Dispatcher`] owns many SMTP
//! [`Session`](crate::smtp::Session)s (a connection pool), one shared
//! [`Limiter`] (the relay's quota), retries by class with backoff and jitter,
//! and reports exactly one [`Outcome`] per message: delivered, failed, or
//! uncertain (the connection was lost after the end of the data went out and
//! before the server's answer: never resent unless at-least-once is asked).
//!
//! Like the session, the dispatcher never owns a socket and never reads a
//! clock: a driver feeds it what happened (a connection opened, bytes
//! received, TLS established, a connection lost, the time) and executes the
//! [`Action`]s it asks for (open connection k, send its pending bytes, start
//! TLS, close it), waking it at [`Dispatcher::poll_timeout`]. The drivers in
//! this crate (`delivery::blocking`, feature `net`) and every binding's only
//! execute; every decision is here.
//!
//! ```
//! use mailwright::delivery::{DeliveryConfig, Dispatcher, Prepared};
//! use mailwright::smtp::{SessionConfig, TlsMode};
//! use std::time::Duration;
//!
//! let mut config = DeliveryConfig::default();
//! config.session = SessionConfig { tls: TlsMode::None, ..SessionConfig::default() };
//! let mut dispatcher = Dispatcher::new(config)?;
//! let raw = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
//! let id = dispatcher
//!     .submit(Prepared::raw(raw, "a@example.com", &["b@example.com"])?)
//!     .map_err(|full| full.error)?;
//! dispatcher.advance(Duration::ZERO);
//! // The driver is asked to open a connection for it.
//! assert!(matches!(dispatcher.poll_action(), Some(mailwright::delivery::Action::Open(_))));
//! # let _ = id;
//! # Ok::<(), mailwright::Error>(())
//! ```

#[cfg(feature = "net")]
pub mod blocking;
mod dispatcher;
mod limiter;
mod prepared;
#[cfg(feature = "tokio")]
pub mod tokio;
mod types;

pub use dispatcher::{DataEndMark, Dispatcher};
pub use limiter::{
    GATE_RETRY, GateAnswer, Limiter, MAX_RATE_WINDOW, QUOTA_MARGIN, QuotaGate, Rate, WindowLimiter,
};
pub use prepared::Prepared;
pub use types::{
    Action, ConnId, Counters, JournalWaits, Outcome, SubmitError, Ticket, closed_error,
};

use crate::error::{Error, ErrorKind, Result};
use crate::smtp::SessionConfig;
use crate::smtp::settings::check_timeout;
use std::time::Duration;

/// How retries are made: transient failures (4xx, 536, a lost or timed-out
/// connection before the end of the data) are tried again with exponential
/// backoff and jitter, at most `max_attempts` times and within `deadline` of
/// the submission; permanent failures (5xx) are never retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The wait before the second attempt; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// The longest a message may take from submission to its outcome.
    pub deadline: Duration,
}

impl RetryPolicy {
    /// The exponential wait after `failures` failures in a row (1: the
    /// first): `initial_backoff * 2^(failures-1)`, at most `max_backoff`.
    /// The dispatcher waits a random part of it (full jitter) before a
    /// message's next attempt, and all of it before opening a connection
    /// again after failures to open one.
    pub fn backoff(&self, failures: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            deadline: Duration::from_secs(600),
        }
    }
}

/// Everything a [`Dispatcher`] needs to know.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// Each connection's SMTP session (TLS mode, credentials, EHLO name,
    /// pipelining, time-outs).
    pub session: SessionConfig,
    /// The most connections open at once.
    pub connections: usize,
    /// A connection is closed (and replaced when needed) after this many
    /// messages; `None`: no limit.
    pub messages_per_connection: Option<usize>,
    /// An idle connection is closed (QUIT) after this long.
    pub idle_timeout: Duration,
    /// The most messages waiting (queued or waiting for a retry); `submit`
    /// says `Full` beyond it.
    pub queue_capacity: usize,
    /// Retries by class.
    pub retry: RetryPolicy,
    /// The quota shared by every connection (`None`: no throttle, though a
    /// `536` still pauses every connection for `rate_limited_pause`).
    pub rate: Option<Rate>,
    /// How long every connection stops after a `536` when no rate is set
    /// (with a rate, its window).
    pub rate_limited_pause: Duration,
    /// Resend uncertain messages (the relay may then hold them twice; each
    /// such resend is reported in its outcome's `uncertain_attempts`).
    pub at_least_once: bool,
    /// Seeds the jitter of the backoff: fixed in tests (`Some`), drawn from
    /// the system's randomness by default (`None`), so that processes
    /// started together do not retry in step.
    pub seed: Option<u64>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            session: SessionConfig::default(),
            connections: 4,
            messages_per_connection: Some(1000),
            idle_timeout: Duration::from_secs(30),
            queue_capacity: 10_000,
            retry: RetryPolicy::default(),
            rate: None,
            rate_limited_pause: Duration::from_secs(60),
            at_least_once: false,
            seed: None,
        }
    }
}

impl DeliveryConfig {
    /// Applies every rule (the session's, and positive counts and durations).
    pub fn validate(&self) -> Result<()> {
        self.session.validate()?;
        let bad = |what: &str| Err(Error::new(ErrorKind::InvalidOption, what.to_string()));
        if self.connections == 0 || self.connections > 1024 {
            return bad("connections must be 1 to 1024");
        }
        if self.messages_per_connection == Some(0) {
            return bad("messages_per_connection must be at least 1 (or unset)");
        }
        if self.queue_capacity == 0 {
            return bad("queue_capacity must be at least 1");
        }
        if self.retry.max_attempts == 0 {
            return bad("retry.max_attempts must be at least 1");
        }
        check_timeout(self.idle_timeout)?;
        check_timeout(self.retry.initial_backoff)?;
        check_timeout(self.retry.max_backoff)?;
        check_timeout(self.retry.deadline)?;
        check_timeout(self.rate_limited_pause)?;
        if let Some(rate) = &self.rate {
            rate.validate()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_wait_up_to_the_cap() {
        let retry = RetryPolicy {
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(3),
            ..RetryPolicy::default()
        };
        let waits: Vec<u128> = (0..8).map(|n| retry.backoff(n).as_millis()).collect();
        assert_eq!(waits, [250, 250, 500, 1000, 2000, 3000, 3000, 3000]);
        // Far past the shift's cap: still the cap, no overflow.
        assert_eq!(retry.backoff(u32::MAX), Duration::from_secs(3));
    }
}
