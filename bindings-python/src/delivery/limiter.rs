//! A quota shared across processes: any Python object with `acquire()` as
//! the core's `QuotaGate`, and `Rate` (the core's presets, for adapters such
//! as `mailwright.limits.SharedQuota`).
//!
//! The contract of `acquire()`: `None` or `0` means a slot of the shared
//! window was taken (go), a number of seconds above zero means the window is
//! full (ask again after that long), and an exception means the shared store
//! could not be asked (the core holds every message and asks again later;
//! the exception's text ends up in the failure of a message that waited for
//! it past its deadline).
//!
//! Threads and the GIL: the core calls the gate on its driver threads while
//! it holds its dispatcher lock, and the gate takes the GIL to call Python.
//! That is safe only because no Python thread ever waits for the core with
//! the GIL held: every entry into a core Mailer releases it first (see
//! `delivery/mailer.rs`, and `tests/test_limiter.py`, which would deadlock
//! otherwise). `acquire()` itself must not call the Mailer it limits.

use crate::convert;
use crate::errors::IntoPy;
use mailwright::delivery::{GateAnswer, QuotaGate, Rate as CoreRate};
use mailwright::smtp::settings;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};

/// A Python limiter object seen by the core as a [`QuotaGate`].
struct PyGate {
    limiter: Py<PyAny>,
}

impl QuotaGate for PyGate {
    fn acquire(&mut self) -> GateAnswer {
        Python::try_attach(|py| answer(py, self.limiter.bind(py).call_method0("acquire")))
            .unwrap_or_else(|| {
                GateAnswer::Unavailable("the Python interpreter is shutting down".into())
            })
    }
}

/// What one call of `acquire()` means for the core.
fn answer<'py>(py: Python<'py>, result: PyResult<Bound<'py, PyAny>>) -> GateAnswer {
    let value = match result {
        Ok(value) => value,
        Err(err) => return GateAnswer::Unavailable(described(py, &err)),
    };
    if value.is_none() {
        return GateAnswer::Go;
    }
    let secs = match value.extract::<f64>() {
        Ok(secs) if !value.is_instance_of::<PyBool>() => secs,
        _ => {
            return GateAnswer::Unavailable(format!(
                "limiter.acquire() returned a {}: it must return None or 0 (go) or the seconds to wait",
                value
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".to_string(), |n| n.to_string())
            ));
        }
    };
    if secs == 0.0 {
        return GateAnswer::Go;
    }
    if secs.is_nan() || secs < 0.0 {
        return GateAnswer::Unavailable(format!(
            "limiter.acquire() returned {secs}: a wait must be a number of seconds above zero"
        ));
    }
    // Waits shorter than the core's shortest time-out are rounded up to it;
    // the longest is the core's too.
    match settings::timeout_from_secs(secs.max(settings::MIN_TIMEOUT.as_secs_f64())) {
        Ok(wait) => GateAnswer::Wait(wait),
        Err(err) => GateAnswer::Unavailable(format!("limiter.acquire() returned {secs} s: {err}")),
    }
}

/// `TypeName: text` of an exception raised by `acquire()`.
fn described(py: Python<'_>, err: &PyErr) -> String {
    let name = err
        .get_type(py)
        .name()
        .map_or_else(|_| "Exception".to_string(), |n| n.to_string());
    let text = err
        .value(py)
        .str()
        .map_or_else(|_| String::new(), |s| s.to_string());
    if text.is_empty() {
        format!("limiter.acquire() raised {name}")
    } else {
        format!("limiter.acquire() raised {name}: {text}")
    }
}

/// The core gate for a Python limiter object (anything with a callable
/// `acquire()`), for the blocking Mailer and the asyncio dispatcher alike.
pub fn gate(limiter: &Bound<'_, PyAny>) -> PyResult<Box<dyn QuotaGate>> {
    let callable = limiter
        .getattr("acquire")
        .map(|a| a.is_callable())
        .unwrap_or(false);
    if !callable {
        return Err(PyTypeError::new_err(
            "limiter must have an acquire() method returning None/0 (go) or the seconds to wait",
        ));
    }
    Ok(Box::new(PyGate {
        limiter: limiter.clone().unbind(),
    }))
}

/// A relay's quota, as the core holds it: at most `messages` in any window
/// of `per` seconds, at most `burst` back to back.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Rate {
    pub(crate) inner: CoreRate,
}

#[pymethods]
impl Rate {
    /// `messages` per `per` seconds (the core's burst: one second's worth).
    #[new]
    fn new(messages: u32, per: &Bound<'_, PyAny>) -> PyResult<Self> {
        let per = convert::timeout(per, "per")?;
        Ok(Rate {
            inner: CoreRate::new(messages, per).py_err()?,
        })
    }

    /// A named preset of the core (`"sendcloud"`).
    #[staticmethod]
    fn preset(name: &Bound<'_, PyString>) -> PyResult<Self> {
        Ok(Rate {
            inner: CoreRate::from_name(&convert::string(name, "name")?).py_err()?,
        })
    }

    #[getter]
    fn messages(&self) -> u32 {
        self.inner.messages
    }

    /// The window, in seconds.
    #[getter]
    fn per(&self) -> f64 {
        self.inner.per.as_secs_f64()
    }

    #[getter]
    fn burst(&self) -> u32 {
        self.inner.burst
    }

    /// The window, in seconds, that a quota shared across processes keeps
    /// each slot for: the relay's window plus the core's margin (see
    /// ``mailwright.limits.SharedQuota``).
    #[getter]
    fn shared_window(&self) -> f64 {
        self.inner.shared_window().as_secs_f64()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Rate>()
            .is_ok_and(|other| other.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.inner.messages)
            ^ (self.inner.per.as_nanos() as u64).rotate_left(32)
            ^ u64::from(self.inner.burst)
    }

    fn __repr__(&self) -> String {
        format!(
            "Rate(messages={}, per={}, burst={})",
            self.inner.messages,
            self.per(),
            self.inner.burst
        )
    }
}

/// `"sendcloud"` (a core preset), a `Rate`, or `(messages, per_seconds)`.
pub fn rate(value: &Bound<'_, PyAny>) -> PyResult<CoreRate> {
    if let Ok(rate) = value.cast::<Rate>() {
        return Ok(rate.get().inner);
    }
    if let Ok(name) = value.cast::<PyString>() {
        return CoreRate::from_name(&convert::string(name, "rate")?).py_err();
    }
    let (messages, per): (u32, Bound<'_, PyAny>) = value.extract().map_err(|_| {
        PyTypeError::new_err(
            "rate must be \"sendcloud\", a Rate or a (messages, per_seconds) tuple",
        )
    })?;
    CoreRate::new(messages, convert::timeout(&per, "rate")?).py_err()
}
