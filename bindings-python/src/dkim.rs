//! DkimKey and DkimSigner for Python: the core's key (a secret, zeroized by
//! the core) and signer, converted. Every check is the core's; a key shows
//! in `repr` only as its algorithm, as in the core's `Debug`.

use crate::convert::{string, unix_seconds};
use crate::errors::IntoPy;
use mailwright::Canonicalization;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use std::sync::Arc;

/// Overwrites a copy of secret text before it is freed (the core zeroizes
/// the key it keeps; this is the one copy the binding makes, from a `str`).
fn wipe(secret: String) {
    let mut bytes = secret.into_bytes();
    for byte in bytes.iter_mut() {
        // SAFETY: a valid, aligned, exclusive reference; volatile so that the
        // stores are not elided as dead before the buffer is freed.
        unsafe { std::ptr::write_volatile(byte, 0) };
    }
}

/// Calls `f` with the bytes of a `bytes` or `bytearray` object, borrowed
/// (no copy). No Python code runs while `f` does, so a bytearray cannot change.
fn with_secret_bytes<T>(
    value: &Bound<'_, PyAny>,
    what: &str,
    f: impl FnOnce(&[u8]) -> PyResult<T>,
) -> PyResult<T> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return f(bytes.as_bytes());
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        // SAFETY: the GIL is held and `f` (the core parsing a key) runs no
        // Python code, so nothing can resize or free the buffer meanwhile.
        return f(unsafe { array.as_bytes() });
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be {}, not {}",
        if what == "pem" {
            "str, bytes or bytearray"
        } else {
            "bytes or bytearray"
        },
        value.get_type().name()?
    )))
}

/// A DKIM private key (RSA, 1024 to 4096 bits, or Ed25519). A secret: the
/// core zeroizes it when the last signer using it is gone, and it shows in
/// ``repr`` and errors only as its algorithm. It cannot be pickled.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct DkimKey {
    inner: Arc<mailwright::DkimKey>,
}

#[pymethods]
impl DkimKey {
    /// A PEM private key: ``BEGIN PRIVATE KEY`` (PKCS#8, RSA or Ed25519) or
    /// ``BEGIN RSA PRIVATE KEY`` (PKCS#1), as ``str`` or bytes.
    #[staticmethod]
    fn from_pem(py: Python<'_>, pem: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = if let Ok(text) = pem.cast::<PyString>() {
            let text = string(text, "pem")?;
            let key = py.detach(|| mailwright::DkimKey::from_pem(&text));
            wipe(text);
            key
        } else {
            with_secret_bytes(pem, "pem", |bytes| {
                // Not UTF-8: the core sees replacement characters and refuses
                // the key (InvalidDkimKeyError) without quoting it.
                let text = String::from_utf8_lossy(bytes);
                let key = mailwright::DkimKey::from_pem(&text);
                if let std::borrow::Cow::Owned(copy) = text {
                    wipe(copy);
                }
                Ok(key)
            })?
        };
        Ok(DkimKey {
            inner: Arc::new(key.py_err()?),
        })
    }

    /// An Ed25519 key from its raw 32-byte seed (the private key).
    #[staticmethod]
    fn ed25519_seed(seed: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = with_secret_bytes(seed, "seed", |bytes| {
            mailwright::DkimKey::ed25519_from_seed(bytes).py_err()
        })?;
        Ok(DkimKey {
            inner: Arc::new(key),
        })
    }

    /// ``"rsa-sha256"`` or ``"ed25519-sha256"`` (the ``a=`` tag).
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The TXT record to publish at ``<selector>._domainkey.<domain>``
    /// (``v=DKIM1; k=...; p=<public key>``).
    fn dns_record(&self) -> String {
        self.inner.dns_record()
    }

    fn __repr__(&self) -> String {
        format!("<DkimKey {}>", self.inner.algorithm().as_str())
    }
}

/// `"header/body"` (the `c=` tag's form, or one name: the body `simple`)
/// → the pair, by the core's rule (InvalidDkimOption otherwise).
fn canonicalization_pair(value: &str) -> PyResult<(Canonicalization, Canonicalization)> {
    Canonicalization::parse_tag(value).map_err(crate::errors::to_py)
}

/// An int (saturated when too large for 64 bits, so the core refuses it).
fn saturating_i64(value: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    match value.extract::<i64>() {
        Ok(v) => Ok(Some(v)),
        Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => {
            Ok(Some(if value.lt(0)? { i64::MIN } else { i64::MAX }))
        }
        Err(_) => Ok(None),
    }
}

/// How to sign: the key, the domain (``d=``) and selector (``s=``), the
/// canonicalization (``"relaxed/relaxed"`` by default), a fixed signature
/// time (``t=``; else the clock when the message is built) and an expiry
/// (``x=``, seconds after ``t=``). Checked when a message is built. Reuse
/// one signer for many messages: they share the key.
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct DkimSigner {
    pub inner: mailwright::DkimSigner,
    domain: String,
    selector: String,
}

#[pymethods]
impl DkimSigner {
    #[new]
    #[pyo3(signature = (domain, selector, key, *, canonicalization=None, time=None, expires_after=None))]
    fn new(
        domain: &Bound<'_, PyString>,
        selector: &Bound<'_, PyString>,
        key: PyRef<'_, DkimKey>,
        canonicalization: Option<&Bound<'_, PyString>>,
        time: Option<&Bound<'_, PyAny>>,
        expires_after: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let domain = string(domain, "domain")?;
        let selector = string(selector, "selector")?;
        let mut inner =
            mailwright::DkimSigner::new(domain.clone(), selector.clone(), key.inner.clone());
        if let Some(c) = canonicalization {
            let (header, body) = canonicalization_pair(&string(c, "canonicalization")?)?;
            inner = inner.canonicalization(header, body);
        }
        if let Some(time) = time.filter(|t| !t.is_none()) {
            let seconds = match saturating_i64(time)? {
                Some(seconds) => seconds,
                None if time.hasattr("timestamp")? => unix_seconds(time)?,
                None => {
                    return Err(PyTypeError::new_err(format!(
                        "time must be an int (Unix seconds) or an aware datetime, not {}",
                        time.get_type().name()?
                    )));
                }
            };
            inner = inner.time(seconds);
        }
        if let Some(after) = expires_after.filter(|a| !a.is_none()) {
            let seconds = saturating_i64(after)?.ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "expires_after must be an int (seconds), not {}",
                    after
                        .get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            // A negative count is passed on as 0, which the core refuses too.
            inner = inner.expires_after(u64::try_from(seconds).unwrap_or(0));
        }
        Ok(DkimSigner {
            inner,
            domain,
            selector,
        })
    }

    #[getter]
    fn domain(&self) -> &str {
        &self.domain
    }

    #[getter]
    fn selector(&self) -> &str {
        &self.selector
    }

    /// The key's algorithm: ``"rsa-sha256"`` or ``"ed25519-sha256"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    fn __repr__(&self) -> String {
        format!(
            "<DkimSigner d={:?} s={:?} {}>",
            self.domain,
            self.selector,
            self.inner.algorithm().as_str()
        )
    }
}
