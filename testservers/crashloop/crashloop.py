#!/usr/bin/env python3
"""The crash test of a ledger, for any binding: runs a bulk sender (a command
given after `--`) against the relay simulator with a round-trip delay,
SIGKILLs it at random moments, runs it again until it finishes, then checks
what the relay received against what the ledger says:

  - no key reached the relay twice;
  - every key is recorded, delivered or uncertain (none lost, none failed);
  - every delivered key reached the relay once, with its queue id recorded;
  - uncertain keys are at most one per connection per kill, and each is held
    by the relay once or not at all;
  - the relay's count equals the ledger's delivered count plus the uncertain
    ones it holds.

    crashloop.py [--rows N] [--kills K] [--connections C] [--seed S]
                 [--workers W] -- COMMAND ARGS...

In COMMAND ARGS, {port}, {ledger}, {rows}, {connections}, {worker} and {csv}
(a CSV of the keys: columns key, email, name) are replaced: the
sender must send keys order-0 .. order-{rows-1} with Message-IDs
order-<n>@shop.example through its binding's Mailer with the ledger at
{ledger} and {connections} connections, and exit 0 once every outcome is in.
With --workers 2, two senders share the ledger at once (one of them is killed
each round); each sends every key (the ledger keeps them from sending one
twice). The ledger is read with Python's own sqlite3, read-only: a witness
independent of the library under test. With --postgres the ledger is a
database of a PostgreSQL server started here (Debian's, in a throw-away
directory; {ledger} is its URL), read with psql. --ok-exit lists the exit
codes of a finished run (the CLI exits 1 while uncertain records remain).
With --journal the ledger is a journal file (the Node Mailer's), read by a
reader of its format written here (the last snapshot of each key).
Only 127.0.0.1 is used. The seed is printed; MAILWRIGHT_CRASH_SEED replays
one."""
import argparse
import os
import pathlib
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]


def relaysim_binary():
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        path = target / profile / "mailwright-relaysim"
        if path.exists():
            return path
    sys.exit("mailwright-relaysim is not built: cargo build -p mailwright-relaysim")


def relay_counts(log):
    counts = {}
    with open(log) as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] == "D":
                mid = parts[2].strip("<>")
                counts[mid] = counts.get(mid, 0) + 1
    return counts


JOURNAL_MAGIC = b"MWJRNL1\n"


def journal_rows(path):
    """The records of a journal file: (key, state, message_id, queue_id), the
    last snapshot of each key; a torn last entry is ignored."""
    import hashlib
    import struct
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    if not data:
        return []
    if not data.startswith(JOURNAL_MAGIC):
        sys.exit(f"{path} is not a journal")
    at, found = len(JOURNAL_MAGIC), {}
    while at + 12 <= len(data):
        (size,) = struct.unpack_from("<I", data, at)
        payload = data[at + 12:at + 12 + size]
        if len(payload) < size or hashlib.sha256(payload).digest()[:8] != data[at + 4:at + 12]:
            break  # torn
        p = 1  # after the entry's kind

        def text():
            nonlocal p
            (n,) = struct.unpack_from("<I", payload, p)
            p += 4 + n
            return payload[p - n:p].decode()

        def opt():
            nonlocal p
            p += 1
            return text() if payload[p - 1] == 1 else None

        key, message_id, state = text(), opt(), text()
        p += 4  # attempts
        text()  # sender
        (count,) = struct.unpack_from("<I", payload, p)  # recipients
        p += 4
        for _ in range(count):
            text()
        queue_id = opt()
        found[key] = (key, state, message_id, queue_id)
        at += 12 + size
    return list(found.values())


def ledger_rows(path):
    if path.endswith(".journal"):
        return journal_rows(path)
    if path.startswith("postgresql://"):
        out = subprocess.run(["psql", "-At", "-F", "\t", path, "-c",
                              "SELECT key, state, message_id, queue_id FROM mailwright_messages"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            if "does not exist" in out.stderr:
                return []
            sys.exit(f"psql failed: {out.stderr}")
        return [tuple(v or None for v in line.split("\t")) for line in out.stdout.splitlines() if line]
    if not os.path.exists(path):
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT key, state, message_id, queue_id FROM messages").fetchall()
    finally:
        db.close()


def start_postgres(work):
    """Starts PostgreSQL on 127.0.0.1 (as the postgres user); returns (url, stop)."""
    import glob
    import socket
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql",
                       shell=True, check=True, stdout=subprocess.DEVNULL)
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    bin_dir = os.path.dirname(bins[-1])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.chmod(work, 0o777)
    data = os.path.join(work, "pg")
    run = lambda *a: subprocess.run(["runuser", "-u", "postgres", "--", *a], check=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run(f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "mw")
    run(f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(work, "pg.log"), "-w", "-o",
        f"-c listen_addresses=127.0.0.1 -p {port} -k {work}", "start")
    subprocess.run(["psql", "-q", f"postgresql://mw@127.0.0.1:{port}/postgres", "-c", "CREATE DATABASE crash"],
                   check=True)
    stop = lambda: run(f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop")
    return f"postgresql://mw@127.0.0.1:{port}/crash", stop


def fail(seed, why):
    sys.exit(f"crash test FAILED (seed {seed}, MAILWRIGHT_CRASH_SEED={seed} replays it): {why}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=5000)
    p.add_argument("--kills", type=int, default=3)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--rtt-ms", default="10")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--postgres", action="store_true")
    p.add_argument("--journal", action="store_true")
    p.add_argument("--ok-exit", default="0")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        p.error("the sender's command goes after --")
    env_seed = os.environ.get("MAILWRIGHT_CRASH_SEED")
    seed = a.seed if a.seed is not None else int(env_seed) if env_seed else random.randrange(1 << 30)
    print(f"crash seed {seed} (MAILWRIGHT_CRASH_SEED={seed} replays it)", flush=True)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="mw-crash-")
    ledger = os.path.join(work, "run.journal" if a.journal else "run.db")
    stop_postgres = None
    if a.postgres:
        ledger, stop_postgres = start_postgres(work)
    ok_exit = {int(c) for c in a.ok_exit.split(",")}
    csv_path = os.path.join(work, "rows.csv")
    with open(csv_path, "w") as f:
        f.write("key,email,name\n")
        for n in range(a.rows):
            f.write(f"order-{n},user{n}@example.com,User {n}\n")
    log = os.path.join(work, "relay.log")
    relay = subprocess.Popen([str(relaysim_binary()), "--rtt-ms", a.rtt_ms, "--log", log],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = relay.stdout.readline()
    if not line.strip().isdigit():
        sys.exit(f"relaysim did not start: {line!r}")
    port = line.strip()

    def start(worker):
        args = [c.format(port=port, ledger=ledger, rows=a.rows, worker=worker, connections=a.connections,
                         csv=csv_path) for c in command]
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    kills = 0
    try:
        for _ in range(a.kills):
            procs = [start(w) for w in range(a.workers)]
            victim = rng.randrange(a.workers)
            try:
                procs[victim].wait(timeout=rng.uniform(0.5, 3.0))
            except subprocess.TimeoutExpired:
                procs[victim].send_signal(signal.SIGKILL)
                kills += 1
            procs[victim].wait()
            # The others run on to their end (or their own kill next round).
            for i, proc in enumerate(procs):
                if i != victim:
                    out, err = proc.communicate(timeout=a.timeout)
                    if proc.returncode not in ok_exit:
                        fail(seed, f"a surviving worker exited {proc.returncode}: {err.decode()[-2000:]}")
            states = [r[1] for r in ledger_rows(ledger)]
            if states.count("data_sent") > a.connections:
                fail(seed, f"{states.count('data_sent')} marks left for {a.connections} connections")
        started = time.monotonic()
        procs = [start(w) for w in range(a.workers)]
        for proc in procs:
            out, err = proc.communicate(timeout=a.timeout)
            if proc.returncode not in ok_exit:
                fail(seed, f"the last run exited {proc.returncode}: {err.decode()[-2000:]}")
        last_run = time.monotonic() - started
        rows = ledger_rows(ledger)
    finally:
        if stop_postgres:
            stop_postgres()
        relay.stdin.close()
        try:
            relay.wait(timeout=10)
        except subprocess.TimeoutExpired:
            relay.kill()
    received = relay_counts(log)
    if len(rows) != a.rows:
        fail(seed, f"{len(rows)} records for {a.rows} keys")
    expected = {f"order-{n}" for n in range(a.rows)}
    if {r[0] for r in rows} != expected:
        fail(seed, "the ledger's keys are not the keys sent")
    twice = [m for m, n in received.items() if n > 1]
    if twice:
        fail(seed, f"{len(twice)} Message-IDs reached the relay more than once, e.g. {twice[:3]}")
    by_state = {}
    held_uncertain = 0
    for key, state, message_id, queue_id in rows:
        by_state[state] = by_state.get(state, 0) + 1
        n = received.get(message_id, 0)
        if state == "delivered":
            if n != 1 or not queue_id:
                fail(seed, f"{key} delivered but the relay holds it {n} times (queue id {queue_id!r})")
        elif state == "uncertain":
            held_uncertain += n
        else:
            fail(seed, f"{key} ended {state}")
    if by_state.get("uncertain", 0) > a.connections * a.workers * kills:
        fail(seed, f"{by_state['uncertain']} uncertain for {kills} kills of {a.connections} connections")
    if len(received) != by_state.get("delivered", 0) + held_uncertain:
        fail(seed, f"the relay holds {len(received)}, the ledger {by_state}")
    print(f"crash test passed: {a.rows} keys, {kills} kills, {a.workers} worker(s), states {by_state}, "
          f"relay holds {len(received)} ({held_uncertain} of the uncertain), last run {last_run:.1f} s",
          flush=True)


if __name__ == "__main__":
    main()
