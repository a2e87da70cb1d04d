//! The sans-IO session, its events and what they carry.

use super::reply::Reply;
use super::transcript;
use crate::convert::{optional_string, string};
use crate::errors::{IntoPy, exception};
use crate::message::Message;
use crate::options::Options;
use mailwright::smtp::{self as core, ConnectionLoss};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

pub(crate) fn replies(refused: &[(String, core::Reply)]) -> Vec<(String, Reply)> {
    refused
        .iter()
        .map(|(address, reply)| (address.clone(), Reply::from(reply.clone())))
        .collect()
}

/// What the server accepted.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct SendResult {
    #[pyo3(get)]
    handle: u64,
    #[pyo3(get)]
    queue_id: Option<String>,
    #[pyo3(get)]
    accepted: Vec<String>,
    refused: Vec<(String, core::Reply)>,
    reply: core::Reply,
}

impl From<core::SendReport> for SendResult {
    fn from(r: core::SendReport) -> Self {
        SendResult {
            handle: r.handle,
            queue_id: r.queue_id,
            accepted: r.accepted,
            refused: r.refused,
            reply: r.reply,
        }
    }
}

#[pymethods]
impl SendResult {
    /// Refused recipients with the server's reply: ``[(address, Reply), ...]``.
    #[getter]
    fn refused(&self) -> Vec<(String, Reply)> {
        replies(&self.refused)
    }

    /// The final reply to the end of DATA.
    #[getter]
    fn reply(&self) -> Reply {
        Reply::from(self.reply.clone())
    }

    fn __repr__(&self) -> String {
        format!(
            "SendResult(queue_id={:?}, accepted={:?}, refused={})",
            self.queue_id,
            self.accepted,
            self.refused.len()
        )
    }
}

/// One event of a :class:`Session`. ``kind`` is the core's event name:
/// ``"StartTls"``, ``"Ready"``, ``"Sent"`` (``handle``, ``result``),
/// ``"Failed"`` (``handle``, ``error``, ``refused``), ``"Error"`` (``error``)
/// or ``"Closed"``.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Event {
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    handle: Option<u64>,
    #[pyo3(get)]
    result: Option<Py<SendResult>>,
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
    refused: Vec<(String, core::Reply)>,
}

impl Event {
    fn from_core(py: Python<'_>, event: core::Event) -> PyResult<Event> {
        let mut out = Event {
            kind: event.as_str(),
            handle: None,
            result: None,
            error: None,
            refused: Vec::new(),
        };
        match event {
            core::Event::Sent(report) => {
                out.handle = Some(report.handle);
                out.refused = report.refused.clone();
                out.result = Some(Py::new(py, SendResult::from(report))?);
            }
            core::Event::Failed(failure) => {
                out.handle = Some(failure.handle);
                out.error = Some(exception(py, &failure.error)?.unbind());
                out.refused = failure.refused;
            }
            core::Event::Error(error) => {
                out.error = Some(exception(py, &error)?.unbind());
            }
            core::Event::StartTls | core::Event::Ready | core::Event::Closed => {}
        }
        Ok(out)
    }
}

#[pymethods]
impl Event {
    /// Recipients refused (``Sent`` and ``Failed``): ``[(address, Reply), ...]``.
    #[getter]
    fn refused(&self) -> Vec<(String, Reply)> {
        replies(&self.refused)
    }

    fn __repr__(&self) -> String {
        match self.handle {
            Some(handle) => format!("Event({:?}, handle={handle})", self.kind),
            None => format!("Event({:?})", self.kind),
        }
    }
}

/// The sans-IO SMTP session: feed it the server's bytes, send what it gives,
/// read its events. It never touches a socket (use it from asyncio, trio, ...).
#[pyclass(module = "mailwright._mailwright")]
pub struct Session {
    inner: core::Session,
}

#[pymethods]
impl Session {
    /// The options are ``mailwright.options.SessionOptions``
    /// (`crate::options`); every one left out (or None) takes the core's
    /// default (``SessionConfig::default``: no credentials sent without TLS).
    #[new]
    #[pyo3(signature = (**options))]
    fn new(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let config = Options::parse_session(options)?.session_config()?;
        let inner = core::Session::new(config).py_err()?;
        Ok(Session { inner })
    }

    /// Feeds bytes received from the server.
    fn receive(&mut self, data: &[u8]) {
        self.inner.receive(data);
    }

    /// Everything waiting to be sent to the server.
    fn take_output<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.take_output())
    }

    /// Queues a message; returns its handle.
    fn send(&mut self, message: &Message) -> PyResult<u64> {
        self.inner.send(&message.inner).py_err()
    }

    /// QUIT once every queued message is done.
    fn quit(&mut self) {
        self.inner.quit();
    }

    /// Call after the TLS handshake that a ``StartTls`` event asked for.
    fn tls_established(&mut self) {
        self.inner.tls_established();
    }

    /// The connection is gone. ``cause`` is what the transport saw:
    /// ``"closed"``, ``"timeout"``, ``"tls"`` or ``"connect"`` (the error kind
    /// follows from it); ``detail`` is shown in the error message.
    #[pyo3(signature = (cause, detail=None))]
    fn connection_lost(
        &mut self,
        cause: &Bound<'_, PyString>,
        detail: Option<&Bound<'_, PyString>>,
    ) -> PyResult<()> {
        let cause = ConnectionLoss::from_name(&string(cause, "cause")?).py_err()?;
        let detail = optional_string(detail, "detail")?.unwrap_or_default();
        self.inner.connection_lost(cause, &detail);
        Ok(())
    }

    /// Reports the transport's monotonic clock (seconds, any origin): a reply
    /// or a message that takes too long fails with ``TimeoutError``, and an
    /// unanswered QUIT ends the session.
    fn advance(&mut self, now: f64) -> PyResult<()> {
        let now = crate::delivery::dispatcher::seconds(now, "now")?;
        self.inner.advance(now);
        Ok(())
    }

    /// When to call :meth:`advance` next (same clock), if a reply is awaited.
    fn poll_timeout(&self) -> Option<f64> {
        self.inner.poll_timeout().map(|t| t.as_secs_f64())
    }

    /// The next event, or None.
    fn poll_event(&mut self, py: Python<'_>) -> PyResult<Option<Event>> {
        self.inner
            .poll_event()
            .map(|event| Event::from_core(py, event))
            .transpose()
    }

    #[getter]
    fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    #[getter]
    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }

    /// The conversation since the last call as ``(direction, text)`` pairs
    /// (direction ``"client"`` or ``"server"``), secrets masked; drains it.
    /// Kept only with ``transcript=True``, and bounded by the core (the
    /// oldest lines are dropped: ``transcript_dropped`` counts them).
    fn take_transcript(&mut self) -> Vec<(&'static str, String)> {
        transcript(self.inner.take_transcript())
    }

    /// How many transcript lines were dropped because it was full.
    #[getter]
    fn transcript_dropped(&self) -> u64 {
        self.inner.transcript_dropped()
    }
}
