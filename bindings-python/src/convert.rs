//! Python values → the core's types: text, bytes, mailboxes, lists, dates and
//! the connection options (TLS mode, port, time-out, pins). Every rule about a
//! value is the core's; this module only changes representation.
//!
//! Every `str` that comes in, whatever the argument, goes through [`string`]
//! (or [`text`] for a value of unknown type): a `str` holding a lone surrogate
//! is refused with the core's InvalidUnicode error, as in every binding.

use crate::errors::{IntoPy, to_py};
use mailwright::smtp::settings::{self, TlsMode};
use mailwright::{Bytes, MailboxSpec};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyUnicodeEncodeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMemoryView, PyString, PyTuple};
use std::path::PathBuf;
use std::time::Duration;

// ---------------------------------------------------------------- text

/// A Python `str` as Rust text. `field` names the value in the error: a `str`
/// holding a lone surrogate (``"\ud800"``: not text, no UTF-8 can hold it) is
/// the core's InvalidUnicode error (`InvalidUnicodeError`), never a raw
/// `UnicodeEncodeError` and never replaced by U+FFFD.
pub fn string(value: &Bound<'_, PyString>, field: &str) -> PyResult<String> {
    match value.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        Err(err) if err.is_instance_of::<PyUnicodeEncodeError>(value.py()) => {
            Err(lone_surrogate(value, field).unwrap_or(err))
        }
        Err(err) => Err(err),
    }
}

/// The core's error for the lone surrogate in `value`: its UTF-16 units
/// (``surrogatepass`` keeps a lone one as it is) decoded by the core, which
/// finds it. None if the core finds nothing wrong.
fn lone_surrogate(value: &Bound<'_, PyString>, field: &str) -> Option<PyErr> {
    let encoded = value
        .call_method1("encode", ("utf-16-le", "surrogatepass"))
        .ok()?;
    let units: Vec<u16> = encoded
        .cast::<PyBytes>()
        .ok()?
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    mailwright::unicode::from_utf16(&units, field)
        .err()
        .map(to_py)
}

/// A `str` argument that may be None.
pub fn optional_string(
    value: Option<&Bound<'_, PyString>>,
    field: &str,
) -> PyResult<Option<String>> {
    value.map(|v| string(v, field)).transpose()
}

/// A value that must be a `str` (an item of a list, a dict key, ...).
pub fn text(value: &Bound<'_, PyAny>, field: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(text) => string(text, field),
        Err(_) => Err(type_error(value, &format!("{field} must be a str"))),
    }
}

/// A `str` or None.
fn optional_text(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Option<String>> {
    if value.is_none() {
        Ok(None)
    } else {
        text(value, field).map(Some)
    }
}

/// A file path (`str` or `os.PathLike`), as Python's own file functions take
/// it; a `str` path holding a lone surrogate that the file system encoding
/// cannot carry is InvalidUnicodeError.
pub fn path(value: &Bound<'_, PyAny>, field: &str) -> PyResult<PathBuf> {
    match value.extract::<PathBuf>() {
        Ok(path) => Ok(path),
        Err(err) if err.is_instance_of::<PyUnicodeEncodeError>(value.py()) => {
            let fspath = value.py().import("os")?.call_method1("fspath", (value,))?;
            match fspath.cast::<PyString>() {
                Ok(text) => string(text, field).and(Err(err)),
                Err(_) => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

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
        return Ok(string(text, what)?.into_bytes());
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

/// A `(name, address)` pair: a tuple of two items, the name a str or None,
/// the address a str.
fn as_pair<'a, 'py>(value: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PyTuple>> {
    let tuple = value.cast::<PyTuple>().ok()?;
    let is_str = |i| {
        tuple
            .get_item(i)
            .is_ok_and(|x| x.is_instance_of::<PyString>())
    };
    let name_ok = tuple.get_item(0).is_ok_and(|x| x.is_none()) || is_str(0);
    (tuple.len() == 2 && name_ok && is_str(1)).then_some(tuple)
}

/// One mailbox: a str as a user writes it (``"Name <a@b.c>"``, ``"a@b.c"``),
/// a ``(name, address)`` tuple (name may be None), or an object with
/// ``addr_spec`` and ``display_name`` (``email.headerregistry.Address``).
pub fn mailbox(value: &Bound<'_, PyAny>, what: &str) -> PyResult<MailboxSpec> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(MailboxSpec::Text(string(text, what)?));
    }
    if let Some(pair) = as_pair(value) {
        let name = optional_text(&pair.get_item(0)?, what)?;
        let address = text(&pair.get_item(1)?, what)?;
        return Ok(MailboxSpec::Parts(name, address));
    }
    if value.hasattr("addr_spec")? && value.hasattr("display_name")? {
        let address = text(&value.getattr("addr_spec")?, what)?;
        let name = optional_text(&value.getattr("display_name")?, what)?;
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
    if as_pair(value).is_some() {
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
    if let Ok(one) = value.cast::<PyString>() {
        return Ok(vec![string(one, what)?]);
    }
    value
        .try_iter()
        .map_err(|_| type_error(value, &format!("{what} must be a str or a list of str")))?
        .map(|item| text(&item?, what))
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
            .map(|(k, v)| Ok((text(&k, what)?, text(&v, what)?)))
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
        .map(|item| {
            let item = item?;
            match item.cast::<PyTuple>() {
                Ok(pair) if pair.len() == 2 => Ok((
                    text(&pair.get_item(0)?, what)?,
                    text(&pair.get_item(1)?, what)?,
                )),
                _ => Err(type_error(
                    &item,
                    &format!("{what} items must be (name, value) pairs"),
                )),
            }
        })
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
pub fn tls_mode(name: &Bound<'_, PyString>) -> PyResult<TlsMode> {
    TlsMode::from_name(&string(name, "tls")?).py_err()
}

/// Whether `value` (an int too large for the target) is negative.
fn negative(value: &Bound<'_, PyAny>) -> bool {
    value.lt(0).unwrap_or(false)
}

/// A time-out in seconds (int or float), checked by the core. An int too
/// large for a float is passed on as infinite, so the core refuses it too.
pub fn timeout(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Duration> {
    let secs = match value.extract::<f64>() {
        Ok(secs) => secs,
        Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => {
            if negative(value) {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        Err(_) => {
            return Err(type_error(
                value,
                &format!("{field} must be a number of seconds"),
            ));
        }
    };
    settings::timeout_from_secs(secs).py_err()
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
    settings::port_from_i64(port).py_err()
}
