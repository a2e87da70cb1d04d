#!/usr/bin/env python3
"""Python's smtplib sending the same message COUNT times over one connection.

    python3 benches/smtplib_bench.py PORT COUNT FILE.eml
"""
import smtplib, sys, time

port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
s = smtplib.SMTP("127.0.0.1", port)
s.ehlo("localhost")
start = time.perf_counter()
for _ in range(count):
    s.sendmail("support@ifaxin.com", ["ben@ifaxin.com", "joe@ifaxin.com"], data)
elapsed = time.perf_counter() - start
s.quit()
print(f"smtplib: {count} messages in {elapsed:.3f} s = {count / elapsed:.0f} msg/s")
