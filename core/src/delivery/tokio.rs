//! The async driver (feature `tokio`): tokio and tokio-rustls executing a
//! [`Dispatcher`]'s actions. One task owns the dispatcher; one task per
//! connection moves bytes. Every decision is the dispatcher's.
//!
//! With a ledger ([`Mailer::with_ledger`]) the mailer is the core's
//! threaded engine with that ledger ([`super::blocking::Mailer`]: its group
//! commit, the marks made durable before each final dot, the take-over of
//! what a dead process left), awaited from tokio without blocking the
//! runtime (its calls that may wait run on tokio's blocking threads).
//!
//! ```no_run
//! # async fn demo() -> mailwright::Result<()> {
//! use mailwright::delivery::tokio::Mailer;
//! use mailwright::delivery::{DeliveryConfig, Prepared};
//! use mailwright::smtp::ClientOptions;
//! let mailer = Mailer::new(ClientOptions::new("smtp.example.com", 2525), DeliveryConfig::default())?;
//! let raw = b"From: a@example.com\r\nTo: b@example.com\r\n\r\nhi\r\n";
//! let outcome = mailer.send(Prepared::raw(raw, "a@example.com", &["b@example.com"])?).await?;
//! println!("{outcome:?}");
//! mailer.close().await;
//! # Ok(()) }
//! ```

use super::{
    Action, ConnId, Counters, DeliveryConfig, Dispatcher, Outcome, Prepared, QuotaGate, Ticket,
};
use crate::error::{Error, Result};
use crate::smtp::transport::server_name;
use crate::smtp::{ClientOptions, ConnectionLoss, LossStage};
use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::TcpStream;
use ::tokio::sync::{mpsc, oneshot};
use ::tokio::time::Instant;
use rustls::pki_types::ServerName;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

enum Command {
    Submit(
        Prepared,
        oneshot::Sender<Result<oneshot::Receiver<Outcome>>>,
    ),
    Counters(oneshot::Sender<Counters>),
    Close(oneshot::Sender<()>),
}

enum ConnEvent {
    Opened(ConnId, mpsc::UnboundedSender<ConnCommand>),
    Received(ConnId, Vec<u8>),
    TlsEstablished(ConnId),
    Lost(ConnId, ConnectionLoss, String),
}

enum ConnCommand {
    Write(Vec<u8>),
    StartTls,
    Close,
}

/// The async mailer: clone-free handle to a driver task on the current tokio
/// runtime. Dropping it without `close` stops the driver too.
pub struct Mailer {
    inner: Inner,
}

enum Inner {
    /// The tokio driver task.
    Driver(mpsc::UnboundedSender<Command>),
    /// With a ledger: the core's threaded engine.
    Ledger(Arc<super::blocking::Mailer>),
}

impl Mailer {
    /// Starts the driver task (must be called inside a tokio runtime).
    pub fn new(options: ClientOptions, delivery: DeliveryConfig) -> Result<Mailer> {
        Mailer::start(options, delivery, None)
    }

    /// The same, sharing the quota with other processes through `gate`
    /// (see [`QuotaGate`]): the relay's window is then never exceeded by
    /// all of them together.
    pub fn with_gate(
        options: ClientOptions,
        delivery: DeliveryConfig,
        gate: Box<dyn QuotaGate>,
    ) -> Result<Mailer> {
        Mailer::start(options, delivery, Some(gate))
    }

    /// A mailer that records every message in `store` (see
    /// [`super::blocking::Mailer::with_ledger`]: what an earlier process
    /// left unsent is taken up at once, [`Mailer::resumed`] says what).
    /// Opens no connection until there is something to send. May wait for
    /// the store (it opens and reads it): call it before the hot path, or
    /// from `spawn_blocking`.
    pub fn with_ledger(
        options: ClientOptions,
        delivery: DeliveryConfig,
        store: Box<dyn crate::ledger::Store>,
    ) -> Result<Mailer> {
        let mailer = super::blocking::Mailer::with_ledger(options, delivery, store)?;
        Ok(Mailer {
            inner: Inner::Ledger(Arc::new(mailer)),
        })
    }

    /// What opening the ledger took up (nothing without a ledger).
    pub fn resumed(&self) -> super::blocking::Resumed {
        match &self.inner {
            Inner::Driver(_) => super::blocking::Resumed::default(),
            Inner::Ledger(m) => m.resumed(),
        }
    }

    /// Queues a message under `key` (see
    /// [`super::blocking::Mailer::submit_keyed_batch`]): a key the ledger
    /// already holds is not sent again, its recorded outcome comes. Needs a
    /// ledger (else [`crate::ledger::needs_ledger_error`]).
    pub async fn submit_keyed(
        &self,
        key: &str,
        message: Prepared,
    ) -> Result<oneshot::Receiver<Outcome>> {
        let Inner::Ledger(m) = &self.inner else {
            return Err(crate::ledger::needs_ledger_error());
        };
        let (m, key) = (m.clone(), key.to_string());
        let (tx, rx) = oneshot::channel();
        blocking(move || {
            m.submit_keyed_with(&key, message, move |o| {
                tx.send(o).ok();
            })
        })
        .await?;
        Ok(rx)
    }

    /// Sends one message under `key`; resolves to its outcome.
    pub async fn send_keyed(&self, key: &str, message: Prepared) -> Result<Outcome> {
        let outcome = self.submit_keyed(key, message).await?;
        outcome.await.map_err(|_| closed())
    }

    fn start(
        options: ClientOptions,
        delivery: DeliveryConfig,
        gate: Option<Box<dyn QuotaGate>>,
    ) -> Result<Mailer> {
        let dispatcher = Dispatcher::for_client(&options, delivery, gate)?;
        let connector = TlsConnector::from(options.tls_config()?);
        let server = server_name(options.server_name())?;
        let (commands, rx) = mpsc::unbounded_channel();
        let driver = Driver {
            dispatcher,
            options: Arc::new(options),
            connector,
            server,
            epoch: Instant::now(),
            conns: HashMap::new(),
            waiters: HashMap::new(),
            waiting_room: Vec::new(),
            closing: None,
        };
        ::tokio::spawn(driver.run(rx));
        Ok(Mailer {
            inner: Inner::Driver(commands),
        })
    }

    /// Queues a message (waiting while the queue is full); the returned
    /// future resolves to its outcome. With a ledger it is keyed by its
    /// Message-ID.
    pub async fn submit(&self, message: Prepared) -> Result<oneshot::Receiver<Outcome>> {
        let commands = match &self.inner {
            Inner::Driver(commands) => commands,
            Inner::Ledger(m) => {
                let (tx, rx) = oneshot::channel();
                let m = m.clone();
                blocking(move || {
                    m.submit_with(message, move |o| {
                        tx.send(o).ok();
                    })
                })
                .await?;
                return Ok(rx);
            }
        };
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::Submit(message, tx))
            .map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }

    /// Sends one message; resolves to its outcome.
    pub async fn send(&self, message: Prepared) -> Result<Outcome> {
        let outcome = self.submit(message).await?;
        outcome.await.map_err(|_| closed())
    }

    /// What has happened so far.
    pub async fn counters(&self) -> Result<Counters> {
        let commands = match &self.inner {
            Inner::Driver(commands) => commands,
            Inner::Ledger(m) => return Ok(m.counters()),
        };
        let (tx, rx) = oneshot::channel();
        commands.send(Command::Counters(tx)).map_err(|_| closed())?;
        rx.await.map_err(|_| closed())
    }

    /// Closes after sending: every message already submitted is sent and
    /// gets its outcome (callers still waiting for room in the queue are
    /// refused), then connections say QUIT. Dropping the mailer instead
    /// stops at once: waiting messages come back as not sent.
    pub async fn close(&self) {
        let commands = match &self.inner {
            Inner::Driver(commands) => commands,
            Inner::Ledger(m) => {
                let m = m.clone();
                blocking(move || {
                    m.close();
                    Ok(())
                })
                .await
                .ok();
                return;
            }
        };
        let (tx, rx) = oneshot::channel();
        if commands.send(Command::Close(tx)).is_ok() {
            rx.await.ok();
        }
    }
}

/// Runs a call of the threaded engine that may wait (for room in the
/// queue, for the store) on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    ::tokio::task::spawn_blocking(call)
        .await
        .unwrap_or_else(|_| Err(closed()))
}

fn closed() -> Error {
    super::closed_error()
}

struct Driver {
    dispatcher: Dispatcher,
    options: Arc<ClientOptions>,
    connector: TlsConnector,
    server: ServerName<'static>,
    epoch: Instant,
    conns: HashMap<ConnId, mpsc::UnboundedSender<ConnCommand>>,
    waiters: HashMap<Ticket, oneshot::Sender<Outcome>>,
    /// Submissions waiting for room in the queue.
    waiting_room: Vec<(
        Prepared,
        oneshot::Sender<Result<oneshot::Receiver<Outcome>>>,
    )>,
    closing: Option<oneshot::Sender<()>>,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let (events_tx, mut events) = mpsc::unbounded_channel();
        let mut commands_open = true;
        loop {
            self.pump(&events_tx);
            if self.closing.is_some() && self.dispatcher.is_finished() {
                if let Some(done) = self.closing.take() {
                    done.send(()).ok();
                }
                return;
            }
            let now = self.epoch.elapsed();
            let sleep = self
                .dispatcher
                .poll_timeout()
                .map_or(Duration::from_secs(3600), |t| t.saturating_sub(now));
            ::tokio::select! {
                command = commands.recv(), if commands_open => match command {
                    Some(Command::Submit(message, reply)) => self.submit(message, reply),
                    Some(Command::Counters(reply)) => { reply.send(self.dispatcher.counters()).ok(); }
                    Some(Command::Close(done)) => self.shutdown(Some(done), false),
                    None => { commands_open = false; self.shutdown(None, true); }
                },
                Some(event) = events.recv() => self.event(event),
                _ = ::tokio::time::sleep(sleep) => self.dispatcher.advance(self.epoch.elapsed()),
            }
        }
    }

    fn shutdown(&mut self, done: Option<oneshot::Sender<()>>, now: bool) {
        self.dispatcher.advance(self.epoch.elapsed());
        if now {
            self.dispatcher.shutdown();
        } else {
            self.dispatcher.drain();
        }
        for (_, reply) in self.waiting_room.drain(..) {
            reply.send(Err(closed())).ok();
        }
        if let Some(done) = done {
            self.closing = Some(done);
        } else if self.closing.is_none() {
            let (tx, _) = oneshot::channel();
            self.closing = Some(tx);
        }
    }

    fn submit(
        &mut self,
        message: Prepared,
        reply: oneshot::Sender<Result<oneshot::Receiver<Outcome>>>,
    ) {
        self.dispatcher.advance(self.epoch.elapsed());
        if !self.dispatcher.has_room() && self.closing.is_none() {
            self.waiting_room.push((message, reply));
            return;
        }
        match self.dispatcher.submit(message) {
            Ok(ticket) => {
                let (tx, rx) = oneshot::channel();
                self.waiters.insert(ticket, tx);
                reply.send(Ok(rx)).ok();
            }
            Err(refused) => {
                reply.send(Err(refused.error)).ok();
            }
        }
    }

    fn event(&mut self, event: ConnEvent) {
        self.dispatcher.advance(self.epoch.elapsed());
        match event {
            ConnEvent::Opened(id, commands) => {
                self.conns.insert(id, commands);
                self.dispatcher.connection_opened(id);
            }
            ConnEvent::Received(id, bytes) => self.dispatcher.receive(id, &bytes),
            ConnEvent::TlsEstablished(id) => self.dispatcher.tls_established(id),
            ConnEvent::Lost(id, cause, detail) => {
                self.conns.remove(&id);
                self.dispatcher.connection_lost(id, cause, &detail);
            }
        }
    }

    fn pump(&mut self, events: &mpsc::UnboundedSender<ConnEvent>) {
        while let Some(action) = self.dispatcher.poll_action() {
            match action {
                Action::Open(id) => {
                    let conn = Conn {
                        id,
                        options: self.options.clone(),
                        connector: self.connector.clone(),
                        server: self.server.clone(),
                        events: events.clone(),
                    };
                    ::tokio::spawn(conn.run());
                }
                Action::Send(id) => {
                    if let Some(conn) = self.conns.get(&id) {
                        let bytes = self.dispatcher.take_output(id);
                        if !bytes.is_empty() {
                            conn.send(ConnCommand::Write(bytes)).ok();
                        }
                    }
                }
                Action::StartTls(id) => {
                    if let Some(conn) = self.conns.get(&id) {
                        conn.send(ConnCommand::StartTls).ok();
                    }
                }
                Action::Close(id) => {
                    if let Some(conn) = self.conns.remove(&id) {
                        conn.send(ConnCommand::Close).ok();
                    }
                }
            }
        }
        while let Some(outcome) = self.dispatcher.poll_outcome() {
            if let Some(waiter) = self.waiters.remove(&outcome.ticket()) {
                waiter.send(outcome).ok();
            }
        }
        while self.dispatcher.has_room() && !self.waiting_room.is_empty() {
            let (message, reply) = self.waiting_room.remove(0);
            self.submit(message, reply);
        }
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

struct Conn {
    id: ConnId,
    options: Arc<ClientOptions>,
    connector: TlsConnector,
    server: ServerName<'static>,
    events: mpsc::UnboundedSender<ConnEvent>,
}

impl Conn {
    async fn open(&self) -> std::result::Result<Stream, (ConnectionLoss, String)> {
        let address = (self.options.host.as_str(), self.options.effective_port());
        let tcp = ::tokio::time::timeout(self.options.connect_timeout, TcpStream::connect(address))
            .await
            .map_err(|_| (ConnectionLoss::Timeout, LossStage::Connecting.detail("")))?
            .map_err(|e| (ConnectionLoss::Connect, e.to_string()))?;
        tcp.set_nodelay(true).ok();
        if self.options.tls.is_implicit() {
            self.upgrade(tcp).await
        } else {
            Ok(Stream::Plain(tcp))
        }
    }

    async fn upgrade(
        &self,
        tcp: TcpStream,
    ) -> std::result::Result<Stream, (ConnectionLoss, String)> {
        let handshake = self.connector.connect(self.server.clone(), tcp);
        match ::tokio::time::timeout(self.options.timeout, handshake).await {
            Ok(Ok(tls)) => Ok(Stream::Tls(Box::new(tls))),
            Ok(Err(e)) => Err((ConnectionLoss::Tls, LossStage::Tls.detail(&e.to_string()))),
            Err(_) => Err((ConnectionLoss::Timeout, LossStage::Tls.detail(""))),
        }
    }

    async fn run(self) {
        let mut stream = match self.open().await {
            Ok(stream) => stream,
            Err((cause, detail)) => {
                self.events
                    .send(ConnEvent::Lost(self.id, cause, detail))
                    .ok();
                return;
            }
        };
        let (tx, mut commands) = mpsc::unbounded_channel();
        if self.events.send(ConnEvent::Opened(self.id, tx)).is_err() {
            return;
        }
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let read = async {
                match &mut stream {
                    Stream::Plain(s) => s.read(&mut buffer).await,
                    Stream::Tls(s) => s.read(&mut buffer).await,
                }
            };
            ::tokio::select! {
                command = commands.recv() => match command {
                    Some(ConnCommand::Write(bytes)) => {
                        let written = match &mut stream {
                            Stream::Plain(s) => s.write_all(&bytes).await,
                            Stream::Tls(s) => match s.write_all(&bytes).await {
                                Ok(()) => s.flush().await,
                                Err(e) => Err(e),
                            },
                        };
                        if let Err(e) = written {
                            let (cause, detail) = crate::smtp::transport::io_cause(&e, LossStage::Sending);
                            self.events.send(ConnEvent::Lost(self.id, cause, detail)).ok();
                            return;
                        }
                    }
                    Some(ConnCommand::StartTls) => {
                        let Stream::Plain(tcp) = stream else {
                            self.events.send(ConnEvent::Lost(self.id, ConnectionLoss::Tls, LossStage::Tls.detail("STARTTLS asked twice"))).ok();
                            return;
                        };
                        match self.upgrade(tcp).await {
                            Ok(tls) => {
                                stream = tls;
                                self.events.send(ConnEvent::TlsEstablished(self.id)).ok();
                            }
                            Err((cause, detail)) => {
                                self.events.send(ConnEvent::Lost(self.id, cause, detail)).ok();
                                return;
                            }
                        }
                    }
                    Some(ConnCommand::Close) | None => {
                        if let Stream::Tls(s) = &mut stream {
                            s.shutdown().await.ok();
                        }
                        return;
                    }
                },
                read = read => match read {
                    Ok(0) => {
                        self.events.send(ConnEvent::Lost(self.id, ConnectionLoss::Closed, LossStage::Waiting.detail(""))).ok();
                        return;
                    }
                    Ok(n) => {
                        self.events.send(ConnEvent::Received(self.id, buffer[..n].to_vec())).ok();
                    }
                    Err(e) => {
                        let (cause, detail) = crate::smtp::transport::io_cause(&e, LossStage::Waiting);
                        self.events.send(ConnEvent::Lost(self.id, cause, detail)).ok();
                        return;
                    }
                },
            }
        }
    }
}
