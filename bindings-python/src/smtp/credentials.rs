//! Credentials: checked by the core when made.

use crate::convert::{optional_string, string};
use crate::errors::IntoPy;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The core's credentials from what Python gave (every str through `convert`).
fn make(
    user: &Bound<'_, PyString>,
    secret: (&Bound<'_, PyString>, &str),
    label: Option<&Bound<'_, PyString>>,
    oauth2: bool,
) -> PyResult<Credentials> {
    let user = string(user, "user")?;
    let key = string(secret.0, secret.1)?;
    let label = optional_string(label, "label")?;
    mailwright::Credentials::from_parts(&user, &key, label.as_deref(), oauth2)
        .map(|inner| Credentials { inner })
        .py_err()
}

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
    fn new(
        user: &Bound<'_, PyString>,
        key: &Bound<'_, PyString>,
        label: Option<&Bound<'_, PyString>>,
    ) -> PyResult<Self> {
        make(user, (key, "key"), label, false)
    }

    /// Credentials with an OAuth 2 access token (sent with XOAUTH2).
    #[staticmethod]
    #[pyo3(signature = (user, token, *, label=None))]
    fn oauth2(
        user: &Bound<'_, PyString>,
        token: &Bound<'_, PyString>,
        label: Option<&Bound<'_, PyString>>,
    ) -> PyResult<Self> {
        make(user, (token, "token"), label, true)
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
