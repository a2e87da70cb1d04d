"""The servers of the shared-quota tests, started and stopped by the tests, on
127.0.0.1 only: the relay simulator (testservers/relaysim, built by the
Makefile with `cargo build -p mailwright-relaysim`) and a `redis-server`
(the Debian package, installed by the Makefile)."""
import contextlib
import os
import pathlib
import shutil
import socket
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[2]


def relaysim_binary():
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        path = target / profile / "mailwright-relaysim"
        if path.exists():
            return path
    raise RuntimeError("mailwright-relaysim is not built: run `cargo build -p mailwright-relaysim` "
                       "(make -C bindings-python test does)")


@contextlib.contextmanager
def relaysim(*args):
    """Yields (port, proc); on exit closes its stdin and keeps its summary in proc.summary."""
    proc = subprocess.Popen([str(relaysim_binary()), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"relaysim did not start: {line!r} {proc.stderr.read()}")
        yield int(line), proc
    finally:
        proc.stdin.close()
        try:
            proc.summary = proc.stderr.read()
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def redis_server(workdir):
    """A throw-away redis-server on 127.0.0.1 (no persistence); yields its URI."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    import redis

    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                 "--appendonly", "no", "--dir", str(workdir), "--protected-mode", "yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        for _ in range(100):
            if proc.poll() is not None:
                break  # the port was taken meanwhile: try another
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            proc.kill()
            proc.wait()
            raise RuntimeError("redis-server did not answer PING")
        if proc.poll() is None:
            break
    else:
        raise RuntimeError("redis-server could not start")
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def relay_log(path):
    """The relay simulator's log as {"C"|"D"|"R": [ms, ...], "ids": [Message-ID of each D]}."""
    events = {"C": [], "D": [], "R": [], "ids": []}
    for line in pathlib.Path(path).read_text().splitlines():
        kind, ms, *rest = line.split()
        events[kind].append(float(ms))
        if kind == "D":
            events["ids"].append(rest[0] if rest else None)
    return events


def most_in_any_window(times_ms, window_ms):
    """The largest number of events in any window (t - window, t]."""
    times = sorted(times_ms)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window_ms:
            start += 1
        best = max(best, end - start + 1)
    return best
