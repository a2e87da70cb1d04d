#!/usr/bin/env python3
"""testdata/ → a C header the C runners include (generated at build time).

    python3 gen_vectors.py TESTDATA_DIR OUT_DIR

writes OUT_DIR/golden_vectors.h, OUT_DIR/smtp_vectors.h (which includes the
first: sessions send golden messages) and OUT_DIR/delivery_vectors.h (the
delivery scenarios of testdata/delivery/scenarios.json; it includes the first
for its message, built with the same builder calls).

It holds the golden message vectors (testdata/vectors as MW_VECTORS and
testdata/vectors-13 as MW_VECTORS_13: each a list of builder calls, the
expected bytes and envelope; DKIM key files are named, and read by the runner
from testdata/dkim) and the shared SMTP vectors
(testdata/smtp: AUTH cases, reply cases, scripted sessions). It only moves
data: names (error kinds, TLS modes, event types, loss causes) stay the
strings the files hold, and the runners compare them with what the library's
public API reports. Every mailbox member may be a string or an
{"name"?, "address"} object, in every member.
"""
import base64, json, pathlib, sys

SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;<>@_-+=/()[]{}!#$%&*~^|")
MAILBOX_FIELDS = {"from": "MW_FIELD_FROM", "sender": "MW_FIELD_SENDER", "reply_to": "MW_FIELD_REPLY_TO",
                  "to": "MW_FIELD_TO", "cc": "MW_FIELD_CC", "bcc": "MW_FIELD_BCC",
                  "envelope_from": "MW_FIELD_ENVELOPE_FROM"}


def cbytes(value):
    """A C string literal of these bytes (octal escapes; safe with NULs inside)."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    return '"' + "".join(chr(b) if b in SAFE else "\\%03o" % b for b in data) + '"'


def cstr(value):
    return "NULL" if value is None else cbytes(value)


def clen(value):
    return 0 if value is None else len(value.encode("utf-8") if isinstance(value, str) else value)


def cint(value, null=-1):
    return str(null if value is None else int(value)) + "LL"


class Out:
    def __init__(self):
        self.decls = []
        self.n = 0

    def array(self, ctype, rows, name_hint):
        self.n += 1
        name = f"mw_{name_hint}_{self.n}"
        if not rows:
            return "NULL"
        self.decls.append(f"static const {ctype} {name}[] = {{{', '.join(rows)}}};")
        return name


# The input members this generator knows: a new member fails the build
# instead of being skipped.
INPUT_MEMBERS = {"from", "sender", "envelope_from", "reply_to", "to", "cc", "bcc", "subject", "text", "html",
                 "message_id", "boundary_seed", "in_reply_to", "references", "date", "inline", "attachments",
                 "headers", "sc_custom", "x_smtpapi", "list_unsubscribe", "one_click_unsubscribe", "list_id",
                 "calendar", "dkim"}
DKIM_MEMBERS = {"key_file", "key_seed_base64", "domain", "selector", "time", "canonicalization", "expires_after"}


def golden(vectors, out):
    names, rows = [], []
    for path in sorted(vectors.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        inp = doc["input"]
        ops = []

        def op(name, a=None, b=None, c=None, data=None, n=0, values=None):
            d = out.array("unsigned char", [str(x) for x in data], "blob") if data else "NULL"
            lst = out.array("char *const", [cstr(v) for v in values], "list") if values else "NULL"
            # `len` is the data's length, or the byte length of `a` (which may hold NUL).
            length = len(data) if data else clen(a)
            ops.append(f"{{{cstr(name)}, {cstr(a)}, {cstr(b)}, {cstr(c)}, {d}, {length}, "
                       f"(long long)({n}), {lst}, {len(values or [])}}}")

        def mailbox(field, value):
            if isinstance(value, str):
                op(field, value)
            else:
                op("mailbox", value.get("name"), value["address"], n=MAILBOX_FIELDS[field])

        for field in ("from", "sender", "envelope_from", "reply_to", "to", "cc", "bcc"):
            value = inp.get(field)
            for one in (value if isinstance(value, list) else [] if value is None else [value]):
                mailbox(field, one)
        for field in ("subject", "text", "html", "message_id", "boundary_seed"):
            if field in inp:
                op(field, inp[field])
        for field in ("in_reply_to", "references"):
            for value in inp.get(field, []):
                op(field, value)
        if "date" in inp:
            op("date", n=inp["date"])
        for part in inp.get("inline", []):
            op("inline", part["content_id"], part["content_type"], part.get("filename"),
               data=base64.b64decode(part["data_base64"]))
        for part in inp.get("attachments", []):
            op("attachment", part["filename"], part["content_type"], data=base64.b64decode(part["data_base64"]))
        for name, value in inp.get("headers", []):
            op("header", name, value)
        for key, value in inp.get("sc_custom", []):
            op("sc_custom", key, value)
        if "x_smtpapi" in inp:
            api = inp["x_smtpapi"]
            for address in api.get("to", []):
                op("x_to", address)
            for var, values in api.get("sub", {}).items():
                op("x_sub", var, values=values)
            for name, value in api.get("section", {}).items():
                op("x_section", name, value)
            filters = api.get("filters", {})
            track = [(-1 if filters.get(k) is None else int(filters[k]))
                     for k in ("open_tracking", "click_tracking", "subscription_tracking")]
            if track != [-1, -1, -1]:
                op("x_tracking", values=[str(t) for t in track])
            op("x_set")
        # testdata/vectors-13 (issue 13): List-Unsubscribe, List-Id, calendar, DKIM.
        for uri in inp.get("list_unsubscribe", []):
            op("list_unsubscribe", uri)
        if "one_click_unsubscribe" in inp:
            op("one_click_unsubscribe", n=int(inp["one_click_unsubscribe"]))
        if "list_id" in inp:
            op("list_id", inp["list_id"])
        if "calendar" in inp:
            cal = inp["calendar"]
            unknown = set(cal) - {"method", "content", "attachment"}
            if unknown:
                sys.exit(f"{path.name}: calendar members this generator does not know: {sorted(unknown)}")
            # The text as data (the C call takes it with its length).
            op("calendar", cal["method"], None, cal.get("attachment"), data=cal["content"].encode("utf-8"))
        for signer in inp.get("dkim", []):
            unknown = set(signer) - DKIM_MEMBERS
            if unknown:
                sys.exit(f"{path.name}: dkim members this generator does not know: {sorted(unknown)}")
            # The key file is read by the runner at run time from testdata/dkim,
            # as the core's runner does; a seed is moved as bytes.
            seed = base64.b64decode(signer["key_seed_base64"]) if "key_seed_base64" in signer else None
            op("dkim_signer", signer["domain"], signer["selector"], signer.get("key_file"), data=seed)
            if "canonicalization" in signer:
                header, _, body = signer["canonicalization"].partition("/")
                op("dkim_canonicalization", header, body or "simple")
            if "time" in signer:
                op("dkim_time", n=signer["time"])
            if "expires_after" in signer:
                op("dkim_expires_after", n=signer["expires_after"])
            op("dkim")
        unknown = set(inp) - INPUT_MEMBERS
        if unknown:
            sys.exit(f"{path.name}: input members this generator does not know: {sorted(unknown)}")
        ops_name = out.array("mw_test_op", ops, "ops")
        if "expected_error" in doc:
            eml, eml_len, err, sender, rl, rn = "NULL", 0, cstr(doc["expected_error"]), "NULL", "NULL", 0
        else:
            data = path.with_suffix(".eml").read_bytes()
            eml, eml_len, err = out.array("unsigned char", [str(x) for x in data], "eml"), len(data), "NULL"
            env = doc["expected_envelope"]
            sender = cstr(env["sender"])
            rl = out.array("char *const", [cstr(r) for r in env["recipients"]], "rcpts")
            rn = len(env["recipients"])
        rows.append(f"{{{cstr(path.stem)}, {ops_name}, {len(ops)}, {err}, {eml}, {eml_len}, {sender}, {rl}, {rn}}}")
        names.append(path.stem)
    return names, rows


def credentials(c):
    """user, secret, label, oauth2 as C initialisers (with lengths: secrets may hold NUL)."""
    oauth2 = "token" in c
    secret = c["token"] if oauth2 else c.get("key", "")
    return (f"{cstr(c.get('user', ''))}, {clen(c.get('user', ''))}, {cstr(secret)}, {clen(secret)}, "
            f"{cstr(c.get('label'))}, {clen(c.get('label'))}, {int(oauth2)}")


def auth_cases(doc):
    rows = []
    for case in doc["cases"]:
        e = case.get("expected", {})
        rows.append("{" + ", ".join([cstr(case["name"]), credentials(case["credentials"]),
                                     cstr(case.get("expected_error"))]
                                    + [cstr(e.get(k)) for k in ("username", "login", "login_username",
                                                                "login_password", "plain", "xoauth2")]) + "}")
    return rows


def reply_cases(doc, out):
    rows = []
    for case in doc["cases"]:
        e = case.get("expected", {})
        lines = e.get("lines", [])
        rows.append("{" + ", ".join([
            cstr(case["name"]), cstr(case["input"]), str(clen(case["input"])), cstr(case.get("expected_error")),
            cint(e.get("code")), cstr(e.get("enhanced")),
            out.array("char *const", [cstr(x) for x in lines], "lines"), str(len(lines)),
            cstr(e.get("class")), cint(e.get("transient")), cstr(e.get("queue_id"))]) + "}")
    return rows


def refused(items, out):
    rows = [f"{{{cstr(r['recipient'])}, {cint(r['code'])}}}" for r in items or []]
    return out.array("mw_test_refused", rows, "refused"), len(rows), int(items is not None)


def session_cases(paths, vector_names, out):
    rows = []
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        steps = []
        for step in doc["steps"]:
            events = []
            for ev in step["events"]:
                acc = ev.get("accepted")
                acc_name = out.array("char *const", [cstr(a) for a in acc or []], "accepted")
                ref_name, ref_n, has_ref = refused(ev.get("refused"), out)
                events.append("{" + ", ".join([
                    cstr(ev["type"]), cint(ev.get("handle")), cstr(ev.get("queue_id")),
                    acc_name, str(len(acc or [])), str(int(acc is not None)),
                    ref_name, str(ref_n), str(has_ref), cint(ev.get("code")), cstr(ev.get("error"))]) + "}")
            kind = next(k for k in ("send", "server", "tls_established", "lost", "quit", "advance_ms")
                        if k in step)
            arg = step[kind] if kind in ("server", "lost") else None
            if kind == "advance_ms":
                arg = str(step[kind])  # parsed back with strtoull
            vector = vector_names.index(step["send"]) if kind == "send" else -1
            steps.append("{" + ", ".join([
                cstr(kind), cstr(arg), str(clen(arg)), str(vector), cint(step.get("handle")),
                cstr(step.get("expected_error")), cstr(step["client"]), str(clen(step["client"])),
                out.array("mw_test_event", events, "events"), str(len(events))]) + "}")
        cfg = doc["config"]
        creds = cfg.get("credentials")
        rows.append("{" + ", ".join([
            cstr(doc["name"]), cstr(cfg["hello_name"]), str(clen(cfg["hello_name"])), cstr(cfg["tls"]),
            str(int(creds is not None)), credentials(creds or {}), str(int(cfg["pipelining"])),
            str(int(cfg.get("allow_plaintext_auth", False))),
            cstr(doc.get("expected_error")), out.array("mw_test_step", steps, "steps"), str(len(steps))]) + "}")
    return rows


# The members of a scenario's "expect" and "counters" this generator knows:
# a new member fails the build instead of being skipped.
EXPECT_MEMBERS = {"outcome", "error", "attempts", "gave_up", "queue_id", "accepted", "refused", "counters"}


def delivery_cases(doc, out):
    """The message (builder calls), and each case with its merged mailer options."""
    spec, ops = doc["message"], []
    for field in ("from", "to", "cc", "bcc", "subject", "text", "html"):
        value = spec.get(field)
        for one in (value if isinstance(value, list) else [] if value is None else [value]):
            ops.append(f"{{{cstr(field)}, {cstr(one)}, NULL, NULL, NULL, {clen(one)}, 0, NULL, 0}}")
    unknown = set(spec) - {"from", "to", "cc", "bcc", "subject", "text", "html"}
    if unknown:
        sys.exit(f"scenarios.json: message members this generator does not know: {sorted(unknown)}")
    message = f"{{\"message\", {out.array('mw_test_op', ops, 'ops')}, {len(ops)}, NULL, NULL, 0, NULL, NULL, 0}}"
    rows = []
    for case in doc["cases"]:
        options = dict(doc.get("mailer", {}))
        options.update(case.get("mailer", {}))
        opts = []
        for key, value in options.items():
            if isinstance(value, str):
                opts.append(f"{{{cstr(key)}, {cstr(value)}, 0}}")
            elif isinstance(value, bool):
                opts.append(f"{{{cstr(key)}, NULL, {int(value)}}}")
            else:
                opts.append(f"{{{cstr(key)}, NULL, {cint(value)}}}")
        e = case["expect"]
        unknown = set(e) - EXPECT_MEMBERS
        if unknown:
            sys.exit(f"scenarios.json: {case['name']}: expect members this generator does not know: {sorted(unknown)}")
        counters = []
        for name, value in e.get("counters", {}).items():
            at_least = name.endswith("_at_least")
            counters.append(f"{{{cstr(name[:-len('_at_least')] if at_least else name)}, {cint(value)}, {int(at_least)}}}")
        def strings(name):
            values = e.get(name)
            return [out.array("char *const", [cstr(v) for v in values or []], name), str(len(values or [])),
                    str(int(values is not None))]
        gave_up = e.get("gave_up")
        rows.append("{" + ", ".join([
            cstr(case["name"]), cstr(case["server"]), cint(case["messages"]),
            out.array("mw_test_option", opts, "options"), str(len(opts)),
            cstr(e.get("outcome")), str(int("error" in e)), cstr(e.get("error")),
            cint(e.get("attempts")), str(-1 if gave_up is None else int(gave_up)),
            str(int("queue_id" in e)), cstr(e.get("queue_id"))]
            + strings("accepted") + strings("refused")
            + [out.array("mw_test_counter", counters, "counters"), str(len(counters))]) + "}")
    return message, rows


DELIVERY_TYPES = """\
typedef struct { const char *key; const char *text; long long number; } mw_test_option;
typedef struct { const char *name; long long value; int at_least; } mw_test_counter;
typedef struct { const char *name; const char *server; long long messages; const mw_test_option *options;
  size_t option_count; const char *outcome; int has_error; const char *error; long long attempts; int gave_up;
  int has_queue_id; const char *queue_id; const char *const *accepted; size_t accepted_count; int has_accepted;
  const char *const *refused; size_t refused_count; int has_refused; const mw_test_counter *counters;
  size_t counter_count; } mw_delivery_case;
"""


TYPES = """\
typedef struct { const char *op, *a, *b, *c; const unsigned char *data; size_t len; long long n;
  const char *const *list; size_t list_len; } mw_test_op;
typedef struct { const char *name; const mw_test_op *ops; size_t op_count; const char *expected_error;
  const unsigned char *eml; size_t eml_len; const char *sender; const char *const *recipients;
  size_t recipient_count; } mw_test_vector;
typedef struct { const char *name; const char *user; size_t user_len; const char *secret; size_t secret_len;
  const char *label; size_t label_len; int oauth2; const char *expected_error; const char *username, *login,
  *login_username, *login_password, *plain, *xoauth2; } mw_auth_case;
typedef struct { const char *name; const char *input; size_t input_len; const char *expected_error;
  long long code; const char *enhanced; const char *const *lines; size_t line_count; const char *class_name;
  long long transient; const char *queue_id; } mw_reply_case;
typedef struct { const char *recipient; long long code; } mw_test_refused;
typedef struct { const char *type; long long handle; const char *queue_id; const char *const *accepted;
  size_t accepted_count; int has_accepted; const mw_test_refused *refused; size_t refused_count;
  int has_refused; long long code; const char *error; } mw_test_event;
typedef struct { const char *kind; const char *arg; size_t arg_len; long vector; long long handle;
  const char *expected_error; const char *client; size_t client_len; const mw_test_event *events;
  size_t event_count; } mw_test_step;
typedef struct { const char *name; const char *hello_name; size_t hello_name_len; const char *tls;
  int has_credentials; const char *user; size_t user_len; const char *secret; size_t secret_len;
  const char *label; size_t label_len; int oauth2; int pipelining; int allow_plaintext_auth;
  const char *expected_error; const mw_test_step *steps; size_t step_count; } mw_session_case;
"""


def write(path, out, types, tables, include=None):
    text = ["/* Generated by gen_vectors.py from testdata/: do not edit. */", "#include <stddef.h>"]
    if include:
        text.append(f'#include "{include}"')
    text += [types] + out.decls
    for ctype, name, rows in tables:
        text.append(f"static const {ctype} {name}[] = {{\n  " + ",\n  ".join(rows or ["{0}"]) + "\n};")
        text.append(f"static const size_t {name}_COUNT = {len(rows)};")
    path.write_text("\n".join(text) + "\n")


def main():
    testdata, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    golden_out, smtp_out = Out(), Out()
    vector_names, vectors = golden(testdata / "vectors", golden_out)
    smtp = testdata / "smtp"
    auth = json.loads((smtp / "auth.json").read_text(encoding="utf-8"))
    replies = json.loads((smtp / "replies.json").read_text(encoding="utf-8"))
    sessions = sorted((smtp / "sessions").glob("*.json"))
    types_golden, types_smtp = TYPES.split("typedef struct { const char *name; const char *user;", 1)
    _, vectors_13 = golden(testdata / "vectors-13", golden_out)
    write(out_dir / "golden_vectors.h", golden_out, types_golden, [("mw_test_vector", "MW_VECTORS", vectors),
                                                                  ("mw_test_vector", "MW_VECTORS_13", vectors_13)])
    write(out_dir / "smtp_vectors.h", smtp_out, "typedef struct { const char *name; const char *user;" + types_smtp,
          [("mw_auth_case", "MW_AUTH_CASES", auth_cases(auth)),
           ("mw_reply_case", "MW_REPLY_CASES", reply_cases(replies, smtp_out)),
           ("mw_session_case", "MW_SESSION_CASES", session_cases(sessions, vector_names, smtp_out))],
          include="golden_vectors.h")
    delivery_out = Out()
    scenarios = json.loads((testdata / "delivery" / "scenarios.json").read_text(encoding="utf-8"))
    message, cases = delivery_cases(scenarios, delivery_out)
    delivery_out.decls.append(f"static const mw_test_vector MW_DELIVERY_MESSAGE = {message};")
    write(out_dir / "delivery_vectors.h", delivery_out, DELIVERY_TYPES,
          [("mw_delivery_case", "MW_DELIVERY_CASES", cases)], include="golden_vectors.h")


if __name__ == "__main__":
    main()
