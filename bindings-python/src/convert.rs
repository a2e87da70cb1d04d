//! Python values → the core's types: bytes, mailboxes, lists, dates and the
//! connection options (TLS mode, port, time-out, pins). Every rule about an
//! option's value is the core's; this module only changes representation.

use crate::errors::IntoPy;
use mailwright::smtp::options::{self, TlsMode};
use mailwright::{Bytes, MailboxSpec};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString, PyTuple};
use std::time::Duration;

// ---------------------------------------------------------------- bytes

/// Holds a `bytes` object; its contents never move or change while referenced.
struct PyBytesOwner {
    _object: Py<PyBytes>,
    ptr: *const u8,
    len: usize,
}

// SAFETY: the pointer is into an immutable `bytes` object kept alive by
// `_object` (a `Py`, which is `Send`); reading it needs no GIL.
unsafe impl Send for PyBytesOwner {}
unsafe impl Sync for PyBytesOwner {}

impl AsRef<[u8]> for PyBytesOwner {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: see above; `len` bytes at `ptr` live as long as `_object`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

fn wrap(bytes: &Bound<'_, PyBytes>) -> Bytes {
    let slice = bytes.as_bytes();
    let owner = PyBytesOwner {
        _object: bytes.clone().unbind(),
        ptr: slice.as_ptr(),
        len: slice.len(),
    };
    Bytes::from_owner(owner)
}

/// Bytes-like Python values → `Bytes`: `bytes` without a copy (immutable, kept
/// alive by a reference); `bytearray`, `memoryview` copied once, since they
/// can change after the message is built.
pub fn bytes_from(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Bytes> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(wrap(bytes));
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        return Ok(Bytes::from(array.to_vec()));
    }
    if value.cast::<PyMemoryView>().is_ok() {
        // memoryview.tobytes(): the one copy, then kept without another.
        let copied = value.call_method0("tobytes")?;
        return Ok(wrap(copied.cast::<PyBytes>()?));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray or memoryview, not {}",
        value.get_type().name()?
    )))
}

/// PEM text given as `str` or bytes-like.
pub fn text_or_bytes(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.extract::<String>()?.into_bytes());
    }
    bytes_from(value, what)
        .map(|b| b.to_vec())
        .map_err(|_| type_error(value, &format!("{what} must be str or bytes")))
}

fn type_error(value: &Bound<'_, PyAny>, what: &str) -> PyErr {
    let name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("{what}, not {name}"))
}

// ---------------------------------------------------------------- mailboxes

/// A `(name, address)` pair: a tuple of two items, the name a str or None.
fn pair(value: &Bound<'_, PyAny>) -> Option<(Option<String>, String)> {
    let tuple = value.cast::<PyTuple>().ok()?;
    if tuple.len() != 2 {
        return None;
    }
    let name: Option<String> = tuple.get_item(0).ok()?.extract().ok()?;
    let address: String = tuple.get_item(1).ok()?.extract().ok()?;
    Some((name, address))
}

/// One mailbox: a str as a user writes it (``"Name <a@b.c>"``, ``"a@b.c"``),
/// a ``(name, address)`` tuple (name may be None), or an object with
/// ``addr_spec`` and ``display_name`` (``email.headerregistry.Address``).
pub fn mailbox(value: &Bound<'_, PyAny>, what: &str) -> PyResult<MailboxSpec> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(MailboxSpec::Text(text.extract::<String>()?));
    }
    if let Some((name, address)) = pair(value) {
        return Ok(MailboxSpec::Parts(name, address));
    }
    if value.hasattr("addr_spec")? && value.hasattr("display_name")? {
        let address: String = value.getattr("addr_spec")?.extract()?;
        let name: Option<String> = value.getattr("display_name")?.extract()?;
        return Ok(MailboxSpec::Parts(name.filter(|n| !n.is_empty()), address));
    }
    Err(type_error(
        value,
        &format!(
            "{what} must be a str such as 'Name <a@b.c>', a (name, address) tuple \
             or an email.headerregistry.Address"
        ),
    ))
}

/// A single-mailbox argument (``from_addr``, ``sender``, ``envelope_from``); None is unset.
pub fn optional_mailbox(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<MailboxSpec>> {
    match value {
        Some(value) if !value.is_none() => mailbox(value, what).map(Some),
        _ => Ok(None),
    }
}

/// A list-valued mailbox argument (``to``, ``cc``, ``bcc``, ``reply_to``):
/// one str (one mailbox), or an iterable of mailboxes, each a str, a
/// ``(name, address)`` tuple or an Address. A bare 2-tuple at the top is
/// refused: ``("a@x.com", "b@y.com")`` could mean one named mailbox or two.
pub fn mailboxes(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<MailboxSpec>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    if value.cast::<PyString>().is_ok() {
        return Ok(vec![mailbox(value, what)?]);
    }
    if value.hasattr("addr_spec")? {
        return Ok(vec![mailbox(value, what)?]);
    }
    if pair(value).is_some() {
        return Err(PyTypeError::new_err(format!(
            "{what}=(x, y) is ambiguous: write {what}=[(name, address)] for one named \
             mailbox, or {what}=[address1, address2] for two"
        )));
    }
    value
        .try_iter()
        .map_err(|_| {
            type_error(
                value,
                &format!("{what} must be a str or a list of mailboxes"),
            )
        })?
        .map(|item| mailbox(&item?, what))
        .collect()
}

// ---------------------------------------------------------------- other lists

fn present<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

/// A str or an iterable of str.
pub fn strings(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<String>> {
    let Some(value) = present(value) else {
        return Ok(Vec::new());
    };
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(vec![text.extract::<String>()?]);
    }
    value
        .try_iter()
        .map_err(|_| type_error(value, &format!("{what} must be a str or a list of str")))?
        .map(|item| item?.extract::<String>())
        .collect()
}

/// A mapping or an iterable of (name, value) pairs, in order.
pub fn pairs(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<(String, String)>> {
    let Some(value) = present(value) else {
        return Ok(Vec::new());
    };
    if let Ok(dict) = value.cast::<PyDict>() {
        return dict
            .iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect();
    }
    value
        .try_iter()
        .map_err(|_| {
            type_error(
                value,
                &format!("{what} must be a dict or a list of (name, value) pairs"),
            )
        })?
        .map(|item| item?.extract::<(String, String)>())
        .collect()
}

/// An iterable whose items `each` converts.
pub fn items<T>(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
    each: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let Some(value) = present(value) else {
        return Ok(Vec::new());
    };
    value
        .try_iter()
        .map_err(|_| type_error(value, &format!("{what} must be a list")))?
        .map(|item| each(&item?))
        .collect()
}

/// An int (Unix seconds) or an aware datetime.
pub fn unix_seconds(value: &Bound<'_, PyAny>) -> PyResult<i64> {
    if let Ok(seconds) = value.extract::<i64>() {
        return Ok(seconds);
    }
    if value.hasattr("timestamp")? {
        let seconds: f64 = value.call_method0("timestamp")?.extract()?;
        return Ok(seconds.floor() as i64);
    }
    Err(type_error(
        value,
        "date must be an int (Unix seconds) or an aware datetime",
    ))
}

// ---------------------------------------------------------------- options

/// A TLS mode name (the core's vocabulary; anything else is InvalidOptionError).
pub fn tls_mode(name: &str) -> PyResult<TlsMode> {
    TlsMode::from_name(name).py_err()
}

/// Whether `value` (an int too large for the target) is negative.
fn negative(value: &Bound<'_, PyAny>) -> bool {
    value.lt(0).unwrap_or(false)
}

/// A time-out in seconds (int or float), checked by the core. An int too
/// large for a float is passed on as infinite, so the core refuses it too.
pub fn timeout(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let secs = match value.extract::<f64>() {
        Ok(secs) => secs,
        Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => {
            if negative(value) {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        Err(_) => return Err(type_error(value, "timeout must be a number of seconds")),
    };
    options::timeout_from_secs(secs).py_err()
}

/// A port number (int), checked by the core. An int outside 64 bits is passed
/// on saturated, so the core refuses it too.
pub fn port(value: &Bound<'_, PyAny>) -> PyResult<u16> {
    let port = match value.extract::<i64>() {
        Ok(port) => port,
        Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => {
            if negative(value) {
                i64::MIN
            } else {
                i64::MAX
            }
        }
        Err(_) => return Err(type_error(value, "port must be an int")),
    };
    options::port_from_i64(port).py_err()
}
