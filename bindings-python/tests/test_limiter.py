"""Issue 12: Mailer(limiter=...), a quota shared across processes. Any object with
acquire() (None/0: go, seconds: wait, an exception: the store is unavailable)
becomes the core's QuotaGate; mailwright.Rate gives the core's presets; the
SharedQuota adapter on the `limits` package (here on its memory storage; the
Redis case with two processes is tests/test_shared_quota.py)."""
import json
import pathlib
import subprocess
import sys
import math
import uuid

import pytest

import mailwright
from mailwright.limits import SharedQuota

from relay import relaysim

CHILD = pathlib.Path(__file__).with_name("limiter_child.py")


class Fake:
    """Answers acquire() from a script (then `then`), counting the calls."""

    def __init__(self, answers=(), then=None):
        self.answers, self.then, self.calls = list(answers), then, 0

    def acquire(self):
        self.calls += 1
        answer = self.answers.pop(0) if self.answers else self.then
        if isinstance(answer, BaseException):
            raise answer
        return answer


def message(n):
    return mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"limited {n}", text="hi")


@pytest.fixture(scope="module")
def relay():
    with relaysim("--rtt-ms", "0") as (port, _proc):
        yield port


def mailer(port, limiter, **options):
    return mailwright.Mailer("127.0.0.1", port, tls="none", timeout=10, limiter=limiter, **options)


@pytest.mark.parametrize("go", [None, 0, 0.0])
def test_a_limiter_saying_go_is_asked_once_per_message(relay, go):
    fake = Fake(then=go)
    with mailer(relay, fake, connections=3) as m:
        outcomes = m.send_many(message(n) for n in range(30))
    assert [o.kind for o in outcomes] == ["delivered"] * 30
    assert fake.calls == 30  # a slot granted is always used, and none is taken twice


def test_a_limiter_saying_wait_is_asked_again(relay):
    fake = Fake([0.05, 0.02, 0.0001], then=None)
    with mailer(relay, fake) as m:
        outcome = m.send(message(0))
    assert outcome.delivered
    assert fake.calls == 4  # three waits, then go


def test_an_unavailable_limiter_holds_the_message_and_is_asked_again(relay):
    fake = Fake([ConnectionError("redis is down")], then=None)
    with mailer(relay, fake) as m:
        outcome = m.send(message(0))
    assert outcome.delivered and outcome.attempts == 1
    assert fake.calls == 2


def test_a_limiter_unavailable_until_the_deadline_fails_the_message_with_its_text(relay):
    fake = Fake(then=ConnectionError("redis is down"))
    with mailer(relay, fake, deadline=1.5) as m:
        outcome = m.send(message(0))
        counters = m.counters
    assert outcome.kind == "failed" and outcome.gave_up
    assert isinstance(outcome.error, mailwright.MailwrightTimeoutError)
    assert "ConnectionError: redis is down" in str(outcome.error)
    assert fake.calls >= 1 and counters["delivered"] == 0


@pytest.mark.parametrize("bad", ["soon", True, -1, float("nan"), [1]])
def test_a_wrong_answer_is_an_unavailable_limiter(relay, bad):
    fake = Fake(then=bad)
    with mailer(relay, fake, deadline=1) as m:
        outcome = m.send(message(0))
    assert outcome.kind == "failed"
    assert "limiter.acquire() returned" in str(outcome.error)


def test_an_object_without_acquire_is_a_type_error():
    with pytest.raises(TypeError, match="acquire"):
        mailwright.Mailer("127.0.0.1", 25, tls="none", limiter=object())
    with pytest.raises(TypeError, match="acquire"):
        mailwright.Mailer("127.0.0.1", 25, tls="none", limiter=type("L", (), {"acquire": 3})())
    mailwright.Mailer("127.0.0.1", 25, tls="none", limiter=None).close()


def test_no_thread_waits_for_the_core_with_the_gil_held(relay):
    """The core asks the limiter (taking the GIL) with its dispatcher lock held:
    every entry into the Mailer from Python must have released the GIL, or
    this child deadlocks (and is killed by the deadline below)."""
    try:
        done = subprocess.run([sys.executable, str(CHILD), str(relay)], capture_output=True, text=True,
                              timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the child hung for 120 s (a deadlock between the GIL and the dispatcher lock): killed")
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["errors"] == []
    assert out["futures"] == out["done"] == 240
    assert out["kinds"] == ["delivered"] * (240 + 60)
    assert out["counters"]["delivered"] == 300 and out["calls"] >= 300
    assert set(out["dropped"]) <= {"delivered", "failed"}


def test_rate_gives_the_cores_numbers():
    sendcloud = mailwright.Rate.preset("sendcloud")
    assert isinstance(sendcloud.messages, int) and sendcloud.messages > 0
    assert sendcloud.per > 0 and 0 < sendcloud.burst <= sendcloud.messages
    assert sendcloud == mailwright.Rate.preset("sendcloud") and hash(sendcloud) == hash(mailwright.Rate.preset("sendcloud"))
    rate = mailwright.Rate(300, 5)
    assert (rate.messages, rate.per, rate.burst) == (300, 5.0, 60)  # the core's burst: one second's worth
    assert rate != sendcloud and "300" in repr(rate)
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Rate.preset("fast")
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Rate(0, 5)
    mailwright.Mailer("127.0.0.1", 25, tls="none", rate=rate).close()


def test_shared_quota_takes_slots_then_says_how_long_to_wait():
    quota = SharedQuota("memory://", uuid.uuid4().hex, rate=(3, 2))
    assert isinstance(quota, mailwright.Limiter) and isinstance(Fake(), mailwright.Limiter)
    assert [quota.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = quota.acquire()
    assert 0 < wait <= 3
    other = SharedQuota(quota.storage, quota.key, rate=(3, 2))  # another worker, same key
    assert other.acquire() > 0
    quota.clear()
    assert other.acquire() == 0.0


def test_shared_quota_numbers_come_from_the_core():
    quota = SharedQuota("memory://", "k")
    assert quota.rate == mailwright.Rate.preset("sendcloud")
    assert SharedQuota("memory://", "k", rate=mailwright.Rate(10, 3)).rate == mailwright.Rate(10, 3)
    assert "k" in repr(quota) and "memory" not in repr(quota)
    with pytest.raises(mailwright.InvalidOptionError):
        SharedQuota("memory://", "k", rate="fast")
    with pytest.raises(mailwright.InvalidOptionError):
        SharedQuota("memory://", "k", rate=(10, 1.5))  # limits counts whole seconds
    with pytest.raises(TypeError):
        SharedQuota("memory://", "k", margin=1)  # type: ignore[call-arg]  # the core's margin, not ours
    with pytest.raises(mailwright.InvalidOptionError):
        SharedQuota("memory://", "")


def test_shared_quota_holds_each_slot_for_the_cores_shared_window():
    rate = mailwright.Rate(1, 1)
    assert rate.shared_window > rate.per  # the relay's window plus the core's margin
    sendcloud = mailwright.Rate.preset("sendcloud")
    assert sendcloud.per < sendcloud.shared_window
    assert SharedQuota("memory://", "k").window == math.ceil(sendcloud.shared_window)
    quota = SharedQuota("memory://", uuid.uuid4().hex, rate=rate)
    assert quota.window == math.ceil(rate.shared_window)  # whole seconds for limits, never shorter
    assert quota.acquire() == 0.0
    assert rate.per < quota.acquire() <= quota.window  # held past the relay's window
