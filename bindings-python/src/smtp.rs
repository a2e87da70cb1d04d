//! Credentials, AUTH payloads, replies, the sans-IO session and the client for Python.

use crate::errors::{IntoPy, exception, to_py};
use crate::message::Message;
use mailwright::smtp::{self as core, ClientOptions, TlsMode, TlsPolicy};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::Mutex;
use std::time::Duration;

/// User and key, with SendCloud's optional label (user name ``user#label``).
/// The key is never shown by ``repr`` or in any error.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct Credentials {
    pub inner: mailwright::Credentials,
}

#[pymethods]
impl Credentials {
    #[new]
    #[pyo3(signature = (user, key, *, label=None))]
    fn new(user: String, key: String, label: Option<String>) -> Self {
        let mut inner = mailwright::Credentials::new(user, key);
        if let Some(label) = label {
            inner = inner.with_label(label);
        }
        Credentials { inner }
    }

    /// Credentials with an OAuth 2 access token (sent with XOAUTH2).
    #[staticmethod]
    fn oauth2(user: String, token: String) -> Self {
        Credentials {
            inner: mailwright::Credentials::oauth2(user, token),
        }
    }

    #[getter]
    fn user(&self) -> &str {
        self.inner.user()
    }

    #[getter]
    fn label(&self) -> Option<&str> {
        self.inner.label()
    }

    /// The user name sent: ``user`` or ``user#label``.
    #[getter]
    fn username(&self) -> &str {
        self.inner.username()
    }

    fn __repr__(&self) -> String {
        format!("Credentials({:?}, key=<redacted>)", self.inner.username())
    }
}

/// One SMTP reply from a server.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct Reply {
    inner: core::Reply,
}

impl From<core::Reply> for Reply {
    fn from(inner: core::Reply) -> Self {
        Reply { inner }
    }
}

#[pymethods]
impl Reply {
    /// Parses exactly one complete reply (all its CRLF-terminated lines).
    #[staticmethod]
    fn parse(data: &[u8]) -> PyResult<Self> {
        core::Reply::parse(data).map(Reply::from).py_err()
    }

    #[getter]
    fn code(&self) -> u16 {
        self.inner.code()
    }

    /// The RFC 3463 enhanced status code, e.g. ``"5.7.8"``.
    #[getter]
    fn enhanced_code(&self) -> Option<String> {
        self.inner.enhanced().map(|e| e.to_string())
    }

    #[getter]
    fn lines(&self) -> Vec<String> {
        self.inner.lines().to_vec()
    }

    #[getter]
    fn text(&self) -> String {
        self.inner.text()
    }

    /// ``"positive"``, ``"intermediate"``, ``"transient"``, ``"permanent"`` or ``"rate_limited"``.
    #[getter]
    fn classification(&self) -> &'static str {
        match self.inner.class() {
            core::ReplyClass::Positive => "positive",
            core::ReplyClass::Intermediate => "intermediate",
            core::ReplyClass::Transient => "transient",
            core::ReplyClass::Permanent => "permanent",
            core::ReplyClass::RateLimited => "rate_limited",
        }
    }

    #[getter]
    fn is_positive(&self) -> bool {
        self.inner.is_positive()
    }

    /// The queue id of a reply to the end of DATA, if it has one.
    #[getter]
    fn queue_id(&self) -> Option<&str> {
        self.inner.queue_id()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Reply({})", self.inner.summary())
    }
}

/// ``AUTH PLAIN <base64>\r\n``.
#[pyfunction]
pub fn auth_plain<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    credentials.inner.validate().py_err()?;
    Ok(PyBytes::new(
        py,
        &core::auth::auth_plain(&credentials.inner),
    ))
}

/// ``AUTH LOGIN <base64 user>\r\n`` (the user name as initial response).
#[pyfunction]
pub fn auth_login<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    credentials.inner.validate().py_err()?;
    Ok(PyBytes::new(
        py,
        &core::auth::auth_login(&credentials.inner),
    ))
}

/// The answer to a ``334`` challenge during LOGIN (the challenge's base64 text).
#[pyfunction]
#[pyo3(signature = (challenge, credentials, *, username_sent=true))]
pub fn login_answer<'py>(
    py: Python<'py>,
    challenge: &str,
    credentials: &Credentials,
    username_sent: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let prompt = core::auth::login_prompt(challenge, username_sent);
    Ok(PyBytes::new(
        py,
        &core::auth::login_answer(prompt, &credentials.inner),
    ))
}

/// ``AUTH XOAUTH2 <base64>\r\n`` for OAuth 2 credentials.
#[pyfunction]
pub fn auth_xoauth2<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &core::auth::auth_xoauth2(&credentials.inner).py_err()?,
    ))
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
        self.refused
            .iter()
            .map(|(a, r)| (a.clone(), Reply::from(r.clone())))
            .collect()
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

/// One event of a :class:`Session`: ``kind`` is ``"start_tls"``, ``"ready"``,
/// ``"sent"`` (``result``), ``"failed"`` (``handle``, ``error``), ``"error"``
/// (``error``) or ``"closed"``.
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
}

#[pymethods]
impl Event {
    fn __repr__(&self) -> String {
        format!("Event({:?}, handle={:?})", self.kind, self.handle)
    }
}

fn tls_policy(tls: &str) -> PyResult<TlsPolicy> {
    match tls {
        "required" | "starttls" => Ok(TlsPolicy::Required),
        "opportunistic" => Ok(TlsPolicy::Opportunistic),
        "never" | "none" => Ok(TlsPolicy::Never),
        other => Err(PyValueError::new_err(format!(
            "tls must be 'required', 'opportunistic' or 'never', not {other:?}"
        ))),
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
    #[new]
    #[pyo3(signature = (*, hello_name="localhost", tls="required", implicit_tls=false, credentials=None, pipelining=true, transcript=false))]
    fn new(
        hello_name: &str,
        tls: &str,
        implicit_tls: bool,
        credentials: Option<PyRef<'_, Credentials>>,
        pipelining: bool,
        transcript: bool,
    ) -> PyResult<Self> {
        Ok(Session {
            inner: core::Session::new(core::SessionConfig {
                hello_name: hello_name.to_string(),
                tls: tls_policy(tls)?,
                implicit_tls,
                credentials: credentials.map(|c| c.inner.clone()),
                pipelining,
                transcript,
            }),
        })
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

    /// Call after the TLS handshake that a ``start_tls`` event asked for.
    fn tls_established(&mut self) {
        self.inner.tls_established();
    }

    /// The connection is gone: pending messages fail with ConnectionClosedError.
    #[pyo3(signature = (reason="the connection closed"))]
    fn connection_lost(&mut self, reason: &str) {
        self.inner.connection_lost(mailwright::Error::new(
            mailwright::ErrorKind::ConnectionClosed,
            reason,
        ));
    }

    /// The next event, or None.
    fn poll_event(&mut self, py: Python<'_>) -> PyResult<Option<Event>> {
        let Some(event) = self.inner.poll_event() else {
            return Ok(None);
        };
        let plain = |kind| Event {
            kind,
            handle: None,
            result: None,
            error: None,
        };
        Ok(Some(match event {
            core::Event::StartTls => plain("start_tls"),
            core::Event::Ready => plain("ready"),
            core::Event::Closed => plain("closed"),
            core::Event::Sent(report) => Event {
                kind: "sent",
                handle: Some(report.handle),
                result: Some(Py::new(py, SendResult::from(report))?),
                error: None,
            },
            core::Event::Failed(failure) => Event {
                kind: "failed",
                handle: Some(failure.handle),
                result: None,
                error: Some(exception(py, failure.error)?.unbind()),
            },
            core::Event::Error(error) => Event {
                kind: "error",
                handle: None,
                result: None,
                error: Some(exception(py, error)?.unbind()),
            },
        }))
    }

    #[getter]
    fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    #[getter]
    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }

    /// The conversation so far as ``(direction, text)`` pairs, secrets masked.
    fn take_transcript(&mut self) -> Vec<(&'static str, String)> {
        transcript(self.inner.take_transcript())
    }
}

fn transcript(lines: Vec<core::TranscriptLine>) -> Vec<(&'static str, String)> {
    lines
        .into_iter()
        .map(|l| {
            (
                if l.direction == core::Direction::Client {
                    "C"
                } else {
                    "S"
                },
                l.text,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn options(
    host: String,
    port: u16,
    credentials: Option<&Credentials>,
    tls: &str,
    ca_file: Option<std::path::PathBuf>,
    timeout: f64,
    hello_name: &str,
    pipelining: bool,
) -> PyResult<ClientOptions> {
    let mut options = ClientOptions::new(host, port);
    options.tls = match tls {
        "starttls" | "required" => TlsMode::StartTls,
        "opportunistic" => TlsMode::StartTlsOpportunistic,
        "implicit" | "ssl" | "tls" => TlsMode::Implicit,
        "none" | "never" => TlsMode::None,
        other => {
            return Err(PyValueError::new_err(format!(
                "tls must be 'starttls', 'opportunistic', 'implicit' or 'none', not {other:?}"
            )));
        }
    };
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(PyValueError::new_err(
            "timeout must be a positive number of seconds",
        ));
    }
    options = options.timeout(Duration::from_secs_f64(timeout));
    options.credentials = credentials.map(|c| c.inner.clone());
    options.hello_name = hello_name.to_string();
    options.pipelining = pipelining;
    options.transcript = true;
    if let Some(path) = ca_file {
        options = options.ca_file(path).py_err()?;
    }
    Ok(options)
}

/// A connection that sends many messages; a context manager (QUIT on exit).
#[pyclass(module = "mailwright._mailwright")]
pub struct Client {
    inner: Mutex<Option<core::SmtpClient>>,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (host, port=25, *, credentials=None, tls="starttls", ca_file=None, timeout=30.0, hello_name="localhost", pipelining=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        port: u16,
        credentials: Option<PyRef<'_, Credentials>>,
        tls: &str,
        ca_file: Option<std::path::PathBuf>,
        timeout: f64,
        hello_name: &str,
        pipelining: bool,
    ) -> PyResult<Self> {
        let options = options(
            host,
            port,
            credentials.as_deref(),
            tls,
            ca_file,
            timeout,
            hello_name,
            pipelining,
        )?;
        let client = py.detach(|| core::SmtpClient::connect(options)).py_err()?;
        Ok(Client {
            inner: Mutex::new(Some(client)),
        })
    }

    /// Sends one message; returns once the server accepted it.
    fn send(&self, py: Python<'_>, message: PyRef<'_, Message>) -> PyResult<SendResult> {
        let message = &message.inner;
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| PyTypeError::new_err("client lock poisoned"))?;
        let client = guard.as_mut().ok_or_else(closed)?;
        py.detach(|| client.send(message))
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
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| PyTypeError::new_err("client lock poisoned"))?;
        let client = guard.as_mut().ok_or_else(closed)?;
        let results = py.detach(|| client.send_all(&refs));
        results
            .into_iter()
            .map(|r| match r {
                Ok(report) => Ok(Py::new(py, SendResult::from(report))?.into_any()),
                Err(err) => Ok(exception(py, err)?.unbind()),
            })
            .collect()
    }

    /// The conversation so far as ``(direction, text)`` pairs, secrets masked.
    fn transcript(&self) -> PyResult<Vec<(&'static str, String)>> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| PyTypeError::new_err("client lock poisoned"))?;
        Ok(guard
            .as_mut()
            .map(|c| transcript(c.take_transcript()))
            .unwrap_or_default())
    }

    #[getter]
    fn is_tls(&self) -> bool {
        self.inner
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|c| c.is_tls()))
            .unwrap_or(false)
    }

    /// Says QUIT and closes; idempotent.
    fn quit(&self, py: Python<'_>) -> PyResult<()> {
        let client = self
            .inner
            .lock()
            .map_err(|_| PyTypeError::new_err("client lock poisoned"))?
            .take();
        match client {
            Some(mut client) => py.detach(move || client.quit()).py_err(),
            None => Ok(()),
        }
    }

    /// Same as quit().
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.quit(py)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.quit(py).or_else(|err| {
            if _exc.get_item(0).is_ok_and(|t| !t.is_none()) {
                Ok(())
            } else {
                Err(err)
            }
        })?;
        Ok(false)
    }
}

fn closed() -> PyErr {
    to_py(mailwright::Error::new(
        mailwright::ErrorKind::InvalidState,
        "the client is closed",
    ))
}

/// Connects, sends one message, says QUIT; returns the SendResult.
#[pyfunction]
#[pyo3(signature = (message, host, port=25, *, credentials=None, tls="starttls", ca_file=None, timeout=30.0, hello_name="localhost", pipelining=true))]
#[allow(clippy::too_many_arguments)]
pub fn send(
    py: Python<'_>,
    message: PyRef<'_, Message>,
    host: String,
    port: u16,
    credentials: Option<PyRef<'_, Credentials>>,
    tls: &str,
    ca_file: Option<std::path::PathBuf>,
    timeout: f64,
    hello_name: &str,
    pipelining: bool,
) -> PyResult<SendResult> {
    let options = options(
        host,
        port,
        credentials.as_deref(),
        tls,
        ca_file,
        timeout,
        hello_name,
        pipelining,
    )?;
    let message = &message.inner;
    py.detach(|| core::send(message, options))
        .map(SendResult::from)
        .py_err()
}
