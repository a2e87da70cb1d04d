//! The Mailer's keywords → the core's `ClientOptions` and `DeliveryConfig`,
//! shared by `mailwright.Mailer` (the blocking driver, `delivery`) and the
//! native `Dispatcher` under `mailwright.aio.Mailer` (`dispatcher`), so the
//! two take the same keywords with the same meaning. Every option left out
//! (None) keeps the core's default (`DeliveryConfig::default()`); every check
//! is the core's (`ClientOptions::validate`, `DeliveryConfig::validate`).

use crate::convert::{self, string};
use crate::errors::IntoPy;
use crate::message::Message;
use crate::smtp::client::Connect;
use mailwright::delivery::{Counters, DeliveryConfig, Prepared};
use mailwright::smtp::ClientOptions;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// The delivery keywords of a Mailer (the connection ones are a [`Connect`]).
pub(crate) struct MailerOptions<'a, 'py> {
    pub(crate) connect: Connect<'a, 'py>,
    pub(crate) connections: Option<usize>,
    pub(crate) rate: Option<&'a Bound<'py, PyAny>>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) initial_backoff: Option<&'a Bound<'py, PyAny>>,
    pub(crate) max_backoff: Option<&'a Bound<'py, PyAny>>,
    pub(crate) deadline: Option<&'a Bound<'py, PyAny>>,
    pub(crate) rate_limited_pause: Option<&'a Bound<'py, PyAny>>,
    pub(crate) messages_per_connection: Option<usize>,
    pub(crate) idle_timeout: Option<&'a Bound<'py, PyAny>>,
    pub(crate) queue_capacity: Option<usize>,
    pub(crate) at_least_once: Option<bool>,
}

fn given<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

impl MailerOptions<'_, '_> {
    /// The connection options (validated) and the delivery configuration
    /// (its `session` already the options' one; validated).
    pub(crate) fn build(self) -> PyResult<(ClientOptions, DeliveryConfig)> {
        let options = self.connect.options()?;
        let mut config = DeliveryConfig::default();
        let seconds = |value: Option<&Bound<'_, PyAny>>, field: &str, into: &mut _| {
            if let Some(value) = given(value) {
                *into = convert::timeout(value, field)?;
            }
            PyResult::Ok(())
        };
        if let Some(n) = self.connections {
            config.connections = n;
        }
        if let Some(value) = given(self.rate) {
            config.rate = Some(crate::limiter::rate(value)?);
        }
        if let Some(n) = self.max_attempts {
            config.retry.max_attempts = n;
        }
        seconds(
            self.initial_backoff,
            "initial_backoff",
            &mut config.retry.initial_backoff,
        )?;
        seconds(
            self.max_backoff,
            "max_backoff",
            &mut config.retry.max_backoff,
        )?;
        seconds(self.deadline, "deadline", &mut config.retry.deadline)?;
        seconds(
            self.rate_limited_pause,
            "rate_limited_pause",
            &mut config.rate_limited_pause,
        )?;
        seconds(self.idle_timeout, "idle_timeout", &mut config.idle_timeout)?;
        if let Some(n) = self.messages_per_connection {
            config.messages_per_connection = Some(n);
        }
        if let Some(n) = self.queue_capacity {
            config.queue_capacity = n;
        }
        if let Some(on) = self.at_least_once {
            config.at_least_once = on;
        }
        config.session = options.session_config();
        config.validate().py_err()?;
        Ok((options, config))
    }
}

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
