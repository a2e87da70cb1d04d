#!/usr/bin/env python3
"""Checks Postfix's log after the interop clients ran (run by run.sh).

    check_log.py --log POSTFIX_LOG [--phases PHASES.json]

Fails (exit 1) when the log has a line with "lost connection", "improper
command pipelining", "bare <LF>", "non-properly terminated", a TLS error
("SSL_accept error", "TLS library problem", ...), or any "warning:" other
than the SASL failures the wrong-key steps must cause ("SASL PLAIN/LOGIN
authentication failed"), or a "disconnect from" line without "quit=1" (the
client left without QUIT). Every line of interest is printed with the client
step (from clients.py's PHASES.json) that produced it; "setup" is run.sh's
probe before the clients.
"""
import argparse
import bisect
import json
import re
import sys

BAD = [
    ("lost connection", re.compile(r"lost connection", re.I)),
    ("improper pipelining", re.compile(r"improper command pipelining", re.I)),
    ("bare LF", re.compile(r"bare <LF>", re.I)),
    ("non-properly terminated", re.compile(r"non-properly terminated", re.I)),
    ("TLS error", re.compile(r"SSL_accept error|TLS library problem|SSL_shutdown|"
                             r"unexpected eof while reading|tls.*(?:error|fail)", re.I)),
    ("timeout", re.compile(r"timeout after ", re.I)),
    ("fatal/panic", re.compile(r"\b(?:fatal|panic):")),
]
WARNING = re.compile(r"\bwarning:")
# What a wrong key must make smtpd say (once per refused AUTH): expected.
EXPECTED_WARNING = re.compile(r"warning: \S+: SASL (?:PLAIN|LOGIN) authentication failed")
DISCONNECT = re.compile(r"smtpd\[\d+\]: disconnect from (.*)")
CONNECT = re.compile(r"smtpd\[\d+\]: connect from ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--phases")
    args = ap.parse_args()

    phases = []
    if args.phases:
        try:
            with open(args.phases) as f:
                phases = json.load(f)
        except (OSError, ValueError) as e:
            print(f"interop: no phases file ({e}): lines are not attributed to client steps")
    starts = [p["start"] for p in phases]

    def phase_of(offset):
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return "setup"
        p = phases[i]
        return p["phase"] if offset < p["end"] else f"after {p['phase']}"

    try:
        with open(args.log, "rb") as f:
            data = f.read()
    except OSError as e:
        print(f"interop: FAIL: cannot read Postfix's log: {e}")
        return 1

    problems, expected_warnings, disconnects, connects = [], [], [], 0
    sasl_failed = {}
    offset = 0
    for raw in data.splitlines(keepends=True):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        where = phase_of(offset)
        offset += len(raw)
        if CONNECT.search(line):
            connects += 1
        m = DISCONNECT.search(line)
        if m:
            disconnects.append((where, line))
            if not re.search(r"\bquit=1\b", m.group(1)):
                problems.append(("disconnect without quit=1", where, line))
        for label, rx in BAD:
            if rx.search(line):
                problems.append((label, where, line))
                break
        else:
            if EXPECTED_WARNING.search(line):
                expected_warnings.append((where, line))
                sasl_failed[where] = sasl_failed.get(where, 0) + 1
            elif WARNING.search(line):
                problems.append(("warning", where, line))

    print(f"interop: Postfix log: {len(data.splitlines())} lines, {connects} connects, "
          f"{len(disconnects)} disconnects")
    if phases:
        for p in phases:
            n = sum(1 for w, _ in disconnects if w == p["phase"])
            print(f"  {p['phase']}. {p['desc']}: {n} sessions, "
                  f"{sasl_failed.get(p['phase'], 0)} SASL failures logged")
    print("interop: disconnect lines:")
    for where, line in disconnects:
        print(f"  [{where}] {line}")
    if expected_warnings:
        print(f"interop: {len(expected_warnings)} expected SASL failure warnings (wrong key), e.g.:")
        print(f"  [{expected_warnings[0][0]}] {expected_warnings[0][1]}")
    if connects != len(disconnects):
        problems.append(("connects and disconnects differ", "-",
                         f"{connects} connect from / {len(disconnects)} disconnect from"))
    for p in phases:
        if p["phase"] in ("b", "d") and not sasl_failed.get(p["phase"]):
            problems.append(("no SASL failure logged for a wrong-key step", p["phase"], p["desc"]))
    if not any(w == "a" for w, _ in disconnects) and phases:
        problems.append(("no session logged for step a", "a", ""))

    if problems:
        print(f"interop: FAIL: {len(problems)} problem(s) in Postfix's log:")
        for label, where, line in problems:
            print(f"  [{where}] {label}: {line}")
        return 1
    print("interop: Postfix log clean (every session ended with QUIT)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
