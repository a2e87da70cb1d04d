"""Type stubs of the native module (checked against it by mypy.stubtest)."""
from concurrent.futures import Future
from datetime import datetime
from os import PathLike
from typing import Any, Iterable, Literal, Mapping, Optional, Protocol, Sequence, Tuple, Union

from typing_extensions import final

from .errors import MailwrightError
from .limits import Limiter

__version__: str
__all__ = [
    "ACTIONS",
    "CONNECTION_LOSS_CAUSES",
    "DIRECTIONS",
    "ERROR_CATEGORIES",
    "EVENT_KINDS",
    "OUTCOME_KINDS",
    "MECHANISMS",
    "REPLY_CLASSES",
    "TLS_MODES",
    "Attachment",
    "Calendar",
    "Client",
    "Credentials",
    "Dispatcher",
    "DkimKey",
    "DkimSigner",
    "Envelope",
    "Event",
    "Inline",
    "Mailer",
    "Message",
    "Outcome",
    "Prepared",
    "Rate",
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
_DkimAlgorithm = Literal["rsa-sha256", "ed25519-sha256"]
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
class Calendar:
    def __new__(cls, method: str, content: str, *, attachment: Optional[str] = None) -> "Calendar": ...
    @property
    def method(self) -> str: ...
    @property
    def attachment(self) -> Optional[str]: ...

# A DKIM private key: a secret (never in repr, errors or pickles).
@final
class DkimKey:
    @staticmethod
    def from_pem(pem: Union[str, bytes, bytearray]) -> "DkimKey": ...
    @staticmethod
    def ed25519_seed(seed: Union[bytes, bytearray]) -> "DkimKey": ...
    @property
    def algorithm(self) -> _DkimAlgorithm: ...
    def dns_record(self) -> str: ...

_Canonicalization = Literal["relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple"]

@final
class DkimSigner:
    def __new__(
        cls,
        domain: str,
        selector: str,
        key: DkimKey,
        *,
        canonicalization: Optional[_Canonicalization] = None,
        time: Optional[Union[int, datetime]] = None,
        expires_after: Optional[int] = None,
    ) -> "DkimSigner": ...
    @property
    def domain(self) -> str: ...
    @property
    def selector(self) -> str: ...
    @property
    def algorithm(self) -> _DkimAlgorithm: ...

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
        list_unsubscribe: Optional[Union[str, Iterable[str]]] = None,
        one_click_unsubscribe: Optional[bool] = None,
        list_id: Optional[str] = None,
        calendar: Optional[Calendar] = None,
        dkim: Optional[Union[DkimSigner, Iterable[DkimSigner]]] = None,
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
    def is_signed(self) -> bool: ...
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
        rate: Optional[Union[Literal["sendcloud"], "Rate", Tuple[int, float]]] = None,
        max_attempts: Optional[int] = None,
        initial_backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        deadline: Optional[float] = None,
        rate_limited_pause: Optional[float] = None,
        messages_per_connection: Optional[int] = None,
        idle_timeout: Optional[float] = None,
        queue_capacity: Optional[int] = None,
        at_least_once: Optional[bool] = None,
        limiter: Optional[Limiter] = None,
    ) -> "Mailer": ...
    def send(self, message: Message) -> Outcome: ...
    def send_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str]) -> Outcome: ...
    def submit(self, message: Message) -> Future[Outcome]: ...
    def submit_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str]) -> Future[Outcome]: ...
    def send_many(self, messages: Iterable[Message]) -> list[Outcome]: ...
    @property
    def counters(self) -> dict[str, Any]: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...
    def __enter__(self) -> "Mailer": ...
    def __exit__(self, *_exc: object) -> bool: ...

# --- the core's sans-IO dispatcher, for drivers written in Python (mailwright.aio) ---

# The core's action names (tests/test_aio.py checks them against ACTIONS and
# against the handlers of mailwright.aio).
_Action = Literal["Open", "Send", "StartTls", "Close"]

ACTIONS: Tuple[_Action, ...]

@final
class Prepared:
    @property
    def size(self) -> int: ...
    @property
    def message_id(self) -> Optional[str]: ...
    @property
    def submitted(self) -> bool: ...

@final
class Dispatcher:
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
        rate: Optional[Union[Literal["sendcloud"], "Rate", Tuple[int, float]]] = None,
        max_attempts: Optional[int] = None,
        initial_backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        deadline: Optional[float] = None,
        rate_limited_pause: Optional[float] = None,
        messages_per_connection: Optional[int] = None,
        idle_timeout: Optional[float] = None,
        queue_capacity: Optional[int] = None,
        at_least_once: Optional[bool] = None,
        limiter: Optional[Limiter] = None,
    ) -> "Dispatcher": ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def tls(self) -> _TlsMode: ...
    @property
    def implicit_tls(self) -> bool: ...
    @property
    def server_name(self) -> str: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def timeout(self) -> float: ...
    @property
    def ca_pem(self) -> list[bytes]: ...
    @property
    def pinned(self) -> bool: ...
    def pin_mismatch(self, der: bytes) -> Optional[str]: ...
    def loss_error(self, cause: _ConnectionLoss, detail: str) -> MailwrightError: ...
    def closed_error(self) -> MailwrightError: ...
    def prepare(self, message: Message) -> Prepared: ...
    def prepare_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str]) -> Prepared: ...
    def submit(self, prepared: Prepared) -> Optional[int]: ...
    def has_room(self) -> bool: ...
    def advance(self, now: float) -> None: ...
    def poll_timeout(self) -> Optional[float]: ...
    def poll_actions(self) -> list[Tuple[_Action, int]]: ...
    def take_output(self, conn: int) -> bytes: ...
    def connection_opened(self, conn: int) -> None: ...
    def receive(self, conn: int, data: _BytesLike) -> None: ...
    def tls_established(self, conn: int) -> None: ...
    def connection_lost(self, conn: int, cause: _ConnectionLoss, detail: str) -> None: ...
    def poll_outcomes(self) -> list[Outcome]: ...
    def is_open(self, conn: int) -> bool: ...
    def awaits_reply(self, conn: int) -> bool: ...
    @property
    def counters(self) -> dict[str, Any]: ...
    def drain(self) -> None: ...
    def shutdown(self) -> None: ...
    def is_finished(self) -> bool: ...


# A relay's quota as the core holds it (mailwright.Rate.preset("sendcloud")).
@final
class Rate:
    def __new__(cls, messages: int, per: float) -> "Rate": ...
    @staticmethod
    def preset(name: str) -> "Rate": ...
    @property
    def messages(self) -> int: ...
    @property
    def per(self) -> float: ...
    @property
    def burst(self) -> int: ...
    @property
    def shared_window(self) -> float: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

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
