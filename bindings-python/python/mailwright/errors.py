"""Exceptions raised by mailwright.

Every error is a :class:`MailwrightError` carrying what the Rust core says
about it: ``kind`` (the core's error kind name), ``error_code`` (its stable
number, the one the C and Java bindings use), ``category`` and ``transient``.
The native module sets all four when it raises; nothing here decides them.

Each kind has its own class; its base class follows the kind's **category**
in the core (a test checks every kind the core reports against this table):

========== ================================================= ==========================
category   base class                                        also
========== ================================================= ==========================
input      :class:`InvalidInputError`                        ``ValueError``
server     :class:`SmtpError` (``code``, ``enhanced_code``)
capability :class:`CapabilityError`
protocol   :class:`ProtocolError`
connection :class:`NetworkError`                             ``OSError``
system     :class:`MailwrightSystemError`
state      :class:`InvalidStateError`
========== ================================================= ==========================
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Type

if TYPE_CHECKING:  # pragma: no cover
    from ._mailwright import Reply

__all__ = [
    "MailwrightError", "InvalidInputError", "InvalidAddressError", "HeaderInjectionError",
    "InvalidHeaderNameError", "MissingFromError", "NoRecipientsError", "DuplicateContentIdError",
    "InvalidContentIdError", "InvalidContentTypeError", "XSmtpApiError", "InvalidMessageIdError",
    "InvalidHeaderValueError", "InvalidBoundarySeedError", "BoundaryCollisionError",
    "InvalidCredentialsError", "InvalidOptionError", "InvalidUnicodeError",
    "InvalidUnsubscribeUriError", "OneClickRequiresHttpsError", "InvalidListIdError",
    "InvalidDkimKeyError", "InvalidDkimOptionError", "InvalidCalendarError",
    "CalendarMethodMismatchError", "CapabilityError",
    "MessageTooLargeError", "MailwrightSystemError", "NoClockError", "RandomError",
    "MailwrightIOError", "SmtpError", "SmtpTransientError", "SmtpPermanentError",
    "RateLimitedError", "AuthenticationError", "AuthUnavailableError", "TlsUnavailableError",
    "ProtocolError", "NetworkError", "ConnectionClosedError", "MailwrightTimeoutError",
    "TlsError", "ConnectError", "InvalidStateError", "LedgerError", "InvalidKeyError",
]


class MailwrightError(Exception):
    """Base of every mailwright error.

    ``kind``, ``error_code``, ``category`` and ``transient`` come from the core
    (empty / 0 / False on an instance made by hand rather than raised by mailwright).
    """

    kind: str = ""
    error_code: int = 0
    reply: "Optional[Reply]" = None
    _category: str = ""
    _transient: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def category(self) -> str:
        """The core's category of this error's kind: ``"input"``, ``"server"``,
        ``"capability"``, ``"protocol"``, ``"connection"``, ``"system"`` or ``"state"``."""
        return self._category

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed (the core's ``is_transient``)."""
        return self._transient


class InvalidInputError(MailwrightError, ValueError):
    """The input was refused (category ``input``; also a ValueError)."""


class InvalidAddressError(InvalidInputError):
    """An address is malformed or its domain is not a valid (IDN) domain."""


class HeaderInjectionError(InvalidInputError):
    """CR or LF in a header value, address, name, filename, content id or content type."""


class InvalidHeaderNameError(InvalidInputError):
    """A custom header name is malformed or one the builder writes itself."""


class MissingFromError(InvalidInputError):
    """No From address."""


class NoRecipientsError(InvalidInputError):
    """No To, Cc or Bcc recipient."""


class DuplicateContentIdError(InvalidInputError):
    """Two inline parts share a content id."""


class InvalidContentIdError(InvalidInputError):
    """A content id is empty, too long or malformed."""


class InvalidContentTypeError(InvalidInputError):
    """A content type is not type/subtype."""


class XSmtpApiError(InvalidInputError):
    """The X-SMTPAPI value breaks SendCloud's rules."""


class InvalidMessageIdError(InvalidInputError):
    """A Message-ID, In-Reply-To or References id is malformed."""


class InvalidHeaderValueError(InvalidInputError):
    """A header value (filename, date, ...) is unusable."""


class InvalidBoundarySeedError(InvalidInputError):
    """The boundary seed is empty, too long or has characters not allowed in a boundary."""


class BoundaryCollisionError(InvalidInputError):
    """A body contains the boundary made from a fixed seed."""


class InvalidCredentialsError(InvalidInputError):
    """Credentials that cannot be sent (empty, NUL, CR/LF, bad label)."""


class InvalidOptionError(InvalidInputError):
    """A connection or session option is out of range or malformed: a time-out, a port,
    the EHLO name, a TLS mode name, a pinned certificate or its fingerprint."""


class InvalidUnicodeError(InvalidInputError, UnicodeError):
    """A str holding a lone surrogate (``"\\ud800"``): not text, so it cannot be
    encoded. Refused in every string argument, as in every binding (also a
    UnicodeError, so ``except UnicodeError`` still catches it)."""


class InvalidUnsubscribeUriError(InvalidInputError):
    """A List-Unsubscribe URI is not ``https:`` or ``mailto:`` in printable ASCII
    (a CR or LF in it is a HeaderInjectionError)."""


class OneClickRequiresHttpsError(InvalidInputError):
    """``one_click_unsubscribe=True`` without an ``https:`` List-Unsubscribe URI (RFC 8058)."""


class InvalidListIdError(InvalidInputError):
    """The List-Id is not ``label.namespace``, optionally after a description (RFC 2919)."""


class InvalidDkimKeyError(InvalidInputError):
    """A DKIM key could not be read (not PEM, encrypted, an RSA key outside 1024..4096
    bits, an Ed25519 seed not 32 bytes). The message never quotes the key."""


class InvalidDkimOptionError(InvalidInputError):
    """A DKIM signer option is malformed: the domain, the selector, the
    canonicalization, the signature time or the expiry."""


class InvalidCalendarError(InvalidInputError):
    """The calendar invitation is not an iCalendar object (``BEGIN:VCALENDAR`` ...
    ``END:VCALENDAR``) or its method is not an iTIP token."""


class CalendarMethodMismatchError(InvalidCalendarError):
    """The iCalendar text's ``METHOD`` is not the method given (RFC 6047)."""


class CapabilityError(MailwrightError):
    """The server cannot do what was asked (category ``capability``)."""


class MessageTooLargeError(CapabilityError):
    """The message is larger than the server's SIZE limit."""


class MailwrightSystemError(MailwrightError):
    """The environment failed: no clock, no randomness, an output error (category ``system``)."""


class NoClockError(MailwrightSystemError):
    """No date given and no clock available."""


class RandomError(MailwrightSystemError):
    """The operating system's random number generator failed."""


class MailwrightIOError(MailwrightSystemError, OSError):
    """Writing the message failed."""


class LedgerError(MailwrightSystemError):
    """The ledger cannot be used: the file is not a ledger or is damaged, was written by a
    newer mailwright, is read-only, the disk is full, or another process holds it locked.
    Nothing was recorded by the call that raised it."""


class InvalidKeyError(InvalidInputError):
    """An idempotency key is empty, longer than 512 bytes, or holds a control character."""


class SmtpError(MailwrightError):
    """The server refused (category ``server``); the reply: ``code``, ``enhanced_code``, ``text``."""

    @property
    def code(self) -> Optional[int]:
        return self.reply.code if self.reply is not None else None

    @property
    def enhanced_code(self) -> Optional[str]:
        return self.reply.enhanced_code if self.reply is not None else None

    @property
    def text(self) -> Optional[str]:
        return self.reply.text if self.reply is not None else None


class SmtpTransientError(SmtpError):
    """The server answered 4xx: try again later."""


class SmtpPermanentError(SmtpError):
    """The server answered 5xx: do not retry as is."""


class RateLimitedError(SmtpTransientError):
    """SendCloud's ``536 Frequency limited``: slow down and retry later."""


class AuthenticationError(SmtpError):
    """The server refused the credentials."""


class AuthUnavailableError(CapabilityError):
    """The server offers no AUTH mechanism mailwright supports."""


class TlsUnavailableError(CapabilityError):
    """TLS is required but the server does not offer or refused STARTTLS."""


class ProtocolError(MailwrightError):
    """The server sent something that is not SMTP (category ``protocol``)."""


class NetworkError(MailwrightError, OSError):
    """The connection failed: could not open, closed, timed out, TLS failed
    (category ``connection``; also an OSError)."""


class ConnectionClosedError(NetworkError, ConnectionError):
    """The connection closed before the conversation was over."""


class MailwrightTimeoutError(NetworkError, TimeoutError):
    """The server did not answer in time."""


class TlsError(NetworkError):
    """The TLS handshake failed (certificate, protocol version, ...)."""


class ConnectError(NetworkError, ConnectionError):
    """The connection could not be opened."""


class InvalidStateError(MailwrightError):
    """A call that makes no sense in the current state, a closed client say (category ``state``)."""


#: The class raised for each core error kind (used by the native module).
_BY_KIND: Dict[str, Type[MailwrightError]] = {
    "InvalidAddress": InvalidAddressError,
    "HeaderInjection": HeaderInjectionError,
    "InvalidHeaderName": InvalidHeaderNameError,
    "MissingFrom": MissingFromError,
    "NoRecipients": NoRecipientsError,
    "DuplicateContentId": DuplicateContentIdError,
    "InvalidContentId": InvalidContentIdError,
    "InvalidContentType": InvalidContentTypeError,
    "XSmtpApiInvalid": XSmtpApiError,
    "MessageTooLarge": MessageTooLargeError,
    "InvalidMessageId": InvalidMessageIdError,
    "InvalidHeaderValue": InvalidHeaderValueError,
    "InvalidBoundarySeed": InvalidBoundarySeedError,
    "BoundaryCollision": BoundaryCollisionError,
    "NoClock": NoClockError,
    "Random": RandomError,
    "Io": MailwrightIOError,
    "SmtpTransient": SmtpTransientError,
    "SmtpPermanent": SmtpPermanentError,
    "RateLimited": RateLimitedError,
    "AuthenticationFailed": AuthenticationError,
    "AuthUnavailable": AuthUnavailableError,
    "TlsUnavailable": TlsUnavailableError,
    "Protocol": ProtocolError,
    "ConnectionClosed": ConnectionClosedError,
    "Timeout": MailwrightTimeoutError,
    "Tls": TlsError,
    "Connect": ConnectError,
    "InvalidCredentials": InvalidCredentialsError,
    "InvalidState": InvalidStateError,
    "InvalidOption": InvalidOptionError,
    "InvalidUnicode": InvalidUnicodeError,
    "InvalidUnsubscribeUri": InvalidUnsubscribeUriError,
    "OneClickRequiresHttps": OneClickRequiresHttpsError,
    "InvalidListId": InvalidListIdError,
    "InvalidDkimKey": InvalidDkimKeyError,
    "InvalidDkimOption": InvalidDkimOptionError,
    "InvalidCalendar": InvalidCalendarError,
    "CalendarMethodMismatch": CalendarMethodMismatchError,
    "Ledger": LedgerError,
    "InvalidKey": InvalidKeyError,
}

#: The base class of each core error category (and the class raised for a
#: kind this module does not know yet, so a new kind still lands in its family).
_BY_CATEGORY: Dict[str, Type[MailwrightError]] = {
    "input": InvalidInputError,
    "server": SmtpError,
    "capability": CapabilityError,
    "protocol": ProtocolError,
    "connection": NetworkError,
    "system": MailwrightSystemError,
    "state": InvalidStateError,
}


def _from_core(message: str, kind: str, error_code: int, category: str, transient: bool,
               reply: "Optional[Reply]") -> MailwrightError:
    """The exception for a core error (called by the native module, never raised here)."""
    cls = _BY_KIND.get(kind) or _BY_CATEGORY.get(category, MailwrightError)
    err = cls(message)
    err.kind = kind
    err.error_code = error_code
    err._category = category
    err._transient = transient
    err.reply = reply
    return err
