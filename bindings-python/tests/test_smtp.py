"""SMTP from Python: the sans-IO session, replies, and sending to a real Haraka."""
import email
import email.policy
import json

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
    assert (r.code, r.enhanced_code, r.classification) == (535, "5.7.8", "permanent")


def test_sans_io_session():
    s = mailwright.Session(hello_name="ifaxin.com", tls="never", transcript=True)
    s.receive(b"220 hi\r\n")
    assert s.take_output() == b"EHLO ifaxin.com\r\n"
    s.receive(b"250-mx\r\n250 PIPELINING\r\n")
    assert s.poll_event().kind == "ready"
    handle = s.send(message())
    out = s.take_output()
    assert out.startswith(b"MAIL FROM:<support@ifaxin.com>") and out.endswith(b"DATA\r\n")
    s.receive(b"536 Frequency limited\r\n503 no\r\n503 no\r\n503 no\r\n")
    event = s.poll_event()
    assert event.kind == "failed" and event.handle == handle
    assert isinstance(event.error, mailwright.RateLimitedError)
    assert event.error.code == 536 and event.error.text == "Frequency limited"
    assert s.take_output() == b"RSET\r\n"


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
    with mailwright.Client("127.0.0.1", haraka["port"], credentials=creds, ca_file=haraka["ca_file"]) as client:
        assert client.is_tls
        results = client.send_all([message(i) for i in range(3)])
        assert all(isinstance(r, mailwright.SendResult) for r in results)
        assert len({r.queue_id for r in results}) == 3
        transcript = client.transcript()
    assert ("C", "<password, masked>") in transcript
    assert not any("api_key" in text or "YXBpX2tleQ" in text for _, text in transcript)
    with pytest.raises(mailwright.InvalidStateError):
        client.send(message())


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
    with pytest.raises(mailwright.TlsError):
        mailwright.send(message(), host="127.0.0.1", port=haraka["port"], timeout=10)
