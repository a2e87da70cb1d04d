//! Core errors → the exception classes of `mailwright.errors`.
//!
//! Every exception carries what the core says about its error: the kind's
//! name and stable code, its category and whether it is transient. The class
//! is chosen in Python (`mailwright.errors._from_core`) by kind, falling back
//! to the base class of the kind's category. This module is the lowest layer
//! of the crate: it uses nothing else of it.

use mailwright::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::sync::OnceLock;

/// Turns a core SMTP reply into the Python object an exception carries.
pub type ReplyToPy = fn(Python<'_>, &mailwright::smtp::Reply) -> PyResult<Py<PyAny>>;

static REPLY_TO_PY: OnceLock<ReplyToPy> = OnceLock::new();
static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Sets how replies attached to errors are shown (the `Reply` class lives in
/// `smtp::reply`; `lib.rs` wires it here so that this module depends on no other).
pub fn set_reply_to_py(convert: ReplyToPy) {
    // Set once at import; a second import of the module keeps the first.
    let _ = REPLY_TO_PY.set(convert);
}

/// The exception object (not raised) for a core error.
pub fn exception<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyAny>> {
    let from_core = FROM_CORE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("mailwright.errors")?
            .getattr("_from_core")?
            .unbind())
    })?;
    let reply = match (err.reply(), REPLY_TO_PY.get()) {
        (Some(reply), Some(convert)) => Some(convert(py, reply)?),
        _ => None,
    };
    from_core.bind(py).call1((
        err.message(),
        err.kind().as_str(),
        err.kind().code(),
        err.category().as_str(),
        err.is_transient(),
        reply,
    ))
}

/// A core error as a raised Python exception.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| match exception(py, &err) {
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

/// Every error kind the core has: ``[(name, code, category, transient), ...]``
/// in code order (what the class table of `mailwright.errors` is checked against).
#[pyfunction]
pub fn error_kinds() -> Vec<(&'static str, u32, &'static str, bool)> {
    ErrorKind::ALL
        .iter()
        .map(|kind| {
            (
                kind.as_str(),
                kind.code(),
                kind.category().as_str(),
                kind.is_transient(),
            )
        })
        .collect()
}
