//! The native module `mailwright._mailwright`: registration only. The
//! modules mirror the core: `errors` (core errors → exceptions), `convert`
//! (Python values → core types), `options` (every keyword option of `send`,
//! `Client` and the mailers: one table, one parser), `message`,
//! `smtp::{credentials, auth, reply, session, client}`, `delivery::{mailer,
//! dispatcher, limiter}` (the pooled Mailer, the sans-IO dispatcher under
//! `mailwright.aio`, a Python limiter as the core's shared-quota gate). No
//! rule lives here or in them: every default, name and check is the core's.

mod convert;
mod delivery;
mod dkim;
mod errors;
mod message;
mod options;
mod smtp;

use mailwright::ErrorCategory;
use mailwright::smtp::{
    ConnectionLoss, Direction, Event, LossStage, Mechanism, ReplyClass, TlsMode,
};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[pymodule]
fn _mailwright(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::set_reply_to_py(smtp::reply::to_object);
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's names, for users (argparse choices, docs) and for the tests
    // that check the stubs' Literal types against them.
    let names = |items: Vec<&'static str>| PyTuple::new(m.py(), items);
    m.add(
        "TLS_MODES",
        names(TlsMode::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add(
        "CONNECTION_LOSS_CAUSES",
        names(ConnectionLoss::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add(
        "LOSS_STAGES",
        names(LossStage::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add(
        "REPLY_CLASSES",
        names(ReplyClass::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add(
        "DIRECTIONS",
        names(Direction::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add("EVENT_KINDS", names(Event::NAMES.to_vec())?)?;
    m.add(
        "OUTCOME_KINDS",
        names(mailwright::delivery::Outcome::KINDS.to_vec())?,
    )?;
    m.add(
        "ACTIONS",
        names(mailwright::delivery::Action::NAMES.to_vec())?,
    )?;
    m.add(
        "MECHANISMS",
        names(Mechanism::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    m.add(
        "ERROR_CATEGORIES",
        names(ErrorCategory::ALL.iter().map(|x| x.as_str()).collect())?,
    )?;
    // Each entry point's keyword options (tests/test_options.py checks the
    // stub's TypedDicts against them).
    for (set, name) in options::Set::ALL {
        m.add(name, set.tuple(m.py())?)?;
    }
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_class::<message::Message>()?;
    m.add_class::<message::Inline>()?;
    m.add_class::<message::Attachment>()?;
    m.add_class::<message::XSmtpApi>()?;
    m.add_class::<message::Envelope>()?;
    m.add_class::<message::Calendar>()?;
    m.add_class::<dkim::DkimKey>()?;
    m.add_class::<dkim::DkimSigner>()?;
    m.add_class::<smtp::credentials::Credentials>()?;
    m.add_class::<smtp::reply::Reply>()?;
    m.add_class::<smtp::session::SendResult>()?;
    m.add_class::<smtp::session::Event>()?;
    m.add_class::<smtp::session::Session>()?;
    m.add_class::<smtp::client::Client>()?;
    m.add_class::<delivery::mailer::Mailer>()?;
    m.add_class::<delivery::mailer::Outcome>()?;
    m.add_class::<delivery::ledger::Ledger>()?;
    m.add_class::<delivery::ledger::LedgerRecord>()?;
    m.add(
        "LEDGER_STATES",
        names(
            mailwright::ledger::State::ALL
                .iter()
                .map(|x| x.as_str())
                .collect(),
        )?,
    )?;
    m.add_class::<delivery::dispatcher::Dispatcher>()?;
    m.add_class::<delivery::dispatcher::Prepared>()?;
    m.add_class::<delivery::limiter::Rate>()?;
    m.add_function(wrap_pyfunction!(smtp::client::send, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth::auth_plain, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth::auth_login, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth::login_answer, m)?)?;
    m.add_function(wrap_pyfunction!(smtp::auth::auth_xoauth2, m)?)?;
    Ok(())
}
