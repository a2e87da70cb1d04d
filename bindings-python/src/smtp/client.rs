//! The blocking client (the core's transport) and the one-shot `send`.

use super::credentials::Credentials;
use super::session::SendResult;
use super::transcript;
use crate::convert::{self, text_or_bytes};
use crate::errors::{IntoPy, exception, to_py};
use crate::message::Message;
use mailwright::smtp::{self as core, ClientOptions};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// What the user gave for a connection, before the core applies its
/// defaults and rules. None everywhere means "the core's default".
struct Connect<'a, 'py> {
    host: String,
    port: Option<&'a Bound<'py, PyAny>>,
    credentials: Option<&'a Credentials>,
    tls: Option<&'a str>,
    ca_file: Option<PathBuf>,
    pin_sha256: Option<&'a Bound<'py, PyAny>>,
    pin_certificate: Option<&'a Bound<'py, PyAny>>,
    timeout: Option<&'a Bound<'py, PyAny>>,
    hello_name: Option<String>,
    pipelining: Option<bool>,
}

impl Connect<'_, '_> {
    fn options(self) -> PyResult<ClientOptions> {
        let mut options = ClientOptions::for_host(self.host);
        if let Some(port) = self.port.filter(|p| !p.is_none()) {
            options.port = Some(convert::port(port)?);
        }
        if let Some(tls) = self.tls {
            options.tls = convert::tls_mode(tls)?;
        }
        if let Some(credentials) = self.credentials {
            options = options.credentials(credentials.inner.clone());
        }
        if let Some(path) = self.ca_file {
            options = options.ca_file(path).py_err()?;
        }
        if let Some(pins) = self.pin_sha256.filter(|p| !p.is_none()) {
            for pin in convert::strings(Some(pins), "pin_sha256")? {
                options = options.pin_sha256(&pin).py_err()?;
            }
        }
        if let Some(pem) = self.pin_certificate.filter(|p| !p.is_none()) {
            let pem = text_or_bytes(pem, "pin_certificate")?;
            options = options.pin_certificate_pem(&pem).py_err()?;
        }
        if let Some(timeout) = self.timeout.filter(|t| !t.is_none()) {
            options = options.timeout(convert::timeout(timeout)?);
        }
        if let Some(name) = self.hello_name {
            options = options.hello_name(name);
        }
        if let Some(on) = self.pipelining {
            options.pipelining = on;
        }
        // The Python client always keeps a transcript (Client.transcript()).
        options.transcript = true;
        options.validate().py_err()?;
        Ok(options)
    }
}

/// A connection that sends many messages; a context manager (QUIT on exit).
#[pyclass(module = "mailwright._mailwright")]
pub struct Client {
    inner: Mutex<Option<core::SmtpClient>>,
}

impl Client {
    fn lock(&self) -> PyResult<MutexGuard<'_, Option<core::SmtpClient>>> {
        self.inner
            .lock()
            .map_err(|_| PyRuntimeError::new_err("the client's lock is poisoned"))
    }
}

fn closed() -> PyErr {
    to_py(mailwright::Error::new(
        mailwright::ErrorKind::InvalidState,
        "the client is closed",
    ))
}

#[pymethods]
impl Client {
    /// Connects (and says EHLO, STARTTLS, AUTH as configured). Every option
    /// left out (or None) takes the core's default: port 25 (465 with
    /// ``tls="implicit"``), ``tls="starttls"``, a 30-second time-out, EHLO
    /// name ``localhost``, pipelining on.
    #[new]
    #[pyo3(signature = (host, port=None, *, credentials=None, tls=None, ca_file=None, pin_sha256=None,
        pin_certificate=None, timeout=None, hello_name=None, pipelining=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        port: Option<&Bound<'_, PyAny>>,
        credentials: Option<PyRef<'_, Credentials>>,
        tls: Option<&str>,
        ca_file: Option<PathBuf>,
        pin_sha256: Option<&Bound<'_, PyAny>>,
        pin_certificate: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        hello_name: Option<String>,
        pipelining: Option<bool>,
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
            hello_name,
            pipelining,
        }
        .options()?;
        let client = py.detach(|| core::SmtpClient::connect(options)).py_err()?;
        Ok(Client {
            inner: Mutex::new(Some(client)),
        })
    }

    /// Sends one message; returns once the server accepted it.
    fn send(&self, py: Python<'_>, message: PyRef<'_, Message>) -> PyResult<SendResult> {
        let message = &message.inner;
        let mut guard = self.lock()?;
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
        let mut guard = self.lock()?;
        let client = guard.as_mut().ok_or_else(closed)?;
        let results = py.detach(|| client.send_all(&refs));
        results
            .into_iter()
            .map(|r| match r {
                Ok(report) => Ok(Py::new(py, SendResult::from(report))?.into_any()),
                Err(err) => Ok(exception(py, &err)?.unbind()),
            })
            .collect()
    }

    /// The conversation so far as ``(direction, text)`` pairs (direction
    /// ``"client"`` or ``"server"``), secrets masked.
    fn transcript(&self) -> PyResult<Vec<(&'static str, String)>> {
        Ok(self
            .lock()?
            .as_mut()
            .map(|c| transcript(c.take_transcript()))
            .unwrap_or_default())
    }

    #[getter]
    fn is_tls(&self) -> PyResult<bool> {
        Ok(self.lock()?.as_ref().is_some_and(|c| c.is_tls()))
    }

    /// Says QUIT and closes; idempotent.
    fn quit(&self, py: Python<'_>) -> PyResult<()> {
        let client = self.lock()?.take();
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
/// options are those of :class:`Client`.
#[pyfunction]
#[pyo3(signature = (message, host, port=None, *, credentials=None, tls=None, ca_file=None, pin_sha256=None,
    pin_certificate=None, timeout=None, hello_name=None, pipelining=None))]
#[allow(clippy::too_many_arguments)]
pub fn send(
    py: Python<'_>,
    message: PyRef<'_, Message>,
    host: String,
    port: Option<&Bound<'_, PyAny>>,
    credentials: Option<PyRef<'_, Credentials>>,
    tls: Option<&str>,
    ca_file: Option<PathBuf>,
    pin_sha256: Option<&Bound<'_, PyAny>>,
    pin_certificate: Option<&Bound<'_, PyAny>>,
    timeout: Option<&Bound<'_, PyAny>>,
    hello_name: Option<String>,
    pipelining: Option<bool>,
) -> PyResult<SendResult> {
    let options = Connect {
        host,
        port,
        credentials: credentials.as_deref(),
        tls,
        ca_file,
        pin_sha256,
        pin_certificate,
        timeout,
        hello_name,
        pipelining,
    }
    .options()?;
    let message = &message.inner;
    py.detach(|| core::send(message, options))
        .map(SendResult::from)
        .py_err()
}
