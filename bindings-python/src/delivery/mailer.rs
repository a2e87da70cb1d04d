//! The core's blocking delivery engine (`mailwright::delivery::blocking`):
//! a pool of connections, one throttle, retries, one `Outcome` per message.
//!
//! Threads and the GIL: every call into the core Mailer is made with the GIL
//! released (`py.detach`), and the core runs callbacks with no lock of its
//! own held, so a callback thread taking the GIL (to complete a
//! `concurrent.futures.Future`) never waits for a thread that holds the GIL
//! while it waits for the core.

use super::ledger::{Ledger, LedgerRecord};
use super::{prepared, prepared_raw};
use crate::errors::{IntoPy, exception};
use crate::options::{Options, Set};
use crate::smtp::reply::Reply;
use crate::smtp::session::replies;
use mailwright::Error;
use mailwright::delivery::{self as core, Prepared, blocking};
use mailwright::smtp::Reply as CoreReply;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// The one final result of a message sent through a [`Mailer`].
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Outcome {
    /// "delivered", "failed" or "uncertain".
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    ticket: u64,
    /// The key it was submitted under (the caller's, or under a ledger its
    /// Message-ID by default), when it has one.
    #[pyo3(get)]
    key: Option<String>,
    /// Its Message-ID (without angle brackets), when it has one.
    #[pyo3(get)]
    message_id: Option<String>,
    #[pyo3(get)]
    queue_id: Option<String>,
    #[pyo3(get)]
    accepted: Vec<String>,
    refused: Vec<(String, CoreReply)>,
    #[pyo3(get)]
    attempts: u32,
    #[pyo3(get)]
    uncertain_attempts: u32,
    #[pyo3(get)]
    gave_up: bool,
    /// The MailwrightError (not raised) of a failed or uncertain message.
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

impl Outcome {
    pub(crate) fn new(py: Python<'_>, outcome: core::Outcome) -> PyResult<Outcome> {
        let error =
            |err: &Error| -> PyResult<Option<Py<PyAny>>> { Ok(Some(exception(py, err)?.unbind())) };
        let kind = outcome.kind();
        Ok(match outcome {
            core::Outcome::Delivered {
                ticket,
                key,
                message_id,
                queue_id,
                accepted,
                refused,
                attempts,
                uncertain_attempts,
            } => Outcome {
                kind,
                ticket,
                key,
                message_id,
                queue_id,
                accepted,
                refused,
                attempts,
                uncertain_attempts,
                gave_up: false,
                error: None,
            },
            core::Outcome::Failed {
                ticket,
                key,
                message_id,
                error: err,
                attempts,
                gave_up,
                refused,
            } => Outcome {
                kind,
                ticket,
                key,
                message_id,
                queue_id: None,
                accepted: Vec::new(),
                refused,
                attempts,
                uncertain_attempts: 0,
                gave_up,
                error: error(&err)?,
            },
            core::Outcome::Uncertain {
                ticket,
                key,
                message_id,
                error: err,
                attempts,
            } => Outcome {
                kind,
                ticket,
                key,
                message_id,
                queue_id: None,
                accepted: Vec::new(),
                refused: Vec::new(),
                attempts,
                uncertain_attempts: 0,
                gave_up: false,
                error: error(&err)?,
            },
        })
    }
}

#[pymethods]
impl Outcome {
    /// Refused recipients with the server's reply: ``[(address, Reply), ...]``.
    #[getter]
    fn refused(&self) -> Vec<(String, Reply)> {
        replies(&self.refused)
    }

    #[getter]
    fn delivered(&self) -> bool {
        self.kind == "delivered"
    }

    #[getter]
    fn uncertain(&self) -> bool {
        self.kind == "uncertain"
    }

    fn __repr__(&self) -> String {
        format!(
            "Outcome(kind={:?}, ticket={}, key={:?}, message_id={:?}, queue_id={:?}, attempts={}, gave_up={})",
            self.kind,
            self.ticket,
            self.key,
            self.message_id,
            self.queue_id,
            self.attempts,
            self.gave_up
        )
    }
}

/// Sends through a pool of connections with one throttle, retries and one
/// Outcome per message. Thread-safe; a context manager (closes on exit).
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Mailer {
    inner: blocking::Mailer,
    ledger: Option<Py<Ledger>>,
}

#[pymethods]
impl Mailer {
    /// The options are ``mailwright.options.MailerOptions`` (the table and
    /// the conversion are `crate::options`, shared with the dispatcher under
    /// ``mailwright.aio.Mailer``); every one left out takes the core's
    /// default. Nothing connects until a message is sent.
    ///
    /// ``ledger``: a :class:`Ledger`, or the path of one (opened, created
    /// when missing): every message is recorded before it is sent and its
    /// outcome before it is told; what an earlier process left unfinished
    /// is taken up at once (:attr:`resumed`); a key already recorded is
    /// never sent again.
    #[new]
    #[pyo3(signature = (host, port=None, *, ledger=None, **options))]
    fn new(
        py: Python<'_>,
        host: &Bound<'_, PyString>,
        port: Option<&Bound<'_, PyAny>>,
        ledger: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let (options, config, gate) = Options::parse(Set::Mailer, host, port, options)?.mailer()?;
        let ledger: Option<Py<Ledger>> = match ledger {
            None => None,
            Some(value) if value.is_none() => None,
            Some(value) => match value.cast::<Ledger>() {
                Ok(opened) => Some(opened.clone().unbind()),
                Err(_) => {
                    let path: std::path::PathBuf = value.extract().map_err(|_| {
                        pyo3::exceptions::PyTypeError::new_err(
                            "ledger must be a mailwright.Ledger or a path",
                        )
                    })?;
                    Some(Py::new(py, Ledger::open(py, path, "full")?)?)
                }
            },
        };
        let store = ledger.as_ref().map(|l| l.get().store.clone());
        let inner = py
            .detach(move || match (gate, store) {
                (Some(gate), Some(store)) => {
                    blocking::Mailer::with_ledger_and_gate(options, config, Box::new(store), gate)
                }
                (None, Some(store)) => {
                    blocking::Mailer::with_ledger(options, config, Box::new(store))
                }
                (Some(gate), None) => blocking::Mailer::with_gate(options, config, gate),
                (None, None) => blocking::Mailer::new(options, config),
            })
            .py_err()?;
        Ok(Mailer { inner, ledger })
    }

    /// Sends one message and waits (GIL released) for its Outcome. With a
    /// ledger, ``key`` (by default the Message-ID) is its idempotency key:
    /// a key already recorded is not sent again, its recorded Outcome comes
    /// back.
    #[pyo3(signature = (message, *, key=None))]
    fn send(
        &self,
        py: Python<'_>,
        message: &Bound<'_, PyAny>,
        key: Option<&str>,
    ) -> PyResult<Outcome> {
        let message = prepared(message)?;
        self.send_prepared(py, message, key)
    }

    /// Sends raw RFC 5322 bytes with an explicit envelope.
    #[pyo3(signature = (data, sender, recipients, *, key=None))]
    fn send_raw(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        sender: &Bound<'_, PyString>,
        recipients: &Bound<'_, PyAny>,
        key: Option<&str>,
    ) -> PyResult<Outcome> {
        let message = prepared_raw(data, sender, recipients)?;
        self.send_prepared(py, message, key)
    }

    /// Queues a message; returns a ``concurrent.futures.Future`` that the
    /// mailer completes with its Outcome (with a ledger, once recorded;
    /// ``key`` as for :meth:`send`).
    #[pyo3(signature = (message, *, key=None))]
    fn submit(
        &self,
        py: Python<'_>,
        message: &Bound<'_, PyAny>,
        key: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let message = prepared(message)?;
        self.submit_prepared(py, message, key)
    }

    /// :meth:`submit` for raw RFC 5322 bytes with an explicit envelope.
    #[pyo3(signature = (data, sender, recipients, *, key=None))]
    fn submit_raw(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        sender: &Bound<'_, PyString>,
        recipients: &Bound<'_, PyAny>,
        key: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let message = prepared_raw(data, sender, recipients)?;
        self.submit_prepared(py, message, key)
    }

    /// The :class:`Ledger` this mailer records into, or None.
    #[getter]
    fn ledger(&self, py: Python<'_>) -> Option<Py<Ledger>> {
        self.ledger.as_ref().map(|l| l.clone_ref(py))
    }

    /// What opening the ledger found: ``{"queued": n, "uncertain":
    /// [LedgerRecord, ...]}`` (messages an earlier process left unsent,
    /// queued again; those it may have sent, recorded uncertain, not resent).
    #[getter]
    fn resumed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = py.detach(|| self.inner.resumed());
        let dict = PyDict::new(py);
        dict.set_item("queued", r.queued)?;
        let uncertain: Vec<LedgerRecord> = r.uncertain.into_iter().map(LedgerRecord::new).collect();
        dict.set_item("uncertain", uncertain)?;
        Ok(dict)
    }

    /// Sends many messages through the pool; the Outcomes in order.
    fn send_many(&self, py: Python<'_>, messages: &Bound<'_, PyAny>) -> PyResult<Vec<Outcome>> {
        let prepared: Vec<Prepared> = messages
            .try_iter()?
            .map(|m| prepared(&m?))
            .collect::<PyResult<_>>()?;
        let results = py.detach(|| self.inner.send_many(prepared));
        results
            .into_iter()
            .map(|r| Outcome::new(py, r.py_err()?))
            .collect()
    }

    /// What has happened so far: queued, in_flight, delivered, failed,
    /// uncertain, retries, rate_limited, connections, current_rate.
    #[getter]
    fn counters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = py.detach(|| self.inner.counters());
        super::counters(py, c)
    }

    /// Closes after sending: no new messages; every message already
    /// submitted is sent (with its retries, within its deadline) and gets its
    /// Outcome, then connections say QUIT. Returns once all is done.
    /// Idempotent; after :meth:`abort` it only waits.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close());
    }

    /// Closes now: messages not yet handed to a connection end as failed
    /// (``InvalidStateError``, not sent), those in flight finish (an answer,
    /// or uncertain), connections say QUIT. Returns once all is done.
    fn abort(&self, py: Python<'_>) {
        py.detach(|| self.inner.abort());
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }
}

impl Mailer {
    /// Queues a prepared message whose Outcome completes a new
    /// ``concurrent.futures.Future``.
    fn send_prepared(
        &self,
        py: Python<'_>,
        message: Prepared,
        key: Option<&str>,
    ) -> PyResult<Outcome> {
        let result = py
            .detach(|| match key {
                Some(key) => self
                    .inner
                    .submit_keyed(key, message)
                    .map(|s| self.inner.wait(s.ticket)),
                None => self.inner.send(message),
            })
            .py_err()?;
        Outcome::new(py, result)
    }

    fn submit_prepared(
        &self,
        py: Python<'_>,
        message: Prepared,
        key: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let future = py
            .import("concurrent.futures")?
            .getattr("Future")?
            .call0()?
            .unbind();
        let target = future.clone_ref(py);
        let callback = move |result: core::Outcome| {
            Python::attach(|py| {
                let done = match Outcome::new(py, result) {
                    Ok(value) => target.call_method1(py, "set_result", (value,)),
                    Err(err) => target.call_method1(py, "set_exception", (err.into_value(py),)),
                };
                // A future cancelled by its user refuses a result: nothing to do.
                drop(done);
            });
        };
        py.detach(|| match key {
            Some(key) => self
                .inner
                .submit_keyed_with(key, message, callback)
                .map(|_| ()),
            None => self.inner.submit_with(message, callback).map(|_| ()),
        })
        .py_err()?;
        Ok(future)
    }
}

impl Drop for Mailer {
    /// Aborts, as the core does when its mailer is dropped (a mailer left to
    /// the garbage collector does not keep it waiting for deadlines), with
    /// the GIL released: the mailer's threads may need it to complete
    /// futures before they end.
    fn drop(&mut self) {
        let inner = &self.inner;
        Python::attach(|py| py.detach(|| inner.abort()));
    }
}
