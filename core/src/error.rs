//! One error type for the whole crate, with a stable [`ErrorKind`].
//!
//! Bindings map each kind one to one (Python exception classes, JS `code`,
//! C `mw_result` numbers, Java `code()`); they never parse the message text.

use std::fmt;

/// What went wrong, as a stable, language-neutral kind.
///
/// The numbers returned by [`ErrorKind::code`] are part of the public
/// contract: they are never renumbered or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An address (mailbox) is malformed or its domain is not a valid (IDN) domain.
    InvalidAddress,
    /// A CR or LF in a header value, address, display name, filename,
    /// content id or content type.
    HeaderInjection,
    /// A custom header name is not a valid RFC 5322 field name, or names a
    /// header that the builder writes itself.
    InvalidHeaderName,
    /// No From address was given.
    MissingFrom,
    /// The envelope would have no recipient (To, Cc and Bcc are all empty).
    NoRecipients,
    /// Two inline parts share one content id.
    DuplicateContentId,
    /// A content id is empty, too long or holds characters not allowed in a `msg-id`.
    InvalidContentId,
    /// A content type is not of the form `type/subtype` with RFC 2045 tokens.
    InvalidContentType,
    /// The X-SMTPAPI value breaks SendCloud's rules (over 100 `to`, a `sub`
    /// list whose length differs from `to`, over 1 MB encoded, ...).
    XSmtpApiInvalid,
    /// The message is larger than the server's SIZE limit.
    MessageTooLarge,
    /// A Message-ID (or In-Reply-To / References id) is malformed.
    InvalidMessageId,
    /// A header value (e.g. a filename) is empty or otherwise unusable.
    InvalidHeaderValue,
    /// The boundary seed is empty, too long or holds characters not allowed in a boundary.
    InvalidBoundarySeed,
    /// A body part holds a line equal to a MIME boundary (possible only with a fixed boundary seed).
    BoundaryCollision,
    /// No date was given and no clock is available (wasm without an injected clock).
    NoClock,
    /// The operating system's random number generator failed.
    Random,
    /// Writing the message to the output failed.
    Io,
    /// Text that is not valid Unicode: a lone UTF-16 surrogate, which
    /// JavaScript, Java and Python strings can hold. Refused in every
    /// language, never replaced.
    InvalidUnicode,
    /// The server answered 4xx: try again later (the reply is attached).
    SmtpTransient,
    /// The server answered 5xx: do not retry as is (the reply is attached).
    SmtpPermanent,
    /// SendCloud's `536 Frequency limited` (or a reply saying so): slow down
    /// and retry later; never a permanent failure of the message.
    RateLimited,
    /// The server refused the credentials (535 and other 5xx replies to AUTH).
    AuthenticationFailed,
    /// Credentials were given but the server offers no mechanism mailwright
    /// supports (PLAIN, LOGIN, XOAUTH2), or no AUTH at all.
    AuthUnavailable,
    /// TLS is required but the server does not offer STARTTLS, or refused it.
    TlsUnavailable,
    /// The server sent something that is not SMTP: a malformed or over-long
    /// reply, a reply where none was expected, or bytes before a TLS handshake.
    Protocol,
    /// The connection closed before the conversation was over.
    ConnectionClosed,
    /// The server did not answer in time.
    Timeout,
    /// The TLS handshake failed (certificate, protocol version, ...).
    Tls,
    /// The connection could not be opened (name resolution, refused, unreachable).
    Connect,
    /// Credentials that cannot be sent (empty user, NUL characters, bad label).
    InvalidCredentials,
    /// A call that makes no sense in the session's current state.
    InvalidState,
    /// A connection or session option is out of range or malformed (a
    /// time-out, a port, the EHLO name, a TLS mode name, a pinned
    /// certificate fingerprint).
    InvalidOption,
    /// A List-Unsubscribe URI is not an absolute `https:` or `mailto:` URI
    /// (or holds a space, a control character, `<`, `>` or `,`).
    InvalidUnsubscribeUri,
    /// One-click unsubscribe (RFC 8058) was asked for but no List-Unsubscribe
    /// URI is `https:`.
    OneClickRequiresHttps,
    /// A List-Id is not `[description] <label.namespace>` (RFC 2919).
    InvalidListId,
    /// A DKIM private key cannot be read (not PKCS#8 / PKCS#1 PEM, not a
    /// 32-byte Ed25519 seed) or is unusable (an RSA key under 1024 bits).
    /// The message never contains key material.
    InvalidDkimKey,
    /// A DKIM signing option is malformed: the domain (`d=`), the selector
    /// (`s=`), the expiry, or a signed header name.
    InvalidDkimOption,
    /// A calendar invitation is not an iCalendar object (`BEGIN:VCALENDAR`
    /// ... `END:VCALENDAR`) or its method is not an iTIP method token.
    InvalidCalendar,
    /// The calendar's `METHOD` property is missing or differs from the method
    /// given (RFC 6047 requires them to match).
    CalendarMethodMismatch,
    /// The ledger (the durable record of deliveries) cannot be used: the
    /// file is not a ledger or is damaged, was written by a newer
    /// mailwright, is read-only, the disk is full, or another process holds
    /// it locked. Nothing was recorded by the call that failed.
    Ledger,
    /// An idempotency key is empty, longer than 512 bytes, or holds a
    /// control character.
    InvalidKey,
}

/// The family an [`ErrorKind`] belongs to: what a binding uses to pick a base
/// class (Python's `InvalidInputError`, `SmtpError`, ...) so that no binding
/// decides it on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// The caller's input was refused (raised as `ValueError` /
    /// `IllegalArgumentException` where the language has one).
    Input,
    /// The server answered with a refusal; the reply is attached.
    Server,
    /// The server cannot do what was asked (no AUTH, no STARTTLS, a message
    /// over its SIZE).
    Capability,
    /// The server broke the protocol.
    Protocol,
    /// The connection failed: could not open, closed, timed out, TLS failed.
    Connection,
    /// The environment failed: no clock, no randomness, an output error.
    System,
    /// A call that makes no sense in the current state.
    State,
}

impl ErrorCategory {
    /// Every category.
    pub const ALL: &'static [ErrorCategory] = &[
        ErrorCategory::Input,
        ErrorCategory::Server,
        ErrorCategory::Capability,
        ErrorCategory::Protocol,
        ErrorCategory::Connection,
        ErrorCategory::System,
        ErrorCategory::State,
    ];

    /// The category's name, the same in every binding.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::Input => "input",
            ErrorCategory::Server => "server",
            ErrorCategory::Capability => "capability",
            ErrorCategory::Protocol => "protocol",
            ErrorCategory::Connection => "connection",
            ErrorCategory::System => "system",
            ErrorCategory::State => "state",
        }
    }

    /// Looks a category up by its name.
    pub fn from_name(name: &str) -> Option<ErrorCategory> {
        ErrorCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == name)
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorKind {
    /// Every kind, in the order they were added (codes 100..=117, then
    /// 200..=213, then 118..=124, then 300.. : a new kind takes the next free number of its
    /// range and goes at the end).
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidAddress,
        ErrorKind::HeaderInjection,
        ErrorKind::InvalidHeaderName,
        ErrorKind::MissingFrom,
        ErrorKind::NoRecipients,
        ErrorKind::DuplicateContentId,
        ErrorKind::InvalidContentId,
        ErrorKind::InvalidContentType,
        ErrorKind::XSmtpApiInvalid,
        ErrorKind::MessageTooLarge,
        ErrorKind::InvalidMessageId,
        ErrorKind::InvalidHeaderValue,
        ErrorKind::InvalidBoundarySeed,
        ErrorKind::BoundaryCollision,
        ErrorKind::NoClock,
        ErrorKind::Random,
        ErrorKind::Io,
        ErrorKind::InvalidUnicode,
        ErrorKind::SmtpTransient,
        ErrorKind::SmtpPermanent,
        ErrorKind::RateLimited,
        ErrorKind::AuthenticationFailed,
        ErrorKind::AuthUnavailable,
        ErrorKind::TlsUnavailable,
        ErrorKind::Protocol,
        ErrorKind::ConnectionClosed,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Connect,
        ErrorKind::InvalidCredentials,
        ErrorKind::InvalidState,
        ErrorKind::InvalidOption,
        ErrorKind::InvalidUnsubscribeUri,
        ErrorKind::OneClickRequiresHttps,
        ErrorKind::InvalidListId,
        ErrorKind::InvalidDkimKey,
        ErrorKind::InvalidDkimOption,
        ErrorKind::InvalidCalendar,
        ErrorKind::CalendarMethodMismatch,
        ErrorKind::Ledger,
        ErrorKind::InvalidKey,
    ];

    /// The kind's name, as used in golden vectors (`expected_error`) and by every binding.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidAddress => "InvalidAddress",
            ErrorKind::HeaderInjection => "HeaderInjection",
            ErrorKind::InvalidHeaderName => "InvalidHeaderName",
            ErrorKind::MissingFrom => "MissingFrom",
            ErrorKind::NoRecipients => "NoRecipients",
            ErrorKind::DuplicateContentId => "DuplicateContentId",
            ErrorKind::InvalidContentId => "InvalidContentId",
            ErrorKind::InvalidContentType => "InvalidContentType",
            ErrorKind::XSmtpApiInvalid => "XSmtpApiInvalid",
            ErrorKind::MessageTooLarge => "MessageTooLarge",
            ErrorKind::InvalidMessageId => "InvalidMessageId",
            ErrorKind::InvalidHeaderValue => "InvalidHeaderValue",
            ErrorKind::InvalidBoundarySeed => "InvalidBoundarySeed",
            ErrorKind::BoundaryCollision => "BoundaryCollision",
            ErrorKind::NoClock => "NoClock",
            ErrorKind::Random => "Random",
            ErrorKind::Io => "Io",
            ErrorKind::InvalidUnicode => "InvalidUnicode",
            ErrorKind::SmtpTransient => "SmtpTransient",
            ErrorKind::SmtpPermanent => "SmtpPermanent",
            ErrorKind::RateLimited => "RateLimited",
            ErrorKind::AuthenticationFailed => "AuthenticationFailed",
            ErrorKind::AuthUnavailable => "AuthUnavailable",
            ErrorKind::TlsUnavailable => "TlsUnavailable",
            ErrorKind::Protocol => "Protocol",
            ErrorKind::ConnectionClosed => "ConnectionClosed",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::Tls => "Tls",
            ErrorKind::Connect => "Connect",
            ErrorKind::InvalidCredentials => "InvalidCredentials",
            ErrorKind::InvalidState => "InvalidState",
            ErrorKind::InvalidOption => "InvalidOption",
            ErrorKind::InvalidUnsubscribeUri => "InvalidUnsubscribeUri",
            ErrorKind::OneClickRequiresHttps => "OneClickRequiresHttps",
            ErrorKind::InvalidListId => "InvalidListId",
            ErrorKind::InvalidDkimKey => "InvalidDkimKey",
            ErrorKind::InvalidDkimOption => "InvalidDkimOption",
            ErrorKind::InvalidCalendar => "InvalidCalendar",
            ErrorKind::CalendarMethodMismatch => "CalendarMethodMismatch",
            ErrorKind::Ledger => "Ledger",
            ErrorKind::InvalidKey => "InvalidKey",
        }
    }

    /// The stable number of this kind (the C binding's `mw_result` value).
    /// Message-building kinds use 100..=199, SMTP kinds 200..=299, the
    /// ledger's 300..=399.
    pub const fn code(self) -> u32 {
        match self {
            ErrorKind::InvalidAddress => 100,
            ErrorKind::HeaderInjection => 101,
            ErrorKind::InvalidHeaderName => 102,
            ErrorKind::MissingFrom => 103,
            ErrorKind::NoRecipients => 104,
            ErrorKind::DuplicateContentId => 105,
            ErrorKind::InvalidContentId => 106,
            ErrorKind::InvalidContentType => 107,
            ErrorKind::XSmtpApiInvalid => 108,
            ErrorKind::MessageTooLarge => 109,
            ErrorKind::InvalidMessageId => 110,
            ErrorKind::InvalidHeaderValue => 111,
            ErrorKind::InvalidBoundarySeed => 112,
            ErrorKind::BoundaryCollision => 113,
            ErrorKind::NoClock => 114,
            ErrorKind::Random => 115,
            ErrorKind::Io => 116,
            ErrorKind::InvalidUnicode => 117,
            ErrorKind::SmtpTransient => 200,
            ErrorKind::SmtpPermanent => 201,
            ErrorKind::RateLimited => 202,
            ErrorKind::AuthenticationFailed => 203,
            ErrorKind::AuthUnavailable => 204,
            ErrorKind::TlsUnavailable => 205,
            ErrorKind::Protocol => 206,
            ErrorKind::ConnectionClosed => 207,
            ErrorKind::Timeout => 208,
            ErrorKind::Tls => 209,
            ErrorKind::Connect => 210,
            ErrorKind::InvalidCredentials => 211,
            ErrorKind::InvalidState => 212,
            ErrorKind::InvalidOption => 213,
            ErrorKind::InvalidUnsubscribeUri => 118,
            ErrorKind::OneClickRequiresHttps => 119,
            ErrorKind::InvalidListId => 120,
            ErrorKind::InvalidDkimKey => 121,
            ErrorKind::InvalidDkimOption => 122,
            ErrorKind::InvalidCalendar => 123,
            ErrorKind::CalendarMethodMismatch => 124,
            ErrorKind::Ledger => 300,
            ErrorKind::InvalidKey => 301,
        }
    }

    /// Looks a kind up by its name (as in `expected_error`).
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == name)
    }

    /// Looks a kind up by its stable number.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.code() == code)
    }

    /// The family of this kind (bindings choose their base classes by it).
    pub const fn category(self) -> ErrorCategory {
        match self {
            ErrorKind::InvalidAddress
            | ErrorKind::HeaderInjection
            | ErrorKind::InvalidHeaderName
            | ErrorKind::MissingFrom
            | ErrorKind::NoRecipients
            | ErrorKind::DuplicateContentId
            | ErrorKind::InvalidContentId
            | ErrorKind::InvalidContentType
            | ErrorKind::XSmtpApiInvalid
            | ErrorKind::InvalidMessageId
            | ErrorKind::InvalidHeaderValue
            | ErrorKind::InvalidBoundarySeed
            | ErrorKind::BoundaryCollision
            | ErrorKind::InvalidCredentials
            | ErrorKind::InvalidUnicode
            | ErrorKind::InvalidOption
            | ErrorKind::InvalidUnsubscribeUri
            | ErrorKind::OneClickRequiresHttps
            | ErrorKind::InvalidListId
            | ErrorKind::InvalidDkimKey
            | ErrorKind::InvalidDkimOption
            | ErrorKind::InvalidCalendar
            | ErrorKind::CalendarMethodMismatch
            | ErrorKind::InvalidKey => ErrorCategory::Input,
            ErrorKind::SmtpTransient
            | ErrorKind::SmtpPermanent
            | ErrorKind::RateLimited
            | ErrorKind::AuthenticationFailed => ErrorCategory::Server,
            ErrorKind::MessageTooLarge | ErrorKind::AuthUnavailable | ErrorKind::TlsUnavailable => {
                ErrorCategory::Capability
            }
            ErrorKind::Protocol => ErrorCategory::Protocol,
            ErrorKind::ConnectionClosed
            | ErrorKind::Timeout
            | ErrorKind::Tls
            | ErrorKind::Connect => ErrorCategory::Connection,
            ErrorKind::NoClock | ErrorKind::Random | ErrorKind::Io | ErrorKind::Ledger => {
                ErrorCategory::System
            }
            ErrorKind::InvalidState => ErrorCategory::State,
        }
    }

    /// True for kinds caused by the caller's input (bindings raise them as
    /// `ValueError` / `IllegalArgumentException` subclasses).
    pub const fn is_input_error(self) -> bool {
        matches!(self.category(), ErrorCategory::Input)
    }

    /// True when trying again later may succeed (4xx replies, rate limiting,
    /// a connection that could not be opened, closed or timed out). TLS
    /// failures are not: a certificate does not fix itself.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::SmtpTransient
                | ErrorKind::RateLimited
                | ErrorKind::ConnectionClosed
                | ErrorKind::Timeout
                | ErrorKind::Connect
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible mailwright operation.
///
/// The message says which field was wrong and why; it never contains a
/// secret, and quotes input only in escaped, shortened form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    reply: Option<Box<crate::smtp::Reply>>,
}

impl Error {
    /// An error of `kind` (for transports and bindings that report their own
    /// failures, e.g. a closed connection, in the core's terms).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            reply: None,
        }
    }

    /// An error caused by a server reply (kept); its kind follows from the
    /// reply's class: 4xx transient, 5xx permanent, 536 rate limited.
    pub(crate) fn from_reply(context: &str, reply: crate::smtp::Reply) -> Self {
        let kind = match reply.class() {
            crate::smtp::ReplyClass::RateLimited => ErrorKind::RateLimited,
            crate::smtp::ReplyClass::Transient => ErrorKind::SmtpTransient,
            _ => ErrorKind::SmtpPermanent,
        };
        Error::with_reply(kind, context, reply)
    }

    pub(crate) fn with_reply(kind: ErrorKind, context: &str, reply: crate::smtp::Reply) -> Self {
        let message = format!("{context}: the server answered {}", reply.summary());
        Error {
            kind,
            message,
            reply: Some(Box::new(reply)),
        }
    }

    /// The server's reply, for errors caused by one (code, enhanced code, text).
    pub fn reply(&self) -> Option<&crate::smtp::Reply> {
        self.reply.as_deref()
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The family of this error's kind.
    pub fn category(&self) -> ErrorCategory {
        self.kind.category()
    }

    /// True when trying again later may succeed (see [`ErrorKind::is_transient`]).
    pub fn is_transient(&self) -> bool {
        self.kind.is_transient()
    }

    /// A human-readable description (not stable: match on [`Error::kind`]).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, err.to_string())
    }
}

/// Quotes user input for an error message: escaped, at most 60 characters.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(64) + 2);
    out.push('"');
    for (count, ch) in value.chars().enumerate() {
        if count == 60 {
            out.push('…');
            break;
        }
        out.extend(ch.escape_debug());
    }
    out.push('"');
    out
}

/// The result of every fallible call of this crate: its error is an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut codes = std::collections::HashSet::new();
        for &kind in ErrorKind::ALL {
            assert!(codes.insert(kind.code()), "{kind} reuses a code");
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                ErrorCategory::from_name(kind.category().as_str()),
                Some(kind.category())
            );
        }
        // Codes are a public contract: a few pinned.
        assert_eq!(ErrorKind::InvalidAddress.code(), 100);
        assert_eq!(ErrorKind::RateLimited.code(), 202);
        assert_eq!(ErrorKind::InvalidOption.code(), 213);
        assert_eq!(ErrorKind::InvalidUnsubscribeUri.code(), 118);
        assert_eq!(ErrorKind::CalendarMethodMismatch.code(), 124);
        assert!(ErrorKind::InvalidDkimKey.is_input_error());
        assert!(!ErrorKind::InvalidCalendar.is_transient());
        assert_eq!(ErrorKind::from_code(0), None);
    }

    #[test]
    fn classification() {
        assert!(ErrorKind::InvalidOption.is_input_error());
        assert!(ErrorKind::InvalidCredentials.is_input_error());
        assert!(!ErrorKind::MessageTooLarge.is_input_error());
        assert_eq!(ErrorKind::RateLimited.category(), ErrorCategory::Server);
        assert_eq!(ErrorKind::Connect.category(), ErrorCategory::Connection);
        assert!(ErrorKind::Connect.is_transient());
        assert!(ErrorKind::RateLimited.is_transient());
        assert!(!ErrorKind::Tls.is_transient());
        assert!(!ErrorKind::SmtpPermanent.is_transient());
        let err = Error::new(ErrorKind::Timeout, "slow");
        assert!(err.is_transient());
        assert_eq!(err.category(), ErrorCategory::Connection);
    }
}
