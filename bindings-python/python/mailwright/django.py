"""A Django e-mail backend over :class:`mailwright.Mailer`.

    EMAIL_BACKEND = "mailwright.django.EmailBackend"
    EMAIL_HOST = "smtp.sendcloud.net"
    EMAIL_PORT = 2525
    EMAIL_HOST_USER = "api_user"
    EMAIL_HOST_PASSWORD = "api_key"
    EMAIL_USE_TLS = True              # STARTTLS ("starttls"); EMAIL_USE_SSL: TLS from the first byte ("implicit")
    EMAIL_TIMEOUT = 30                # seconds; unset: the core's default
    MAILWRIGHT_LABEL = "12345"        # SendCloud label: the login becomes api_user#12345
    MAILWRIGHT_RATE = "sendcloud"     # or (messages, per_seconds)
    MAILWRIGHT_CONNECTIONS = 4
    MAILWRIGHT_LIMITER = None         # a quota shared by processes: an object with acquire(), or its dotted path
    MAILWRIGHT_CA_FILE = None         # a PEM file of CAs trusted besides the Mozilla roots
    MAILWRIGHT_OPTIONS = {}           # any other Mailer keyword (max_attempts, deadline, hello_name, ...)
    MAILWRIGHT_LEDGER = None          # a ledger file (or a mailwright.Ledger): each message sent once, its fate kept

Each message goes out as the bytes Django makes
(``message.message().as_bytes(linesep="\\r\\n")``) with the envelope of
``message.from_email`` and ``message.recipients()`` (so Bcc is only in the
envelope). Like Django's SMTP backend, a backend holds one Mailer (a pool of
connections) from :meth:`EmailBackend.open` to :meth:`EmailBackend.close`;
``send_messages`` opens and closes it around its messages unless it is
already open (``with get_connection() as connection: ...`` reuses it).
The messages of one call are submitted together (``Mailer.submit_raw``), so
they use the whole pool at once; their outcomes are read in order.

With ``MAILWRIGHT_LEDGER`` every message is recorded in the ledger under a
key: ``message.mailwright_key`` when set (an order id: not a header, it is
not sent), else its Message-ID. A key the ledger already holds is not sent
again (its recorded outcome counts), and what a process that died left
unsent is sent by the next backend that opens the ledger.
"""
from __future__ import annotations

import smtplib
import threading
from concurrent.futures import Future
from email.utils import parseaddr
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, sanitize_address
from django.utils.module_loading import import_string

from ._mailwright import Credentials, Mailer, Outcome, Rate
from .limits import Limiter

__all__ = ["EmailBackend", "DeliveryError"]


class DeliveryError(smtplib.SMTPException):
    """A message was not delivered (its Outcome failed or is uncertain).

    An ``smtplib.SMTPException`` (so an ``OSError``), as Django users expect
    from ``send_mail(fail_silently=False)``. ``outcome`` is the
    :class:`mailwright.Outcome`, ``error`` its :class:`mailwright.MailwrightError`
    (also the ``__cause__``), ``recipients`` the refused recipients as
    ``smtplib.SMTPRecipientsRefused`` has them: ``{address: (code, text)}``.
    """

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.error = outcome.error
        self.recipients: Dict[str, Tuple[int, bytes]] = {
            address: (reply.code, reply.text.encode()) for address, reply in outcome.refused}
        super().__init__(f"message not delivered ({outcome.kind}): {outcome.error}")


class _BothTlsModes(ImproperlyConfigured, ValueError):
    """EMAIL_USE_TLS and EMAIL_USE_SSL both set (Django's own backend raises ValueError)."""


def _setting(name: str, default: Any = None) -> Any:
    return getattr(settings, name, default)


class EmailBackend(BaseEmailBackend):
    """Django's ``EMAIL_BACKEND`` over a mailwright Mailer. Keyword arguments
    override the settings, as with Django's SMTP backend."""

    def __init__(
        self,
        host: Optional[str] = None,
        port: Optional[int] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        use_tls: Optional[bool] = None,
        fail_silently: bool = False,
        use_ssl: Optional[bool] = None,
        timeout: Optional[float] = None,
        ssl_keyfile: Optional[str] = None,
        ssl_certfile: Optional[str] = None,
        label: Optional[str] = None,
        rate: Union[str, Rate, Tuple[int, float], None] = None,
        connections: Optional[int] = None,
        limiter: Union[Limiter, str, None] = None,
        ca_file: Optional[str] = None,
        options: Optional[Dict[str, Any]] = None,
        ledger: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.host = host or settings.EMAIL_HOST
        self.port = port or settings.EMAIL_PORT
        self.username = settings.EMAIL_HOST_USER if username is None else username
        self.password = settings.EMAIL_HOST_PASSWORD if password is None else password
        self.use_tls = settings.EMAIL_USE_TLS if use_tls is None else use_tls
        self.use_ssl = settings.EMAIL_USE_SSL if use_ssl is None else use_ssl
        self.timeout = settings.EMAIL_TIMEOUT if timeout is None else timeout
        self.label = _setting("MAILWRIGHT_LABEL") if label is None else label
        self.rate = _setting("MAILWRIGHT_RATE") if rate is None else rate
        self.connections = _setting("MAILWRIGHT_CONNECTIONS") if connections is None else connections
        self.ca_file = _setting("MAILWRIGHT_CA_FILE") if ca_file is None else ca_file
        self.options = dict(_setting("MAILWRIGHT_OPTIONS") or {}) if options is None else dict(options)
        self.ledger = _setting("MAILWRIGHT_LEDGER") if ledger is None else ledger
        limiter = _setting("MAILWRIGHT_LIMITER") if limiter is None else limiter
        self.limiter = import_string(limiter) if isinstance(limiter, str) else limiter
        if self.use_ssl and self.use_tls:
            raise _BothTlsModes(
                "EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only set one of those settings to True.")
        keyfile = settings.EMAIL_SSL_KEYFILE if ssl_keyfile is None else ssl_keyfile
        certfile = settings.EMAIL_SSL_CERTFILE if ssl_certfile is None else ssl_certfile
        if keyfile or certfile:
            # Refused rather than ignored: the server would see no certificate.
            raise ImproperlyConfigured(
                "mailwright does not present a client certificate: unset EMAIL_SSL_CERTFILE and "
                "EMAIL_SSL_KEYFILE (use EMAIL_HOST_USER/EMAIL_HOST_PASSWORD), or use Django's SMTP backend")
        if self.label and not (self.username and self.password):
            raise ImproperlyConfigured(
                "MAILWRIGHT_LABEL needs EMAIL_HOST_USER and EMAIL_HOST_PASSWORD (the label is part of the login)")
        self.mailer: Optional[Mailer] = None
        self._lock = threading.RLock()

    def _mailer(self) -> Mailer:
        options: Dict[str, Any] = dict(self.options)
        options["tls"] = "implicit" if self.use_ssl else "starttls" if self.use_tls else "none"
        if self.username and self.password:  # Django's rule: AUTH only with both
            options["credentials"] = Credentials(self.username, self.password, label=self.label or None)
        for name, value in (("timeout", self.timeout), ("rate", self.rate), ("connections", self.connections),
                            ("limiter", self.limiter), ("ca_file", self.ca_file), ("ledger", self.ledger)):
            if value is not None:
                options[name] = value
        return Mailer(self.host, int(self.port), **options)

    def open(self) -> Optional[bool]:
        """Makes the Mailer (nothing connects until a message is sent).
        True if it was made now, False if it was already open."""
        with self._lock:
            if self.mailer is not None:
                return False
            self.mailer = self._mailer()
            return True

    def close(self) -> None:
        """Closes the Mailer: what is in flight finishes, connections say QUIT."""
        with self._lock:
            mailer, self.mailer = self.mailer, None
        if mailer is not None:
            mailer.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Sends the messages; returns how many were delivered.

        Every message is made and checked first (bad input raises before
        anything is sent), then all are submitted at once, so one call uses
        every connection of the pool. Once every message has its outcome, the
        first one not delivered (in order) raises :class:`DeliveryError`, or,
        with ``fail_silently``, those not delivered are not counted."""
        if not email_messages:
            return 0
        envelopes = [(e, getattr(m, "mailwright_key", None))
                     for m, e in ((m, self._envelope(m)) for m in email_messages) if e is not None]
        if not envelopes:
            return 0
        with self._lock:
            new = self.open()
            mailer = self.mailer
            assert mailer is not None
        try:
            futures: List["Future[Outcome]"] = [mailer.submit_raw(*envelope, key=key) if key is not None
                                                else mailer.submit_raw(*envelope) for envelope, key in envelopes]
            outcomes = [future.result() for future in futures]
        finally:
            if new:
                self.close()
        for outcome in outcomes:
            if not outcome.delivered and not self.fail_silently:
                raise DeliveryError(outcome) from outcome.error
        return sum(1 for outcome in outcomes if outcome.delivered)

    def _envelope(self, message: EmailMessage) -> Optional[Tuple[bytes, str, List[str]]]:
        """The bytes and envelope of a Django message (None: no recipient)."""
        recipients = message.recipients()
        if not recipients:
            return None
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = _address(message.from_email, encoding)
        envelope = [_address(address, encoding) for address in recipients]
        return message.message().as_bytes(linesep="\r\n"), sender, envelope


def _address(address: str, encoding: str) -> str:
    """The addr-spec of a Django address (its name dropped, the domain in
    IDNA), checked by Django as for its own backend."""
    return parseaddr(sanitize_address(address, encoding))[1]
