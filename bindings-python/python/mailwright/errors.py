"""Exceptions raised by mailwright.

Every error is a :class:`MailwrightError` with a stable ``kind`` (the core's
error kind name) and ``error_code`` (the number the C and Java bindings use).
Errors caused by bad input are also :class:`ValueError`; errors carrying an
SMTP reply are :class:`SmtpError` with ``code``, ``enhanced_code`` and
``text``. The native module raises them; nothing here decides anything.
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
    "InvalidCredentialsError", "MessageTooLargeError", "NoClockError", "RandomError",
    "MailwrightIOError", "SmtpError", "SmtpTransientError", "SmtpPermanentError",
    "RateLimitedError", "AuthenticationError", "AuthUnavailableError", "TlsUnavailableError",
    "ProtocolError", "ConnectionClosedError", "MailwrightTimeoutError", "TlsError", "ConnectError",
    "InvalidStateError",
]


class MailwrightError(Exception):
    """Base of every mailwright error."""

    kind: str = ""
    error_code: int = 0
    reply: "Optional[Reply]" = None

    def __init__(self, message: str, kind: str = "", error_code: int = 0, reply: "Optional[Reply]" = None) -> None:
        super().__init__(message)
        self.message = message
        if kind:
            self.kind = kind
        if error_code:
            self.error_code = error_code
        self.reply = reply


class InvalidInputError(MailwrightError, ValueError):
    """The input was refused (also a ValueError)."""


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


class MessageTooLargeError(MailwrightError):
    """The message is larger than the server's SIZE limit."""


class NoClockError(MailwrightError):
    """No date given and no clock available."""


class RandomError(MailwrightError):
    """The operating system's random number generator failed."""


class MailwrightIOError(MailwrightError, OSError):
    """Writing the message failed."""


class SmtpError(MailwrightError):
    """An error carrying the server's reply: ``code``, ``enhanced_code``, ``text``."""

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


class AuthUnavailableError(MailwrightError):
    """The server offers no AUTH mechanism mailwright supports."""


class TlsUnavailableError(MailwrightError):
    """TLS is required but the server does not offer or refused STARTTLS."""


class ProtocolError(MailwrightError):
    """The server sent something that is not SMTP."""


class ConnectionClosedError(MailwrightError, ConnectionError):
    """The connection closed before the conversation was over."""


class MailwrightTimeoutError(MailwrightError, TimeoutError):
    """The server did not answer in time."""


class TlsError(MailwrightError):
    """The TLS handshake failed (certificate, protocol version, ...)."""


class ConnectError(MailwrightError, ConnectionError):
    """The connection could not be opened."""


class InvalidStateError(MailwrightError):
    """A call that makes no sense in the current state (a closed client, ...)."""


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
}
