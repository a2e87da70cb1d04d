//! The blocking client (the core's transport) and the one-shot `send`.
//!
//! Threads: a [`Client`] may be shared. Its connection sits behind a mutex
//! that is only ever waited for with the GIL released (inside `py.detach`),
//! so a thread blocked on it never holds the GIL that the thread doing I/O
//! needs to come back: calls on one Client are serialized, and none can
//! deadlock another. `close()` does not wait for a call in progress: it ends
//! it through the core's `Interrupter` (kept outside that mutex), and the
//! interrupted call raises `ConnectionClosedError`.

use super::session::SendResult;
use super::transcript;
use crate::errors::{IntoPy, exception, to_py};
use crate::message::Message;
use crate::options::{Options, Set};
use mailwright::smtp::{self as core, Interrupter, TranscriptLine};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};

/// A connection that sends many messages; a context manager (QUIT on exit).
/// Safe to share between threads: see the module's documentation.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Client {
    /// The connection; None once closed. Waited for only with the GIL released.
    inner: Mutex<Option<core::SmtpClient>>,
    /// Ends a call in progress from another thread; None once closed. This
    /// lock is held only for a moment (never during I/O), never with `inner`.
    interrupter: Mutex<Option<Interrupter>>,
    /// Whether the connection is encrypted (fixed once connected).
    tls: bool,
    /// Set by quit()/close(): later calls raise InvalidStateError.
    closed: AtomicBool,
}

fn poisoned() -> PyErr {
    PyRuntimeError::new_err("the client's lock is poisoned (a call panicked)")
}

fn closed() -> mailwright::Error {
    mailwright::Error::new(mailwright::ErrorKind::InvalidState, "the client is closed")
}

impl Client {
    /// Runs `f` on the connection, waiting for the calls before it, with the
    /// GIL released all along (waiting and working).
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut core::SmtpClient) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut guard = self.inner.lock().map_err(|_| ())?;
            if self.closed.load(Ordering::SeqCst) {
                // quit() or close() was called while this call waited.
                return Ok(None);
            }
            Ok(guard.as_mut().map(f))
        })
        .map_err(|()| poisoned())?
        .ok_or_else(|| to_py(closed()))
    }

    /// Takes the connection out (waiting, GIL released, for a call in
    /// progress) and forgets the interrupter, whose copy of the socket would
    /// otherwise keep the connection open.
    fn take(&self, py: Python<'_>) -> PyResult<Option<core::SmtpClient>> {
        self.closed.store(true, Ordering::SeqCst);
        let client = py.detach(|| self.inner.lock().map(|mut guard| guard.take()).ok());
        self.interrupter().take();
        client.ok_or_else(poisoned)
    }

    fn interrupter(&self) -> MutexGuard<'_, Option<Interrupter>> {
        // Held for a moment by whoever has it, and poisoning cannot leave an
        // Option half-changed: go on with the value.
        self.interrupter
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[pymethods]
impl Client {
    /// Connects (and says EHLO, STARTTLS, AUTH as configured). The options
    /// are ``mailwright.options.ClientOptions`` (`crate::options`); every
    /// one left out (or None) takes the core's default.
    #[new]
    #[pyo3(signature = (host, port=None, **options))]
    fn new(
        py: Python<'_>,
        host: &Bound<'_, PyString>,
        port: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let options = Options::parse(Set::Client, host, port, options)?.client_options()?;
        let client = py.detach(|| core::SmtpClient::connect(options)).py_err()?;
        let interrupter = client.interrupter().py_err()?;
        Ok(Client {
            tls: client.is_tls(),
            inner: Mutex::new(Some(client)),
            interrupter: Mutex::new(Some(interrupter)),
            closed: AtomicBool::new(false),
        })
    }

    /// Sends one message; returns once the server accepted it. Waits for
    /// the calls made before it on this Client (from any thread).
    fn send(&self, py: Python<'_>, message: PyRef<'_, Message>) -> PyResult<SendResult> {
        let message = &message.inner;
        self.with(py, |client| client.send(message))?
            .map(SendResult::from)
            .py_err()
    }

    /// Sends several messages; one SendResult or exception per message, in order.
    fn send_all(
        &self,
        py: Python<'_>,
        messages: Vec<PyRef<'_, Message>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let refs: Vec<&mailwright::Message> = messages.iter().map(|m| &m.inner).collect();
        let results = self.with(py, |client| client.send_all(&refs))?;
        results
            .into_iter()
            .map(|r| match r {
                Ok(report) => Ok(Py::new(py, SendResult::from(report))?.into_any()),
                Err(err) => Ok(exception(py, &err)?.unbind()),
            })
            .collect()
    }

    /// The conversation since the last call as ``(direction, text)`` pairs
    /// (direction ``"client"`` or ``"server"``), secrets masked, and drains
    /// it. Kept only with ``Client(..., transcript=True)`` (else always
    /// empty), at most the core's limit of lines (the oldest are dropped).
    fn take_transcript(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, String)>> {
        let lines: Vec<TranscriptLine> = match self.with(py, |c| c.take_transcript()) {
            Ok(lines) => lines,
            Err(_) if self.closed.load(Ordering::SeqCst) => Vec::new(),
            Err(err) => return Err(err),
        };
        Ok(transcript(lines))
    }

    /// Same as take_transcript(): drains the transcript.
    fn transcript(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, String)>> {
        self.take_transcript(py)
    }

    /// True when the connection is encrypted. Never waits for a call in progress.
    #[getter]
    fn is_tls(&self) -> bool {
        self.tls && !self.closed.load(Ordering::SeqCst)
    }

    /// Says QUIT (after the calls in progress) and closes; idempotent.
    fn quit(&self, py: Python<'_>) -> PyResult<()> {
        match self.take(py)? {
            Some(mut client) => py.detach(move || client.quit()).py_err(),
            None => Ok(()),
        }
    }

    /// Closes at once. With no call in progress it says QUIT like quit();
    /// a call in progress on another thread is interrupted (it raises
    /// ConnectionClosedError) and the connection dropped. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        // First, so that a call still waiting for its turn does not start.
        self.closed.store(true, Ordering::SeqCst);
        // try_lock never blocks, so holding the GIL here is fine.
        let busy = matches!(self.inner.try_lock(), Err(TryLockError::WouldBlock));
        if busy && let Some(interrupter) = self.interrupter().as_ref() {
            interrupter.interrupt();
        }
        match self.take(py)? {
            Some(mut client) if !busy => py.detach(move || client.quit()).py_err(),
            _ => Ok(()),
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// QUIT; an error from QUIT is raised only when no exception is on its way.
    #[pyo3(signature = (*exc))]
    fn __exit__(&self, py: Python<'_>, exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        let raising = exc.get_item(0).is_ok_and(|t| !t.is_none());
        match self.quit(py) {
            Err(err) if !raising => Err(err),
            _ => Ok(false),
        }
    }
}

/// Connects, sends one message, says QUIT; returns the SendResult. The
/// options are ``mailwright.options.SendOptions`` (those of :class:`Client`
/// but ``transcript``).
#[pyfunction]
#[pyo3(signature = (message, host, port=None, **options))]
pub fn send(
    py: Python<'_>,
    message: PyRef<'_, Message>,
    host: &Bound<'_, PyString>,
    port: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<SendResult> {
    let options = Options::parse(Set::Send, host, port, options)?.client_options()?;
    let message = &message.inner;
    py.detach(|| core::send(message, options))
        .map(SendResult::from)
        .py_err()
}
