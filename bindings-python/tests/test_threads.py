"""Issue 15 #1: a Client shared by threads. Calls are serialized, none deadlocks
another (the connection's lock is only waited for with the GIL released), and
close() from another thread ends a send in progress with ConnectionClosedError.

Each case runs in a child process (tests/threads_child.py) with two watchdogs:
the child joins its threads with a time-out and exits 3 if one is still alive,
and the parent kills the child after a deadline, so a hang fails the test
instead of hanging the suite (a thread stuck holding the GIL would also stop an
in-process watchdog)."""
import json
import pathlib
import subprocess
import sys

import pytest

CHILD = pathlib.Path(__file__).with_name("threads_child.py")


def child(case, port, deadline):
    try:
        done = subprocess.run([sys.executable, str(CHILD), case, str(port)], capture_output=True, text=True,
                              timeout=deadline)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: hung for {deadline} s (deadlock): the child was killed")
    assert done.returncode == 0, f"{case}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_eight_threads_share_one_client(bad_server):
    out = child("shared", bad_server("ok"), deadline=90)
    assert out["errors"] == []
    assert out["sent"] == 40 and out["queue_ids"] == ["BAD123"]


def test_close_from_another_thread_interrupts_a_blocked_send(bad_server):
    out = child("close_interrupts", bad_server("stall_final"), deadline=60)
    assert out["is_tls"] is False and out["is_tls_seconds"] < 1, out
    assert out["close_seconds"] < 5, out
    assert out["send"] == "ConnectionClosedError", out
    assert "application" in out["message"], out  # the core's words: closed by the application
    assert out["send_seconds"] < 10, out
    assert out["after"] == "InvalidStateError", out
