"""Issue 12 (first slice): the core's blocking delivery engine as mailwright.Mailer,
against Haraka (a pool over STARTTLS) and the misbehaving server (retries, outcomes)."""
import concurrent.futures
import json
import time
import uuid

import pytest

import mailwright

CREDS = dict(credentials=mailwright.Credentials("api_user", "api_key", label="12345"))


def message(tag, n):
    return mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"{tag} {n}",
                              text=f"message {n}\n.dot line")


def stored(haraka):
    return {p.stem: json.loads(p.read_text()) for p in (haraka["dir"] / "stored").glob("*.json")}


def test_send_many_through_a_pool_over_starttls(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))
    with mailwright.Mailer("127.0.0.1", haraka["port"], tls="starttls", ca_file=haraka["ca_file"],
                           connections=4, timeout=20, **CREDS) as mailer:
        outcomes = mailer.send_many(message(tag, n) for n in range(200))
        counters = mailer.counters
    assert len(outcomes) == 200
    assert all(isinstance(o, mailwright.Outcome) for o in outcomes)
    bad = [o for o in outcomes if not o.delivered]
    assert not bad, bad[:3]
    assert all(o.kind == "delivered" and o.error is None and o.attempts == 1 for o in outcomes)
    assert [o.accepted for o in outcomes] == [["ben@ifaxin.com"]] * 200
    assert len({o.ticket for o in outcomes}) == 200
    assert counters["delivered"] == 200 and counters["failed"] == 0 and counters["uncertain"] == 0
    # Each message stored once, over TLS, with the label.
    new = {k: v for k, v in stored(haraka).items() if k not in before}
    assert sorted(o.queue_id for o in outcomes) == sorted(new)
    assert all(meta["label"] == "12345" and meta["tls"] is True for meta in new.values())
    subjects = [line for k in new for line in (haraka["dir"] / "stored" / f"{k}.eml").read_text().splitlines()
                if line.startswith(f"Subject: {tag} ")]
    assert sorted(subjects) == sorted(f"Subject: {tag} {n}" for n in range(200))


def test_submit_futures_resolve_and_send_raw(haraka):
    with mailwright.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], connections=2,
                           timeout=20, **CREDS) as mailer:
        futures = [mailer.submit(message("future", n)) for n in range(10)]
        assert all(isinstance(f, concurrent.futures.Future) for f in futures)
        done, _ = concurrent.futures.wait(futures, timeout=60)
        assert len(done) == 10
        outcomes = [f.result() for f in futures]
        assert all(o.delivered and o.queue_id for o in outcomes)
        raw = mailwright.Message("a@ifaxin.com", to="b@ifaxin.com", text="raw").as_bytes()
        outcome = mailer.send_raw(raw, "a@ifaxin.com", ["b@ifaxin.com", "c@ifaxin.com"])
        assert outcome.delivered and outcome.accepted == ["b@ifaxin.com", "c@ifaxin.com"]
        single = mailer.send(message("single", 0))
        assert single.delivered and single.queue_id in stored(haraka)
    with pytest.raises(mailwright.InvalidStateError):
        mailer.send(message("closed", 0))


def test_a_permanent_refusal_fails_at_once(bad_server):
    with mailwright.Mailer("127.0.0.1", bad_server("permanent_rcpt"), tls="none", timeout=5) as mailer:
        outcome = mailer.send(message("x", 0))
    assert outcome.kind == "failed" and not outcome.delivered and not outcome.gave_up
    assert outcome.attempts == 1
    assert isinstance(outcome.error, mailwright.MailwrightError) and not outcome.error.transient
    assert [(address, reply.code) for address, reply in outcome.refused] == [("ben@ifaxin.com", 550)]


def test_a_transient_refusal_is_retried_then_given_up(bad_server):
    with mailwright.Mailer("127.0.0.1", bad_server("transient_rcpt"), tls="none", timeout=5,
                           max_attempts=2) as mailer:
        outcome = mailer.send(message("x", 0))
        assert mailer.counters["retries"] == 1
    assert outcome.kind == "failed" and outcome.gave_up and outcome.attempts == 2
    assert isinstance(outcome.error, mailwright.MailwrightError) and outcome.error.transient


def test_no_answer_to_the_data_is_uncertain(bad_server):
    started = time.monotonic()
    with mailwright.Mailer("127.0.0.1", bad_server("stall_final"), tls="none", timeout=1) as mailer:
        outcome = mailer.send(message("x", 0))
    assert time.monotonic() - started < 20
    assert outcome.kind == "uncertain" and outcome.uncertain and not outcome.delivered
    assert outcome.attempts == 1  # never resent without at_least_once
    assert isinstance(outcome.error, mailwright.NetworkError)


def test_close_sends_everything_submitted(haraka):
    tag = uuid.uuid4().hex
    before = set(stored(haraka))
    mailer = mailwright.Mailer("127.0.0.1", haraka["port"], ca_file=haraka["ca_file"], connections=2,
                               timeout=20, **CREDS)
    futures = [mailer.submit(message(tag, n)) for n in range(39)]
    futures.append(mailer.submit_raw(message(tag, 39).as_bytes(), "support@ifaxin.com", ["ben@ifaxin.com"]))
    assert all(isinstance(f, concurrent.futures.Future) for f in futures)
    mailer.close()  # at once: most are still queued
    assert all(f.done() for f in futures)
    outcomes = [f.result() for f in futures]
    assert [o.kind for o in outcomes] == ["delivered"] * 40  # the core's drain: every one sent
    counters = mailer.counters
    assert counters["delivered"] == 40 and counters["queued"] == counters["in_flight"] == counters["connections"] == 0
    new = {k for k in stored(haraka) if k not in before}
    assert sorted(o.queue_id for o in outcomes) == sorted(new)
    with pytest.raises(mailwright.InvalidStateError):
        mailer.submit_raw(b"x", "a@ifaxin.com", ["b@ifaxin.com"])
    mailer.close()  # idempotent
    mailer.abort()


def test_close_waits_for_retries(bad_server):
    mailer = mailwright.Mailer("127.0.0.1", bad_server("transient_rcpt"), tls="none", timeout=5, max_attempts=3,
                               initial_backoff=0.05, max_backoff=0.1)
    future = mailer.submit(message("retry", 0))
    mailer.close()
    outcome = future.result(timeout=0)
    assert outcome.kind == "failed" and outcome.gave_up and outcome.attempts == 3
    assert mailer.counters["retries"] == 2


def test_abort_fails_what_was_not_sent(bad_server):
    with mailwright.Mailer("127.0.0.1", bad_server("no_greeting"), tls="none", timeout=30) as mailer:
        futures = [mailer.submit(message("abort", n)) for n in range(3)]
        futures.append(mailer.submit_raw(b"Subject: x\r\n\r\nx\r\n", "a@ifaxin.com", ["b@ifaxin.com"]))
        mailer.abort()  # nothing was handed to a connection (no greeting): none is sent
        outcomes = [f.result(timeout=0) for f in futures]
    assert all(o.kind == "failed" and o.attempts == 0 and isinstance(o.error, mailwright.InvalidStateError)
               for o in outcomes)
    assert mailer.counters["failed"] == 4 and mailer.counters["connections"] == 0
    with pytest.raises(mailwright.InvalidStateError):
        mailer.submit(message("abort", 9))


@pytest.mark.parametrize("options", [
    dict(connections=0), dict(rate=(0, 60)), dict(rate=(100, 0)), dict(rate="fast"),
    dict(max_attempts=0), dict(deadline=0), dict(timeout=0),
])
def test_bad_options_are_invalid_option_errors(options):
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Mailer("127.0.0.1", 25, tls="none", **options)


def test_good_rates_are_accepted():
    for rate in ("sendcloud", (100, 1), (5, 0.5)):
        mailwright.Mailer("127.0.0.1", 25, tls="none", rate=rate).close()
