"""Run by tests/test_limiter.py in a child process, so that a deadlock fails the
test instead of hanging the suite (the parent kills the child after a deadline).

    python limiter_child.py PORT

The core asks the limiter (Python, with the GIL) on its driver threads while
it holds its dispatcher lock. Meanwhile threads here call every entry of the
Mailer (submit, send, send_raw, send_many, counters, close, and dropping it):
if any of them waited for that lock with the GIL held, the driver thread
would wait for the GIL and this one for the lock, forever. Prints one JSON
line and exits 0, or exits 3 when a thread was still alive after its join
time-out (the in-process watchdog).
"""
import concurrent.futures
import gc
import json
import sys
import threading
import time

import mailwright


class Busy:
    """Holds the GIL a while on every call (pure Python work), so a driver
    thread is often inside acquire() with the dispatcher lock held."""

    def __init__(self):
        self.calls = 0

    def acquire(self):
        total = 0
        for i in range(3000):
            total += i
        self.calls += 1
        return None if self.calls % 3 else 0.001  # sometimes: wait a millisecond


def message(n):
    return mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"gate {n}", text="hi")


def run(threads, timeout):
    for t in threads:
        if t.ident is None:  # not started yet
            t.daemon = True
            t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        print(json.dumps({"alive": alive}), flush=True)
        sys.exit(3)


def main(port):
    limiter = Busy()
    mailer = mailwright.Mailer("127.0.0.1", port, tls="none", connections=4, timeout=10, limiter=limiter)
    futures, outcomes, errors = [], [], []
    stop = threading.Event()
    lock = threading.Lock()

    def guarded(work):
        def body():
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                errors.append(repr(exc))
        return body

    def submitter(base):
        for n in range(60):
            f = mailer.submit(message(base + n))
            with lock:
                futures.append(f)

    def sender():
        for n in range(15):
            outcomes.append(mailer.send(message(1000 + n)).kind)
            raw = message(2000 + n).as_bytes()
            outcomes.append(mailer.send_raw(raw, "support@ifaxin.com", ["ben@ifaxin.com"]).kind)
        outcomes.extend(o.kind for o in mailer.send_many(message(3000 + n) for n in range(30)))

    def reader():
        while not stop.is_set():
            mailer.counters

    busy = [threading.Thread(target=guarded(lambda b=b: submitter(b)), name=f"submit{b}") for b in (0, 100, 200, 300)]
    busy.append(threading.Thread(target=guarded(sender), name="send"))
    readers = [threading.Thread(target=guarded(reader), name=f"counters{i}") for i in range(2)]
    for t in readers:
        t.daemon = True
        t.start()  # joined by run() at the end
    run(busy, timeout=60)
    done, _ = concurrent.futures.wait(futures, timeout=60)
    kinds = [f.result().kind for f in done] + outcomes
    # Close while the readers still hammer the counters, from another thread too.
    run([threading.Thread(target=guarded(mailer.close), name="close")], timeout=30)
    stop.set()
    run(readers, timeout=30)
    counters = dict(mailer.counters)
    # A second Mailer dropped (garbage-collected) while its gate is being asked.
    other = mailwright.Mailer("127.0.0.1", port, tls="none", connections=2, timeout=10, limiter=Busy())
    pending = [other.submit(message(5000 + n)) for n in range(20)]

    def drop():
        nonlocal other
        other = None
        gc.collect()

    run([threading.Thread(target=guarded(drop), name="drop")], timeout=30)
    print(json.dumps({"errors": errors, "kinds": kinds, "futures": len(futures), "done": len(done),
                      "counters": counters, "calls": limiter.calls,
                      "dropped": sorted({f.result(timeout=30).kind for f in pending})}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
