//! The core's blocking delivery engine (`mailwright::delivery::blocking`):
//! a pool of connections, one throttle, retries, one `Outcome` per message.
//!
//! Threads and the GIL: every call into the core Mailer is made with the GIL
//! released (`py.detach`), and the core runs callbacks with no lock of its
//! own held, so a callback thread taking the GIL (to complete a
//! `concurrent.futures.Future`) never waits for a thread that holds the GIL
//! while it waits for the core.

use crate::convert::{self, string};
use crate::errors::{IntoPy, exception};
use crate::message::Message;
use crate::smtp::client::Connect;
use crate::smtp::credentials::Credentials;
use crate::smtp::reply::Reply;
use crate::smtp::session::replies;
use mailwright::Error;
use mailwright::delivery::{self as core, DeliveryConfig, Prepared, Rate, blocking};
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
    fn new(py: Python<'_>, outcome: core::Outcome) -> PyResult<Outcome> {
        let error =
            |err: &Error| -> PyResult<Option<Py<PyAny>>> { Ok(Some(exception(py, err)?.unbind())) };
        let kind = outcome.kind();
        Ok(match outcome {
            core::Outcome::Delivered {
                ticket,
                queue_id,
                accepted,
                refused,
                attempts,
                uncertain_attempts,
            } => Outcome {
                kind,
                ticket,
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
                error: err,
                attempts,
                gave_up,
                refused,
            } => Outcome {
                kind,
                ticket,
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
                error: err,
                attempts,
            } => Outcome {
                kind,
                ticket,
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
            "Outcome(kind={:?}, ticket={}, queue_id={:?}, attempts={}, gave_up={})",
            self.kind, self.ticket, self.queue_id, self.attempts, self.gave_up
        )
    }
}

/// `"sendcloud"` (the core's SendCloud quota) or `(messages, per_seconds)`.
fn rate(value: &Bound<'_, PyAny>) -> PyResult<Rate> {
    if let Ok(name) = value.cast::<PyString>() {
        return Rate::from_name(&string(name, "rate")?).py_err();
    }
    let (messages, per): (u32, Bound<'_, PyAny>) = value.extract().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(
            "rate must be \"sendcloud\" or a (messages, per_seconds) tuple",
        )
    })?;
    Rate::new(messages, convert::timeout(&per, "rate")?).py_err()
}

fn prepared(message: &Bound<'_, PyAny>) -> PyResult<Prepared> {
    let message = message.cast::<Message>()?.borrow();
    Prepared::message(&message.inner).py_err()
}

/// Sends through a pool of connections with one throttle, retries and one
/// Outcome per message. Thread-safe; a context manager (closes on exit).
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Mailer {
    inner: blocking::Mailer,
}

#[pymethods]
impl Mailer {
    /// The connection options are those of :class:`Client`; the rest sets the
    /// pool (``connections``), the throttle (``rate``), retries
    /// (``max_attempts``, ``deadline`` in seconds) and ``at_least_once``.
    /// Every option left out takes the core's default. Nothing connects
    /// until a message is sent.
    #[new]
    #[pyo3(signature = (host, port=None, *, credentials=None, tls=None, timeout=None, hello_name=None,
        ca_file=None, pin_sha256=None, pin_certificate=None, allow_plaintext_auth=None,
        connections=None, rate=None, max_attempts=None, deadline=None, at_least_once=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: &Bound<'_, PyString>,
        port: Option<&Bound<'_, PyAny>>,
        credentials: Option<PyRef<'_, Credentials>>,
        tls: Option<&Bound<'_, PyString>>,
        timeout: Option<&Bound<'_, PyAny>>,
        hello_name: Option<&Bound<'_, PyString>>,
        ca_file: Option<&Bound<'_, PyAny>>,
        pin_sha256: Option<&Bound<'_, PyAny>>,
        pin_certificate: Option<&Bound<'_, PyAny>>,
        allow_plaintext_auth: Option<bool>,
        connections: Option<usize>,
        rate: Option<&Bound<'_, PyAny>>,
        max_attempts: Option<u32>,
        deadline: Option<&Bound<'_, PyAny>>,
        at_least_once: bool,
    ) -> PyResult<Self> {
        let options = Connect {
            host,
            port,
            credentials: credentials.as_deref(),
            tls,
            ca_file,
            pin_sha256,
            pin_certificate,
            timeout,
            message_timeout: None,
            hello_name,
            pipelining: None,
            allow_plaintext_auth,
            transcript: false,
        }
        .options()?;
        let mut config = DeliveryConfig::default();
        if let Some(n) = connections {
            config.connections = n;
        }
        if let Some(value) = rate.filter(|v| !v.is_none()) {
            config.rate = Some(self::rate(value)?);
        }
        if let Some(n) = max_attempts {
            config.retry.max_attempts = n;
        }
        if let Some(value) = deadline.filter(|v| !v.is_none()) {
            config.retry.deadline = convert::timeout(value, "deadline")?;
        }
        config.at_least_once = at_least_once;
        let inner = py
            .detach(move || blocking::Mailer::new(options, config))
            .py_err()?;
        Ok(Mailer { inner })
    }

    /// Sends one message and waits (GIL released) for its Outcome.
    fn send(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<Outcome> {
        let message = prepared(message)?;
        let result = py.detach(|| self.inner.send(message)).py_err()?;
        Outcome::new(py, result)
    }

    /// Sends raw RFC 5322 bytes with an explicit envelope.
    fn send_raw(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        sender: &Bound<'_, PyString>,
        recipients: &Bound<'_, PyAny>,
    ) -> PyResult<Outcome> {
        let data = convert::bytes_from(data, "data")?;
        let sender = string(sender, "sender")?;
        let recipients = convert::strings(Some(recipients), "recipients")?;
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        let message = Prepared::raw(data.as_ref(), &sender, &refs).py_err()?;
        let result = py.detach(|| self.inner.send(message)).py_err()?;
        Outcome::new(py, result)
    }

    /// Queues a message; returns a ``concurrent.futures.Future`` that the
    /// mailer completes with its Outcome.
    fn submit(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let message = prepared(message)?;
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
        py.detach(|| self.inner.submit_with(message, callback))
            .py_err()?;
        Ok(future)
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
        let dict = PyDict::new(py);
        dict.set_item("queued", c.queued)?;
        dict.set_item("in_flight", c.in_flight)?;
        dict.set_item("delivered", c.delivered)?;
        dict.set_item("failed", c.failed)?;
        dict.set_item("uncertain", c.uncertain)?;
        dict.set_item("retries", c.retries)?;
        dict.set_item("rate_limited", c.rate_limited)?;
        dict.set_item("connections", c.connections)?;
        dict.set_item("current_rate", c.current_rate)?;
        Ok(dict)
    }

    /// Graceful shutdown: messages not yet handed to a connection end as
    /// failed, those in flight finish, connections say QUIT. Idempotent.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close());
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

impl Drop for Mailer {
    /// Closes with the GIL released: the mailer's threads may need it to
    /// complete futures before they end.
    fn drop(&mut self) {
        let inner = &self.inner;
        Python::attach(|py| py.detach(|| inner.close()));
    }
}
