//! AUTH payloads: pure functions of the credentials (and a challenge).

use super::credentials::Credentials;
use crate::convert::string;
use crate::errors::IntoPy;
use mailwright::smtp::auth;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

/// ``AUTH PLAIN <base64>\r\n``.
#[pyfunction]
pub fn auth_plain<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    let line = auth::auth_plain(&credentials.inner).py_err()?;
    Ok(PyBytes::new(py, &line))
}

/// ``AUTH LOGIN <base64 user>\r\n`` (the user name as initial response).
#[pyfunction]
pub fn auth_login<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    let line = auth::auth_login(&credentials.inner).py_err()?;
    Ok(PyBytes::new(py, &line))
}

/// The answer to a ``334`` challenge during LOGIN (the challenge's base64 text).
#[pyfunction]
#[pyo3(signature = (challenge, credentials, *, username_sent=true))]
pub fn login_answer<'py>(
    py: Python<'py>,
    challenge: &Bound<'_, PyString>,
    credentials: &Credentials,
    username_sent: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let challenge = string(challenge, "challenge")?;
    let prompt = auth::login_prompt(&challenge, username_sent);
    let line = auth::login_answer(prompt, &credentials.inner).py_err()?;
    Ok(PyBytes::new(py, &line))
}

/// ``AUTH XOAUTH2 <base64>\r\n`` for OAuth 2 credentials.
#[pyfunction]
pub fn auth_xoauth2<'py>(
    py: Python<'py>,
    credentials: &Credentials,
) -> PyResult<Bound<'py, PyBytes>> {
    let line = auth::auth_xoauth2(&credentials.inner).py_err()?;
    Ok(PyBytes::new(py, &line))
}
