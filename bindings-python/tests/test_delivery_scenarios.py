"""The shared delivery scenarios (testdata/delivery/scenarios.json, the same file
every binding runs) through both Python mailers, ``mailwright.Mailer`` (the
core's blocking driver) and ``mailwright.aio.Mailer`` (asyncio driving the
core's dispatcher), against testservers/misbehaving/badsmtp.py: every outcome
and the counters must be what the file expects, the same as in every language.

The last test fails if fewer cases passed than the file holds (run the whole
module: a ``-k`` selection makes it fail)."""
import asyncio
import json
import subprocess
import sys

import pytest

import mailwright
import mailwright.aio

from conftest import REPO

SCENARIOS = json.loads((REPO / "testdata" / "delivery" / "scenarios.json").read_text(encoding="utf-8"))
CASES = SCENARIOS["cases"]
MAILERS = ("blocking", "asyncio")
PASSED = set()


@pytest.fixture(scope="module")
def servers():
    """Starts testservers/misbehaving/badsmtp.py SERVER on 127.0.0.1 and returns
    (port, stop); stop() closes its stdin (it then exits). Every server is
    stopped, and waited for together, at the end of the module (each takes
    about half a second to notice: waiting for each in turn would cost that
    much per case)."""
    procs = []

    def start(scenario):
        proc = subprocess.Popen([sys.executable, str(REPO / "testservers" / "misbehaving" / "badsmtp.py"), scenario],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            pytest.fail(f"badsmtp.py {scenario} did not start: {line!r}")
        return int(line), proc.stdin.close

    yield start
    for proc in procs:
        if not proc.stdin.closed:
            proc.stdin.close()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def keywords(case):
    """The case's mailer options (the file's defaults, then the case's) as the
    Mailer's keywords: ``*_ms`` members in seconds."""
    merged = {**SCENARIOS["mailer"], **case.get("mailer", {})}
    return {(name[:-3] if name.endswith("_ms") else name): (value / 1000 if name.endswith("_ms") else value)
            for name, value in merged.items()}


def message(spec):
    return mailwright.Message(spec["from"], to=spec.get("to"), cc=spec.get("cc"), subject=spec.get("subject"),
                              text=spec.get("text"))


def mismatches(expect, outcome):
    """Every member of ``expect`` checked against one outcome (read as the core
    test reads it: ``gave_up`` exists for a failed message only)."""
    got = {
        "outcome": outcome.kind,
        "error": outcome.error.kind if outcome.error is not None else None,
        "attempts": outcome.attempts,
        "gave_up": outcome.gave_up if outcome.kind == "failed" else None,
        "queue_id": outcome.queue_id,
        "accepted": outcome.accepted,
        "refused": [address for address, _ in outcome.refused],
    }
    unknown = set(expect) - set(got) - {"counters"}
    assert not unknown, f"the runner does not know {sorted(unknown)}"
    return [f"{name}: expected {expect[name]!r}, got {value!r} ({outcome!r}, error {outcome.error!r})"
            for name, value in got.items() if name in expect and expect[name] != value]


def counter_mismatches(expect, counters):
    wrong = []
    for name, want in expect.get("counters", {}).items():
        if name == "rate_limited_at_least":
            if counters["rate_limited"] < want:
                wrong.append(f"counters.rate_limited: expected at least {want}, got {counters['rate_limited']}")
        elif name in ("delivered", "failed", "uncertain", "retries"):
            if counters[name] != want:
                wrong.append(f"counters.{name}: expected {want}, got {counters[name]}")
        else:
            pytest.fail(f"unknown counter {name}")
    return wrong


def run_blocking(port, case):
    msg = message(SCENARIOS["message"])
    with mailwright.Mailer("127.0.0.1", port, **keywords(case)) as mailer:
        if case["messages"] == 1:
            outcomes = [mailer.send(msg)]
        else:  # concurrently
            futures = [mailer.submit(msg) for _ in range(case["messages"])]
            outcomes = [f.result(timeout=120) for f in futures]
        counters = mailer.counters
    return outcomes, counters


def run_asyncio(port, case):
    msg = message(SCENARIOS["message"])

    async def main():
        async with mailwright.aio.Mailer("127.0.0.1", port, **keywords(case)) as mailer:
            if case["messages"] == 1:
                outcomes = [await mailer.send(msg)]
            else:  # concurrently
                outcomes = await asyncio.gather(*(mailer.submit(msg) for _ in range(case["messages"])))
            return outcomes, mailer.counters

    return asyncio.run(asyncio.wait_for(main(), 120))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("mailer", MAILERS)
def test_scenario(mailer, case, servers):
    port, stop = servers(case["server"])
    try:
        outcomes, counters = (run_blocking if mailer == "blocking" else run_asyncio)(port, case)
    finally:
        stop()  # after the Mailer's close
    assert len(outcomes) == case["messages"]
    assert len({o.ticket for o in outcomes}) == len(outcomes)
    wrong = [w for o in outcomes for w in mismatches(case["expect"], o)]
    wrong += counter_mismatches(case["expect"], counters)
    assert not wrong, f"{case['name']} ({mailer}):\n" + "\n".join(wrong)
    PASSED.add((mailer, case["name"]))


def test_every_scenario_ran_through_both_mailers():
    assert CASES, "no scenario in testdata/delivery/scenarios.json"
    for mailer in MAILERS:
        ran = sorted(name for m, name in PASSED if m == mailer)
        assert len(ran) == len(CASES), (
            f"{mailer}: {len(ran)} of {len(CASES)} scenarios passed; missing: "
            f"{sorted({c['name'] for c in CASES} - set(ran))}")
