"""mailwright.aio: the Mailer on an asyncio event loop.

    import asyncio, mailwright, mailwright.aio

    async def main(messages):
        creds = mailwright.Credentials("api_user", "api_key", label="12345")
        async with mailwright.aio.Mailer("smtp.example.com", 2525, credentials=creds,
                                         rate="sendcloud") as mailer:
            outcomes = await asyncio.gather(*(mailer.send(m) for m in messages))

:class:`Mailer` takes the keywords of :class:`mailwright.Mailer` with the same
meaning and returns the same :class:`mailwright.Outcome`. It drives the core's
sans-IO dispatcher (:class:`mailwright._mailwright.Dispatcher`) on the
caller's event loop: this module only executes what the dispatcher asks
(open a connection with ``asyncio.open_connection``, write bytes, run the
STARTTLS handshake with ``StreamWriter.start_tls``, close) and reports what
happened and the time (``loop.time()``), waking it at its ``poll_timeout()``.
The pool, the throttle, retries, time-outs, outcomes and the certificate pin
rule are all the core's. Any asyncio event loop works, uvloop included.

Rules of use:

- One event loop: the mailer binds to the loop of its first call; using it
  from another loop raises RuntimeError. It is not thread-safe.
- A failed or uncertain message is an :class:`~mailwright.Outcome`, never an
  exception. Exceptions are for bad input (the message is checked when it is
  submitted) and misuse: submitting after :meth:`Mailer.close` raises the
  core's :class:`~mailwright.InvalidStateError`.
- A full queue (``queue_capacity``) never refuses a message: it waits, in
  order, in the mailer's waiting room until the core has room, so
  ``asyncio.gather`` over any number of sends works.
- Cancellation: a message belongs to the mailer from the moment the core
  queues it (at once when there is room, else when its turn in the waiting
  room comes). Cancelling the await after that does not withdraw it: it is
  sent (or fails) exactly once, it is counted in :attr:`Mailer.counters`,
  and :meth:`Mailer.close` waits for its outcome; only the cancelled caller
  does not see that outcome. Cancelling while the message still waits for
  room withdraws it: it was never queued, is never sent and is not counted.
  So a cancelled send is never lost silently and never sent twice.
- :meth:`Mailer.close` (and leaving ``async with``) drains as the blocking
  Mailer does: no new message is taken; every message already submitted,
  those still in the waiting room included, is sent (with its retries, within
  its deadline) and gets its outcome; then connections say QUIT. The drain
  is the core's (``Dispatcher.drain``); this module only hands the waiting
  room over first.
- :meth:`Mailer.abort` stops at once: messages in flight finish (an answer,
  or uncertain), those the core still held end as failed (not sent,
  InvalidStateError), messages still in the waiting room raise
  InvalidStateError to their senders; connections say QUIT.

With ``ledger=`` (a path or a :class:`mailwright.Ledger`), the mailer records
every message in the ledger under a key (``key=``, by default its
Message-ID) and is then the core's own threaded engine
(:class:`mailwright.Mailer` with that ledger) behind this asyncio API: the
group commit, the marks before each final dot, the take-over of what a dead
process left and the watching of keys other processes send are the core's,
not re-done here. Each ``send``/``submit`` returns the same
:class:`~mailwright.Outcome`, awaited without blocking the loop; a key the
ledger already holds is not sent again (its recorded outcome comes back);
:attr:`Mailer.resumed` tells what a dead run left. ``close`` and ``abort``
run the core's in a worker thread.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import os
import ssl
import sys
from types import TracebackType
from typing import (TYPE_CHECKING, Any, Callable, Deque, Dict, Iterable, List, Literal, Optional,
                    Set, Tuple, Type, Union)

from ._mailwright import Dispatcher, Ledger, Message, Outcome, Prepared
from ._mailwright import Mailer as _ThreadedMailer
from .errors import MailwrightError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .options import MailerOptions

__all__ = ["Mailer"]

_BytesLike = Union[bytes, bytearray, memoryview]
_Loss = Literal["closed", "timeout", "tls", "connect"]  # the core's CONNECTION_LOSS_CAUSES
_Stage = Literal["connecting", "tls", "sending", "waiting"]  # the core's LOSS_STAGES
_READ_SIZE = 64 * 1024
# Past this many unsent bytes on a connection, wait (at most the time-out)
# for the socket to take them.
_WRITE_HIGH_WATER = 256 * 1024


class _Connection:
    """One connection the dispatcher asked for."""

    __slots__ = ("reader", "writer", "closed", "draining", "abort_handle")

    def __init__(self) -> None:
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.closed = False  # the dispatcher closed it: report nothing more
        self.draining = False
        self.abort_handle: Optional[asyncio.TimerHandle] = None


class Mailer:
    """Sends through a pool of connections with one throttle, retries and one
    :class:`~mailwright.Outcome` per message, on an asyncio event loop.

    The keywords are those of :class:`mailwright.Mailer`, with the same
    meaning (every option left out takes the core's default). Nothing
    connects until a message is sent. An async context manager (closes on
    exit). See the module documentation for the rules of use.
    """

    def __init__(self, host: str, port: Optional[int] = None, *,
                 ledger: Union[Ledger, str, "os.PathLike[str]", None] = None,
                 **options: Unpack[MailerOptions]) -> None:
        # With a ledger: the core's threaded engine with that ledger.
        self._t: Optional[_ThreadedMailer] = None
        if ledger is not None:
            self._t = _ThreadedMailer(host, port, ledger=ledger, **options)
        self._d = Dispatcher(host, port, **options)
        self._ssl = None if self._d.tls == "none" else self._ssl_context()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._epoch = 0.0
        self._futures: Dict[int, asyncio.Future[Outcome]] = {}
        self._room: Deque[Tuple[Prepared, asyncio.Future[Outcome]]] = collections.deque()
        self._conns: Dict[int, _Connection] = {}
        self._tasks: Set[asyncio.Task[None]] = set()
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at: Optional[float] = None
        self._pump_soon: Optional[asyncio.Handle] = None
        self._pumping = False
        self._closing = False  # close() or abort() was called: no new message
        self._drained = False  # the dispatcher was asked to drain
        self._aborted = False
        self._finished: Optional[asyncio.Future[None]] = None

    # ------------------------------------------------------------------ API

    async def send(self, message: Message, *, key: Optional[str] = None) -> Outcome:
        """Sends one message; its Outcome (failures are outcomes, not exceptions).
        ``key``: its idempotency key in the ledger (by default its Message-ID)."""
        return await self.submit(message, key=key)

    async def send_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str], *,
                       key: Optional[str] = None) -> Outcome:
        """Sends raw RFC 5322 bytes with an explicit envelope."""
        return await self.submit_raw(data, sender, recipients, key=key)

    def submit(self, message: Message, *, key: Optional[str] = None) -> asyncio.Future[Outcome]:
        """Queues a message (checked now: bad input raises here) and returns
        an ``asyncio.Future`` that the mailer completes with its Outcome.
        Never waits: with the queue full the message waits for room, in
        order. Must be called with the mailer's event loop running. With a
        ledger the future completes once the outcome is recorded."""
        if self._t is not None:
            return self._threaded(lambda t: t.submit(message, key=key))
        if key is not None:
            raise self._d.needs_ledger_error()
        return self._submit(self._d.prepare(message))

    def submit_raw(self, data: _BytesLike, sender: str, recipients: Iterable[str], *,
                   key: Optional[str] = None) -> asyncio.Future[Outcome]:
        """:meth:`submit` for raw RFC 5322 bytes with an explicit envelope."""
        if self._t is not None:
            return self._threaded(lambda t: t.submit_raw(data, sender, recipients, key=key))
        if key is not None:
            raise self._d.needs_ledger_error()
        return self._submit(self._d.prepare_raw(data, sender, recipients))

    async def send_many(self, messages: Iterable[Message]) -> List[Outcome]:
        """Sends many messages through the pool; the Outcomes in order. Every
        message is checked before any is queued."""
        if self._t is not None:
            listed = list(messages)
            for m in listed:
                self._d.prepare(m)  # checked before any is queued
            return list(await asyncio.gather(*(self.submit(m) for m in listed)))
        prepared = [self._d.prepare(m) for m in messages]
        futures = [self._submit(p) for p in prepared]
        return list(await asyncio.gather(*futures))

    @property
    def counters(self) -> Dict[str, Any]:
        """What has happened so far (the same keys as ``mailwright.Mailer.counters``)."""
        if self._t is not None:
            return self._t.counters
        return self._d.counters

    @property
    def ledger(self) -> Optional[Ledger]:
        """The :class:`mailwright.Ledger` this mailer records into, or None."""
        return None if self._t is None else self._t.ledger

    @property
    def resumed(self) -> Dict[str, Any]:
        """What opening the ledger took up (as :attr:`mailwright.Mailer.resumed`);
        without a ledger, nothing."""
        if self._t is None:
            return {"queued": 0, "uncertain": []}
        return self._t.resumed

    async def close(self) -> None:
        """Closes after sending (see the module documentation): returns once
        every message submitted has its outcome and every connection has
        said QUIT and is closed. Idempotent; after :meth:`abort` it only waits."""
        if self._t is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._t.close)
            return
        if self._loop is None:
            # Never used: nothing was submitted, nothing is open.
            self._closing = True
            self._d.drain()
            return
        self._bind()
        if not self._closing:
            self._closing = True
            self._finished = self._loop.create_future()
            self._pump()  # hands the waiting room over, then asks the core to drain
        await self._wait_finished()

    async def abort(self) -> None:
        """Closes now (see the module documentation): returns once every
        connection is closed. Also ends a :meth:`close` still draining."""
        if self._t is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._t.abort)
            return
        if self._loop is None:
            self._closing = self._aborted = True
            self._d.shutdown()
            return
        self._bind()
        if not self._aborted:
            self._closing = self._aborted = self._drained = True
            if self._finished is None:
                self._finished = self._loop.create_future()
            self._d.advance(self._now())
            self._d.shutdown()
            room, self._room = self._room, collections.deque()
            for _prepared, future in room:
                if not future.done():
                    future.set_exception(self._d.closed_error())
            self._pump()
        await self._wait_finished()

    async def _wait_finished(self) -> None:
        assert self._finished is not None and self._loop is not None
        await asyncio.shield(self._finished)
        while self._tasks:
            results = await asyncio.gather(*list(self._tasks), return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    self._loop.call_exception_handler({
                        "message": "mailwright.aio: a connection task failed",
                        "exception": result})
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def __aenter__(self) -> "Mailer":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]],
                        exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<mailwright.aio.Mailer {self._d!r}>"

    # ------------------------------------------------------------ internals

    def _threaded(self, submit: Callable[[_ThreadedMailer], "concurrent.futures.Future[Outcome]"]) -> asyncio.Future[Outcome]:
        """The core's threaded mailer's future for a submission, as an
        asyncio future of the running loop."""
        assert self._t is not None
        loop = self._bind()
        return asyncio.wrap_future(submit(self._t), loop=loop)

    def _ssl_context(self) -> ssl.SSLContext:
        """The context for every handshake, from the options: TLS 1.2 or 1.3;
        the system's roots plus ``ca_file``; with pins, no chain or name
        check here: the core's pin rule is applied after the handshake."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self._d.pinned:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        for pem in self._d.ca_pem:
            try:
                context.load_verify_locations(cadata=pem.decode("ascii", "replace"))
            except (ssl.SSLError, ValueError) as err:
                raise self._d.loss_error("tls", f"bad PEM certificate in ca_file: {err}") from None
        return context

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._epoch = loop.time()
        elif self._loop is not loop:
            raise RuntimeError("this mailwright.aio.Mailer belongs to another event loop")
        return loop

    def _now(self) -> float:
        assert self._loop is not None
        return self._loop.time() - self._epoch

    def _submit(self, prepared: Prepared) -> asyncio.Future[Outcome]:
        loop = self._bind()
        if self._closing:
            raise self._d.closed_error()
        future: asyncio.Future[Outcome] = loop.create_future()
        if not self._room:
            self._d.advance(self._now())
            ticket = self._d.submit(prepared)
            if ticket is not None:
                self._futures[ticket] = future
                self._schedule_pump()
                return future
        self._room.append((prepared, future))
        return future

    def _schedule_pump(self) -> None:
        """One pump for many submissions made in one turn of the loop."""
        if self._pump_soon is None:
            assert self._loop is not None
            self._pump_soon = self._loop.call_soon(self._pump)

    def _pump(self, at_least: float = 0.0) -> None:
        """Advances the dispatcher, executes its actions, hands out its
        outcomes and the room it has, and sets the timer to its next deadline."""
        if self._pumping:
            return
        self._pumping = True
        self._pump_soon = None
        d = self._d
        try:
            d.advance(max(self._now(), at_least))
            while True:
                moved = self._hand_over()
                if self._closing and not self._room and not self._drained:
                    # Every message of the waiting room is the core's now.
                    self._drained = True
                    d.drain()
                actions = d.poll_actions()
                for name, conn in actions:
                    _HANDLERS[name](self, conn)
                outcomes = d.poll_outcomes()
                for outcome in outcomes:
                    future = self._futures.pop(outcome.ticket, None)
                    if future is not None and not future.done():
                        future.set_result(outcome)
                if not (moved or actions or outcomes):
                    break
            self._set_timer(d.poll_timeout())
            if self._finished is not None and not self._finished.done() and d.is_finished():
                self._finished.set_result(None)
        finally:
            self._pumping = False

    def _hand_over(self) -> bool:
        """Queues waiting-room messages, in order, while the core has room."""
        moved = False
        while self._room and self._d.has_room():
            prepared, future = self._room[0]
            if future.done():  # cancelled while it waited: withdrawn
                self._room.popleft()
                continue
            ticket = self._d.submit(prepared)
            if ticket is None:
                break
            self._room.popleft()
            self._futures[ticket] = future
            moved = True
        return moved

    def _set_timer(self, at: Optional[float]) -> None:
        if at == self._timer_at and (at is None or self._timer is not None):
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = at
        if at is not None:
            assert self._loop is not None
            self._timer = self._loop.call_at(self._epoch + at, self._on_timer, at)

    def _on_timer(self, at: float) -> None:
        self._timer = None
        self._timer_at = None
        # The loop may run a timer a hair early: it is due, so the time is `at`.
        self._pump(at_least=at)

    def _spawn(self, coroutine: Any) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # The dispatcher's actions (the core's names: ``_mailwright.ACTIONS``),
    # dispatched through ``_HANDLERS`` below.

    def _open(self, conn: int) -> None:
        opening = _Connection()
        self._conns[conn] = opening
        self._spawn(self._run(conn, opening))

    def _send(self, conn: int) -> None:
        c = self._conns.get(conn)
        if c is not None and c.writer is not None and not c.closed:
            self._write(conn, c, self._d.take_output(conn))

    def _begin_tls(self, conn: int) -> None:
        c = self._conns.get(conn)
        if c is not None and c.writer is not None and not c.closed:
            self._spawn(self._start_tls(conn, c))

    def _end(self, conn: int) -> None:
        c = self._conns.pop(conn, None)
        if c is not None:
            self._close(conn, c)

    def _write(self, conn: int, c: _Connection, data: bytes) -> None:
        assert c.writer is not None
        if not data or c.writer.is_closing():
            return
        c.writer.write(data)
        if not c.draining and c.writer.transport.get_write_buffer_size() > _WRITE_HIGH_WATER:
            c.draining = True
            self._spawn(self._drain(conn, c))

    async def _drain(self, conn: int, c: _Connection) -> None:
        assert c.writer is not None
        try:
            await asyncio.wait_for(c.writer.drain(), self._d.timeout)
        except asyncio.TimeoutError:
            self._lost(conn, c, "timeout", "sending")
        except (OSError, ssl.SSLError):
            pass  # the reader reports the end of the connection
        finally:
            c.draining = False

    def _close(self, conn: int, c: _Connection) -> None:
        """The dispatcher is done with the connection: send what is pending,
        close; abort it if the close takes longer than the time-out."""
        c.closed = True
        if c.writer is None:
            return  # still opening: the opening task closes it
        self._write(conn, c, self._d.take_output(conn))
        c.writer.close()
        assert self._loop is not None
        c.abort_handle = self._loop.call_later(self._d.timeout, c.writer.transport.abort)

    def _lost(self, conn: int, c: _Connection, cause: _Loss, stage: _Stage, detail: str = "") -> None:
        """The connection is gone: ``cause`` is the core's name of what was
        seen, ``stage`` what this driver was doing, ``detail`` what the
        socket or TLS said (the core words them as every driver does)."""
        if c.closed:
            return
        c.closed = True
        if self._conns.get(conn) is c:
            del self._conns[conn]
        if c.writer is not None:
            c.writer.transport.abort()
        self._d.advance(self._now())
        self._d.connection_lost(conn, cause, detail, stage)
        self._pump()

    def _pin_problem(self, writer: asyncio.StreamWriter) -> Optional[str]:
        """The core's pin rule on the server's certificate."""
        if not self._d.pinned:
            return None
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        return self._d.pin_mismatch(der or b"")

    async def _run(self, conn: int, c: _Connection) -> None:
        """Opens the connection, then feeds what it reads to the dispatcher
        until it ends or the dispatcher closes it."""
        d = self._d
        implicit = d.implicit_tls
        try:
            try:
                opening = asyncio.open_connection(
                    d.host, d.port, ssl=self._ssl if implicit else None,
                    server_hostname=d.server_name if implicit else None,
                    ssl_handshake_timeout=d.timeout if implicit else None)
                reader, writer = await asyncio.wait_for(opening, d.connect_timeout)
            except asyncio.TimeoutError:
                return self._lost(conn, c, "timeout", "connecting", f"{d.host}:{d.port}")
            except (ssl.SSLError, ssl.CertificateError) as err:
                return self._lost(conn, c, "tls", "tls", str(err))
            except OSError as err:
                return self._lost(conn, c, "connect", "connecting", f"{d.host}:{d.port}: {err}")
            c.reader, c.writer = reader, writer
            if c.closed:  # the dispatcher gave it up while it opened
                writer.transport.abort()
                return
            if implicit:
                problem = self._pin_problem(writer)
                if problem is not None:
                    return self._lost(conn, c, "tls", "tls", problem)
            d.advance(self._now())
            d.connection_opened(conn)
            self._pump()
            while not c.closed:
                try:
                    data = await reader.read(_READ_SIZE)
                except ssl.SSLError as err:
                    return self._lost(conn, c, "tls", "waiting", str(err))
                except OSError as err:
                    return self._lost(conn, c, "closed", "waiting", str(err))
                if c.closed:
                    return
                if not data:
                    return self._lost(conn, c, "closed", "waiting")
                d.advance(self._now())
                d.receive(conn, data)
                self._pump()
        except asyncio.CancelledError:
            # Only the loop's own teardown cancels this task (the mailer was
            # not closed): drop the connection without asking for more work.
            c.closed = True
            raise
        except Exception as err:  # a bug here must not leave the message hanging
            self._lost(conn, c, "closed", "waiting", f"the driver failed: {err!r}")
            raise
        finally:
            if c.abort_handle is not None:
                c.abort_handle.cancel()
            if c.writer is not None and not c.writer.is_closing():
                c.writer.transport.abort()

    async def _start_tls(self, conn: int, c: _Connection) -> None:
        assert c.writer is not None and c.reader is not None and self._ssl is not None
        d = self._d
        try:
            await _upgrade(c.reader, c.writer, self._ssl, d.server_name, d.timeout)
        except asyncio.TimeoutError:
            return self._lost(conn, c, "timeout", "tls")
        except (ssl.SSLError, ssl.CertificateError, OSError, ConnectionError) as err:
            return self._lost(conn, c, "tls", "tls", str(err))
        if c.closed:
            return
        problem = self._pin_problem(c.writer)
        if problem is not None:
            return self._lost(conn, c, "tls", "tls", problem)
        d.advance(self._now())
        d.tls_established(conn)
        self._pump()


#: What the driver does for each of the dispatcher's actions, by the core's
#: name (``mailwright._mailwright.ACTIONS``; a test checks they are the same).
_HANDLERS: Dict[str, Callable[[Mailer, int], None]] = {
    "Open": Mailer._open,
    "Send": Mailer._send,
    "StartTls": Mailer._begin_tls,
    "Close": Mailer._end,
}


async def _upgrade(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   context: ssl.SSLContext, server_name: str, timeout: float) -> None:
    """STARTTLS on an open stream: ``StreamWriter.start_tls`` (Python 3.11+);
    before 3.11, ``loop.start_tls`` and the same swap of transports that
    ``start_tls`` does."""
    if sys.version_info >= (3, 11):
        await writer.start_tls(context, server_hostname=server_name,
                               ssl_handshake_timeout=timeout)
        return
    loop = asyncio.get_running_loop()  # pragma: no cover - Python 3.9 and 3.10
    transport = writer.transport
    protocol = transport.get_protocol()
    await writer.drain()
    tls = await loop.start_tls(transport, protocol, context, server_hostname=server_name,
                               ssl_handshake_timeout=timeout)
    setattr(writer, "_transport", tls)
    setattr(reader, "_transport", tls)
    setattr(protocol, "_transport", tls)
    setattr(protocol, "_over_ssl", True)
