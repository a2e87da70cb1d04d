"""The stubs' Literal types name exactly what the core does (no second copy that drifts)."""
import ast
import pathlib

import mailwright

STUB = pathlib.Path(mailwright.__file__).with_name("_mailwright.pyi")


def literals():
    found = {}
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript)
                and getattr(node.value.value, "id", None) == "Literal"):
            elts = node.value.slice.elts if isinstance(node.value.slice, ast.Tuple) else [node.value.slice]
            found[node.targets[0].id] = tuple(e.value for e in elts)
    return found


def test_stub_literals_match_the_core():
    lit = literals()
    assert lit["_TlsMode"] == mailwright.TLS_MODES
    assert lit["_ConnectionLoss"] == mailwright.CONNECTION_LOSS_CAUSES
    assert lit["_ReplyClass"] == mailwright.REPLY_CLASSES
    assert lit["_Direction"] == mailwright.DIRECTIONS
    assert lit["_EventKind"] == mailwright.EVENT_KINDS
    assert lit["_OutcomeKind"] == mailwright.OUTCOME_KINDS
    assert lit["_LedgerState"] == mailwright.LEDGER_STATES
    assert lit["_ErrorCategory"] == mailwright.ERROR_CATEGORIES


def test_event_kinds_in_the_stub_are_the_cores():
    # Every event kind a session can produce, seen from a real session. Like a
    # real transport, the test sends what the session wrote before feeding the
    # reply to it (the core refuses a reply to a command not yet sent).
    seen = set()
    s = mailwright.Session(tls="starttls", hello_name="ifaxin.com")
    msg = mailwright.Message("a@ifaxin.com", to="b@ifaxin.com", text="x")
    s.send(msg)
    s.send(msg)

    def server(data):
        s.take_output()
        s.receive(data)

    for data in [b"220 hi\r\n", b"250-mx\r\n250 STARTTLS\r\n", b"220 go\r\n"]:
        server(data)
    s.tls_established()
    for data in [b"250-mx\r\n250 PIPELINING\r\n", b"250 ok\r\n250 ok\r\n354 go\r\n", b"250 queued\r\n",
                 b"250 ok\r\n550 no\r\n503 no\r\n", b"250 reset\r\n"]:
        server(data)
    s.quit()
    server(b"221 bye\r\n")
    while (e := s.poll_event()) is not None:
        seen.add(e.kind)
    s = mailwright.Session(tls="none")
    s.connection_lost("closed")
    while (e := s.poll_event()) is not None:
        seen.add(e.kind)
    assert seen == set(literals()["_EventKind"])
