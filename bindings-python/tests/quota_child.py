"""Run by tests/test_shared_quota.py: one worker process sending through a
Mailer whose limiter is a SharedQuota on Redis.

    python quota_child.py RELAY_PORT REDIS_URI KEY COUNT TAG MESSAGES PER_SECONDS

prints "ready", waits for a line on stdin (so both workers start together),
sends COUNT messages, prints one JSON line: the outcome kinds and the counters.
"""
import json
import sys

import mailwright
from mailwright.limits import SharedQuota


def main(port, uri, key, count, tag, messages, per):
    rate = mailwright.Rate(messages, per)
    quota = SharedQuota(uri, key, rate=rate)
    batch = [mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], subject=f"{tag} {n}", text="hi")
             for n in range(count)]
    with mailwright.Mailer("127.0.0.1", port, tls="none", connections=4, rate=rate, limiter=quota,
                           timeout=10) as mailer:
        print("ready", flush=True)
        sys.stdin.readline()
        outcomes = mailer.send_many(batch)
        counters = dict(mailer.counters)
    print(json.dumps({"kinds": [o.kind for o in outcomes], "counters": counters}), flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(int(a[0]), a[1], a[2], int(a[3]), a[4], int(a[5]), int(a[6]))
