//! A sans-IO SMTP client session: server bytes in, client bytes and events
//! out. It never touches a socket, never reads a clock and never panics; a
//! transport (see `transport`, or a binding's own event loop) moves the bytes.
//!
//! ```
//! use mailwright::smtp::{Event, Session, SessionConfig, TlsMode};
//! let mut session = Session::new(SessionConfig { tls: TlsMode::None, ..SessionConfig::default() })?;
//! session.receive(b"220 mx ESMTP ready\r\n");
//! assert_eq!(session.take_output(), b"EHLO localhost\r\n");
//! session.receive(b"250-mx\r\n250 PIPELINING\r\n");
//! assert!(matches!(session.poll_event(), Some(Event::Ready)));
//! # Ok::<(), mailwright::Error>(())
//! ```

mod commands;
mod dot;
mod opening;
mod transaction;
mod types;

pub use dot::DotStuffer;
pub use types::{
    Direction, Event, MessageHandle, SendFailure, SendReport, SessionConfig, TranscriptLine,
};

use super::auth::{AuthLine, Mechanism};
use super::capabilities::Capabilities;
use super::reply::{Reply, ReplyParser};
use super::settings::ConnectionLoss;
use crate::error::{Error, ErrorKind, Result};
use crate::message::Message;
use dot::finish_data;
use std::collections::VecDeque;
use zeroize::Zeroize;

/// What the next reply answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt(usize),
    Data,
    DataEnd,
    Rset,
    Quit,
}

impl Expect {
    /// What a time-out waited for, for its message.
    fn waits_for(self) -> &'static str {
        match self {
            Expect::Greeting => "the greeting",
            Expect::Ehlo => "EHLO",
            Expect::Helo => "HELO",
            Expect::StartTls => "STARTTLS",
            Expect::Auth => "AUTH",
            Expect::Mail => "MAIL FROM",
            Expect::Rcpt(_) => "RCPT TO",
            Expect::Data => "DATA",
            Expect::DataEnd => "the end of the data (the final dot)",
            Expect::Rset => "RSET",
            Expect::Quit => "QUIT",
        }
    }
}

/// The longest wait for the answer to QUIT (or the reply's time-out, if
/// shorter): a session that ends says QUIT, but never waits long for its
/// answer, and an unanswered QUIT is no error (nothing is pending).
pub const QUIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the greeting, EHLO, STARTTLS or AUTH.
    Opening,
    /// STARTTLS accepted: waiting for the transport's handshake.
    TlsHandshake,
    /// Ready for transactions.
    Open,
    /// QUIT sent.
    Quitting,
    /// Over (closed or failed).
    Done,
}

struct Outgoing {
    handle: MessageHandle,
    sender: String,
    recipients: Vec<String>,
    /// The data holds a byte above 127 (`BODY=8BITMIME` is declared only
    /// then, where the server offers it).
    eight_bit: bool,
    /// The dot-stuffed message with its terminating `.` line.
    data: bytes::Bytes,
    size: usize,
}

struct Transaction {
    message: Outgoing,
    mail_ok: bool,
    accepted: Vec<String>,
    refused: Vec<(String, Reply)>,
    /// The first failure (MAIL or DATA refused, every RCPT refused).
    error: Option<Error>,
    /// Replies still expected for the commands of this transaction.
    next_rcpt: usize,
    /// When the transaction began (the clock given to `advance`).
    started: std::time::Duration,
}

/// Output bytes, some of which may hold a secret (zeroized once sent).
struct Chunk {
    bytes: ChunkBytes,
    secret: bool,
}

/// A command line (owned, zeroized when secret), or message data shared
/// with the caller (a retry sends the same bytes again without a copy).
enum ChunkBytes {
    Owned(Vec<u8>),
    Shared(bytes::Bytes),
}

impl ChunkBytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            ChunkBytes::Owned(v) => v,
            ChunkBytes::Shared(b) => b,
        }
    }

    fn zeroize(&mut self) {
        if let ChunkBytes::Owned(v) = self {
            v.zeroize();
        }
    }
}

/// The most lines a transcript keeps before dropping the oldest (about
/// 1,000 messages' worth when each is drained after it is sent).
pub const MAX_TRANSCRIPT_LINES: usize = 10_000;

/// The sans-IO client session.
pub struct Session {
    config: SessionConfig,
    parser: ReplyParser,
    /// What each awaited reply answers, with the output position its command
    /// ends at: a reply may only answer a command already sent.
    expect: VecDeque<(Expect, u64)>,
    output: VecDeque<Chunk>,
    output_offset: usize,
    /// Bytes queued for sending, and bytes the transport sent, since the start.
    pushed: u64,
    consumed: u64,
    events: VecDeque<Event>,
    transcript: VecDeque<TranscriptLine>,
    /// Lines dropped because the transcript was full.
    transcript_dropped: u64,
    phase: Phase,
    tls_active: bool,
    capabilities: Capabilities,
    auth: Option<AuthState>,
    queue: VecDeque<Outgoing>,
    /// The transaction in its MAIL / RCPT / DATA phase.
    current: Option<Transaction>,
    /// The transaction whose data went out, awaiting the reply to its end
    /// (under PIPELINING the next `current` may already be on its way).
    finishing: Option<Transaction>,
    next_handle: MessageHandle,
    quit_requested: bool,
    /// The transport's clock, as last reported by `advance` (any origin).
    now: std::time::Duration,
    /// When the awaited reply's command was fully sent (its clock started).
    waiting_since: Option<std::time::Duration>,
    /// With `report_data_ends`, the messages whose end of data is in the
    /// output (see [`Session::poll_data_end`]); `None`: not kept.
    data_ends: Option<VecDeque<MessageHandle>>,
}

struct AuthState {
    mechanism: Mechanism,
    username_sent: bool,
    rounds: u8,
    /// What was sent during AUTH (base64 tokens, and the secret itself), so
    /// that a server echoing it back never puts it in a reply, an error or
    /// the transcript.
    sent: Vec<zeroize::Zeroizing<String>>,
}

impl Session {
    /// A session waiting for the server's greeting. The configuration is
    /// checked first ([`SessionConfig::validate`]).
    pub fn new(config: SessionConfig) -> Result<Session> {
        config.validate()?;
        let tls_active = config.tls.is_implicit();
        Ok(Session {
            config,
            parser: ReplyParser::new(),
            expect: VecDeque::from([(Expect::Greeting, 0)]),
            output: VecDeque::new(),
            output_offset: 0,
            pushed: 0,
            consumed: 0,
            events: VecDeque::new(),
            transcript: VecDeque::new(),
            transcript_dropped: 0,
            phase: Phase::Opening,
            tls_active,
            capabilities: Capabilities::default(),
            auth: None,
            queue: VecDeque::new(),
            current: None,
            finishing: None,
            next_handle: 1,
            quit_requested: false,
            now: std::time::Duration::ZERO,
            waiting_since: None,
            data_ends: None,
        })
    }

    /// The server's capabilities from the latest EHLO.
    pub fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// True once TLS is on (STARTTLS done, or implicit TLS).
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// True when the session is over (closed or failed).
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// True when the session waits for the transport's TLS handshake.
    pub fn wants_tls(&self) -> bool {
        self.phase == Phase::TlsHandshake
    }

    /// True when nothing is queued or in flight.
    pub fn is_idle(&self) -> bool {
        self.current.is_none() && self.finishing.is_none() && self.queue.is_empty()
    }

    /// Bytes the transport should send now (the front chunk; call again
    /// after `consume_output`).
    pub fn pending_output(&self) -> &[u8] {
        self.output.front().map_or(&[][..], |c| {
            let bytes = c.bytes.as_slice();
            &bytes[self.output_offset.min(bytes.len())..]
        })
    }

    /// Marks `n` bytes of `pending_output` as sent.
    pub fn consume_output(&mut self, n: usize) {
        self.consume(n);
        self.start_reply_clock();
    }

    fn consume(&mut self, n: usize) {
        let mut n = n;
        while n > 0 {
            let Some(front) = self.output.front_mut() else {
                break;
            };
            let left = front
                .bytes
                .as_slice()
                .len()
                .saturating_sub(self.output_offset);
            if n < left {
                self.output_offset += n;
                self.consumed += n as u64;
                return;
            }
            n -= left;
            self.consumed += left as u64;
            self.output_offset = 0;
            if let Some(mut chunk) = self.output.pop_front()
                && chunk.secret
            {
                chunk.bytes.zeroize();
            }
        }
    }

    /// Reports the transport's clock (a monotonic reading from any origin,
    /// e.g. the time since the connection was opened). The session starts a
    /// reply's clock when its command has been sent, and fails with
    /// `Timeout` when a complete reply takes longer than the configured
    /// `reply_timeout`, or a message longer than `message_timeout`, however
    /// the bytes trickle in. Transports call it before and after each wait;
    /// a transport that never calls it gets no deadlines from the session.
    pub fn advance(&mut self, now: std::time::Duration) {
        if self.phase == Phase::Done {
            return;
        }
        self.now = self.now.max(now);
        self.start_reply_clock();
        let Some(deadline) = self.poll_timeout() else {
            return;
        };
        if self.now < deadline {
            return;
        }
        if self.phase == Phase::Quitting && self.is_idle() {
            // QUIT unanswered: nothing is lost, the session is over.
            self.phase = Phase::Done;
            self.expect.clear();
            self.events.push_back(Event::Closed);
            return;
        }
        let awaited = self
            .expect
            .front()
            .map_or("a reply", |&(e, _)| e.waits_for());
        let message = match self.oldest_transaction_start() {
            Some(since) if since.saturating_add(self.config.message_timeout) <= self.now => {
                format!(
                    "the server did not answer in time: the message took more than {} s \
                 (it was waiting for {awaited})",
                    crate::decimal::fixed(self.config.message_timeout.as_secs_f64(), 3)
                )
            }
            _ => format!(
                "the server did not answer in time: no complete reply to {awaited} within {} s",
                crate::decimal::fixed(self.config.reply_timeout.as_secs_f64(), 3)
            ),
        };
        self.fail_session(Error::new(ErrorKind::Timeout, message));
    }

    /// The instant (on the clock given to `advance`) by which the session
    /// must hear from the server, if it waits for anything: the transport
    /// waits at most until then, then calls `advance`. (Far-off clocks
    /// saturate: no deadline ever overflows.)
    pub fn poll_timeout(&self) -> Option<std::time::Duration> {
        if self.phase == Phase::Done || self.phase == Phase::TlsHandshake {
            return None;
        }
        let reply_timeout = if self.phase == Phase::Quitting {
            self.config.reply_timeout.min(QUIT_TIMEOUT)
        } else {
            self.config.reply_timeout
        };
        let reply = self
            .waiting_since
            .map(|since| since.saturating_add(reply_timeout));
        let message = self
            .oldest_transaction_start()
            .map(|started| started.saturating_add(self.config.message_timeout));
        match (reply, message) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn oldest_transaction_start(&self) -> Option<std::time::Duration> {
        self.finishing
            .as_ref()
            .or(self.current.as_ref())
            .map(|txn| txn.started)
    }

    /// True while a reply is awaited (a transport must read).
    pub fn awaits_reply(&self) -> bool {
        self.phase != Phase::Done && self.phase != Phase::TlsHandshake && !self.expect.is_empty()
    }

    /// Messages queued or in a transaction, not yet reported.
    pub fn pending_messages(&self) -> usize {
        self.queue.len()
            + usize::from(self.current.is_some())
            + usize::from(self.finishing.is_some())
    }

    /// Starts the awaited reply's clock once its command is fully sent.
    fn start_reply_clock(&mut self) {
        if self.waiting_since.is_none()
            && let Some(&(_, sent_at)) = self.expect.front()
            && sent_at <= self.consumed
        {
            self.waiting_since = Some(self.now);
        }
    }

    /// Keeps the messages whose end of data (the final `.` line) goes into
    /// the output, for [`Session::poll_data_end`]; off by default. A
    /// durable record of deliveries (a ledger) needs them: once those bytes
    /// are written the relay may hold the message, so a crash after that
    /// point must report it uncertain, never send it again.
    pub fn report_data_ends(&mut self, on: bool) {
        self.data_ends = on.then(VecDeque::new);
    }

    /// The next message whose end of data is now in the output (with
    /// [`Session::report_data_ends`]): record it durably before writing the
    /// output. A message whose data is replaced by the empty one of a
    /// pipelined transaction that was refused is not reported (nothing can
    /// be delivered).
    pub fn poll_data_end(&mut self) -> Option<MessageHandle> {
        self.data_ends.as_mut()?.pop_front()
    }

    /// Everything waiting to be sent, as one buffer (convenient for tests and
    /// simple transports); secrets in it are the caller's to erase.
    pub fn take_output(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while !self.pending_output().is_empty() {
            let pending = self.pending_output();
            out.extend_from_slice(pending);
            let n = pending.len();
            self.consume_output(n);
        }
        out
    }

    /// True when bytes are waiting to be sent.
    pub fn has_output(&self) -> bool {
        !self.pending_output().is_empty()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The transcript so far (when enabled), emptied. It keeps at most
    /// [`MAX_TRANSCRIPT_LINES`] lines: drain it as you go on a long-lived
    /// session ([`Session::transcript_dropped`] counts what was dropped).
    pub fn take_transcript(&mut self) -> Vec<TranscriptLine> {
        std::mem::take(&mut self.transcript).into()
    }

    /// How many transcript lines were dropped, oldest first, because the
    /// transcript was full.
    pub fn transcript_dropped(&self) -> u64 {
        self.transcript_dropped
    }

    /// Queues a message. It is refused at once (`MessageTooLarge`, before any
    /// MAIL) when larger than the server's SIZE, once that is known.
    pub fn send(&mut self, message: &Message) -> Result<MessageHandle> {
        if self.phase == Phase::Done || self.phase == Phase::Quitting || self.quit_requested {
            return Err(Error::new(
                ErrorKind::InvalidState,
                "the session is closing or closed",
            ));
        }
        let size = message.size();
        self.check_size(size)?;
        let mut data = Vec::with_capacity(size + size / 64 + 8);
        message.write_to(DotStuffer::new(&mut data))?;
        finish_data(&mut data);
        let envelope = message.envelope();
        Ok(self.enqueue(Outgoing {
            handle: 0,
            sender: envelope.sender().to_string(),
            recipients: envelope.recipients().map(str::to_string).collect(),
            eight_bit: !data.is_ascii(),
            data: data.into(),
            size,
        }))
    }

    /// Queues a message already prepared for DATA (see
    /// [`crate::delivery::Prepared`]): the dot-stuffed bytes with their
    /// terminating `.` line, the size the server is told, and the envelope.
    /// The envelope gets the checks of every other path (an address, never
    /// a line break that would smuggle a second command): a bad one is
    /// `HeaderInjection` (a line break), `InvalidAddress` or `NoRecipients`,
    /// and nothing is queued.
    pub fn send_prepared(
        &mut self,
        data: bytes::Bytes,
        size: usize,
        sender: &str,
        recipients: &[String],
    ) -> Result<MessageHandle> {
        if !sender.is_empty() {
            crate::address::Mailbox::new(None, sender)?;
        }
        if recipients.is_empty() {
            return Err(Error::new(
                ErrorKind::NoRecipients,
                "a message needs at least one recipient",
            ));
        }
        for rcpt in recipients {
            crate::address::Mailbox::new(None, rcpt)?;
        }
        self.send_checked(data, size, sender, recipients)
    }

    /// [`Session::send_prepared`] for an envelope already checked (a
    /// `Prepared` message's).
    pub(crate) fn send_checked(
        &mut self,
        data: bytes::Bytes,
        size: usize,
        sender: &str,
        recipients: &[String],
    ) -> Result<MessageHandle> {
        if self.phase == Phase::Done || self.phase == Phase::Quitting || self.quit_requested {
            return Err(Error::new(
                ErrorKind::InvalidState,
                "the session is closing or closed",
            ));
        }
        self.check_size(size)?;
        Ok(self.enqueue(Outgoing {
            handle: 0,
            sender: sender.to_string(),
            recipients: recipients.to_vec(),
            eight_bit: !data.is_ascii(),
            data,
            size,
        }))
    }

    fn enqueue(&mut self, mut message: Outgoing) -> MessageHandle {
        message.handle = self.next_handle;
        self.next_handle += 1;
        let handle = message.handle;
        self.queue.push_back(message);
        self.pump();
        // Behind data already sent, without waiting for its reply.
        if self.finishing.is_some() {
            self.pump_behind_data();
        }
        handle
    }

    /// Ends the session with QUIT once every queued message is done.
    pub fn quit(&mut self) {
        self.quit_requested = true;
        self.pump();
    }

    /// The transport finished the TLS handshake after `Event::StartTls`.
    pub fn tls_established(&mut self) {
        if self.phase != Phase::TlsHandshake {
            return;
        }
        self.tls_active = true;
        self.phase = Phase::Opening;
        self.capabilities = Capabilities::default();
        self.parser.clear();
        self.command(commands::ehlo(&self.config.hello_name), Expect::Ehlo);
    }

    /// The connection is gone; `cause` is what the transport saw and
    /// `detail` what it knows (an OS error, a TLS alert). Every message not
    /// yet acknowledged fails with the cause's error (never reported sent).
    pub fn connection_lost(&mut self, cause: ConnectionLoss, detail: &str) {
        self.connection_failed(cause.error(detail));
    }

    /// [`Session::connection_lost`] with an error the transport already holds
    /// (its kind should be one of a [`ConnectionLoss`] cause's).
    pub fn connection_failed(&mut self, error: Error) {
        if self.phase == Phase::Done {
            return;
        }
        if self.phase == Phase::Quitting && self.is_idle() {
            self.phase = Phase::Done;
            self.events.push_back(Event::Closed);
            return;
        }
        self.fail_session(error);
    }

    /// Feeds bytes received from the server.
    pub fn receive(&mut self, data: &[u8]) {
        if self.phase == Phase::Done {
            return;
        }
        if self.phase == Phase::TlsHandshake {
            // Nothing may arrive between the 220 to STARTTLS and the handshake
            // (a man in the middle could inject replies there).
            self.fail_session(Error::new(
                ErrorKind::Protocol,
                "the server sent data before the TLS handshake",
            ));
            return;
        }
        self.parser.feed(data);
        while self.phase != Phase::Done && self.phase != Phase::TlsHandshake {
            match self.parser.next_reply() {
                None => break,
                Some(Err(err)) => {
                    self.fail_session(err);
                    break;
                }
                Some(Ok(reply)) => self.handle(reply),
            }
        }
        self.start_reply_clock();
        if self.phase == Phase::TlsHandshake && self.parser.has_buffered() {
            self.fail_session(Error::new(
                ErrorKind::Protocol,
                "the server sent data after agreeing to STARTTLS",
            ));
        }
    }

    fn check_size(&self, size: usize) -> Result<()> {
        match self.capabilities.size {
            Some(limit) if limit > 0 && size as u64 > limit => Err(Error::new(
                ErrorKind::MessageTooLarge,
                format!("the message is {size} bytes; the server accepts at most {limit} (SIZE)"),
            )),
            _ => Ok(()),
        }
    }

    fn log(&mut self, direction: Direction, text: String) {
        if self.config.transcript {
            if self.transcript.len() >= MAX_TRANSCRIPT_LINES {
                self.transcript.pop_front();
                self.transcript_dropped += 1;
            }
            self.transcript
                .push_back(TranscriptLine { direction, text });
        }
    }

    /// Queues bytes to send, then awaits the reply to them.
    fn push_shared(&mut self, bytes: bytes::Bytes, expect: Expect) {
        self.pushed += bytes.len() as u64;
        self.output.push_back(Chunk {
            bytes: ChunkBytes::Shared(bytes),
            secret: false,
        });
        self.expect.push_back((expect, self.pushed));
    }

    fn push(&mut self, bytes: Vec<u8>, secret: bool, expect: Expect) {
        self.pushed += bytes.len() as u64;
        self.output.push_back(Chunk {
            bytes: ChunkBytes::Owned(bytes),
            secret,
        });
        self.expect.push_back((expect, self.pushed));
    }

    fn command(&mut self, line: String, expect: Expect) {
        self.log(Direction::Client, line.clone());
        let mut bytes = line.into_bytes();
        bytes.extend_from_slice(b"\r\n");
        self.push(bytes, false, expect);
    }

    fn secret_command(&mut self, line: AuthLine, expect: Expect) {
        let AuthLine { bytes, shown } = line;
        if let Some(state) = self.auth.as_mut() {
            let text = String::from_utf8_lossy(&bytes);
            let token = text.trim_end().rsplit(' ').next().unwrap_or_default();
            if token.len() >= 4 {
                state.sent.push(zeroize::Zeroizing::new(token.to_string()));
            }
        }
        self.log(Direction::Client, shown);
        self.push(bytes.to_vec(), true, expect);
    }

    fn handle(&mut self, reply: Reply) {
        let awaited = self.expect.pop_front();
        self.waiting_since = None;
        let reply = match awaited {
            Some((Expect::Auth, _)) => self.redact_auth_echo(reply),
            _ => reply,
        };
        self.log_reply(&reply);
        // 421: the server is closing the connection, whatever we asked (it
        // may also say so unasked, RFC 5321 section 3.8).
        if reply.code() == 421 && !matches!(awaited, Some((Expect::Quit, _))) {
            self.fail_session(Error::from_reply(
                "the server is closing the connection",
                reply,
            ));
            return;
        }
        let Some((expect, sent_at)) = awaited else {
            self.fail_session(Error::with_reply(
                ErrorKind::Protocol,
                "a reply while none was awaited",
                reply,
            ));
            return;
        };
        if sent_at > self.consumed {
            // An early talker, or a man in the middle: this reply cannot
            // answer a command the server has not seen yet.
            self.fail_session(Error::with_reply(
                ErrorKind::Protocol,
                "the server replied before the command was sent",
                reply,
            ));
            return;
        }
        match expect {
            Expect::Greeting => self.on_greeting(reply),
            Expect::Ehlo => self.on_ehlo(reply),
            Expect::Helo => self.on_helo(reply),
            Expect::StartTls => self.on_starttls(reply),
            Expect::Auth => self.on_auth(reply),
            Expect::Mail => self.on_mail(reply),
            Expect::Rcpt(i) => self.on_rcpt(i, reply),
            Expect::Data => self.on_data(reply),
            Expect::DataEnd => self.on_data_end(reply),
            Expect::Rset => self.pump(),
            Expect::Quit => {
                self.phase = Phase::Done;
                self.events.push_back(Event::Closed);
            }
        }
    }

    fn log_reply(&mut self, reply: &Reply) {
        if self.config.transcript {
            for line in reply.to_string().split("\r\n") {
                self.log(Direction::Server, line.to_string());
            }
        }
    }

    /// Ends the session after the server's refusal (a reply other than
    /// 421) or a local refusal that follows a complete reply (no STARTTLS,
    /// no AUTH): every pending message fails with `error`, as with
    /// `fail_session`, and then the session says QUIT, since the server can
    /// still hear it. Dropping the connection without a word is what
    /// servers log as a lost connection (and what fail2ban-style filters ban
    /// hosts for). The session is done once QUIT is answered, the
    /// connection is gone, or [`QUIT_TIMEOUT`] passes.
    fn end_with_quit(&mut self, error: Error) {
        if self.phase == Phase::Done || self.phase == Phase::TlsHandshake {
            return self.fail_session(error);
        }
        self.fail_session(error);
        self.auth = None;
        self.phase = Phase::Quitting;
        self.quit_requested = true;
        self.command(commands::QUIT.into(), Expect::Quit);
    }

    /// Ends the session: every pending message fails with `error`.
    fn fail_session(&mut self, error: Error) {
        if self.phase == Phase::Done {
            return;
        }
        if self.phase == Phase::Quitting && self.is_idle() {
            // Whatever ends a session that only waits for QUIT's answer
            // ends it well: nothing was pending.
            self.phase = Phase::Done;
            self.expect.clear();
            self.discard_output();
            self.events.push_back(Event::Closed);
            return;
        }
        self.phase = Phase::Done;
        // The end of the data went out and no reply came: the server may
        // have accepted the message. Reported as such, never as not sent.
        let data_end_sent = self
            .expect
            .iter()
            .any(|&(expect, sent_at)| expect == Expect::DataEnd && sent_at <= self.consumed);
        for (txn, uncertain) in [
            (self.finishing.take(), data_end_sent),
            (self.current.take(), false),
        ] {
            if let Some(txn) = txn {
                let uncertain = uncertain && txn.error.is_none();
                self.events.push_back(Event::Failed(SendFailure {
                    handle: txn.message.handle,
                    error: error.clone(),
                    refused: txn.refused,
                    uncertain,
                }));
            }
        }
        while let Some(message) = self.queue.pop_front() {
            self.events.push_back(Event::Failed(SendFailure {
                handle: message.handle,
                error: error.clone(),
                refused: Vec::new(),
                uncertain: false,
            }));
        }
        self.expect.clear();
        self.discard_output();
        self.waiting_since = None;
        self.events.push_back(Event::Error(error));
    }

    /// Drops the output not yet sent (secrets erased first).
    fn discard_output(&mut self) {
        for chunk in self.output.iter_mut().filter(|c| c.secret) {
            chunk.bytes.zeroize();
        }
        self.output.clear();
        self.output_offset = 0;
        // What is queued next is sent right after what was sent.
        self.pushed = self.consumed;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for chunk in self.output.iter_mut().filter(|c| c.secret) {
            chunk.bytes.zeroize();
        }
    }
}
