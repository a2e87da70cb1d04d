//! Bytes-like Python values → `Bytes`: `bytes` without a copy (immutable, kept
//! alive by a reference); `bytearray`, `memoryview` and other buffers copied
//! once, since they can change after the message is built.

use mailwright::Bytes;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView};

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
