"""The keyword options of :func:`mailwright.send`, :class:`mailwright.Client`,
the mailers (:class:`mailwright.Mailer`, :class:`mailwright.aio.Mailer`) and
the sans-IO :class:`mailwright.Session`,
as ``TypedDict`` types for type checkers and for settings kept in a dict::

    from mailwright.options import MailerOptions

    SETTINGS: MailerOptions = {"tls": "implicit", "connections": 8, "rate": "sendcloud"}
    mailer = mailwright.Mailer("smtp.example.com", 465, **SETTINGS)

Every option may be left out or given as None: the core's default (the
figures below). Every check is the core's: a value of the wrong type is a
TypeError naming the option, a value the core refuses an InvalidOptionError,
an unknown keyword a TypeError listing the known ones. The names are the
native module's (``SEND_OPTIONS``, ``CLIENT_OPTIONS``, ``MAILER_OPTIONS``,
``SESSION_OPTIONS``);
``tests/test_options.py`` fails when these types and those names disagree.
"""
from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Iterable, Literal, Optional, Tuple, TypedDict, Union

if TYPE_CHECKING:
    from ._mailwright import Credentials, Rate
    from .limits import Limiter

__all__ = [
    "GreetOptions", "ConnectOptions", "SendOptions", "ClientOptions", "MailerOptions", "SessionOptions",
]

_BytesLike = Union[bytes, bytearray, memoryview]
_TlsMode = Literal["starttls", "opportunistic", "implicit", "none"]  # the core's TLS_MODES


class GreetOptions(TypedDict, total=False):
    """How to greet and secure the session: every entry point takes these."""

    credentials: Optional[Credentials]
    """User and key for AUTH (SendCloud's ``api_user#label`` with ``label=``)."""
    tls: Optional[_TlsMode]
    """One of ``TLS_MODES``; default ``"starttls"`` (required)."""
    hello_name: Optional[str]
    """The name said in EHLO; default ``localhost``."""
    allow_plaintext_auth: Optional[bool]
    """Send credentials without TLS; default: to loopback hosts only (a
    :class:`~mailwright.Session`, which knows no host: never)."""


class _Pipelining(TypedDict, total=False):
    pipelining: Optional[bool]
    """Use PIPELINING when the server offers it; default True."""


class _Transcript(TypedDict, total=False):
    transcript: Optional[bool]
    """Keep the conversation (secrets masked) for ``take_transcript()``; default False."""


class ConnectOptions(GreetOptions, total=False):
    """How to reach the server: every entry point that connects takes these."""

    ca_file: Optional[Union[str, PathLike[str]]]
    """A PEM file of extra trusted root certificates."""
    pin_sha256: Optional[Union[str, Iterable[str]]]
    """SHA-256 fingerprints of the server's certificate: the connection is
    trusted when it matches one (instead of the usual verification)."""
    pin_certificate: Optional[Union[str, _BytesLike]]
    """A PEM certificate whose fingerprint is pinned, as ``pin_sha256``."""
    timeout: Optional[float]
    """Seconds allowed to connect and for each reply; default 30."""


class SendOptions(ConnectOptions, _Pipelining, total=False):
    """The options of :func:`mailwright.send`."""

    message_timeout: Optional[float]
    """Seconds allowed for one message's data and its reply; default 300."""


class ClientOptions(SendOptions, _Transcript, total=False):
    """The options of :class:`mailwright.Client`."""


class SessionOptions(GreetOptions, _Pipelining, _Transcript, total=False):
    """The options of the sans-IO :class:`mailwright.Session`."""


class MailerOptions(ConnectOptions, total=False):
    """The options of :class:`Mailer`, :class:`Dispatcher` and :class:`mailwright.aio.Mailer`."""

    connections: Optional[int]
    """Connections in the pool; default 4."""
    rate: Optional[Union[Literal["sendcloud"], Rate, Tuple[int, float]]]
    """The relay's quota: a preset name, a :class:`Rate` or ``(messages, per_seconds)``; default none."""
    max_attempts: Optional[int]
    """Attempts per message, the first included; default 5."""
    initial_backoff: Optional[float]
    """Seconds before the first retry (doubling, jittered); default 1."""
    max_backoff: Optional[float]
    """The longest wait between two attempts, in seconds; default 60."""
    deadline: Optional[float]
    """Seconds a message may take from submission to its outcome; default 600."""
    rate_limited_pause: Optional[float]
    """Seconds every connection waits after a rate-limit reply (SendCloud's 536); default 60."""
    messages_per_connection: Optional[int]
    """Messages sent on one connection before it is replaced; default 1,000."""
    idle_timeout: Optional[float]
    """Seconds an idle connection is kept open; default 30."""
    queue_capacity: Optional[int]
    """Messages the mailer holds before submitting waits; default 10,000."""
    at_least_once: Optional[bool]
    """Retry a message whose fate is unknown (it may be sent twice); default False: it is uncertain."""
    limiter: Optional[Limiter]
    """An object with ``acquire()`` sharing the quota with other processes (:class:`mailwright.limits.SharedQuota`)."""
