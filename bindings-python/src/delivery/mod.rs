//! The delivery engines: the blocking pooled [`mailer::Mailer`], the sans-IO
//! [`dispatcher::Dispatcher`] that `mailwright.aio` drives, and the
//! [`limiter`] (a Python limiter object as the core's shared-quota gate, and
//! `Rate`). Their keywords are [`crate::options`]'s; what both mailers take
//! and give (a prepared message, the counters) is here.

pub(crate) mod dispatcher;
pub(crate) mod ledger;
pub(crate) mod limiter;
pub(crate) mod mailer;

use crate::convert::{self, string};
use crate::errors::IntoPy;
use crate::message::Message;
use mailwright::delivery::{Counters, Prepared};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// A `Message` as the core's prepared message.
pub(crate) fn prepared(message: &Bound<'_, PyAny>) -> PyResult<Prepared> {
    let message = message.cast::<Message>()?.borrow();
    Prepared::message(&message.inner).py_err()
}

/// Raw bytes with an explicit envelope as the core's prepared message.
pub(crate) fn prepared_raw(
    data: &Bound<'_, PyAny>,
    sender: &Bound<'_, PyString>,
    recipients: &Bound<'_, PyAny>,
) -> PyResult<Prepared> {
    let data = convert::bytes_from(data, "data")?;
    let sender = string(sender, "sender")?;
    let recipients = convert::strings(Some(recipients), "recipients")?;
    let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
    Prepared::raw(data.as_ref(), &sender, &refs).py_err()
}

/// The core's counters as a dict (the same keys for both mailers).
pub(crate) fn counters(py: Python<'_>, c: Counters) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("queued", c.queued)?;
    dict.set_item("in_flight", c.in_flight)?;
    dict.set_item("delivered", c.delivered)?;
    dict.set_item("failed", c.failed)?;
    dict.set_item("uncertain", c.uncertain)?;
    dict.set_item("retries", c.retries)?;
    dict.set_item("rate_limited", c.rate_limited)?;
    dict.set_item("connections", c.connections)?;
    dict.set_item("current_rate", c.current_rate)?;
    Ok(dict)
}
