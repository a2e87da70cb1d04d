"""SMTP from Python: the sans-IO session, replies, and sending to a real Haraka."""
import email
import email.policy
import hashlib
import json
import pathlib
import ssl

import pytest

import mailwright
from conftest import REPO

PNG = (REPO / "examples" / "assets" / "test.png").read_bytes()


def message(n=0):
    return mailwright.Message(
        from_addr="Support <support@ifaxin.com>", to=["ben@ifaxin.com"], bcc=["audit@ifaxin.com"],
        subject=f"测试内嵌图片 {n}", html='<p><img src="cid:image1"></p>', text=".dot line",
        inline=[mailwright.Inline("image1", "image/png", PNG)])


def test_payloads_and_replies():
    creds = mailwright.Credentials("api_user", "api_key", label="12345")
    assert creds.username == "api_user#12345"
    assert mailwright.auth_login(creds) == b"AUTH LOGIN YXBpX3VzZXIjMTIzNDU=\r\n"
    assert mailwright.login_answer("UGFzc3dvcmQ6", creds) == b"YXBpX2tleQ==\r\n"
    assert mailwright.auth_plain(creds) == b"AUTH PLAIN AGFwaV91c2VyIzEyMzQ1AGFwaV9rZXk=\r\n"
    r = mailwright.Reply.parse(b"250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n")
    assert r.queue_id == "1426390015358_15_6484_8661.sc-10_10_127_51-inbound"
    r = mailwright.Reply.parse(b"535 5.7.8 Authentication failed\r\n")
    # The class name is the core's ReplyClass::as_str (was "permanent" before the rule moved there).
    assert (r.code, r.enhanced_code, r.classification, r.transient) == (535, "5.7.8", "Permanent", False)
    assert mailwright.Reply.parse(b"536 Frequency limited\r\n").transient


def test_sans_io_session():
    s = mailwright.Session(hello_name="ifaxin.com", tls="none", transcript=True)
    s.receive(b"220 hi\r\n")
    assert s.take_output() == b"EHLO ifaxin.com\r\n"
    s.receive(b"250-mx\r\n250 PIPELINING\r\n")
    assert s.poll_event().kind == "Ready"
    handle = s.send(message())
    out = s.take_output()
    assert out.startswith(b"MAIL FROM:<support@ifaxin.com>") and out.endswith(b"DATA\r\n")
    s.receive(b"536 Frequency limited\r\n503 no\r\n503 no\r\n503 no\r\n")
    event = s.poll_event()
    assert event.kind == "Failed" and event.handle == handle
    assert isinstance(event.error, mailwright.RateLimitedError)
    assert event.error.transient and event.error.category == "server"
    assert event.error.code == 536 and event.error.text == "Frequency limited"
    assert s.take_output() == b"RSET\r\n"
    assert ("client", "EHLO ifaxin.com") in s.take_transcript()


def test_session_defaults_come_from_the_core():
    s = mailwright.Session()
    s.receive(b"220 hi\r\n")
    assert s.take_output() == b"EHLO localhost\r\n"
    s.receive(b"250 mx\r\n")  # no STARTTLS offered, and the default mode requires it
    event = s.poll_event()
    assert event.kind == "Error" and isinstance(event.error, mailwright.TlsUnavailableError)


@pytest.mark.parametrize("cause,cls", [("closed", mailwright.ConnectionClosedError),
                                       ("timeout", mailwright.MailwrightTimeoutError),
                                       ("tls", mailwright.TlsError), ("connect", mailwright.ConnectError)])
def test_connection_lost_takes_the_cause(cause, cls):
    s = mailwright.Session(tls="none")
    s.receive(b"220 hi\r\n")
    s.take_output()
    s.connection_lost(cause, "peer went away")
    event = s.poll_event()
    assert event.kind == "Error" and type(event.error) is cls
    assert event.error.category == "connection"
    assert event.error.transient == dict((k, t) for k, _, _, t in mailwright.error_kinds())[event.error.kind]


def test_connection_lost_with_an_unknown_cause():
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Session().connection_lost("eof")


def test_send_with_a_label_over_starttls(haraka):
    msg = message()
    creds = mailwright.Credentials("api_user", "api_key", label="12345")
    result = mailwright.send(msg, host="127.0.0.1", port=haraka["port"], credentials=creds, tls="starttls",
                             ca_file=haraka["ca_file"], timeout=20)
    stored_dir = haraka["dir"] / "stored"
    meta = json.loads((stored_dir / f"{result.queue_id}.json").read_text())
    assert meta["label"] == "12345" and meta["tls"] is True
    assert meta["rcpt_to"] == ["ben@ifaxin.com", "audit@ifaxin.com"]
    stored = (stored_dir / f"{result.queue_id}.eml").read_bytes()
    assert stored.endswith(msg.as_bytes()) and stored.index(b"\r\nDate: ") + 2 == len(stored) - len(msg.as_bytes())
    assert email.message_from_bytes(stored, policy=email.policy.default)["subject"] == "测试内嵌图片 0"


def test_client_context_manager_many_messages(haraka):
    creds = mailwright.Credentials("api_user", "api_key", label="7")
    with mailwright.Client("127.0.0.1", haraka["port"], credentials=creds, ca_file=haraka["ca_file"],
                           transcript=True) as client:
        assert client.is_tls
        results = client.send_all([message(i) for i in range(3)])
        assert all(isinstance(r, mailwright.SendResult) for r in results)
        assert len({r.queue_id for r in results}) == 3
        transcript = client.take_transcript()
        assert client.take_transcript() == []  # drained
        client.send(message(3))
        first = client.transcript()[0]
        assert first[0] == "client" and first[1].startswith("MAIL FROM:<support@ifaxin.com>")
    # Directions are the core's names (Direction::as_str; was "C" before the rule moved there).
    assert ("client", "<password, masked>") in transcript
    assert not any("api_key" in text or "YXBpX2tleQ" in text for _, text in transcript)
    with pytest.raises(mailwright.InvalidStateError):
        client.send(message())
    assert not client.is_tls and client.take_transcript() == []


def test_a_client_keeps_no_transcript_unless_asked(haraka):
    # The core's default (issue 15 #13): a transcript costs memory per message, so it is opt-in.
    creds = mailwright.Credentials("api_user", "api_key")
    with mailwright.Client("127.0.0.1", haraka["port"], credentials=creds, ca_file=haraka["ca_file"]) as client:
        client.send(message())
        assert client.take_transcript() == []


def test_a_wrong_key_is_an_authentication_error(haraka):
    creds = mailwright.Credentials("api_user", "wrong", label="12345")
    with pytest.raises(mailwright.AuthenticationError) as info:
        mailwright.send(message(), host="127.0.0.1", port=haraka["port"], credentials=creds,
                        ca_file=haraka["ca_file"], timeout=20)
    assert info.value.code == 535 and info.value.enhanced_code == "5.7.8"
    assert "wrong" not in str(info.value)


def test_connect_and_tls_errors(haraka):
    with pytest.raises(mailwright.ConnectError):
        mailwright.send(message(), host="127.0.0.1", port=1, tls="none", timeout=5)
    with pytest.raises(mailwright.TlsError) as info:
        mailwright.send(message(), host="127.0.0.1", port=haraka["port"], timeout=10)
    assert not info.value.transient and isinstance(info.value, mailwright.NetworkError)


def _leaf_pem(haraka):
    # Haraka's certificate (CA-signed) sits beside the CA it was signed with.
    return (pathlib.Path(haraka["ca_file"]).parent / "tls_cert.pem").read_bytes()


def _fingerprint(pem):
    der = ssl.PEM_cert_to_DER_cert(pem.decode())
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


def test_pinned_certificate_end_to_end(haraka):
    pem = _leaf_pem(haraka)
    creds = mailwright.Credentials("api_user", "api_key")
    # Pinned by PEM (bytes or str) or fingerprint, and no CA given: only the pin is trusted.
    for pin in (dict(pin_certificate=pem), dict(pin_certificate=pem.decode()),
                dict(pin_sha256=_fingerprint(pem)), dict(pin_sha256=["00" * 32, _fingerprint(pem).lower()])):
        result = mailwright.send(message(), host="127.0.0.1", port=haraka["port"], credentials=creds,
                                 timeout=20, **pin)
        assert result.queue_id
    # Implicit TLS (Haraka's SMTPS port), pinned.
    result = mailwright.send(message(), host="127.0.0.1", port=haraka["smtps_port"], tls="implicit",
                             credentials=creds, pin_certificate=pem, timeout=20)
    assert result.queue_id


def test_a_wrong_pin_is_a_tls_error(haraka):
    with pytest.raises(mailwright.TlsError) as info:
        mailwright.send(message(), host="127.0.0.1", port=haraka["port"], pin_sha256="AB" * 32, timeout=20)
    assert "pinned" in str(info.value)
    # The CA's own certificate is not the server's: pinning it fails too.
    ca = pathlib.Path(haraka["ca_file"]).read_bytes()
    if ca != _leaf_pem(haraka):
        with pytest.raises(mailwright.TlsError):
            mailwright.send(message(), host="127.0.0.1", port=haraka["port"], pin_certificate=ca, timeout=20)


class _Refuser:
    """A loopback server that refuses every key with 535 and records each
    connection's commands (and whether it ended with QUIT)."""

    def __init__(self, greeting=b"220 refuser ESMTP\r\n"):
        import socket
        import threading
        self.greeting = greeting
        self.sessions = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import threading
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        commands = []
        self.sessions.append(commands)
        with conn:
            conn.sendall(self.greeting)
            buf = b""
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    verb = line.split(b" ")[0].upper().decode()
                    commands.append(verb)
                    if verb == "EHLO":
                        conn.sendall(b"250-refuser\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif verb == "AUTH":
                        conn.sendall(b"535 5.7.8 authentication failed\r\n")
                    elif verb == "QUIT":
                        conn.sendall(b"221 2.0.0 bye\r\n")
                        return
                    else:
                        conn.sendall(b"503 5.5.1 what?\r\n")

    def close(self):
        self.sock.close()


def _wait_for(predicate, seconds=5.0):
    import time
    end = time.monotonic() + seconds
    while time.monotonic() < end and not predicate():
        time.sleep(0.01)
    return predicate()


def test_a_refused_key_ends_with_quit_on_every_path():
    # Issue 26 #1: dropping the connection after a 535 is what servers log as
    # "lost connection after AUTH" (and fail2ban-style filters ban); every
    # path says QUIT.
    server = _Refuser()
    creds = mailwright.Credentials("api_user", "wrong", label="12345")
    opts = dict(host="127.0.0.1", port=server.port, credentials=creds, tls="none", timeout=5)
    try:
        with pytest.raises(mailwright.AuthenticationError):
            mailwright.send(message(), **opts)
        with pytest.raises(mailwright.AuthenticationError):
            mailwright.Client(**opts)
        with mailwright.Mailer(**opts, connections=2) as mailer:
            outcome = mailer.send(message())
        assert not outcome.delivered and outcome.error.kind == "AuthenticationFailed"

        async def with_asyncio():
            import mailwright.aio
            async with mailwright.aio.Mailer(**opts, connections=2) as mailer:
                return await mailer.send(message())
        import asyncio
        outcome = asyncio.run(with_asyncio())
        assert not outcome.delivered and outcome.error.kind == "AuthenticationFailed"
        assert _wait_for(lambda: len(server.sessions) >= 4 and all(s and s[-1] == "QUIT" for s in server.sessions))
        assert all(s[-1] == "QUIT" for s in server.sessions), server.sessions
    finally:
        server.close()


def test_a_554_greeting_says_quit():
    server = _Refuser(b"554 5.7.1 too many connections\r\n")
    try:
        with pytest.raises(mailwright.SmtpPermanentError):
            mailwright.send(message(), host="127.0.0.1", port=server.port, tls="none", timeout=5)
        assert _wait_for(lambda: server.sessions and server.sessions[0] == ["QUIT"]), server.sessions
    finally:
        server.close()


def test_a_clock_at_its_end_is_no_panic():
    # Issue 26 #5: Dispatcher.advance with the largest clock once panicked.
    d = mailwright._mailwright.Dispatcher("127.0.0.1", 25, tls="none")
    d.submit(d.prepare(message()))
    d.advance(1.8446744073709549e19)
    d.poll_timeout()
    s = mailwright.Session(tls="none")
    s.advance(1.8446744073709549e19)
    s.poll_timeout()
    with pytest.raises(ValueError):
        s.advance(float("inf"))
