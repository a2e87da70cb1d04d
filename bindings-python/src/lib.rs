//! The native module `mailwright._mailwright`: converts Python values to the
//! core's types and core errors to Python exceptions; no rule lives here.

mod data;
mod errors;
mod message;
mod smtp;

use pyo3::prelude::*;

#[pymodule]
fn _mailwright(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<message::Message>()?;
    m.add_class::<message::Inline>()?;
    m.add_class::<message::Attachment>()?;
    m.add_class::<message::XSmtpApi>()?;
    m.add_class::<message::Envelope>()?;
    m.add_class::<smtp::Credentials>()?;
    m.add_class::<smtp::Reply>()?;
    m.add_class::<smtp::SendResult>()?;
    m.add_class::<smtp::Event>()?;
    m.add_class::<smtp::Session>()?;
    m.add_class::<smtp::Client>()?;
    m.add_function(wrap_pyfunction!(smtp::send, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth_plain, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth_login, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::login_answer, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth_xoauth2, m)?)?;
    Ok(())
}
