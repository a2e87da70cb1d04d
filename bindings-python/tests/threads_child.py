"""Run by tests/test_threads.py in a child process, so that a deadlock (a thread
holding the GIL while it waits for another) fails the test instead of hanging
the suite: the parent kills the child after a deadline.

    python threads_child.py CASE PORT

prints one JSON line with what happened and exits 0, or exits 3 when a thread
was still alive after its join time-out (the in-process watchdog).
"""
import json
import sys
import threading
import time

import mailwright


def message(n):
    return mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"thread {n}", text="hi")


def run(threads, timeout):
    for t in threads:
        t.daemon = True
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        print(json.dumps({"alive": alive}), flush=True)
        sys.exit(3)


def shared(port):
    """8 threads share one Client: each sends 5 messages and reads is_tls and the transcript."""
    client = mailwright.Client("127.0.0.1", port, tls="none", timeout=10, transcript=True)
    results, errors = [], []

    def work(n):
        try:
            for i in range(5):
                results.append(client.send(message(n * 10 + i)).queue_id)
                assert client.is_tls is False
                client.take_transcript()
        except Exception as err:  # reported to the parent
            errors.append(f"{type(err).__name__}: {err}")

    run([threading.Thread(target=work, args=(n,), name=f"sender-{n}") for n in range(8)], 60)
    client.quit()
    print(json.dumps({"sent": len(results), "queue_ids": sorted(set(results)), "errors": errors}), flush=True)


def close_interrupts(port):
    """A send blocked on a server that never answers the end of DATA; another thread reads
    is_tls and calls close(): both return at once and the send raises ConnectionClosedError."""
    client = mailwright.Client("127.0.0.1", port, tls="none", timeout=30)
    outcome = {}

    def blocked():
        started = time.monotonic()
        try:
            client.send(message(0))
            outcome["send"] = "sent"
        except mailwright.MailwrightError as err:
            outcome["send"] = type(err).__name__
            outcome["message"] = str(err)
        outcome["send_seconds"] = time.monotonic() - started

    sender = threading.Thread(target=blocked, name="sender")
    sender.daemon = True
    sender.start()
    time.sleep(0.5)  # the send is now waiting for the final reply
    started = time.monotonic()
    outcome["is_tls"] = client.is_tls
    outcome["is_tls_seconds"] = time.monotonic() - started
    started = time.monotonic()
    client.close()
    outcome["close_seconds"] = time.monotonic() - started
    sender.join(timeout=10)
    if sender.is_alive():
        print(json.dumps({"alive": ["sender"]}), flush=True)
        sys.exit(3)
    try:
        client.send(message(1))
        outcome["after"] = "sent"
    except mailwright.MailwrightError as err:
        outcome["after"] = type(err).__name__
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    {"shared": shared, "close_interrupts": close_interrupts}[sys.argv[1]](int(sys.argv[2]))
