#!/usr/bin/env python3
"""aiosmtplib as a contender in the delivery benchmarks (run.sh; it installs the
pinned version from requirements.txt into its own venv).

    python aiosmtplib_bench.py PORT COUNT FILE.eml CONNECTIONS [--deadline-s S] [--label NAME]

CONNECTIONS asyncio tasks, each with one aiosmtplib.SMTP connection (reopened
if the server drops it), take the next message until COUNT were sent; each
sends FILE.eml with the W1 envelope. A failure is counted, not retried.
Prints one JSON line like the other contenders.
"""
import asyncio
import json
import os
import resource
import sys
import time

import aiosmtplib

SENDER = "support@ifaxin.com"
RCPTS = ["ben@ifaxin.com", "joe@ifaxin.com"]


def opt(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def main():
    port, count, path, conns = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    deadline = opt("--deadline-s")
    label = opt("--label", "aiosmtplib")
    data = open(path, "rb").read()
    stats = {"next": 0, "delivered": 0, "failed": 0, "rate_limited": 0, "last": 0.0}
    errors = {}
    started = time.perf_counter()
    cpu_before = cpu_seconds()

    def failure(key, code=None):
        stats["failed"] += 1
        stats["last"] = time.perf_counter() - started
        if code == 536:
            stats["rate_limited"] += 1
        errors[key] = errors.get(key, 0) + 1

    async def worker():
        smtp = None
        while stats["next"] < count:
            stats["next"] += 1
            try:
                if smtp is None:
                    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False,
                                           local_hostname="localhost")
                    await smtp.connect()
                await smtp.sendmail(SENDER, RCPTS, data)
            except aiosmtplib.SMTPResponseException as e:
                failure(str(e.code), e.code)
                if isinstance(e, aiosmtplib.SMTPServerDisconnected):
                    smtp = None
                continue
            except (aiosmtplib.SMTPException, OSError) as e:
                failure(type(e).__name__)
                smtp = None
                continue
            stats["delivered"] += 1
            stats["last"] = time.perf_counter() - started

    tasks = [asyncio.create_task(worker()) for _ in range(conns)]
    _, pending = await asyncio.wait(tasks, timeout=float(deadline) if deadline else None)
    stopped = bool(pending)
    line = {
        "contender": label,
        "connections": conns,
        "count": count,
        "elapsed_s": round(time.perf_counter() - started if stopped else stats["last"], 3),
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
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
