//! The leaf rules of a connection's settings, the one home of each for every
//! binding and every transport: the defaults, the TLS modes, why a
//! connection ended, and the checks of what a user gives (time-outs, ports,
//! counts, the EHLO name, loopback hosts). Nothing here knows a session or a
//! socket; [`ClientOptions`](super::ClientOptions) and
//! [`SessionConfig`](super::SessionConfig) are built on it.
//!
//! Bindings pass what the user gave (a TLS mode name, a port, a time-out in
//! the language's unit) through the functions here and take everything else
//! from the defaults.

use crate::error::{Error, ErrorKind, Result, quote};
use crate::{decimal, ip};
use std::time::Duration;

/// The EHLO name used when none is given.
pub const DEFAULT_HELLO_NAME: &str = "localhost";
/// The time allowed to connect and for each read and write, when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a message may take, from MAIL FROM to its final reply, when
/// no other limit is given.
pub const DEFAULT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(300);
/// PIPELINING is used when the server offers it, unless turned off.
pub const DEFAULT_PIPELINING: bool = true;
/// The shortest time-out accepted.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
/// The longest time-out accepted (one day): there is no "wait forever".
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);
/// The longest EHLO name accepted (RFC 5321's limit for a domain).
pub const MAX_HELLO_NAME_LEN: usize = 255;

/// How the connection is encrypted. The names ([`TlsMode::as_str`]) are the
/// only TLS vocabulary of every binding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// `starttls`: upgrade with STARTTLS, and fail (`TlsUnavailable`) if the
    /// server can't. The default.
    #[default]
    StartTls,
    /// `opportunistic`: STARTTLS when offered, clear text otherwise.
    Opportunistic,
    /// `implicit`: TLS from the first byte (port 465).
    Implicit,
    /// `none`: clear text only (local test servers).
    None,
}

impl TlsMode {
    /// Every mode, in the order of their names in the docs.
    pub const ALL: &'static [TlsMode] = &[
        TlsMode::StartTls,
        TlsMode::Opportunistic,
        TlsMode::Implicit,
        TlsMode::None,
    ];

    /// The mode's name: `starttls`, `opportunistic`, `implicit` or `none`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TlsMode::StartTls => "starttls",
            TlsMode::Opportunistic => "opportunistic",
            TlsMode::Implicit => "implicit",
            TlsMode::None => "none",
        }
    }

    /// Looks a mode up by its exact name; anything else is an error (never a
    /// silent fall back to clear text).
    pub fn from_name(name: &str) -> Result<TlsMode> {
        TlsMode::ALL
            .iter()
            .copied()
            .find(|mode| mode.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!(
                        "unknown TLS mode {}: use one of starttls, opportunistic, implicit, none",
                        quote(name)
                    ),
                )
            })
    }

    /// The port used when none is given: 465 for implicit TLS, else 25.
    pub const fn default_port(self) -> u16 {
        match self {
            TlsMode::Implicit => 465,
            _ => 25,
        }
    }

    /// True when the connection starts encrypted.
    pub const fn is_implicit(self) -> bool {
        matches!(self, TlsMode::Implicit)
    }
}

impl std::fmt::Display for TlsMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a connection ended, as the transport saw it. Transports report the
/// cause; the core turns it into the error kind, so one failure has the same
/// kind in every language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionLoss {
    /// `closed`: the peer closed or reset the connection.
    Closed,
    /// `timeout`: nothing arrived (or could be sent) in time.
    Timeout,
    /// `tls`: the TLS layer failed (handshake, certificate, bad record).
    Tls,
    /// `connect`: the connection could not be opened.
    Connect,
}

impl ConnectionLoss {
    /// Every cause.
    pub const ALL: &'static [ConnectionLoss] = &[
        ConnectionLoss::Closed,
        ConnectionLoss::Timeout,
        ConnectionLoss::Tls,
        ConnectionLoss::Connect,
    ];

    /// The cause's name: `closed`, `timeout`, `tls` or `connect`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectionLoss::Closed => "closed",
            ConnectionLoss::Timeout => "timeout",
            ConnectionLoss::Tls => "tls",
            ConnectionLoss::Connect => "connect",
        }
    }

    /// Looks a cause up by name.
    pub fn from_name(name: &str) -> Result<ConnectionLoss> {
        ConnectionLoss::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!(
                        "unknown connection-loss cause {}: use closed, timeout, tls or connect",
                        quote(name)
                    ),
                )
            })
    }

    /// The error kind this cause is reported as.
    pub const fn kind(self) -> ErrorKind {
        match self {
            ConnectionLoss::Closed => ErrorKind::ConnectionClosed,
            ConnectionLoss::Timeout => ErrorKind::Timeout,
            ConnectionLoss::Tls => ErrorKind::Tls,
            ConnectionLoss::Connect => ErrorKind::Connect,
        }
    }

    /// The error for this cause; `detail` is what the transport knows
    /// (an OS error, a TLS alert), shown after a fixed sentence.
    pub fn error(self, detail: &str) -> Error {
        let what = match self {
            ConnectionLoss::Closed => "the connection closed",
            ConnectionLoss::Timeout => "the server did not answer in time",
            ConnectionLoss::Tls => "TLS failed",
            ConnectionLoss::Connect => "the connection could not be opened",
        };
        if detail.is_empty() {
            Error::new(self.kind(), what)
        } else if detail.starts_with("while ") {
            // A stage's words (LossStage::detail) continue the sentence.
            Error::new(self.kind(), format!("{what} {detail}"))
        } else {
            Error::new(self.kind(), format!("{what}: {detail}"))
        }
    }
}

/// What a driver was doing when its connection was lost: the one wording
/// of every driver's detail ([`LossStage::detail`]), so that the same loss
/// reads the same from every language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossStage {
    /// `connecting`: opening the TCP connection (and implicit TLS).
    Connecting,
    /// `tls`: the TLS handshake after STARTTLS (or of implicit TLS).
    Tls,
    /// `sending`: writing commands or data.
    Sending,
    /// `waiting`: waiting for the server's reply.
    Waiting,
}

impl LossStage {
    /// Every stage.
    pub const ALL: &'static [LossStage] = &[
        LossStage::Connecting,
        LossStage::Tls,
        LossStage::Sending,
        LossStage::Waiting,
    ];

    /// The stage's name: `connecting`, `tls`, `sending` or `waiting`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LossStage::Connecting => "connecting",
            LossStage::Tls => "tls",
            LossStage::Sending => "sending",
            LossStage::Waiting => "waiting",
        }
    }

    /// Looks a stage up by name.
    pub fn from_name(name: &str) -> Result<LossStage> {
        LossStage::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOption,
                    format!(
                        "unknown connection stage {}: use connecting, tls, sending or waiting",
                        quote(name)
                    ),
                )
            })
    }

    /// What the driver was doing, in words: `while connecting`, ...
    pub const fn words(self) -> &'static str {
        match self {
            LossStage::Connecting => "while connecting",
            LossStage::Tls => "while negotiating TLS",
            LossStage::Sending => "while sending",
            LossStage::Waiting => "while waiting for the server",
        }
    }

    /// The detail a driver gives [`ConnectionLoss::error`] (through the
    /// session's or the dispatcher's `connection_lost`): the stage's words,
    /// then what the socket or the TLS layer said, if anything. A clean end
    /// of the stream (the server closed it) has nothing to add: `os` empty.
    pub fn detail(self, os: &str) -> String {
        if os.is_empty() {
            self.words().to_string()
        } else {
            format!("{}: {os}", self.words())
        }
    }
}

/// A time-out given in seconds (Python's unit): finite, at least 1 ms, at
/// most one day.
pub fn timeout_from_secs(secs: f64) -> Result<Duration> {
    if !secs.is_finite() || secs < MIN_TIMEOUT.as_secs_f64() || secs > MAX_TIMEOUT.as_secs_f64() {
        return Err(bad_timeout(&format!("{} s", decimal::shortest(secs))));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A time-out given in milliseconds (JavaScript's, Java's and C's unit):
/// the same rule as [`timeout_from_secs`].
pub fn timeout_from_millis(millis: f64) -> Result<Duration> {
    if !millis.is_finite() {
        return Err(bad_timeout(&format!("{} ms", decimal::shortest(millis))));
    }
    timeout_from_secs(millis / 1000.0)
        .map_err(|_| bad_timeout(&format!("{} ms", decimal::shortest(millis))))
}

/// Checks a time-out already held as a `Duration`.
pub fn check_timeout(timeout: Duration) -> Result<Duration> {
    if timeout < MIN_TIMEOUT || timeout > MAX_TIMEOUT {
        return Err(bad_timeout(&decimal::duration(timeout)));
    }
    Ok(timeout)
}

fn bad_timeout(given: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOption,
        format!("the time-out must be between 1 ms and one day; {given} was given"),
    )
}

/// A port number given as an integer of the caller's language: 1 to 65535.
pub fn port_from_i64(port: i64) -> Result<u16> {
    match u16::try_from(port) {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(Error::new(
            ErrorKind::InvalidOption,
            format!("the port must be 1 to 65535; {port} was given"),
        )),
    }
}

/// A port given as a floating-point number (JavaScript): a whole number, 1 to 65535.
pub fn port_from_f64(port: f64) -> Result<u16> {
    if port.fract() != 0.0 || !port.is_finite() || port.abs() > 1e9 {
        return Err(Error::new(
            ErrorKind::InvalidOption,
            format!(
                "the port must be a whole number 1 to 65535; {} was given",
                decimal::shortest(port)
            ),
        ));
    }
    port_from_i64(port as i64)
}

/// A count (connections, attempts, a queue's capacity, messages per
/// connection or per window) given as a signed number (Java, C): 0 to
/// `u32::MAX`, else `InvalidOption` naming `what`. Whether 0 is allowed is
/// the rule of the option that takes it.
pub fn count_from_i64(n: i64, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOption,
            format!(
                "{what} must be a whole number 0 to {}; {n} was given",
                u32::MAX
            ),
        )
    })
}

/// A count given as a floating-point number (JavaScript): a whole number,
/// 0 to `u32::MAX`, else `InvalidOption` naming `what`.
pub fn count_from_f64(n: f64, what: &str) -> Result<u32> {
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 1e12 {
        return Err(Error::new(
            ErrorKind::InvalidOption,
            format!(
                "{what} must be a whole number 0 to {}; {} was given",
                u32::MAX,
                decimal::shortest(n)
            ),
        ));
    }
    count_from_i64(n as i64, what)
}

/// Checks an EHLO/HELO name: a domain (letters, digits, `-`, `_`, dot-separated
/// labels of 1 to 63 characters) or an address literal (`[192.0.2.1]`,
/// `[IPv6:2001:db8::1]`), at most 255 characters. Anything else, and above
/// all CR, LF, spaces or control characters, is `InvalidOption`: the name goes
/// on the wire before STARTTLS.
pub fn check_hello_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::new(
            ErrorKind::InvalidOption,
            format!("the EHLO name {} {why}", quote(name)),
        ))
    };
    if name.is_empty() {
        return bad("is empty");
    }
    if name.len() > MAX_HELLO_NAME_LEN {
        return bad("is longer than 255 characters");
    }
    if name.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return bad("holds a space, CR, LF or a control character");
    }
    if let Some(literal) = name.strip_prefix('[') {
        let Some(inner) = literal.strip_suffix(']') else {
            return bad("is not a valid address literal");
        };
        let valid = match inner.strip_prefix("IPv6:") {
            Some(v6) => ip::ipv6(v6).is_some(),
            None => ip::ipv4(inner).is_some(),
        };
        return if valid {
            Ok(())
        } else {
            bad("is not a valid address literal")
        };
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return bad("is not a domain (an empty or over-long label)");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return bad("is not a domain (only letters, digits, '-', '_' and '.')");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("is not a domain (a label starts or ends with '-')");
        }
    }
    Ok(())
}

/// True when `host` (brackets allowed) is an IPv4 or IPv6 address rather
/// than a name: SNI carries names only.
pub fn is_ip_address(host: &str) -> bool {
    ip::is_address(host.trim_start_matches('[').trim_end_matches(']'))
}

/// True for `localhost` and loopback addresses (`127.0.0.0/8`, `::1`).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || ip::is_loopback(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_names_round_trip_and_unknown_is_refused() {
        for &mode in TlsMode::ALL {
            assert_eq!(TlsMode::from_name(mode.as_str()).unwrap(), mode);
        }
        for bad in ["", "required", "ssl", "STARTTLS", "never", "tls"] {
            assert_eq!(
                TlsMode::from_name(bad).unwrap_err().kind(),
                ErrorKind::InvalidOption,
                "{bad}"
            );
        }
        assert_eq!(TlsMode::Implicit.default_port(), 465);
        assert_eq!(TlsMode::StartTls.default_port(), 25);
        assert_eq!(TlsMode::default(), TlsMode::StartTls);
    }

    #[test]
    fn time_outs() {
        assert_eq!(timeout_from_secs(2.5).unwrap(), Duration::from_millis(2500));
        assert_eq!(timeout_from_millis(1.0).unwrap(), Duration::from_millis(1));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 86_401.0, 0.0001] {
            assert_eq!(
                timeout_from_secs(bad).unwrap_err().kind(),
                ErrorKind::InvalidOption,
                "{bad}"
            );
        }
        for bad in [0.0, -1.0, f64::NAN, 0.5, 86_400_001.0] {
            assert!(timeout_from_millis(bad).is_err(), "{bad}");
        }
        assert!(check_timeout(Duration::ZERO).is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(count_from_i64(0, "connections").unwrap(), 0);
        assert_eq!(count_from_f64(8.0, "connections").unwrap(), 8);
        for bad in [-1, i64::from(u32::MAX) + 1] {
            let e = count_from_i64(bad, "connections").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidOption);
            assert!(e.to_string().contains("connections"), "{e}");
        }
        for bad in [1.5, -2.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(count_from_f64(bad, "maxAttempts").is_err(), "{bad}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(port_from_i64(2525).unwrap(), 2525);
        for bad in [0, -1, 65536, i64::MAX] {
            assert!(port_from_i64(bad).is_err(), "{bad}");
        }
        assert_eq!(port_from_f64(587.0).unwrap(), 587);
        for bad in [0.5, f64::NAN, -25.0, 1e20] {
            assert!(port_from_f64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hello_names() {
        for good in [
            "localhost",
            "mail.ifaxin.com",
            "my_host",
            "[192.0.2.1]",
            "[IPv6:2001:db8::1]",
        ] {
            check_hello_name(good).unwrap();
        }
        for bad in [
            "",
            "x\r\nMAIL FROM:<evil@example.com>",
            "a b",
            "a..b",
            ".a",
            "-a.com",
            "a\u{7}",
            "héllo",
            "[300.1.1.1]",
            "[IPv6:zz]",
            "[1.2.3.4",
        ] {
            assert_eq!(
                check_hello_name(bad).unwrap_err().kind(),
                ErrorKind::InvalidOption,
                "{bad:?}"
            );
        }
        assert!(check_hello_name(&"a".repeat(256)).is_err());
    }

    #[test]
    fn connection_loss_causes() {
        for &cause in ConnectionLoss::ALL {
            assert_eq!(ConnectionLoss::from_name(cause.as_str()).unwrap(), cause);
            assert_eq!(cause.error("x").kind(), cause.kind());
        }
        assert_eq!(ConnectionLoss::Timeout.kind(), ErrorKind::Timeout);
        assert!(ConnectionLoss::from_name("eof").is_err());
    }

    #[test]
    fn loss_stages_word_every_driver_s_detail() {
        for &stage in LossStage::ALL {
            assert_eq!(LossStage::from_name(stage.as_str()).unwrap(), stage);
        }
        assert!(LossStage::from_name("reading").is_err());
        assert_eq!(
            LossStage::Waiting.detail(""),
            "while waiting for the server"
        );
        let error = ConnectionLoss::Closed.error(&LossStage::Sending.detail("broken pipe"));
        assert_eq!(error.kind(), ErrorKind::ConnectionClosed);
        assert_eq!(
            error.message(),
            "the connection closed while sending: broken pipe"
        );
    }
}
