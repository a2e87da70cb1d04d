//! The public types of a session: its configuration, its events and what
//! they carry, and transcript lines.

use crate::error::{Error, Result};
use crate::smtp::credentials::Credentials;
use crate::smtp::reply::Reply;
use crate::smtp::settings::{
    DEFAULT_HELLO_NAME, DEFAULT_MESSAGE_TIMEOUT, DEFAULT_PIPELINING, DEFAULT_TIMEOUT, TlsMode,
    check_hello_name, check_timeout,
};
use std::time::Duration;

/// How a session behaves.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// The name sent with EHLO/HELO (a domain or an address literal; checked
    /// by [`SessionConfig::validate`]).
    pub hello_name: String,
    /// Encryption: with [`TlsMode::Implicit`] the connection is already TLS
    /// (no STARTTLS); [`TlsMode::StartTls`] requires STARTTLS;
    /// [`TlsMode::Opportunistic`] uses it when offered; [`TlsMode::None`] never.
    pub tls: TlsMode,
    /// Authenticate with these, when given.
    pub credentials: Option<Credentials>,
    /// Send MAIL, RCPT and DATA in one flight when the server offers PIPELINING.
    pub pipelining: bool,
    /// Send the next message's MAIL / RCPT / DATA behind the previous
    /// message's data, before its final reply (RFC 2920 section 3.1 allows
    /// it; needs PIPELINING). Off by default: Haraka, which SendCloud runs,
    /// refuses commands pipelined after the end of DATA with 503 (its defence
    /// against SMTP smuggling), so this is only for relays known to take it.
    pub pipeline_after_data: bool,
    /// Keep a transcript (secrets masked) for `take_transcript`.
    pub transcript: bool,
    /// Send credentials even when the connection is not encrypted. Off by
    /// default: without TLS, AUTH fails with `TlsUnavailable` before any
    /// secret is sent. [`ClientOptions`](crate::smtp::ClientOptions) turns
    /// it on for loopback hosts.
    pub allow_plaintext_auth: bool,
    /// The longest wait for a complete reply once its command was sent (the
    /// greeting's from the first `advance`), however slowly it trickles in.
    pub reply_timeout: Duration,
    /// The longest a message may take from MAIL FROM to its final reply.
    pub message_timeout: Duration,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            hello_name: DEFAULT_HELLO_NAME.into(),
            tls: TlsMode::default(),
            credentials: None,
            pipelining: DEFAULT_PIPELINING,
            pipeline_after_data: false,
            transcript: false,
            allow_plaintext_auth: false,
            reply_timeout: DEFAULT_TIMEOUT,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT,
        }
    }
}

impl SessionConfig {
    /// Applies the rules: a valid EHLO name and sendable credentials.
    pub fn validate(&self) -> Result<()> {
        check_hello_name(&self.hello_name)?;
        check_timeout(self.reply_timeout)?;
        check_timeout(self.message_timeout)?;
        if let Some(credentials) = &self.credentials {
            credentials.validate()?;
        }
        Ok(())
    }
}

/// A message handed to the session, identified in its events.
pub type MessageHandle = u64;

/// What a successful delivery to the server looked like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendReport {
    /// The handle `Session::send` returned.
    pub handle: MessageHandle,
    /// The queue id in the final reply, when the server gives one.
    pub queue_id: Option<String>,
    /// Recipients the server accepted.
    pub accepted: Vec<String>,
    /// Recipients the server refused, with its reply.
    pub refused: Vec<(String, Reply)>,
    /// The final reply to the end of DATA.
    pub reply: Reply,
}

/// A message the server did not take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendFailure {
    /// The handle `Session::send` returned.
    pub handle: MessageHandle,
    /// Why (with the server's reply when there is one).
    pub error: Error,
    /// Recipients refused before the failure, with the server's reply.
    pub refused: Vec<(String, Reply)>,
    /// The connection was lost after the end of the data went out and
    /// before the server answered it: the message may have been delivered.
    /// Never resend such a message without saying so.
    pub uncertain: bool,
}

/// What happened, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The server agreed to STARTTLS: the transport must now run the TLS
    /// handshake on the same connection and then call `tls_established`.
    StartTls,
    /// Greeted, encrypted and authenticated as configured: messages flow.
    Ready,
    /// The server accepted a message (only after its final 2xx reply).
    Sent(SendReport),
    /// A message was not accepted; the session goes on with the next one.
    Failed(SendFailure),
    /// The session cannot go on (the error says why); every message not yet
    /// sent was reported `Failed` before this.
    Error(Error),
    /// QUIT was answered (or the connection ended after QUIT).
    Closed,
}

impl Event {
    /// Every event name, in the order of the variants.
    pub const NAMES: &'static [&'static str] =
        &["StartTls", "Ready", "Sent", "Failed", "Error", "Closed"];

    /// The event's name, the same in every binding: `StartTls`, `Ready`,
    /// `Sent`, `Failed`, `Error` or `Closed`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Event::StartTls => "StartTls",
            Event::Ready => "Ready",
            Event::Sent(_) => "Sent",
            Event::Failed(_) => "Failed",
            Event::Error(_) => "Error",
            Event::Closed => "Closed",
        }
    }
}

/// Who said a transcript line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// The client (us).
    Client,
    /// The server.
    Server,
}

impl Direction {
    /// Both directions.
    pub const ALL: &'static [Direction] = &[Direction::Client, Direction::Server];

    /// `client` or `server`, the same in every binding.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Client => "client",
            Direction::Server => "server",
        }
    }

    /// The prefix a transcript line is printed with: `C:` or `S:`.
    pub const fn prefix(self) -> &'static str {
        match self {
            Direction::Client => "C:",
            Direction::Server => "S:",
        }
    }
}

/// One line of the conversation, secrets masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptLine {
    /// Who said it.
    pub direction: Direction,
    /// What was said (without CRLF).
    pub text: String,
}

impl std::fmt::Display for TranscriptLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.direction.prefix(), self.text)
    }
}
