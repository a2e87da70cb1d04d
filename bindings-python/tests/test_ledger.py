"""The ledger from Python: mailwright.Mailer(ledger=...) against the relay
simulator, SIGKILLed at random moments and run again (each key reaches the
relay once, or is reported uncertain; none lost), a key submitted twice sent
once (in one process and across a restart), two processes sharing one ledger
(one of them killed), and mailwright.Ledger's reads and errors."""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import mailwright
from mailwright import errors
from relay import relaysim

HERE = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = 8


def relay_counts(log):
    counts = {}
    with open(log) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "D":
                mid = parts[2].strip("<>")
                counts[mid] = counts.get(mid, 0) + 1
    return counts


def child(port, path, count):
    return subprocess.Popen([sys.executable, os.path.join(HERE, "ledger_child.py"), str(port), str(path),
                             str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_mailer_killed_again_and_again_sends_each_key_once(tmp_path):
    seed = int(os.environ.get("MAILWRIGHT_CRASH_SEED", time.time_ns()))
    print(f"crash seed {seed} (MAILWRIGHT_CRASH_SEED={seed} replays it)")
    rng = random.Random(seed)
    rows = 5000
    path = tmp_path / "run.db"
    log = tmp_path / "relay.log"
    with relaysim("--rtt-ms", "10", "--log", str(log)) as (port, _):
        kills = 0
        for _ in range(3):
            proc = child(port, path, rows)
            try:
                proc.wait(timeout=rng.uniform(0.4, 3.0))
                break  # finished before its kill
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
            with mailwright.Ledger(path) as ledger:
                left = ledger.summary()
            assert left["data_sent"] <= CONNECTIONS, (seed, left)
        proc = child(port, path, rows)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (seed, err.decode())
    received = relay_counts(log)
    records = mailwright.Ledger(path).records()
    assert len(records) == rows, seed
    states = {}
    for r in records:
        states[r.state] = states.get(r.state, 0) + 1
    assert set(states) <= {"delivered", "uncertain"}, (seed, states)
    assert states.get("uncertain", 0) <= CONNECTIONS * kills, (seed, states)
    assert all(n == 1 for n in received.values()), (seed, [m for m, n in received.items() if n > 1][:5])
    held_uncertain = 0
    for r in records:
        n = received.get(r.message_id, 0)
        if r.state == "delivered":
            assert n == 1, (seed, r)
            assert r.queue_id is not None
        else:
            held_uncertain += n
    assert len(received) == states["delivered"] + held_uncertain, seed


def test_two_processes_sharing_a_ledger_one_killed_send_each_key_once():
    # testservers/crashloop runs two ledger_child.py on one ledger at once,
    # SIGKILLs one at a random moment (the other takes over what it left),
    # runs them again until done, and checks the relay against the ledger.
    crashloop = os.path.join(HERE, "..", "..", "testservers", "crashloop", "crashloop.py")
    done = subprocess.run(
        [sys.executable, crashloop, "--rows", "5000", "--kills", "2", "--workers", "2", "--",
         sys.executable, os.path.join(HERE, "ledger_child.py"), "{port}", "{ledger}", "{rows}"],
        capture_output=True, text=True, timeout=600)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "crash test passed" in done.stdout


def message(n, run="twice"):
    return mailwright.Message("news@shop.example", to=[f"user{n}@example.com"], subject=f"{run} {n}",
                              text="hi", message_id=f"{run}-{n}@shop.example")


def test_aio_mailer_with_a_ledger_sends_each_key_once_and_resumes(tmp_path):
    import asyncio
    import mailwright.aio
    path = tmp_path / "run.db"
    log = tmp_path / "relay.log"

    async def first_run(port):
        async with mailwright.aio.Mailer("127.0.0.1", port, tls="none", connections=4, ledger=path) as mailer:
            assert isinstance(mailer.ledger, mailwright.Ledger)
            assert mailer.resumed == {"queued": 0, "uncertain": []}
            # 50 at once, each under its key, plus the same key again while it is on its way.
            outcomes = await asyncio.gather(*(mailer.send(message(n, "aio"), key=f"row-{n}") for n in range(50)),
                                            mailer.send(message(0, "aio"), key="row-0"))
            by_id = await mailer.send_raw(b"Message-ID: <raw-1@shop.example>\r\nSubject: raw\r\n\r\nx\r\n",
                                          "news@shop.example", ["user1@example.com"])
            return outcomes, by_id, mailer.counters

    async def second_run(port):
        async with mailwright.aio.Mailer("127.0.0.1", port, tls="none", ledger=path) as mailer:
            return await mailer.send(message(7, "aio"), key="row-7"), mailer.counters

    with relaysim("--log", str(log), "--rtt-ms", "5") as (port, _):
        outcomes, by_id, counters = asyncio.run(first_run(port))
        again, later = asyncio.run(second_run(port))
    assert all(o.delivered for o in outcomes), [o for o in outcomes if not o.delivered]
    assert [o.key for o in outcomes[:50]] == [f"row-{n}" for n in range(50)]
    assert outcomes[50].key == "row-0" and outcomes[50].queue_id == outcomes[0].queue_id
    assert by_id.delivered and by_id.key == "raw-1@shop.example"
    assert counters["delivered"] == 51
    # A new run: recorded, answered from the ledger, nothing sent.
    assert again.delivered and again.key == "row-7" and again.queue_id == outcomes[7].queue_id
    assert later["delivered"] == 0 and later["connections"] == 0
    assert sorted(set(relay_counts(log).values())) == [1] and len(relay_counts(log)) == 51
    with mailwright.Ledger(path) as ledger:
        assert ledger.summary()["delivered"] == 51


def test_aio_mailer_without_a_ledger_refuses_a_key():
    import asyncio
    import mailwright.aio

    async def main():
        mailer = mailwright.aio.Mailer("127.0.0.1", 25, tls="none")
        with pytest.raises(errors.InvalidStateError, match="needs a ledger") as raised:
            mailer.submit(message(1), key="k")
        assert raised.value.kind == "InvalidState"
        assert mailer.ledger is None and mailer.resumed == {"queued": 0, "uncertain": []}
        await mailer.close()

    asyncio.run(main())


def test_a_key_submitted_twice_is_sent_once(tmp_path):
    path = tmp_path / "run.db"
    log = tmp_path / "relay.log"
    with relaysim("--log", str(log)) as (port, _):
        with mailwright.Mailer("127.0.0.1", port, tls="none", ledger=path) as mailer:
            first = mailer.submit(message(1), key="order-1")
            second = mailer.submit(message(1), key="order-1")
            assert first.result(timeout=30).delivered
            again = second.result(timeout=30)
            assert again.delivered and again.queue_id == first.result().queue_id
            # Each outcome names its key and Message-ID.
            assert (again.key, again.message_id) == ("order-1", "twice-1@shop.example")
            assert first.result().key == "order-1"
            # send keys by Message-ID by default.
            by_id = mailer.send(message(2))
            assert by_id.delivered and by_id.key == by_id.message_id == "twice-2@shop.example"
            assert mailer.send(message(2)).delivered
            assert isinstance(mailer.ledger, mailwright.Ledger)
        # A new process: recorded, not sent.
        ledger = mailwright.Ledger(path)
        with mailwright.Mailer("127.0.0.1", port, tls="none", ledger=ledger) as mailer:
            assert mailer.resumed == {"queued": 0, "uncertain": []}
            outcome = mailer.send(message(1), key="order-1")
            assert outcome.delivered and outcome.attempts == 1
            assert (outcome.key, outcome.message_id) == ("order-1", "twice-1@shop.example")
            assert mailer.counters["delivered"] == 0
    assert sorted(relay_counts(log).values()) == [1, 1]
    summary = ledger.summary()
    assert summary["delivered"] == 2 and summary["total"] == 2
    record = ledger.get("order-1")
    assert record.state == "delivered" and record.message_id == "twice-1@shop.example"
    assert record.accepted == ["user1@example.com"]
    assert ledger.get("nope") is None
    assert [r.key for r in ledger.records(state="delivered")] == ["order-1", "twice-2@shop.example"]
    assert ledger.export(tmp_path / "out.csv") == 2
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0].startswith("key,state,message_id") and lines[1].startswith("order-1,delivered,")
    assert ledger.export(tmp_path / "out.json", format="json", state="failed") == 0
    assert ledger.prune(0) == 2
    assert ledger.summary()["total"] == 0


def test_bad_ledgers_and_keys_raise_typed_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a ledger\n" * 500)
    with pytest.raises(errors.LedgerError, match="not a mailwright ledger"):
        mailwright.Ledger(text)
    with pytest.raises(errors.LedgerError):
        mailwright.Mailer("127.0.0.1", 25, tls="none", ledger=text)
    with pytest.raises(TypeError, match="ledger must be"):
        mailwright.Mailer("127.0.0.1", 25, tls="none", ledger=42)
    with pytest.raises(errors.InvalidOptionError):
        mailwright.Ledger(tmp_path / "l.db", durability="sometimes")
    with pytest.raises(ValueError, match="a state is one of"):
        mailwright.Ledger(tmp_path / "l.db").records(state="sent")
    with mailwright.Mailer("127.0.0.1", 25, tls="none", ledger=tmp_path / "l.db") as mailer:
        with pytest.raises(errors.InvalidKeyError):
            mailer.submit(message(1), key="a\nb")
        with pytest.raises(errors.InvalidKeyError):
            mailer.submit_raw(b"Subject: no id\r\n\r\nx", "a@shop.example", ["b@shop.example"])
    assert issubclass(errors.LedgerError, errors.MailwrightSystemError)
    assert issubclass(errors.InvalidKeyError, ValueError)
    # Without a ledger, a key is refused.
    with mailwright.Mailer("127.0.0.1", 25, tls="none") as mailer:
        with pytest.raises(errors.InvalidStateError, match="needs a ledger"):
            mailer.submit(message(1), key="k")


def _crashloop():
    import importlib.util
    path = os.path.join(HERE, "..", "..", "testservers", "crashloop", "crashloop.py")
    spec = importlib.util.spec_from_file_location("crashloop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_ledger_on_postgresql_from_python(tmp_path):
    # A real PostgreSQL (Debian's, installed when missing) on 127.0.0.1, in a
    # folder its user can reach (pytest's are root's alone).
    import shutil
    import tempfile
    work = tempfile.mkdtemp(prefix="mw-pg-")
    url, stop = _crashloop().start_postgres(work)
    log = tmp_path / "relay.log"
    try:
        with relaysim("--log", str(log)) as (port, _):
            with mailwright.Mailer("127.0.0.1", port, tls="none", ledger=url) as mailer:
                outcomes = [mailer.submit(message(n, "pg"), key=f"pg-{n}") for n in range(20)]
                assert all(f.result(timeout=60).delivered for f in outcomes)
                assert mailer.ledger.location.startswith("postgresql://127.0.0.1:")
            with mailwright.Ledger(url) as ledger:
                assert ledger.summary()["delivered"] == 20
                assert ledger.get("pg-3").queue_id is not None
                assert "mw@" not in repr(ledger) and repr(ledger).startswith("Ledger(\"postgresql://")
                # A second run: recorded, nothing sent.
                with mailwright.Mailer("127.0.0.1", port, tls="none", ledger=ledger) as mailer:
                    again = mailer.send(message(3, "pg"), key="pg-3")
                    assert again.delivered and again.key == "pg-3" and mailer.counters["delivered"] == 0
        assert sorted(relay_counts(log).values()) == [1] * 20
    finally:
        stop()
    # A server that is not there: a typed error, nothing else.
    with pytest.raises(errors.LedgerError):
        mailwright.Ledger(url)
    shutil.rmtree(work, ignore_errors=True)


def test_two_python_workers_on_postgresql_one_killed_send_each_key_once():
    crashloop = os.path.join(HERE, "..", "..", "testservers", "crashloop", "crashloop.py")
    done = subprocess.run(
        [sys.executable, crashloop, "--postgres", "--rows", "2000", "--kills", "1", "--workers", "2", "--",
         sys.executable, os.path.join(HERE, "ledger_child.py"), "{port}", "{ledger}", "{rows}"],
        capture_output=True, text=True, timeout=600)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
