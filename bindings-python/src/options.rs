//! Every keyword option of the Python entry points, in one place: the table
//! of names and which entry points take them ([`OPTIONS`]), the one parser
//! ([`Options::parse`], unknown keys refused with the list of known ones),
//! and the one conversion of each value into the core's `ClientOptions` and
//! `DeliveryConfig`. `mailwright.send`, `Client`, `Mailer` and the
//! `Dispatcher` under `mailwright.aio.Mailer` all take `(host, port=None,
//! **options)` and come here, so an option means the same everywhere.
//!
//! Every option left out, or given as None, keeps the core's default; every
//! rule about a value is the core's (`ClientOptions::validate`,
//! `DeliveryConfig::validate`, `smtp::settings`). A value of the wrong type
//! is a TypeError naming the option; a value the core refuses is its
//! InvalidOptionError.
//!
//! Adding an option: a row in [`OPTIONS`], its conversion below, its key in
//! the stub's TypedDict (`_mailwright.pyi`, with a docstring) and a test;
//! `tests/test_options.py` fails when the stub and [`OPTIONS`] disagree.

use crate::convert::{self, string, text_or_bytes};
use crate::delivery::limiter;
use crate::errors::IntoPy;
use crate::smtp::credentials::Credentials;
use mailwright::delivery::{DeliveryConfig, QuotaGate};
use mailwright::smtp::settings;
use mailwright::smtp::{ClientOptions, SessionConfig};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple};

/// An entry point's set of options (its stub's TypedDict).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Set {
    /// `mailwright.send` (`SendOptions`).
    Send,
    /// `mailwright.Client` (`ClientOptions`).
    Client,
    /// `mailwright.Mailer`, `Dispatcher` and `mailwright.aio.Mailer` (`MailerOptions`).
    Mailer,
    /// The sans-IO `mailwright.Session` (`SessionOptions`): no host, no socket.
    Session,
}

const SEND: u8 = 1;
const CLIENT: u8 = 2;
const MAILER: u8 = 4;
const SESSION: u8 = 8;
/// How to reach the server: every entry point that connects.
const CONNECT: u8 = SEND | CLIENT | MAILER;
/// How to greet and secure the session: every entry point.
const GREET: u8 = CONNECT | SESSION;

/// Every option and the sets that take it, in the order shown to users.
const OPTIONS: &[(&str, u8)] = &[
    ("credentials", GREET),
    ("tls", GREET),
    ("ca_file", CONNECT),
    ("pin_sha256", CONNECT),
    ("pin_certificate", CONNECT),
    ("timeout", CONNECT),
    ("hello_name", GREET),
    ("allow_plaintext_auth", GREET),
    ("message_timeout", SEND | CLIENT),
    ("pipelining", SEND | CLIENT | SESSION),
    ("transcript", CLIENT | SESSION),
    ("connections", MAILER),
    ("rate", MAILER),
    ("max_attempts", MAILER),
    ("initial_backoff", MAILER),
    ("max_backoff", MAILER),
    ("deadline", MAILER),
    ("rate_limited_pause", MAILER),
    ("messages_per_connection", MAILER),
    ("idle_timeout", MAILER),
    ("queue_capacity", MAILER),
    ("at_least_once", MAILER),
    ("limiter", MAILER),
];

impl Set {
    /// Every set, with the name of its tuple in the module.
    pub(crate) const ALL: [(Set, &'static str); 4] = [
        (Set::Send, "SEND_OPTIONS"),
        (Set::Client, "CLIENT_OPTIONS"),
        (Set::Mailer, "MAILER_OPTIONS"),
        (Set::Session, "SESSION_OPTIONS"),
    ];

    fn bit(self) -> u8 {
        match self {
            Set::Send => SEND,
            Set::Client => CLIENT,
            Set::Mailer => MAILER,
            Set::Session => SESSION,
        }
    }

    /// The entry point, as an error names it.
    fn caller(self) -> &'static str {
        match self {
            Set::Send => "send()",
            Set::Client => "Client()",
            Set::Mailer => "Mailer()",
            Set::Session => "Session()",
        }
    }

    /// The names of the options this set takes, in table order.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        OPTIONS
            .iter()
            .filter(move |(_, sets)| sets & self.bit() != 0)
            .map(|(name, _)| *name)
    }

    /// The names as a tuple (`mailwright.SEND_OPTIONS`, ...).
    pub(crate) fn tuple(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        PyTuple::new(py, self.names().collect::<Vec<_>>())
    }
}

/// What a Mailer is made of: its connection options, its delivery
/// configuration and its shared-quota gate, if any.
pub(crate) type MailerParts = (ClientOptions, DeliveryConfig, Option<Box<dyn QuotaGate>>);

/// The options one call was given: the host, the port and the keywords that
/// are not None, each checked to belong to the call's set.
pub(crate) struct Options<'py> {
    set: Set,
    host: String,
    port: Option<Bound<'py, PyAny>>,
    given: Vec<(&'static str, Bound<'py, PyAny>)>,
}

/// The keywords of a call, each checked to belong to `set`; None values
/// dropped (the core's default).
fn keywords<'py>(
    set: Set,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
    let mut given = Vec::new();
    for (key, value) in kwargs.into_iter().flat_map(|d| d.iter()) {
        let key = key.cast::<PyString>()?;
        let key = key.to_cow()?;
        let Some(name) = set.names().find(|name| *name == key) else {
            return Err(PyTypeError::new_err(format!(
                "{} got an unexpected keyword argument '{key}'; its options are: {}",
                set.caller(),
                set.names().collect::<Vec<_>>().join(", ")
            )));
        };
        if !value.is_none() {
            given.push((name, value));
        }
    }
    Ok(given)
}

impl<'py> Options<'py> {
    /// The call's options; a keyword its set does not take is a TypeError
    /// that lists the ones it does.
    pub(crate) fn parse(
        set: Set,
        host: &Bound<'py, PyString>,
        port: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Options<'py>> {
        debug_assert_ne!(set, Set::Session);
        let given = keywords(set, kwargs)?;
        Ok(Options {
            set,
            host: string(host, "host")?,
            port: port.filter(|p| !p.is_none()).cloned(),
            given,
        })
    }

    /// A Session's options (it has no host).
    pub(crate) fn parse_session(kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Options<'py>> {
        Ok(Options {
            set: Set::Session,
            host: String::new(),
            port: None,
            given: keywords(Set::Session, kwargs)?,
        })
    }

    fn get(&self, name: &str) -> Option<&Bound<'py, PyAny>> {
        debug_assert!(
            self.set.names().any(|n| n == name),
            "{name} is not an option of {:?}",
            self.set
        );
        self.given.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A bool option (a Python bool, nothing else).
    fn flag(&self, name: &str) -> PyResult<Option<bool>> {
        self.get(name)
            .map(|value| {
                value
                    .cast::<PyBool>()
                    .map(|b| b.is_true())
                    .map_err(|_| type_error(name, value, "a bool"))
            })
            .transpose()
    }

    /// A count (an int), checked by the core. An int outside 64 bits is
    /// passed on saturated, so the core refuses it too.
    fn count(&self, name: &str) -> PyResult<Option<u32>> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        if value.is_instance_of::<PyBool>() {
            return Err(type_error(name, value, "an int"));
        }
        let n = match value.extract::<i64>() {
            Ok(n) => n,
            Err(err) if err.is_instance_of::<PyOverflowError>(value.py()) => {
                if value.lt(0).unwrap_or(false) {
                    i64::MIN
                } else {
                    i64::MAX
                }
            }
            Err(_) => return Err(type_error(name, value, "an int")),
        };
        settings::count_from_i64(n, name).py_err().map(Some)
    }

    /// A duration in seconds (int or float), checked by the core.
    fn seconds(&self, name: &str) -> PyResult<Option<std::time::Duration>> {
        self.get(name)
            .map(|value| convert::timeout(value, name))
            .transpose()
    }

    fn tls(&self) -> PyResult<Option<mailwright::smtp::TlsMode>> {
        self.get("tls")
            .map(|tls| {
                let tls = tls
                    .cast::<PyString>()
                    .map_err(|_| type_error("tls", tls, "a str"))?;
                convert::tls_mode(tls)
            })
            .transpose()
    }

    fn credentials(&self) -> PyResult<Option<mailwright::Credentials>> {
        self.get("credentials")
            .map(|value| {
                value
                    .cast::<Credentials>()
                    .map(|c| c.borrow().inner.clone())
                    .map_err(|_| type_error("credentials", value, "a Credentials"))
            })
            .transpose()
    }

    fn hello_name(&self) -> PyResult<Option<String>> {
        self.get("hello_name")
            .map(|name| {
                let name = name
                    .cast::<PyString>()
                    .map_err(|_| type_error("hello_name", name, "a str"))?;
                string(name, "hello_name")
            })
            .transpose()
    }

    /// A Session's configuration (None everywhere: `SessionConfig::default`,
    /// so credentials never go out without TLS), checked when the session is made.
    pub(crate) fn session_config(&self) -> PyResult<SessionConfig> {
        debug_assert_eq!(self.set, Set::Session);
        let mut config = SessionConfig::default();
        if let Some(name) = self.hello_name()? {
            config.hello_name = name;
        }
        if let Some(tls) = self.tls()? {
            config.tls = tls;
        }
        config.credentials = self.credentials()?;
        if let Some(on) = self.flag("pipelining")? {
            config.pipelining = on;
        }
        if let Some(on) = self.flag("transcript")? {
            config.transcript = on;
        }
        if let Some(on) = self.flag("allow_plaintext_auth")? {
            config.allow_plaintext_auth = on;
        }
        Ok(config)
    }

    /// The connection options, checked by the core.
    pub(crate) fn client_options(&self) -> PyResult<ClientOptions> {
        let mut options = ClientOptions::for_host(self.host.clone());
        if let Some(port) = &self.port {
            options.port = Some(convert::port(port)?);
        }
        if let Some(tls) = self.tls()? {
            options.tls = tls;
        }
        if let Some(credentials) = self.credentials()? {
            options = options.credentials(credentials);
        }
        if let Some(path) = self.get("ca_file") {
            options = options.ca_file(convert::path(path, "ca_file")?).py_err()?;
        }
        if let Some(pins) = self.get("pin_sha256") {
            for pin in convert::strings(Some(pins), "pin_sha256")? {
                options = options.pin_sha256(&pin).py_err()?;
            }
        }
        if let Some(pem) = self.get("pin_certificate") {
            let pem = text_or_bytes(pem, "pin_certificate")?;
            options = options.pin_certificate_pem(&pem).py_err()?;
        }
        if let Some(timeout) = self.seconds("timeout")? {
            options = options.timeout(timeout);
        }
        if let Some(name) = self.hello_name()? {
            options = options.hello_name(name);
        }
        // None: the core's rule (clear-text AUTH to loopback hosts only).
        options.allow_plaintext_auth = self.flag("allow_plaintext_auth")?;
        if self.set != Set::Mailer {
            if let Some(timeout) = self.seconds("message_timeout")? {
                options.message_timeout = timeout;
            }
            if let Some(on) = self.flag("pipelining")? {
                options.pipelining = on;
            }
        }
        if self.set == Set::Client {
            options.transcript = self.flag("transcript")?.unwrap_or(false);
        }
        options.validate().py_err()?;
        Ok(options)
    }

    /// A Mailer's connection options, its delivery configuration (its
    /// `session` the options' one) and its shared-quota gate, all checked.
    pub(crate) fn mailer(&self) -> PyResult<MailerParts> {
        debug_assert_eq!(self.set, Set::Mailer);
        let options = self.client_options()?;
        let mut config = DeliveryConfig::default();
        if let Some(n) = self.count("connections")? {
            config.connections = n as usize;
        }
        if let Some(value) = self.get("rate") {
            config.rate = Some(limiter::rate(value)?);
        }
        if let Some(n) = self.count("max_attempts")? {
            config.retry.max_attempts = n;
        }
        if let Some(d) = self.seconds("initial_backoff")? {
            config.retry.initial_backoff = d;
        }
        if let Some(d) = self.seconds("max_backoff")? {
            config.retry.max_backoff = d;
        }
        if let Some(d) = self.seconds("deadline")? {
            config.retry.deadline = d;
        }
        if let Some(d) = self.seconds("rate_limited_pause")? {
            config.rate_limited_pause = d;
        }
        if let Some(n) = self.count("messages_per_connection")? {
            config.messages_per_connection = Some(n as usize);
        }
        if let Some(d) = self.seconds("idle_timeout")? {
            config.idle_timeout = d;
        }
        if let Some(n) = self.count("queue_capacity")? {
            config.queue_capacity = n as usize;
        }
        if let Some(on) = self.flag("at_least_once")? {
            config.at_least_once = on;
        }
        config.session = options.session_config();
        config.validate().py_err()?;
        let gate = self.get("limiter").map(limiter::gate).transpose()?;
        Ok((options, config, gate))
    }
}

/// The TypeError of an option given a value of the wrong type.
fn type_error(name: &str, value: &Bound<'_, PyAny>, expected: &str) -> PyErr {
    let got = value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    PyTypeError::new_err(format!("{name} must be {expected}, not {got}"))
}
