"""Type stubs of the native module (checked against it by mypy.stubtest)."""
from concurrent.futures import Future
from datetime import datetime
from os import PathLike
from typing import Any, Iterable, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union

from typing_extensions import final

from .errors import MailwrightError

__version__: str
__all__ = [
    "CONNECTION_LOSS_CAUSES",
    "DIRECTIONS",
    "ERROR_CATEGORIES",
    "EVENT_KINDS",
    "OUTCOME_KINDS",
    "MECHANISMS",
    "REPLY_CLASSES",
    "TLS_MODES",
    "Attachment",
    "Client",
    "Credentials",
    "Envelope",
    "Event",
    "Inline",
    "Mailer",
    "Message",
    "Outcome",
    "Reply",
    "SendResult",
    "Session",
    "XSmtpApi",
    "__version__",
    "auth_login",
    "auth_plain",
    "auth_xoauth2",
    "error_kinds",
    "login_answer",
    "send",
]

# The core's names (tests/test_stubs.py checks these Literal types against the
# tuples below, which the native module takes from the core).
_TlsMode = Literal["starttls", "opportunistic", "implicit", "none"]
_ConnectionLoss = Literal["closed", "timeout", "tls", "connect"]
_ReplyClass = Literal["Positive", "Intermediate", "Transient", "Permanent", "RateLimited"]
_Direction = Literal["client", "server"]
_EventKind = Literal["StartTls", "Ready", "Sent", "Failed", "Error", "Closed"]
_ErrorCategory = Literal["input", "server", "capability", "protocol", "connection", "system", "state"]

TLS_MODES: Tuple[_TlsMode, ...]
CONNECTION_LOSS_CAUSES: Tuple[_ConnectionLoss, ...]
REPLY_CLASSES: Tuple[_ReplyClass, ...]
DIRECTIONS: Tuple[_Direction, ...]
EVENT_KINDS: Tuple[_EventKind, ...]
OUTCOME_KINDS: Tuple[_OutcomeKind, ...]
MECHANISMS: Tuple[str, ...]
ERROR_CATEGORIES: Tuple[_ErrorCategory, ...]

def error_kinds() -> list[Tuple[str, int, _ErrorCategory, bool]]: ...

class _AddressLike(Protocol):
    @property
    def addr_spec(self) -> str: ...
    @property
    def display_name(self) -> str: ...

_BytesLike = Union[bytes, bytearray, memoryview]
# One mailbox: "Name <a@b.c>" or "a@b.c", (name, address), or an email.headerregistry.Address.
_MailboxLike = Union[str, Tuple[Optional[str], str], _AddressLike]
# A list field: one str / Address, or an iterable of mailboxes. A bare 2-tuple is
# refused at run time (TypeError): write [(name, address)] or [address1, address2].
_Mailboxes = Union[str, _AddressLike, Iterable[_MailboxLike]]
_Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]]]
_InlineLike = Union["Inline", Tuple[str, str, _BytesLike], Tuple[str, str, _BytesLike, Optional[str]]]
_AttachmentLike = Union["Attachment", Tuple[str, str, _BytesLike]]

@final
class Inline:
    def __new__(cls, content_id: str, content_type: str, data: _BytesLike, filename: Optional[str] = None) -> "Inline": ...
    @property
    def content_id(self) -> str: ...
    @property
    def size(self) -> int: ...

@final
class Attachment:
    def __new__(cls, filename: str, content_type: str, data: _BytesLike) -> "Attachment": ...
    @property
    def filename(self) -> str: ...
    @property
    def size(self) -> int: ...

@final
class XSmtpApi:
    def __new__(
        cls,
        *,
        to: Optional[Sequence[str]] = None,
        sub: Optional[Mapping[str, Sequence[str]]] = None,
        section: Optional[Mapping[str, str]] = None,
        open_tracking: Optional[bool] = None,
        click_tracking: Optional[bool] = None,
        subscription_tracking: Optional[bool] = None,
    ) -> "XSmtpApi": ...
    def to_json(self) -> str: ...
    def encode(self) -> str: ...

@final
class Envelope:
    @property
    def sender(self) -> str: ...
    @property
    def recipients(self) -> list[str]: ...

@final
class Message:
    def __new__(
        cls,
        from_addr: Optional[_MailboxLike],
        *,
        to: Optional[_Mailboxes] = None,
        cc: Optional[_Mailboxes] = None,
        bcc: Optional[_Mailboxes] = None,
        reply_to: Optional[_Mailboxes] = None,
        sender: Optional[_MailboxLike] = None,
        envelope_from: Optional[_MailboxLike] = None,
        subject: Optional[str] = None,
        text: Optional[str] = None,
        html: Optional[str] = None,
        inline: Optional[Iterable[_InlineLike]] = None,
        attachments: Optional[Iterable[_AttachmentLike]] = None,
        headers: Optional[_Pairs] = None,
        sc_custom: Optional[_Pairs] = None,
        x_smtpapi: Optional[XSmtpApi] = None,
        message_id: Optional[str] = None,
        in_reply_to: Optional[Union[str, Iterable[str]]] = None,
        references: Optional[Union[str, Iterable[str]]] = None,
        date: Optional[Union[int, datetime]] = None,
        boundary_seed: Optional[str] = None,
    ) -> "Message": ...
    def as_bytes(self) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    def __len__(self) -> int: ...
    def write_to(self, file: object) -> None: ...
    def check_size(self, limit: int) -> None: ...
    @property
    def size(self) -> int: ...
    @property
    def envelope(self) -> Envelope: ...
    @property
    def message_id(self) -> str: ...
    @property
    def date(self) -> int: ...
    @property
    def structure(self) -> str: ...

@final
class Credentials:
    def __new__(cls, user: str, key: str, *, label: Optional[str] = None) -> "Credentials": ...
    @staticmethod
    def oauth2(user: str, token: str, *, label: Optional[str] = None) -> "Credentials": ...
    @property
    def is_oauth2(self) -> bool: ...
    @property
    def user(self) -> str: ...
    @property
    def label(self) -> Optional[str]: ...
    @property
    def username(self) -> str: ...

@final
class Reply:
    @staticmethod
    def parse(data: bytes) -> "Reply": ...
    @property
    def code(self) -> int: ...
    @property
    def enhanced_code(self) -> Optional[str]: ...
    @property
    def lines(self) -> list[str]: ...
    @property
    def text(self) -> str: ...
    @property
    def classification(self) -> _ReplyClass: ...
    @property
    def transient(self) -> bool: ...
    @property
    def is_positive(self) -> bool: ...
    @property
    def queue_id(self) -> Optional[str]: ...

@final
class SendResult:
    @property
    def handle(self) -> int: ...
    @property
    def queue_id(self) -> Optional[str]: ...
    @property
    def accepted(self) -> list[str]: ...
    @property
    def refused(self) -> list[Tuple[str, Reply]]: ...
    @property
    def reply(self) -> Reply: ...

@final
class Event:
    @property
    def kind(self) -> _EventKind: ...
    @property
    def handle(self) -> Optional[int]: ...
    @property
    def result(self) -> Optional[SendResult]: ...
    @property
    def error(self) -> Optional[MailwrightError]: ...
    @property
    def refused(self) -> list[Tuple[str, Reply]]: ...

@final
class Session:
    def __new__(
        cls,
        *,
        hello_name: Optional[str] = None,
        tls: Optional[_TlsMode] = None,
        credentials: Optional[Credentials] = None,
        pipelining: Optional[bool] = None,
        transcript: Optional[bool] = None,
        allow_plaintext_auth: Optional[bool] = None,
    ) -> "Session": ...
    def receive(self, data: bytes) -> None: ...
    def take_output(self) -> bytes: ...
    def send(self, message: Message) -> int: ...
    def quit(self) -> None: ...
    def tls_established(self) -> None: ...
    def connection_lost(self, cause: _ConnectionLoss, detail: Optional[str] = None) -> None: ...
    def poll_event(self) -> Optional[Event]: ...
    def take_transcript(self) -> list[Tuple[_Direction, str]]: ...
    @property
    def transcript_dropped(self) -> int: ...
    @property
    def is_done(self) -> bool: ...
    @property
    def is_tls(self) -> bool: ...

@final
class Client:
    def __new__(
        cls,
        host: str,
        port: Optional[int] = None,
        *,
        credentials: Optional[Credentials] = None,
        tls: Optional[_TlsMode] = None,
        ca_file: Optional[Union[str, PathLike[str]]] = None,
        pin_sha256: Optional[Union[str, Iterable[str]]] = None,
        pin_certificate: Optional[Union[str, _BytesLike]] = None,
        timeout: Optional[float] = None,
        message_timeout: Optional[float] = None,
        hello_name: Optional[str] = None,
        pipelining: Optional[bool] = None,
        allow_plaintext_auth: Optional[bool] = None,
        transcript: bool = False,
    ) -> "Client": ...
    def send(self, message: Message) -> SendResult: ...
    def send_all(self, messages: Sequence[Message]) -> list[Union[SendResult, MailwrightError]]: ...
    def take_transcript(self) -> list[Tuple[_Direction, str]]: ...
    def transcript(self) -> list[Tuple[_Direction, str]]: ...
    def quit(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> "Client": ...
    def __exit__(self, *_exc: object) -> bool: ...
    @property
    def is_tls(self) -> bool: ...

_OutcomeKind = Literal["delivered", "failed", "uncertain"]

@final
class Outcome:
    @property
    def kind(self) -> _OutcomeKind: ...
    @property
    def ticket(self) -> int: ...
    @property
    def queue_id(self) -> Optional[str]: ...
    @property
    def accepted(self) -> list[str]: ...
    @property
    def refused(self) -> list[Tuple[str, Reply]]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def uncertain_attempts(self) -> int: ...
    @property
    def gave_up(self) -> bool: ...
    @property
    def error(self) -> Optional[MailwrightError]: ...
    @property
    def delivered(self) -> bool: ...
    @property
    def uncertain(self) -> bool: ...

@final
class Mailer:
    def __new__(
        cls,
        host: str,
        port: Optional[int] = None,
        *,
        credentials: Optional[Credentials] = None,
        tls: Optional[_TlsMode] = None,
        timeout: Optional[float] = None,
        hello_name: Optional[str] = None,
        ca_file: Optional[Union[str, PathLike[str]]] = None,
        pin_sha256: Optional[Union[str, Iterable[str]]] = None,
        pin_certificate: Optional[Union[str, _BytesLike]] = None,
        allow_plaintext_auth: Optional[bool] = None,
        connections: Optional[int] = None,
        rate: Optional[Union[Literal["sendcloud"], Tuple[int, float]]] = None,
        max_attempts: Optional[int] = None,
        deadline: Optional[float] = None,
        at_least_once: bool = False,
    ) -> "Mailer": ...
    def send(self, message: Message) -> Outcome: ...
    def send_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str]) -> Outcome: ...
    def submit(self, message: Message) -> Future[Outcome]: ...
    def send_many(self, messages: Iterable[Message]) -> list[Outcome]: ...
    @property
    def counters(self) -> dict[str, Any]: ...
    def close(self) -> None: ...
    def __enter__(self) -> "Mailer": ...
    def __exit__(self, *_exc: object) -> bool: ...

def send(
    message: Message,
    host: str,
    port: Optional[int] = None,
    *,
    credentials: Optional[Credentials] = None,
    tls: Optional[_TlsMode] = None,
    ca_file: Optional[Union[str, PathLike[str]]] = None,
    pin_sha256: Optional[Union[str, Iterable[str]]] = None,
    pin_certificate: Optional[Union[str, _BytesLike]] = None,
    timeout: Optional[float] = None,
    message_timeout: Optional[float] = None,
    hello_name: Optional[str] = None,
    pipelining: Optional[bool] = None,
    allow_plaintext_auth: Optional[bool] = None,
) -> SendResult: ...
def auth_plain(credentials: Credentials) -> bytes: ...
def auth_login(credentials: Credentials) -> bytes: ...
def login_answer(challenge: str, credentials: Credentials, *, username_sent: bool = True) -> bytes: ...
def auth_xoauth2(credentials: Credentials) -> bytes: ...
