"""mailwright.aio.Mailer: the core's dispatcher driven by asyncio on the caller's
event loop, against Haraka (STARTTLS with a label, implicit TLS, pins) and the
misbehaving server (a full queue, close, misuse, cancellation)."""
import asyncio
import json
import pathlib
import ssl
import subprocess
import sys
import uuid

import pytest

import mailwright
import mailwright.aio

from conftest import REPO

CREDS = dict(credentials=mailwright.Credentials("api_user", "api_key", label="12345"))


def message(tag, n):
    return mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"{tag} {n}",
                              text=f"message {n}\n.dot line")


def stored(haraka):
    return {p.stem: json.loads(p.read_text()) for p in (haraka["dir"] / "stored").glob("*.json")}


def subjects(haraka, keys, tag):
    return sorted(line for k in keys for line in (haraka["dir"] / "stored" / f"{k}.eml").read_text().splitlines()
                  if line.startswith(f"Subject: {tag} "))


def server_pem(haraka):
    # Haraka's certificate (CA-signed) sits beside the CA it was signed with.
    return (pathlib.Path(haraka["ca_file"]).parent / "tls_cert.pem").read_bytes()


def run(coroutine, limit=300):
    """Runs a test's coroutine on a fresh event loop, never for ever."""
    return asyncio.run(asyncio.wait_for(coroutine, limit))


# ------------------------------------------------------------------ Haraka

def test_gather_a_thousand_sends_over_four_starttls_connections_with_a_label(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", haraka["port"], tls="starttls", ca_file=haraka["ca_file"],
                                         connections=4, timeout=20, **CREDS) as mailer:
            outcomes = await asyncio.gather(*(mailer.send(message(tag, n)) for n in range(1000)))
            return outcomes, mailer.counters

    outcomes, counters = run(main())
    assert all(isinstance(o, mailwright.Outcome) for o in outcomes)
    bad = [(o, o.error) for o in outcomes if not o.delivered]
    assert not bad, bad[:3]
    assert all(o.attempts == 1 and o.error is None and o.accepted == ["ben@ifaxin.com"] for o in outcomes)
    assert len({o.ticket for o in outcomes}) == 1000
    assert counters["delivered"] == 1000 and counters["failed"] == 0 and counters["uncertain"] == 0
    # Each message stored exactly once, over TLS, with the label, through at most 4 connections.
    new = {k: v for k, v in stored(haraka).items() if k not in before}
    assert sorted(o.queue_id for o in outcomes) == sorted(new)
    assert all(meta["label"] == "12345" and meta["tls"] is True for meta in new.values())
    assert subjects(haraka, new, tag) == sorted(f"Subject: {tag} {n}" for n in range(1000))
    connections = {k.rsplit(".", 1)[0] for k in new}  # Haraka's transaction id: <connection>.<n>
    assert 1 < len(connections) <= 4


def test_submit_send_raw_send_many_and_implicit_tls(haraka):
    tag = uuid.uuid4().hex

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", haraka["smtps_port"], tls="implicit",
                                         ca_file=haraka["ca_file"], connections=2, timeout=20, **CREDS) as mailer:
            futures = [mailer.submit(message(tag, n)) for n in range(5)]
            assert all(isinstance(f, asyncio.Future) for f in futures)
            many = await mailer.send_many(message(tag, n) for n in range(5, 10))
            raw = mailwright.Message("a@ifaxin.com", to="b@ifaxin.com", text="raw").as_bytes()
            raw_outcome = await mailer.send_raw(raw, "a@ifaxin.com", ["b@ifaxin.com", "c@ifaxin.com"])
            return [await f for f in futures] + many, raw_outcome

    outcomes, raw_outcome = run(main())
    assert [o.kind for o in outcomes] == ["delivered"] * 10
    # send_many keeps the order: its tickets follow the order of the messages.
    assert [o.ticket for o in outcomes[5:]] == sorted(o.ticket for o in outcomes[5:])
    assert raw_outcome.delivered and raw_outcome.accepted == ["b@ifaxin.com", "c@ifaxin.com"]
    new = stored(haraka)
    assert all(new[o.queue_id]["tls"] is True and new[o.queue_id]["label"] == "12345" for o in outcomes)
    assert subjects(haraka, [o.queue_id for o in outcomes], tag) == sorted(f"Subject: {tag} {n}" for n in range(10))


def test_pinned_certificates_are_checked_by_the_core(haraka):
    pem = server_pem(haraka)
    ca = pathlib.Path(haraka["ca_file"]).read_bytes()
    fingerprint = ssl.PEM_cert_to_DER_cert(pem.decode())

    async def one(port, tls, **pin):
        async with mailwright.aio.Mailer("127.0.0.1", port, tls=tls, timeout=20, max_attempts=1, **CREDS,
                                         **pin) as mailer:
            return await mailer.send(message("pin", 0))

    async def main():
        import hashlib
        sha = hashlib.sha256(fingerprint).hexdigest()
        good = [await one(haraka["port"], "starttls", pin_certificate=pem),
                await one(haraka["port"], "starttls", pin_sha256=["00" * 32, sha]),
                await one(haraka["smtps_port"], "implicit", pin_certificate=pem)]
        # The CA's own certificate is not the server's: pinning it fails, as does a wrong fingerprint.
        wrong = [await one(haraka["port"], "starttls", pin_certificate=ca),
                 await one(haraka["smtps_port"], "implicit", pin_sha256="AB" * 32)]
        return good, wrong

    good, wrong = run(main())
    assert [o.kind for o in good] == ["delivered"] * 3
    for outcome in wrong:
        assert outcome.kind == "failed" and outcome.attempts == 0
        assert isinstance(outcome.error, mailwright.TlsError) and "pinned" in str(outcome.error)


def test_works_on_uvloop(haraka):
    uvloop = pytest.importorskip("uvloop")
    tag = uuid.uuid4().hex

    async def main():
        assert "uvloop" in type(asyncio.get_running_loop()).__module__
        async with mailwright.aio.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], connections=2,
                                         timeout=20, **CREDS) as mailer:
            return await asyncio.gather(*(mailer.send(message(tag, n)) for n in range(50)))

    outcomes = uvloop.run(asyncio.wait_for(main(), 120))
    assert [o.kind for o in outcomes] == ["delivered"] * 50
    new = stored(haraka)
    assert all(new[o.queue_id]["tls"] is True and new[o.queue_id]["label"] == "12345" for o in outcomes)
    assert subjects(haraka, [o.queue_id for o in outcomes], tag) == sorted(f"Subject: {tag} {n}" for n in range(50))


def test_close_sends_everything_submitted(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))

    async def main():
        mailer = mailwright.aio.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], connections=2,
                                       timeout=20, queue_capacity=8, **CREDS)
        # 40 messages: 8 queued in the core, the rest in the waiting room.
        futures = [mailer.submit(message(tag, n)) for n in range(39)]
        raw = message(tag, 39).as_bytes()
        futures.append(mailer.submit_raw(raw, "support@ifaxin.com", ["ben@ifaxin.com"]))
        while mailer.counters["delivered"] < 2:
            await asyncio.sleep(0.01)
        await mailer.close()
        assert all(f.done() for f in futures)
        with pytest.raises(mailwright.InvalidStateError):
            mailer.submit(message(tag, 40))  # closed
        await mailer.close()  # idempotent
        await mailer.abort()  # nothing left to stop
        return [f.result() for f in futures], mailer.counters

    outcomes, counters = run(main())
    assert [o.kind for o in outcomes] == ["delivered"] * 40  # the core's drain: every one sent
    assert counters["delivered"] == 40 and counters["failed"] == 0
    assert counters["in_flight"] == 0 and counters["queued"] == 0 and counters["connections"] == 0
    new = {k for k in stored(haraka) if k not in before}
    assert sorted(o.queue_id for o in outcomes) == sorted(new)
    assert subjects(haraka, new, tag) == sorted(f"Subject: {tag} {n}" for n in range(40))


def test_abort_fails_what_was_not_sent(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))

    async def main():
        mailer = mailwright.aio.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], connections=2,
                                       timeout=20, queue_capacity=10, **CREDS)
        futures = [mailer.submit(message(tag, n)) for n in range(40)]
        while mailer.counters["delivered"] < 5:
            await asyncio.sleep(0.01)
        await mailer.abort()
        assert all(f.done() for f in futures)
        await mailer.abort()  # idempotent
        await mailer.close()  # only waits
        never_queued = [f for f in futures if f.exception() is not None]
        assert never_queued and all(isinstance(f.exception(), mailwright.InvalidStateError) for f in never_queued)
        return [f.result() for f in futures if f.exception() is None], len(never_queued), mailer.counters

    outcomes, never_queued, counters = run(main())
    delivered = [o for o in outcomes if o.delivered]
    not_sent = [o for o in outcomes if not o.delivered]
    # Every queued message has its one outcome: delivered, or failed as never sent (the core's shutdown rule).
    assert len(delivered) >= 5 and not_sent and len(outcomes) + never_queued == 40
    assert all(o.kind == "failed" and o.attempts == 0 and isinstance(o.error, mailwright.InvalidStateError)
               for o in not_sent)
    assert counters["delivered"] == len(delivered) and counters["failed"] == len(not_sent)
    assert counters["in_flight"] == 0 and counters["queued"] == 0 and counters["connections"] == 0
    new = {k for k in stored(haraka) if k not in before}
    assert sorted(o.queue_id for o in delivered) == sorted(new)


# ----------------------------------------------------- the misbehaving server

def test_a_full_queue_waits_for_room_in_order(bad_server):
    port = bad_server("ok")

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", port, tls="none", timeout=5, connections=2,
                                         queue_capacity=2) as mailer:
            return await asyncio.gather(*(mailer.send(message("room", n)) for n in range(60))), mailer.counters

    outcomes, counters = run(main())
    assert [o.kind for o in outcomes] == ["delivered"] * 60
    # The waiting room hands messages over in the order they came.
    assert [o.ticket for o in outcomes] == sorted(o.ticket for o in outcomes)
    assert counters["delivered"] == 60


def test_failures_are_outcomes_not_exceptions(bad_server):
    permanent, transient, stall = bad_server("permanent_rcpt"), bad_server("transient_rcpt"), bad_server("stall_final")

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", permanent, tls="none", timeout=5) as m:
            refused = await m.send(message("x", 0))
        async with mailwright.aio.Mailer("127.0.0.1", transient, tls="none", timeout=5, max_attempts=2,
                                         initial_backoff=0.05) as m:
            given_up = await m.send(message("x", 0))
            retries = m.counters["retries"]
        async with mailwright.aio.Mailer("127.0.0.1", stall, tls="none", timeout=1) as m:
            uncertain = await m.send(message("x", 0))
        async with mailwright.aio.Mailer("127.0.0.1", 1, tls="none", timeout=1, deadline=1,
                                         initial_backoff=0.05) as m:
            unreachable = await m.send(message("x", 0))
        return refused, given_up, retries, uncertain, unreachable

    refused, given_up, retries, uncertain, unreachable = run(main())
    assert refused.kind == "failed" and not refused.gave_up and refused.attempts == 1
    assert [(a, r.code) for a, r in refused.refused] == [("ben@ifaxin.com", 550)]
    assert given_up.kind == "failed" and given_up.gave_up and given_up.attempts == 2 and retries == 1
    assert isinstance(given_up.error, mailwright.SmtpTransientError)
    assert uncertain.kind == "uncertain" and uncertain.attempts == 1
    assert isinstance(uncertain.error, mailwright.NetworkError)
    assert unreachable.kind == "failed" and unreachable.attempts == 0
    assert isinstance(unreachable.error, mailwright.MailwrightError)
    # Failed, uncertain and never-sent outcomes name their message too.
    for o in (refused, given_up, uncertain, unreachable):
        assert o.message_id and "@" in o.message_id and o.key is None, o


def test_a_cancelled_send_in_flight_is_still_sent_once_and_counted(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], timeout=20,
                                         **CREDS) as mailer:
            task = asyncio.ensure_future(mailer.send(message(tag, 0)))
            await asyncio.sleep(0)  # the send has queued its message
            assert mailer.counters["queued"] + mailer.counters["in_flight"] == 1
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            other = await mailer.send(message(tag, 1))
        return other, mailer.counters

    other, counters = run(main())
    assert other.delivered
    assert counters["delivered"] == 2 and counters["failed"] == 0  # the cancelled one was delivered
    new = [k for k in stored(haraka) if k not in before]
    assert subjects(haraka, new, tag) == [f"Subject: {tag} 0", f"Subject: {tag} 1"]  # once each


def test_a_cancelled_send_waiting_for_room_is_withdrawn(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], timeout=20,
                                         connections=1, queue_capacity=1, **CREDS) as mailer:
            first = mailer.submit(message(tag, 1))
            waiting = asyncio.ensure_future(mailer.send(message(tag, 2)))
            await asyncio.sleep(0)
            assert mailer.counters["queued"] == 1  # the first fills the queue: the second waits for room
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            third = await mailer.send(message(tag, 3))  # goes once the first has left the queue
            return [await first, third], mailer.counters

    outcomes, counters = run(main())
    assert [o.kind for o in outcomes] == ["delivered"] * 2
    assert counters["delivered"] == 2 and counters["failed"] == 0  # the withdrawn one has no outcome
    new = [k for k in stored(haraka) if k not in before]
    assert subjects(haraka, new, tag) == [f"Subject: {tag} 1", f"Subject: {tag} 3"]


def test_close_waits_for_retries(bad_server):
    port = bad_server("transient_rcpt")

    async def main():
        mailer = mailwright.aio.Mailer("127.0.0.1", port, tls="none", timeout=5, max_attempts=3,
                                       initial_backoff=0.05, max_backoff=0.1)
        sent = mailer.submit(message("retry", 0))
        await mailer.close()  # at once: the message is still to be tried three times
        return sent.result(), mailer.counters

    outcome, counters = run(main())
    assert outcome.kind == "failed" and outcome.gave_up and outcome.attempts == 3
    assert counters["retries"] == 2


def test_abort_tells_senders_still_waiting_for_room(bad_server):
    port = bad_server("no_greeting")  # nothing ever leaves the queue

    async def main():
        mailer = mailwright.aio.Mailer("127.0.0.1", port, tls="none", timeout=30, queue_capacity=1)
        first = mailer.submit(message("room", 1))
        second = mailer.submit(message("room", 2))  # waits for room
        await asyncio.sleep(0)
        assert mailer.counters["queued"] == 1
        await mailer.abort()
        with pytest.raises(mailwright.InvalidStateError):
            second.result()  # never queued: its sender is told so
        return first.result(), mailer.counters

    first, counters = run(main())
    # The queued one ends as the core's shutdown says: failed, never sent.
    assert first.kind == "failed" and first.attempts == 0 and isinstance(first.error, mailwright.InvalidStateError)
    assert counters["delivered"] + counters["failed"] + counters["uncertain"] == 1


# ------------------------------------------------- the sans-IO dispatcher

def test_the_dispatcher_is_driven_by_hand():
    """The native class under mailwright.aio: no socket, no clock; the driver
    executes its actions and feeds it bytes and the time."""
    from mailwright._mailwright import Dispatcher
    d = Dispatcher("127.0.0.1", 25, tls="none")
    prepared = d.prepare(message("sans-io", 0))
    assert not prepared.submitted and prepared.size > 0
    assert d.submit(prepared) == 1 and prepared.submitted
    with pytest.raises(mailwright.InvalidStateError):
        d.submit(prepared)  # handed over once
    d.advance(0.0)
    assert d.poll_actions() == [("Open", 1)]
    d.connection_opened(1)

    def server(reply):
        d.receive(1, reply)
        assert all(kind == "Send" for kind, _ in d.poll_actions())
        return d.take_output(1)

    assert server(b"220 hi\r\n") == b"EHLO localhost\r\n"
    assert server(b"250-x\r\n250 PIPELINING\r\n") == (
        b"MAIL FROM:<support@ifaxin.com>\r\nRCPT TO:<ben@ifaxin.com>\r\nDATA\r\n")
    assert server(b"250 ok\r\n250 ok\r\n354 go\r\n").endswith(b"\r\n.\r\n")
    assert server(b"250 queued as Q1\r\n") == b""
    [outcome] = d.poll_outcomes()
    assert outcome.delivered and outcome.queue_id == "Q1" and d.counters["delivered"] == 1
    d.drain()  # nothing left to send: QUIT at once
    assert d.poll_actions() == [("Send", 1)] and d.take_output(1) == b"QUIT\r\n" and not d.is_finished()
    d.receive(1, b"221 bye\r\n")
    assert d.poll_actions() == [("Close", 1)] and d.is_finished()
    with pytest.raises(mailwright.InvalidStateError):
        d.submit(d.prepare(message("sans-io", 1)))  # drained
    assert isinstance(d.closed_error(), mailwright.InvalidStateError)
    with pytest.raises(mailwright.InvalidOptionError):
        d.connection_lost(1, "bogus", "")  # the core's names only
    # The core's pin rule, for the driver to apply after a handshake.
    assert d.pin_mismatch(b"any") is None  # nothing pinned
    pinned = Dispatcher("127.0.0.1", 25, pin_sha256="AB" * 32)
    assert pinned.pinned and "is not the pinned one" in pinned.pin_mismatch(b"not it")
    assert isinstance(pinned.loss_error("tls", "x"), mailwright.TlsError)


def test_the_driver_handles_every_action_the_core_names():
    from mailwright._mailwright import ACTIONS
    from mailwright.aio import _HANDLERS

    from test_stubs import literals
    assert ACTIONS == mailwright.ACTIONS and len(set(ACTIONS)) == 4
    assert tuple(_HANDLERS) == ACTIONS  # the driver's table: one handler per name, no other
    assert literals()["_Action"] == ACTIONS


# -------------------------------------------------------------------- misuse

def test_misuse_raises():
    msg = message("misuse", 0)
    mailer = mailwright.aio.Mailer("127.0.0.1", 25, tls="none")
    with pytest.raises(RuntimeError):
        mailer.submit(msg)  # no running event loop

    async def first():
        async with mailwright.aio.Mailer("127.0.0.1", 1, tls="none", timeout=1) as m:
            with pytest.raises(TypeError):
                m.submit("not a message")  # type: ignore[arg-type]
            with pytest.raises(mailwright.InvalidAddressError):
                await m.send_raw(b"x", "not an address", ["b@ifaxin.com"])
            with pytest.raises(TypeError):
                await m.send_many([msg, 42])  # type: ignore[list-item]
            assert m.counters["queued"] == 0  # checked before anything was queued
        with pytest.raises(mailwright.InvalidStateError):
            await m.send(msg)
        with pytest.raises(mailwright.InvalidStateError):
            m.submit(msg)
        return m

    used = asyncio.run(first())

    async def other_loop():
        with pytest.raises(RuntimeError, match="another event loop"):
            used.submit(msg)

    asyncio.run(other_loop())
    asyncio.run(mailwright.aio.Mailer("127.0.0.1", 25).close())  # never used: nothing to close


@pytest.mark.parametrize("options", [
    dict(connections=0), dict(rate=(0, 60)), dict(rate="fast"), dict(max_attempts=0), dict(deadline=0),
    dict(timeout=0), dict(queue_capacity=0), dict(messages_per_connection=0), dict(initial_backoff=0),
    dict(idle_timeout=-1), dict(rate_limited_pause=0),
])
def test_bad_options_are_invalid_option_errors_in_both_mailers(options):
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.aio.Mailer("127.0.0.1", 25, tls="none", **options)
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Mailer("127.0.0.1", 25, tls="none", **options)


def test_a_bad_ca_file_is_refused_like_the_blocking_mailer(tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(mailwright.TlsError):
        mailwright.Mailer("127.0.0.1", 25, ca_file=bad)
    with pytest.raises(mailwright.TlsError):
        mailwright.aio.Mailer("127.0.0.1", 25, ca_file=bad)


def test_the_bulk_example_runs():
    run = subprocess.run([sys.executable, str(REPO / "examples" / "python" / "bulk_asyncio.py"), "--local-sink",
                          "--count", "300"], check=True, capture_output=True, text=True, timeout=120)
    assert "300/300  delivered 300  failed 0  uncertain 0" in run.stdout
    assert run.stdout.splitlines()[-1] == "done: 300 delivered, 0 not"
