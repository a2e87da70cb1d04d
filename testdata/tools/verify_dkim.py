#!/usr/bin/env python3
"""Verifies every DKIM signature of the signed golden vectors with dkimpy,
a verifier independent of the core, and reads the issue-13 vectors back
with Python's standard `email` package.

DNS is answered from testdata/dkim/<selector>.dns.txt (records made by
OpenSSL from the test keys, not by the code under test). For each signed
vector: every signature verifies; changing one byte of the body, or of a
signed header (Subject, From, List-Unsubscribe), makes every signature fail;
changing X-SMTPAPI (unsigned: SendCloud rewrites it) does not.

Parse-back: List-Unsubscribe holds the input's URIs in <>, comma-joined,
List-Unsubscribe-Post is there exactly when one-click was asked for, and the
calendar is the text/calendar part of multipart/alternative (method and
charset parameters, content intact), with invite.ics attached when asked.

Needs dkimpy and PyNaCl (core/tests/requirements-dkim.txt); fails if no
signature was checked.
"""
import email
import email.policy
import json
import os
import re
import sys

import types

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors-13")
KEYS = os.path.join(HERE, "..", "dkim")


# dkimpy checks t= and x= against its clock: it reads the vectors at a fixed
# time, a minute after they were signed (t=).
NOW = [0]
dkim.time = types.SimpleNamespace(time=lambda: NOW[0])


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    selector = name.split("._domainkey.")[0]
    path = os.path.join(KEYS, selector + ".dns.txt")
    if not re.fullmatch(r"[a-z0-9]+", selector) or not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read().strip()


def signatures(raw):
    return len(re.findall(rb"(?m)^DKIM-Signature:", raw))


def verify_all(raw):
    """True for each signature that verifies."""
    d = dkim.DKIM(raw)
    results = []
    for i in range(signatures(raw)):
        try:
            results.append(bool(d.verify(idx=i, dnsfunc=dnsfunc)))
        except dkim.DKIMException:
            results.append(False)
    return results


def change_header(raw, name):
    """One byte changed in the value of header `name` (first occurrence)."""
    m = re.search(rb"(?m)^" + re.escape(name.encode()) + rb": ?(.)", raw)
    assert m, name
    at = m.start(1)
    flipped = b"X" if raw[at:at + 1] != b"X" else b"Y"
    return raw[:at] + flipped + raw[at + 1:]


def change_body(raw):
    at = raw.index(b"\r\n\r\n") + 4
    # A letter in the middle of the body (not a line end or whitespace).
    for i in range(at + (len(raw) - at) // 2, len(raw)):
        if raw[i:i + 1].isalnum():
            flipped = b"0" if raw[i:i + 1] != b"0" else b"1"
            return raw[:i] + flipped + raw[i + 1:]
    raise AssertionError("no body byte to change")


def check_dkim(name, raw, problems):
    n = signatures(raw)
    times = [int(t) for t in re.findall(rb"[; ]t=(\d+);", raw)]
    NOW[0] = max(times) + 60
    results = verify_all(raw)
    if not all(results):
        problems.append("%s: signatures verify %r" % (name, results))
        return 0
    tampered = [("body", change_body(raw)), ("Subject", change_header(raw, "Subject")),
                ("From", change_header(raw, "From"))]
    if b"\r\nList-Unsubscribe: " in raw:
        tampered.append(("List-Unsubscribe", change_header(raw, "List-Unsubscribe")))
    for what, bad in tampered:
        if any(verify_all(bad)):
            problems.append("%s: a one-byte change in %s still verifies" % (name, what))
    expiry = re.search(rb"[; ]x=(\d+);", raw)
    if expiry:
        NOW[0] = int(expiry.group(1)) + 36001  # past dkimpy's 10 h leeway
        if any(verify_all(raw)):
            problems.append("%s: verifies after its expiry (x=)" % name)
        NOW[0] = max(times) + 60
    if b"\r\nX-SMTPAPI: " in raw:
        rewritten = re.sub(rb"\r\nX-SMTPAPI: [^\r]*(\r\n [^\r]*)*", b"\r\nX-SMTPAPI: e30=", raw)
        if not all(verify_all(rewritten)):
            problems.append("%s: rewriting the unsigned X-SMTPAPI broke the signature" % name)
    return n


def check_parse_back(name, inp, raw, problems):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if "list_unsubscribe" in inp:
        want = []
        for uri in inp["list_unsubscribe"]:
            uri = uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri
            scheme, rest = uri.split(":", 1)
            want.append(scheme.lower() + ":" + rest)
        got = [u.strip().strip("<>") for u in str(msg["List-Unsubscribe"]).split(",")]
        if got != want:
            problems.append("%s: List-Unsubscribe %r != %r" % (name, got, want))
        post = msg["List-Unsubscribe-Post"]
        if inp.get("one_click_unsubscribe"):
            if str(post) != "List-Unsubscribe=One-Click":
                problems.append("%s: List-Unsubscribe-Post %r" % (name, post))
        elif post is not None:
            problems.append("%s: List-Unsubscribe-Post written without one-click" % name)
    if "list_id" in inp:
        ident = inp["list_id"].rsplit("<", 1)[-1].rstrip(">")
        if not str(msg["List-Id"]).endswith("<%s>" % ident):
            problems.append("%s: List-Id %r" % (name, str(msg["List-Id"])))
    cal = inp.get("calendar")
    if cal:
        parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        if len(parts) != 1:
            problems.append("%s: %d text/calendar parts" % (name, len(parts)))
            return
        part = parts[0]
        parent = [p for p in msg.walk() if p.is_multipart() and part in p.get_payload()]
        in_alternative = parent and parent[0].get_content_type() == "multipart/alternative"
        alone = msg.get_content_type() == "text/calendar" and not ("text" in inp or "html" in inp)
        if not (in_alternative or alone):
            problems.append("%s: text/calendar is not in multipart/alternative" % name)
        if part.get_param("method") != cal["method"].upper() or part.get_content_charset() != "utf-8":
            problems.append("%s: calendar parameters %r" % (name, part["content-type"]))
        if part.get_content().replace("\r\n", "\n") != cal["content"].replace("\r\n", "\n"):
            problems.append("%s: calendar content differs" % name)
        # Clients show the body they prefer; the calendar comes last among the alternatives.
        if in_alternative and parent[0].get_payload()[-1] is not part:
            problems.append("%s: text/calendar is not the last alternative" % name)
        if cal.get("attachment"):
            files = [p for p in msg.iter_attachments() if p.get_filename() == cal["attachment"]]
            if len(files) != 1 or files[0].get_content_type() != "application/ics":
                problems.append("%s: %s not attached as application/ics" % (name, cal["attachment"]))
            elif files[0].get_content().decode().replace("\r\n", "\n") != cal["content"].replace("\r\n", "\n"):
                problems.append("%s: %s content differs" % (name, cal["attachment"]))


def main():
    problems, signed, checked, read = [], 0, 0, 0
    for entry in sorted(os.listdir(VECTORS)):
        if not entry.endswith(".eml"):
            continue
        name = entry[:-4]
        with open(os.path.join(VECTORS, name + ".json"), encoding="utf-8") as f:
            inp = json.load(f)["input"]
        with open(os.path.join(VECTORS, entry), "rb") as f:
            raw = f.read()
        if inp.get("dkim"):
            if signatures(raw) != len(inp["dkim"]):
                problems.append("%s: %d signatures for %d signers" % (name, signatures(raw), len(inp["dkim"])))
            checked += check_dkim(name, raw, problems)
            signed += 1
        check_parse_back(name, inp, raw, problems)
        read += 1
    if checked == 0:
        problems.append("no DKIM signature was checked")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("dkimpy: %d signatures in %d signed vectors verified, tampering detected; "
          "python email: %d vectors read back; %d problems"
          % (checked, signed, read, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
