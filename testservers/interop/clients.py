#!/usr/bin/env python3
"""The clients of the Postfix interop test (run by run.sh).

    clients.py --port PORT --ca-file CERT --log POSTFIX_LOG --phases OUT.json

Against Postfix on 127.0.0.1:PORT (STARTTLS, AUTH through Dovecot, the
server's certificate trusted with ca_file):

  a. mailwright.send with the right key           -> accepted
  b. mailwright.send with a wrong key             -> AuthenticationError (535)
  c. a mailwright.Mailer, 20 messages, right key  -> every outcome delivered
  d. a mailwright.Mailer, 6 messages, wrong key   -> every outcome failed
                                                     (AuthenticationError)

After each step it waits until Postfix has logged a "disconnect from" for
every "connect from" of that step and writes, in OUT.json, which bytes of the
log each step produced, so that check_log.py can tell which step a bad line
comes from. Exit status 0 when every step went as expected.
"""
import argparse
import json
import os
import re
import sys
import time

import mailwright

USER, LABEL, RIGHT_KEY, WRONG_KEY = "api_user", "12345", "right_key", "wrong_key"
SENDER = "Interop Test <sender@interop.test>"
RCPT = "rcpt@remote.test"  # relayed (permit_sasl_authenticated), then discarded

CONNECT = re.compile(rb"smtpd\[\d+\]: connect from ")
DISCONNECT = re.compile(rb"smtpd\[\d+\]: disconnect from ")


def log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def settle(path, start, wait=8.0):
    """Waits (at most `wait` s) until the log, from byte `start`, has as many
    disconnects as connects and stops growing; returns its end offset."""
    deadline = time.monotonic() + wait
    last = -1
    while True:
        with open(path, "rb") as f:
            f.seek(start)
            chunk = f.read()
        end = start + len(chunk)
        balanced = len(CONNECT.findall(chunk)) == len(DISCONNECT.findall(chunk))
        if balanced and end == last:
            return end
        if time.monotonic() > deadline:
            return end
        last = end
        time.sleep(0.2)


def message(tag, i=0):
    return mailwright.Message(
        SENDER, to=RCPT, subject=f"mailwright interop {tag} #{i}",
        text=f"Interop test message {tag} #{i}.\nA second line.\n.\nA line that was a lone dot.\n",
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--phases", required=True)
    ap.add_argument("--batch", type=int, default=20)
    args = ap.parse_args()

    host = "127.0.0.1"
    right = mailwright.Credentials(USER, RIGHT_KEY, label=LABEL)
    wrong = mailwright.Credentials(USER, WRONG_KEY, label=LABEL)
    common = dict(tls="starttls", ca_file=args.ca_file, timeout=15)
    phases, failures = [], []

    def step(name, desc, fn):
        start = log_size(args.log)
        t0 = time.monotonic()
        try:
            ok, detail = fn()
        except Exception as e:  # an unexpected error is a failed step, not a crash
            ok, detail = False, f"unexpected {type(e).__name__}: {e}"
        took = time.monotonic() - t0
        end = settle(args.log, start)
        phases.append({"phase": name, "desc": desc, "start": start, "end": end})
        print(f"  {name}. {desc}: {'ok' if ok else 'FAILED'} ({took:.1f} s) - {detail}")
        if not ok:
            failures.append(name)

    def a():
        r = mailwright.send(message("a"), host, args.port, credentials=right, **common)
        ok = r.accepted == [RCPT] and not r.refused and r.reply.code == 250
        return ok, f"{r.reply.code} queue_id={r.queue_id} accepted={r.accepted}"

    def b():
        try:
            r = mailwright.send(message("b"), host, args.port, credentials=wrong, **common)
        except mailwright.AuthenticationError as e:
            return e.code == 535, f"AuthenticationError kind={e.kind} code={e.code} {e}"
        return False, f"sent with the wrong key?! {r.reply.code} queue_id={r.queue_id}"

    def mailer_opts():
        return dict(common, connections=4, max_attempts=3, initial_backoff=0.2, max_backoff=1.0, deadline=60)

    def c():
        with mailwright.Mailer(host, args.port, credentials=right, **mailer_opts()) as m:
            outcomes = m.send_many([message("c", i) for i in range(args.batch)])
            counters = m.counters
        kinds = [o.kind for o in outcomes]
        bad = [(o.kind, o.error) for o in outcomes if not o.delivered]
        ok = len(outcomes) == args.batch and not bad and all(o.accepted == [RCPT] for o in outcomes)
        attempts = sum(o.attempts for o in outcomes)
        detail = f"{kinds.count('delivered')}/{args.batch} delivered, {attempts} attempts"
        if bad:
            detail += f"; not delivered: {bad[:3]}"
        return ok, f"{detail}; counters={counters}"

    def d():
        n = max(2, args.batch // 3)
        with mailwright.Mailer(host, args.port, credentials=wrong, **mailer_opts()) as m:
            outcomes = m.send_many([message("d", i) for i in range(n)])
        kinds = [o.kind for o in outcomes]
        errors = sorted({type(o.error).__name__ for o in outcomes})
        ok = (len(outcomes) == n and all(k == "failed" for k in kinds)
              and all(isinstance(o.error, mailwright.AuthenticationError) for o in outcomes))
        attempts = sum(o.attempts for o in outcomes)
        return ok, f"{kinds.count('failed')}/{n} failed, errors={errors}, {attempts} attempts"

    print(f"interop: clients against {host}:{args.port} (mailwright {mailwright.__version__})")
    step("a", "send, right key", a)
    step("b", "send, wrong key", b)
    step("c", f"Mailer x{args.batch}, right key", c)
    step("d", f"Mailer x{max(2, args.batch // 3)}, wrong key", d)

    with open(args.phases, "w") as f:
        json.dump(phases, f, indent=1)
    if failures:
        print(f"interop: clients FAILED: steps {', '.join(failures)}")
        return 1
    print("interop: clients ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
