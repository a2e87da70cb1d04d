//! Credentials: checked by the core when made.

use crate::errors::IntoPy;
use pyo3::prelude::*;

/// User and key (or an OAuth 2 token), with SendCloud's optional label (user
/// name ``user#label``). Checked when made (InvalidCredentialsError). The
/// secret is never shown by ``repr`` or in any error.
#[pyclass(frozen, module = "mailwright._mailwright")]
#[derive(Clone)]
pub struct Credentials {
    pub inner: mailwright::Credentials,
}

#[pymethods]
impl Credentials {
    #[new]
    #[pyo3(signature = (user, key, *, label=None))]
    fn new(user: &str, key: &str, label: Option<&str>) -> PyResult<Self> {
        mailwright::Credentials::from_parts(user, key, label, false)
            .map(|inner| Credentials { inner })
            .py_err()
    }

    /// Credentials with an OAuth 2 access token (sent with XOAUTH2).
    #[staticmethod]
    #[pyo3(signature = (user, token, *, label=None))]
    fn oauth2(user: &str, token: &str, label: Option<&str>) -> PyResult<Self> {
        mailwright::Credentials::from_parts(user, token, label, true)
            .map(|inner| Credentials { inner })
            .py_err()
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

    /// True for an OAuth 2 token.
    #[getter]
    fn is_oauth2(&self) -> bool {
        self.inner.is_oauth2()
    }

    fn __repr__(&self) -> String {
        let what = if self.inner.is_oauth2() {
            "token"
        } else {
            "key"
        };
        format!(
            "Credentials({:?}, {what}=<redacted>)",
            self.inner.username()
        )
    }
}
