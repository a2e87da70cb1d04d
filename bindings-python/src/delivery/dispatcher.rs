//! The core's sans-IO `delivery::Dispatcher` as a Python class, for drivers
//! written in Python (`mailwright.aio.Mailer` runs it on an asyncio event
//! loop). The driver only executes: it opens connections, moves bytes, runs
//! TLS handshakes and reports the time; every decision (pool, throttle,
//! retries, time-outs, outcomes, certificate pins) is the core's.
//!
//! One event loop drives it: every call is short and never blocks, so it
//! keeps the GIL, and a call made while another is in progress (from another
//! thread, or from the `limiter` the core is asking) raises RuntimeError
//! rather than waiting.

use super::mailer::Outcome;
use super::{prepared, prepared_raw};
use crate::convert::string;
use crate::errors::{IntoPy, exception, to_py};
use crate::options::{Options, Set};
use mailwright::delivery::{self as core, ConnId};
use mailwright::smtp::{ClientOptions, ConnectionLoss, LossStage, pin};
use mailwright::{Error, ErrorKind};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

/// A message converted once for the dispatcher (its bytes and envelope),
/// waiting to be submitted. Submitting it hands it over: it can be
/// submitted once.
#[pyclass(module = "mailwright._mailwright")]
pub struct Prepared {
    inner: Option<core::Prepared>,
    size: usize,
    message_id: Option<String>,
}

impl Prepared {
    fn new(inner: core::Prepared) -> Prepared {
        Prepared {
            size: inner.size(),
            message_id: inner.message_id().map(str::to_string),
            inner: Some(inner),
        }
    }
}

#[pymethods]
impl Prepared {
    /// The size of the message's bytes.
    #[getter]
    fn size(&self) -> usize {
        self.size
    }

    /// The message's Message-ID, when it has one.
    #[getter]
    fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// True once submitted (the dispatcher has it).
    #[getter]
    fn submitted(&self) -> bool {
        self.inner.is_none()
    }

    fn __repr__(&self) -> String {
        let id = self
            .message_id
            .as_ref()
            .map_or_else(|| "None".to_string(), |id| format!("{id:?}"));
        format!(
            "Prepared(size={}, message_id={id}, submitted={})",
            self.size,
            if self.inner.is_none() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// The core's delivery dispatcher, sans-IO: see the module documentation.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Dispatcher {
    state: Mutex<State>,
    options: ClientOptions,
}

struct State {
    dispatcher: core::Dispatcher,
    /// Drained or shut down: a refused message is refused for good.
    stopped: bool,
}

impl Dispatcher {
    /// The dispatcher, never waited for (see the module documentation).
    fn lock(&self) -> PyResult<MutexGuard<'_, State>> {
        match self.state.try_lock() {
            Ok(guard) => Ok(guard),
            // A panic cannot leave the dispatcher half-changed in a way that
            // matters more than losing the mailer: go on with it.
            Err(TryLockError::Poisoned(poison)) => Ok(poison.into_inner()),
            Err(TryLockError::WouldBlock) => Err(PyRuntimeError::new_err(
                "the dispatcher is busy: it was called from another thread, or from the limiter it was asking",
            )),
        }
    }
}

pub(crate) fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    if value.is_finite() {
        Duration::try_from_secs_f64(value.max(0.0))
            .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
    } else {
        Err(PyValueError::new_err(format!(
            "{what} must be a finite number of seconds"
        )))
    }
}

#[pymethods]
impl Dispatcher {
    /// The keywords of :class:`mailwright.Mailer`, with the same meaning
    /// (the same conversion and the core's defaults and checks).
    #[new]
    #[pyo3(signature = (host, port=None, **options))]
    fn new(
        host: &Bound<'_, PyString>,
        port: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let (options, config, gate) = Options::parse(Set::Mailer, host, port, options)?.mailer()?;
        let inner = core::Dispatcher::for_client(&options, config, gate).py_err()?;
        Ok(Dispatcher {
            state: Mutex::new(State {
                dispatcher: inner,
                stopped: false,
            }),
            options,
        })
    }

    // --- where and how to connect (the driver's part of the options) -----

    /// The host to connect to.
    #[getter]
    fn host(&self) -> &str {
        &self.options.host
    }

    /// The port to connect to (the TLS mode's default when none was given).
    #[getter]
    fn port(&self) -> u16 {
        self.options.effective_port()
    }

    /// The TLS mode's name (one of ``TLS_MODES``).
    #[getter]
    fn tls(&self) -> &'static str {
        self.options.tls.as_str()
    }

    /// True when the connection is TLS from its first byte (``Open`` means
    /// TCP and the handshake).
    #[getter]
    fn implicit_tls(&self) -> bool {
        self.options.tls.is_implicit()
    }

    /// The name the server's certificate must carry (and the SNI).
    #[getter]
    fn server_name(&self) -> &str {
        self.options.server_name()
    }

    /// Seconds allowed to open a connection.
    #[getter]
    fn connect_timeout(&self) -> f64 {
        self.options.connect_timeout.as_secs_f64()
    }

    /// Seconds allowed for each write and each TLS handshake.
    #[getter]
    fn timeout(&self) -> f64 {
        self.options.timeout.as_secs_f64()
    }

    /// Extra trusted root certificates (PEM), from ``ca_file``.
    #[getter]
    fn ca_pem<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.options
            .extra_roots_pem
            .iter()
            .map(|pem| PyBytes::new(py, pem))
            .collect()
    }

    /// True when certificates are pinned: the driver must then skip the
    /// usual verification and ask :meth:`pin_mismatch` after the handshake.
    #[getter]
    fn pinned(&self) -> bool {
        !self.options.pinned_sha256.is_empty()
    }

    /// The core's pin rule on the server's certificate (DER): None when it
    /// is accepted (or nothing is pinned), else why not (for
    /// ``connection_lost(conn, "tls", why)``).
    fn pin_mismatch(&self, der: &[u8]) -> Option<String> {
        let pins = &self.options.pinned_sha256;
        if pins.is_empty() || pin::matches(der, pins) {
            None
        } else {
            Some(pin::mismatch(der).message().to_string())
        }
    }

    /// The core's error (not raised) for a connection lost this way.
    fn loss_error<'py>(
        &self,
        py: Python<'py>,
        cause: &Bound<'py, PyString>,
        detail: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cause = ConnectionLoss::from_name(&cause.to_cow()?).py_err()?;
        exception(py, &cause.error(detail))
    }

    /// The core's error (not raised) of a message submitted to a closed (or
    /// closing) mailer, the same in every driver: for a driver that stops
    /// taking messages before it calls :meth:`drain`.
    fn closed_error<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        exception(py, &core::closed_error())
    }

    /// The core's error (not raised) of a message submitted under a key to
    /// a mailer without a ledger.
    fn needs_ledger_error<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        exception(py, &mailwright::ledger::needs_ledger_error())
    }

    // --- messages ---------------------------------------------------------

    /// Converts a :class:`Message` once, for :meth:`submit`.
    fn prepare(&self, message: &Bound<'_, PyAny>) -> PyResult<Prepared> {
        Ok(Prepared::new(prepared(message)?))
    }

    /// Raw RFC 5322 bytes with an explicit envelope, for :meth:`submit`.
    fn prepare_raw(
        &self,
        data: &Bound<'_, PyAny>,
        sender: &Bound<'_, PyString>,
        recipients: &Bound<'_, PyAny>,
    ) -> PyResult<Prepared> {
        Ok(Prepared::new(prepared_raw(data, sender, recipients)?))
    }

    /// Queues a prepared message: its ticket, or None when the queue is
    /// full (the message stays in ``prepared``; submit it again once
    /// :meth:`has_room`). After :meth:`drain` or :meth:`shutdown` it raises
    /// the core's InvalidStateError.
    fn submit(&self, mut prepared: PyRefMut<'_, Prepared>) -> PyResult<Option<u64>> {
        let message = prepared.inner.take().ok_or_else(|| {
            to_py(Error::new(
                ErrorKind::InvalidState,
                "this prepared message was already submitted",
            ))
        })?;
        let mut state = self.lock()?;
        match state.dispatcher.submit(message) {
            Ok(ticket) => Ok(Some(ticket)),
            Err(refused) => {
                prepared.inner = Some(refused.message);
                if state.stopped {
                    Err(to_py(refused.error))
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// True when :meth:`submit` would take another message now.
    fn has_room(&self) -> PyResult<bool> {
        Ok(self.lock()?.dispatcher.has_room())
    }

    // --- the driver loop -----------------------------------------------

    /// Reports the driver's monotonic clock (seconds since its own epoch).
    fn advance(&self, now: f64) -> PyResult<()> {
        let now = seconds(now, "now")?;
        self.lock()?.dispatcher.advance(now);
        Ok(())
    }

    /// When to call :meth:`advance` next (same clock), if anything waits on time.
    fn poll_timeout(&self) -> PyResult<Option<f64>> {
        Ok(self
            .lock()?
            .dispatcher
            .poll_timeout()
            .map(|t| t.as_secs_f64()))
    }

    /// Every action asked for, in order: ``(name, conn)`` with the core's
    /// names (``ACTIONS``: ``"Open"``, ``"Send"``, ``"StartTls"``, ``"Close"``).
    fn poll_actions(&self) -> PyResult<Vec<(&'static str, ConnId)>> {
        let mut state = self.lock()?;
        let mut actions = Vec::new();
        while let Some(action) = state.dispatcher.poll_action() {
            actions.push((action.as_str(), action.conn()));
        }
        Ok(actions)
    }

    /// Everything connection ``conn`` must send now (marked sent).
    fn take_output<'py>(&self, py: Python<'py>, conn: ConnId) -> PyResult<Bound<'py, PyBytes>> {
        let output = self.lock()?.dispatcher.take_output(conn);
        Ok(PyBytes::new(py, &output))
    }

    /// The connection asked for by ``open`` is open (TLS included for implicit TLS).
    fn connection_opened(&self, conn: ConnId) -> PyResult<()> {
        self.lock()?.dispatcher.connection_opened(conn);
        Ok(())
    }

    /// Bytes arrived on ``conn``.
    fn receive(&self, conn: ConnId, data: &[u8]) -> PyResult<()> {
        self.lock()?.dispatcher.receive(conn, data);
        Ok(())
    }

    /// The handshake asked for by ``start_tls`` is done (and the pin accepted).
    fn tls_established(&self, conn: ConnId) -> PyResult<()> {
        self.lock()?.dispatcher.tls_established(conn);
        Ok(())
    }

    /// ``conn`` ended, or could not be opened: ``cause`` is one of
    /// ``CONNECTION_LOSS_CAUSES``, ``detail`` what the socket or the TLS
    /// layer said (empty for a clean end of the stream), ``stage`` (one of
    /// ``LOSS_STAGES``) what the driver was doing: the core then words the
    /// detail as every driver does ("while waiting for the server: ...").
    #[pyo3(signature = (conn, cause, detail=None, stage=None))]
    fn connection_lost(
        &self,
        conn: ConnId,
        cause: &Bound<'_, PyString>,
        detail: Option<&Bound<'_, PyString>>,
        stage: Option<&Bound<'_, PyString>>,
    ) -> PyResult<()> {
        let cause = ConnectionLoss::from_name(&string(cause, "cause")?).py_err()?;
        let mut detail = match detail {
            Some(detail) => string(detail, "detail")?,
            None => String::new(),
        };
        if let Some(stage) = stage {
            detail = LossStage::from_name(&string(stage, "stage")?)
                .py_err()?
                .detail(&detail);
        }
        self.lock()?
            .dispatcher
            .connection_lost(conn, cause, &detail);
        Ok(())
    }

    /// Every final outcome ready so far, as :class:`Outcome` objects.
    fn poll_outcomes(&self, py: Python<'_>) -> PyResult<Vec<Outcome>> {
        let mut ready = Vec::new();
        {
            let mut state = self.lock()?;
            while let Some(outcome) = state.dispatcher.poll_outcome() {
                ready.push(outcome);
            }
        }
        let mut outcomes = Vec::with_capacity(ready.len());
        for outcome in ready {
            outcomes.push(Outcome::new(py, outcome)?);
        }
        Ok(outcomes)
    }

    /// True while ``conn`` exists (opened and not closed).
    fn is_open(&self, conn: ConnId) -> PyResult<bool> {
        Ok(self.lock()?.dispatcher.is_open(conn))
    }

    /// True while ``conn`` awaits a reply.
    fn awaits_reply(&self, conn: ConnId) -> PyResult<bool> {
        Ok(self.lock()?.dispatcher.awaits_reply(conn))
    }

    /// The same counters as :attr:`mailwright.Mailer.counters`.
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counters = self.lock()?.dispatcher.counters();
        super::counters(py, counters)
    }

    /// Stops taking messages but sends every one already submitted (with
    /// its retries, within its deadline); once each has its outcome, every
    /// connection says QUIT and :meth:`is_finished` turns true. A later
    /// :meth:`shutdown` still stops at once.
    fn drain(&self) -> PyResult<()> {
        let mut state = self.lock()?;
        state.stopped = true;
        state.dispatcher.drain();
        Ok(())
    }

    /// Stops at once: those waiting come back as failed (not sent), those
    /// in flight finish, then every connection says QUIT.
    fn shutdown(&self) -> PyResult<()> {
        let mut state = self.lock()?;
        state.stopped = true;
        state.dispatcher.shutdown();
        Ok(())
    }

    /// True once drained or shut down and every connection is gone.
    fn is_finished(&self) -> PyResult<bool> {
        Ok(self.lock()?.dispatcher.is_finished())
    }

    fn __repr__(&self) -> String {
        let c = match self.state.try_lock() {
            Ok(state) => state.dispatcher.counters(),
            Err(_) => return format!("Dispatcher(host={:?}, busy)", self.options.host),
        };
        format!(
            "Dispatcher(host={:?}, port={}, queued={}, in_flight={}, connections={})",
            self.options.host,
            self.options.effective_port(),
            c.queued,
            c.in_flight,
            c.connections
        )
    }
}
