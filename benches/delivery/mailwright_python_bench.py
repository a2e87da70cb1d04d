#!/usr/bin/env python3
"""mailwright's Python binding as a contender in the delivery benchmarks (run.sh
runs it with the binding's own venv, where `make -C bindings-python develop`
installed it).

    python mailwright_python_bench.py PORT COUNT FILE.eml CONNECTIONS [--sendcloud]
        [--aio] [--deadline-s S] [--label NAME]

`mailwright.Mailer` (threads in the core, the GIL released) or, with --aio,
`mailwright.aio.Mailer` on the asyncio loop (uvloop is not used), CONNECTIONS
connections, with SendCloud's quota when --sendcloud is given; sends FILE.eml
COUNT times with the W1 envelope through `send_raw`, all submitted at once.
Prints one JSON line like the other contenders.
"""
import asyncio
import json
import os
import resource
import sys
import time

import mailwright
import mailwright.aio

SENDER = "support@ifaxin.com"
RCPTS = ["ben@ifaxin.com", "joe@ifaxin.com"]


def opt(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def report(label, conns, count, started, cpu_before, outcomes, stopped, counters):
    kinds = [o.kind for o in outcomes]
    errors = {}
    for o in outcomes:
        if o.error is not None:
            key = type(o.error).__name__
            errors[key] = errors.get(key, 0) + 1
    line = {
        "contender": label,
        "connections": conns,
        "count": count,
        "elapsed_s": round(time.perf_counter() - started, 3),
        "delivered": kinds.count("delivered"),
        "failed": kinds.count("failed"),
        "uncertain": kinds.count("uncertain"),
        "rate_limited_seen": counters["rate_limited"],
        "retries": counters["retries"],
        "cpu_s": round(cpu_seconds() - cpu_before, 2),
        "stopped_at_deadline": stopped,
        "errors": errors,
    }
    print(json.dumps(line), flush=True)


def main():
    port, count, path, conns = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    deadline = float(opt("--deadline-s", "600"))
    aio = "--aio" in sys.argv
    label = opt("--label", "mailwright Python (asyncio)" if aio else "mailwright Python")
    data = open(path, "rb").read()
    options = dict(tls="none", connections=conns, rate="sendcloud" if "--sendcloud" in sys.argv else None)
    started = time.perf_counter()
    cpu_before = cpu_seconds()
    if aio:
        async def run():
            mailer = mailwright.aio.Mailer("127.0.0.1", port, **options)
            sends = [asyncio.ensure_future(mailer.send_raw(data, SENDER, RCPTS)) for _ in range(count)]
            done, pending = await asyncio.wait(sends, timeout=deadline)
            outcomes = [f.result() for f in done]
            report(label, conns, count, started, cpu_before, outcomes, bool(pending), mailer.counters)
            os._exit(0)

        asyncio.run(run())
    else:
        import concurrent.futures

        mailer = mailwright.Mailer("127.0.0.1", port, **options)
        futures = [mailer.submit_raw(data, SENDER, RCPTS) for _ in range(count)]
        done, pending = concurrent.futures.wait(futures, timeout=deadline)
        outcomes = [f.result() for f in done]
        report(label, conns, count, started, cpu_before, outcomes, bool(pending), mailer.counters)
        os._exit(0)


if __name__ == "__main__":
    main()
