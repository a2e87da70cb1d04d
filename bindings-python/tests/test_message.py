"""Messages parsed back with Python's own email package, and the Python conveniences."""
import base64
import datetime
import email
import email.policy
import io
import json

import pytest

import mailwright
from conftest import REPO, VECTORS
from vectors import build

PNG = (REPO / "examples" / "assets" / "test.png").read_bytes()


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def sendcloud(**extra):
    return mailwright.Message(
        from_addr=("客服", "support@ifaxin.com"), to=["Ben <ben@ifaxin.com>"], bcc="audit@ifaxin.com",
        subject="测试内嵌图片", text="plain text", html='<p>hi <img src="cid:image1"></p>',
        inline=[mailwright.Inline("image1", "image/png", PNG, "logo.png")],
        attachments=[mailwright.Attachment("报告.pdf", "application/pdf", b"%PDF-1.4 data")],
        **extra)


def test_structure_bodies_inline_and_attachments_parse_back():
    msg = sendcloud()
    p = parse(msg.as_bytes())
    assert p["subject"] == "测试内嵌图片"
    assert p["from"].addresses[0].display_name == "客服"
    assert p["to"].addresses[0].addr_spec == "ben@ifaxin.com"
    assert p["bcc"] is None and b"audit" not in msg.as_bytes()
    assert [x.get_content_type() for x in p.walk()] == [
        "multipart/mixed", "multipart/related", "multipart/alternative", "text/plain", "text/html",
        "image/png", "application/pdf"]
    related = p.get_payload()[0]
    assert related.get_param("type") == "multipart/alternative"
    parts = list(p.walk())
    assert parts[3].get_content().rstrip("\r\n") == "plain text"
    assert 'cid:image1' in parts[4].get_content()
    assert parts[5]["Content-ID"] == "<image1>"
    assert parts[5].get_content_disposition() == "inline"
    assert parts[5].get_payload(decode=True) == PNG
    assert parts[6].get_filename() == "报告.pdf"
    assert parts[6].get_payload(decode=True) == b"%PDF-1.4 data"
    assert msg.envelope.recipients == ["ben@ifaxin.com", "audit@ifaxin.com"]


@pytest.mark.parametrize("path", sorted(VECTORS.glob("*.json")), ids=lambda p: p.stem)
def test_every_vector_parses_back(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "expected_error" in doc:
        return
    inp = doc["input"]
    p = parse(build(inp).as_bytes())
    if "subject" in inp:
        assert " ".join(str(p["subject"]).split()) == " ".join(inp["subject"].split())
    attachments = [part for part in p.walk() if part.get_content_disposition() == "attachment"]
    assert [a.get_filename() for a in attachments] == [a["filename"].strip() for a in inp.get("attachments", [])]
    for part, spec in zip(attachments, inp.get("attachments", [])):
        data = base64.b64decode(spec["data_base64"])
        got = part.get_payload(decode=True)
        if spec["content_type"].startswith("text/"):
            assert got.replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n")
        else:
            assert got == data
    cids = [part["Content-ID"] for part in p.walk() if part.get_content_disposition() == "inline"]
    assert cids == ["<%s>" % i["content_id"].strip("<>") for i in inp.get("inline", [])]


def test_bytes_like_inputs_and_tuples():
    data = bytes(range(256)) * 10
    for value in (data, bytearray(data), memoryview(data)):
        msg = mailwright.Message(from_addr="a@ifaxin.com", to="b@ifaxin.com",
                                 attachments=[("x.bin", "application/octet-stream", value)],
                                 inline=[("c1", "image/png", value)])
        parts = [x for x in parse(msg.as_bytes()).walk() if not x.is_multipart()]
        assert parts[-1].get_payload(decode=True) == data
        assert parts[-2].get_payload(decode=True) == data


def test_a_bytearray_changed_later_does_not_change_the_message():
    buf = bytearray(b"original")
    msg = mailwright.Message(from_addr="a@ifaxin.com", to="b@ifaxin.com", attachments=[("x", "text/plain", buf)])
    before = msg.as_bytes()
    buf[:] = b"changed!"
    assert msg.as_bytes() == before


def test_smtplib_style_envelope_and_stdlib_interop():
    msg = sendcloud()
    # What smtplib.sendmail takes:
    assert msg.envelope.sender == "support@ifaxin.com"
    assert isinstance(msg.as_bytes(), bytes)
    assert parse(msg.as_bytes()).is_multipart()


def test_deterministic_options_and_datetime():
    when = datetime.datetime(2015, 3, 15, 3, 26, 55, tzinfo=datetime.timezone.utc)
    a = sendcloud(message_id="x@ifaxin.com", date=when, boundary_seed="s")
    b = sendcloud(message_id="<x@ifaxin.com>", date=1426390015, boundary_seed="s")
    assert a.as_bytes() == b.as_bytes()
    assert a.date == 1426390015
    assert sendcloud().as_bytes() != sendcloud().as_bytes()


def test_write_to_a_file_and_x_smtpapi_last():
    api = mailwright.XSmtpApi(to=["ben@ifaxin.com"], sub={"%name%": ["Ben"]}, click_tracking=True)
    msg = sendcloud(x_smtpapi=api, headers={"X-Campaign": "spring"}, sc_custom={"k": "v"})
    out = io.BytesIO()
    msg.write_to(out)
    assert out.getvalue() == msg.as_bytes()
    head = out.getvalue().split(b"\r\n\r\n", 1)[0].decode()
    last = [line for line in head.split("\r\n") if not line.startswith(" ")][-1]
    assert last.startswith("X-SMTPAPI: ")
    assert "SC-Custom-k: v" in head and "X-Campaign: spring" in head
    value = "".join(l.strip() for l in head.split("X-SMTPAPI: ", 1)[1].split("\r\n"))
    assert json.loads(base64.b64decode(value)) == json.loads(api.to_json())


def test_check_size_and_repr():
    msg = sendcloud()
    msg.check_size(16_000_000)
    with pytest.raises(mailwright.MessageTooLargeError):
        msg.check_size(100)
    assert "multipart/mixed" in repr(msg)
