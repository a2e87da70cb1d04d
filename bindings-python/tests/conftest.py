import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = REPO / "testdata" / "vectors"


@pytest.fixture(scope="session")
def haraka():
    """A local Haraka on 127.0.0.1 (testservers/haraka), stopped at the end.
    Under emulation (make test-dist on aarch64) the test cannot start it (a child of
    an emulated process is not emulated): there the runner starts it and passes its
    JSON line, with "dir", in MW_TEST_HARAKA."""
    given = os.environ.get("MW_TEST_HARAKA")
    if given:
        info = json.loads(given)
        info["dir"] = pathlib.Path(info["dir"])
        yield info
        return
    work = tempfile.mkdtemp(prefix="mw-haraka-")
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "testservers" / "haraka" / "harakactl.py"), "--dir", work,
         "--user", "api_user=api_key"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        pytest.fail("harakactl.py could not start Haraka")
    info = json.loads(line)
    info["dir"] = pathlib.Path(work)
    yield info
    proc.stdin.close()
    proc.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def bad_server():
    """Starts testservers/misbehaving/badsmtp.py SCENARIO on 127.0.0.1; returns its port.
    Every server started is stopped (its stdin closed) at the end of the test."""
    procs = []

    def start(scenario):
        proc = subprocess.Popen([sys.executable, str(REPO / "testservers" / "misbehaving" / "badsmtp.py"), scenario],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            pytest.fail(f"badsmtp.py {scenario} did not start: {line!r}")
        return int(line)

    yield start
    for proc in procs:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
