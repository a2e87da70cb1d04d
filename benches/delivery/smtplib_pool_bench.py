#!/usr/bin/env python3
"""Python's smtplib with a thread pool, as a contender in the delivery benchmarks (run.sh).

    python3 smtplib_pool_bench.py PORT COUNT FILE.eml THREADS [--deadline-s S] [--label NAME]

A ThreadPoolExecutor of THREADS workers; each keeps one smtplib.SMTP
connection (opened on its first message, reopened if the server drops it)
and sends FILE.eml with the W1 envelope. A failure is counted, not retried.
Prints one JSON line like the other contenders.
"""
import concurrent.futures
import json
import os
import resource
import smtplib
import sys
import threading
import time

SENDER = "support@ifaxin.com"
RCPTS = ["ben@ifaxin.com", "joe@ifaxin.com"]


def opt(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    port, count, path, threads = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    deadline = opt("--deadline-s")
    label = opt("--label", "smtplib + ThreadPoolExecutor")
    data = open(path, "rb").read()
    local = threading.local()
    lock = threading.Lock()
    stats = {"delivered": 0, "failed": 0, "rate_limited": 0, "last": 0.0}
    errors = {}
    stop = threading.Event()
    started = time.perf_counter()
    cpu_before = cpu_seconds()

    def count_failure(key, code=None):
        with lock:
            stats["failed"] += 1
            stats["last"] = time.perf_counter() - started
            if code == 536:
                stats["rate_limited"] += 1
            errors[key] = errors.get(key, 0) + 1

    def send_one(_):
        if stop.is_set():
            return
        try:
            smtp = getattr(local, "smtp", None)
            if smtp is None:
                smtp = local.smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="localhost")
            smtp.sendmail(SENDER, RCPTS, data)
        except smtplib.SMTPResponseException as e:
            count_failure(str(e.smtp_code), e.smtp_code)
            return
        except (smtplib.SMTPException, OSError) as e:
            local.smtp = None
            count_failure(type(e).__name__)
            return
        with lock:
            stats["delivered"] += 1
            stats["last"] = time.perf_counter() - started

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)
    futures = [pool.submit(send_one, i) for i in range(count)]
    _, pending = concurrent.futures.wait(futures, timeout=float(deadline) if deadline else None)
    stopped = bool(pending)
    with lock:
        elapsed = time.perf_counter() - started if stopped else stats["last"]
        line = {
            "contender": label,
            "connections": threads,
            "count": count,
            "elapsed_s": round(elapsed, 3),
            "delivered": stats["delivered"],
            "failed": stats["failed"],
            "uncertain": None,
            "rate_limited_seen": stats["rate_limited"],
            "retries": 0,
            "cpu_s": round(cpu_seconds() - cpu_before, 2),
            "stopped_at_deadline": stopped,
            "errors": errors,
        }
    print(json.dumps(line), flush=True)
    # Abandon whatever is still queued or in flight (and the open connections).
    os._exit(0)


if __name__ == "__main__":
    main()
