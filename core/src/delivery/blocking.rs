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
}

struct State {
    dispatcher: Dispatcher,
    conns: HashMap<ConnId, ConnSlot>,
    results: HashMap<Ticket, Outcome>,
    callbacks: HashMap<Ticket, Callback>,
    any: Option<Observer>,
    stopping: bool,
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

    fn start(
        options: ClientOptions,
        delivery: DeliveryConfig,
        gate: Option<Box<dyn QuotaGate>>,
    ) -> Result<Mailer> {
        let dispatcher = Dispatcher::for_client(&options, delivery, gate)?;
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
            }),
            timer: Condvar::new(),
            outcomes: Condvar::new(),
            options,
            tls,
            server_name,
            epoch: Instant::now(),
        });
        let timer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("mailwright-timer".into())
                .spawn(move || timer_thread(&shared))
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot start a thread: {e}")))?
        };
        Ok(Mailer {
            shared,
            timer: Mutex::new(Some(timer)),
        })
    }

    /// Queues a message, waiting while the queue is full; its outcome is kept
    /// for [`Mailer::wait`].
    pub fn submit(&self, message: Prepared) -> Result<Ticket> {
        self.submit_inner(message, None)
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

    fn submit_inner(&self, mut message: Prepared, callback: Option<Callback>) -> Result<Ticket> {
        let mut state = lock(&self.shared.state);
        loop {
            if state.stopping {
                return Err(super::closed_error());
            }
            state.dispatcher.advance(self.shared.now());
            match state.dispatcher.submit(message) {
                Ok(ticket) => {
                    if let Some(callback) = callback {
                        state.callbacks.insert(ticket, callback);
                    }
                    let ready = pump(&self.shared, &mut state);
                    drop(state);
                    deliver(ready);
                    return Ok(ticket);
                }
                Err(refused) => {
                    if !state.dispatcher.has_room() && !state.stopping {
                        message = refused.message;
                        state = self
                            .shared
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
    while let Some(outcome) = state.dispatcher.poll_outcome() {
        let ticket = outcome.ticket();
        let callback = state.callbacks.remove(&ticket);
        let any = state.any.clone();
        if callback.is_none() {
            state.results.insert(ticket, outcome.clone());
        }
        ready.push((outcome, callback, any));
    }
    shared.outcomes.notify_all();
    shared.timer.notify_all();
    ready
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
