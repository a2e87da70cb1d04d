"""The shared SMTP vectors in testdata/smtp (AUTH payloads, replies, scripted
sessions) through the public Python API, as core/tests/smtp_vectors.rs runs
them in Rust. Each runner fails if it ran fewer cases than the files hold."""
import json

import pytest

import mailwright
from conftest import REPO, VECTORS
from vectors import build

SMTP = REPO / "testdata" / "smtp"
SESSIONS = sorted((SMTP / "sessions").glob("*.json"))

# What LOGIN's 334 prompts say (base64 of "Username:" and "Password:").
USERNAME_PROMPT, PASSWORD_PROMPT = "VXNlcm5hbWU6", "UGFzc3dvcmQ6"


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def credentials(value):
    label = value.get("label")
    if "token" in value:
        return mailwright.Credentials.oauth2(value["user"], value["token"], label=label)
    return mailwright.Credentials(value["user"], value["key"], label=label)


def text(data):
    return data.decode("utf-8")


def check(failures, name, key, expected, actual):
    if expected != actual:
        failures.append(f"{name}: {key}\n  expected {expected!r}\n  actual   {actual!r}")


def test_auth_payloads():
    cases = load(SMTP / "auth.json")["cases"]
    failures, ran = [], 0
    for case in cases:
        ran += 1
        try:
            c = credentials(case["credentials"])
        except mailwright.MailwrightError as err:
            assert isinstance(err, mailwright.InvalidCredentialsError)
            check(failures, case["name"], "expected_error", case.get("expected_error"), err.kind)
            continue
        check(failures, case["name"], "expected_error", case.get("expected_error"), None)
        if c.is_oauth2:
            actual = {"username": c.username, "xoauth2": text(mailwright.auth_xoauth2(c))}
        else:
            actual = {
                "username": c.username,
                "login": text(mailwright.auth_login(c)),
                "login_username": text(mailwright.login_answer(USERNAME_PROMPT, c, username_sent=False)),
                "login_password": text(mailwright.login_answer(PASSWORD_PROMPT, c)),
                "plain": text(mailwright.auth_plain(c)),
            }
        check(failures, case["name"], "expected", case.get("expected"), actual)
    assert ran == len(cases) > 0, "no AUTH vector ran"
    assert not failures, "\n".join(failures)


def test_replies():
    cases = load(SMTP / "replies.json")["cases"]
    failures, ran = [], 0
    for case in cases:
        ran += 1
        try:
            r = mailwright.Reply.parse(case["input"].encode("utf-8"))
        except mailwright.MailwrightError as err:
            check(failures, case["name"], "expected_error", case.get("expected_error"), err.kind)
            continue
        check(failures, case["name"], "expected_error", case.get("expected_error"), None)
        actual = {"code": r.code, "enhanced": r.enhanced_code, "lines": r.lines, "class": r.classification,
                  "transient": r.transient, "queue_id": r.queue_id}
        check(failures, case["name"], "expected", case.get("expected"), actual)
        assert r.classification in mailwright.REPLY_CLASSES
    assert ran == len(cases) > 0, "no reply vector ran"
    assert not failures, "\n".join(failures)


def refused_json(refused):
    return [{"recipient": rcpt, "code": reply.code} for rcpt, reply in refused]


def event_json(event):
    out = {"type": event.kind}
    if event.kind == "Sent":
        r = event.result
        out.update(handle=event.handle, queue_id=r.queue_id, accepted=r.accepted,
                   refused=refused_json(r.refused), code=r.reply.code)
        assert refused_json(event.refused) == out["refused"]
    elif event.kind == "Failed":
        out.update(handle=event.handle, error=event.error.kind,
                   code=event.error.reply.code if event.error.reply is not None else None,
                   refused=refused_json(event.refused))
    elif event.kind == "Error":
        out.update(error=event.error.kind,
                   code=event.error.reply.code if event.error.reply is not None else None)
    if event.error is not None:
        # The exception is the class of its kind, with the core's category and transient.
        kinds = {k: (cat, t) for k, _, cat, t in mailwright.error_kinds()}
        assert type(event.error) is mailwright.errors._BY_KIND[event.error.kind]
        assert (event.error.category, event.error.transient) == kinds[event.error.kind]
    return out


def message(name):
    return build(load(VECTORS / f"{name}.json")["input"])


def run_session(case, failures):
    name = case["name"]
    config = case["config"]
    try:
        session = mailwright.Session(
            hello_name=config["hello_name"], tls=config["tls"], pipelining=config["pipelining"],
            credentials=credentials(config["credentials"]) if "credentials" in config else None,
            allow_plaintext_auth=config.get("allow_plaintext_auth", False), transcript=False)
    except mailwright.MailwrightError as err:
        check(failures, name, "expected_error", case.get("expected_error"), err.kind)
        return 0
    check(failures, name, "expected_error", case.get("expected_error"), None)
    steps = 0
    for i, step in enumerate(case["steps"], 1):
        where = f"{name} step {i}"
        handle = error = None
        if "send" in step:
            try:
                handle = session.send(message(step["send"]))
            except mailwright.MailwrightError as err:
                error = err.kind
        elif "server" in step:
            session.receive(step["server"].encode("utf-8"))
        elif "tls_established" in step:
            session.tls_established()
        elif "lost" in step:
            session.connection_lost(step["lost"])
        elif "quit" in step:
            session.quit()
        elif "advance_ms" in step:
            session.advance(step["advance_ms"] / 1000)
        else:
            pytest.fail(f"{where}: unknown step {step!r}")
        client = text(session.take_output())
        events = []
        while (event := session.poll_event()) is not None:
            events.append(event_json(event))
        check(failures, where, "handle", step.get("handle"), handle)
        check(failures, where, "expected_error", step.get("expected_error"), error)
        check(failures, where, "client", step.get("client"), client)
        check(failures, where, "events", step.get("events"), events)
        steps += 1
    return steps


def test_scripted_sessions():
    assert SESSIONS, "no session vector"
    failures, ran, steps, total_steps = [], 0, 0, 0
    for path in SESSIONS:
        case = load(path)
        total_steps += len(case["steps"])
        steps += run_session(case, failures)
        ran += 1
    assert ran == len(list((SMTP / "sessions").glob("*.json")))
    assert steps == total_steps, f"ran {steps} of {total_steps} steps"
    assert not failures, "\n".join(failures)
