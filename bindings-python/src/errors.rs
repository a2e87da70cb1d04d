//! Core errors → the Python exception classes of `mailwright.errors`.

use mailwright::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::smtp::Reply;

static BY_KIND: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
static BASE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The exception object (not raised) for a core error.
pub fn exception(py: Python<'_>, err: Error) -> PyResult<Bound<'_, PyAny>> {
    let by_kind = BY_KIND.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        let module = py.import("mailwright.errors")?;
        Ok(module.getattr("_BY_KIND")?.cast_into::<PyDict>()?.unbind())
    })?;
    let class = match by_kind.bind(py).get_item(err.kind().as_str())? {
        Some(class) => class,
        None => BASE
            .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                Ok(py
                    .import("mailwright.errors")?
                    .getattr("MailwrightError")?
                    .unbind())
            })?
            .bind(py)
            .clone(),
    };
    let reply = err
        .reply()
        .cloned()
        .map(|r| Reply::from(r))
        .map(|r| Py::new(py, r))
        .transpose()?;
    class.call1((
        err.message().to_string(),
        err.kind().as_str(),
        err.kind().code(),
        reply,
    ))
}

/// A core error as a raised Python exception.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| match exception(py, err) {
        Ok(value) => PyErr::from_value(value),
        Err(lookup) => lookup,
    })
}

/// `result.map_err(to_py)`, shorter.
pub trait IntoPy<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
