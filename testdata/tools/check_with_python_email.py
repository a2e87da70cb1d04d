#!/usr/bin/env python3
"""Reads every golden .eml back with Python's standard `email` package, a
second parser independent of the core's mail-parser check, and compares
what a reader sees with the vector's input: the Subject, every display name
and address of From, Sender, Reply-To, To and Cc, and for every inline part
and attachment its filename and the caller's content type parameters.

Python decodes RFC 2047 words even inside quoted strings, so text that only
looks like an encoded word must reach it encoded (see the
`encoded_word_lookalikes` vector). Standard library only; fails if no
vector ran.
"""
import email
import email.policy
import email.utils
import json
import os
import sys

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")
MAILBOX_HEADERS = [("from", "From"), ("sender", "Sender"), ("reply_to", "Reply-To"), ("to", "To"), ("cc", "Cc")]


def squash(text):
    return " ".join(text.split())


def expected_mailboxes(value):
    """(display name, address) pairs as the input gives them; addresses are
    compared case-insensitively and only when ASCII (IDNs become punycode)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            name, address = item.get("name") or "", item["address"]
        else:
            name, address = email.utils.parseaddr(item)
        out.append((squash(name), address.lower() if address.isascii() else None))
    return out


def parameters(content_type):
    """The caller's parameters, read by the same library from the input."""
    msg = email.message_from_string("Content-Type: %s\n\n" % content_type, policy=email.policy.default)
    return {k: v for k, v in msg["content-type"].params.items()}


def check(name, doc, raw, problems):
    inp = doc["input"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if "subject" in inp:
        if squash(str(msg["subject"])) != squash(inp["subject"]):
            problems.append("%s: Subject %r" % (name, str(msg["subject"])))
    for key, header in MAILBOX_HEADERS:
        if key not in inp or inp[key] == []:
            continue
        got = [(squash(a.display_name), a.addr_spec.lower()) for a in msg[header].addresses]
        want = expected_mailboxes(inp[key])
        got = [(n, a if w is not None else None) for (n, a), (_, w) in zip(got, want)]
        if got != want:
            problems.append("%s: %s %r != %r" % (name, header, got, want))
    parts = [p for p in msg.walk() if not p.is_multipart()]
    if (inp.get("calendar") or {}).get("attachment"):
        parts = parts[:-1]  # the .ics attachment, last (checked by verify_dkim.py)
    leaves = parts[len(parts) - len(inp.get("inline", [])) - len(inp.get("attachments", [])):]
    for part, given in zip(leaves, inp.get("inline", []) + inp.get("attachments", [])):
        filename = given.get("filename")
        if filename is not None and part.get_filename() != filename.strip():
            problems.append("%s: filename %r != %r" % (name, part.get_filename(), filename))
        written = part["content-type"].params
        for key, value in parameters(given["content_type"]).items():
            want = value.lower() if key == "charset" else value
            if written.get(key) != want:
                problems.append("%s: parameter %s=%r != %r" % (name, key, written.get(key), want))


def main():
    vectors = sys.argv[1] if len(sys.argv) > 1 else VECTORS
    problems, ran = [], 0
    for entry in sorted(os.listdir(vectors)):
        if not entry.endswith(".eml"):
            continue
        with open(os.path.join(vectors, entry[:-4] + ".json"), encoding="utf-8") as f:
            doc = json.load(f)
        with open(os.path.join(vectors, entry), "rb") as f:
            check(entry[:-4], doc, f.read(), problems)
        ran += 1
    if ran == 0:
        problems.append("no vectors ran")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("python email: %d vectors read back, %d problems" % (ran, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
