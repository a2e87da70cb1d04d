//! One SMTP reply, parsed and classified by the core.

use crate::errors::IntoPy;
use mailwright::smtp as core;
use pyo3::prelude::*;

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

/// A core reply as the Python object an exception carries (see `errors`).
pub fn to_object(py: Python<'_>, reply: &core::Reply) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, Reply::from(reply.clone()))?.into_any())
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

    /// The text of each line, without the code and separator.
    #[getter]
    fn lines(&self) -> Vec<String> {
        self.inner.lines().to_vec()
    }

    #[getter]
    fn text(&self) -> String {
        self.inner.text()
    }

    /// The core's class name: ``"Positive"``, ``"Intermediate"``,
    /// ``"Transient"``, ``"Permanent"`` or ``"RateLimited"``.
    #[getter]
    fn classification(&self) -> &'static str {
        self.inner.class().as_str()
    }

    /// True when the same command may succeed later (4xx, rate limited).
    #[getter]
    fn transient(&self) -> bool {
        self.inner.class().is_transient()
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
