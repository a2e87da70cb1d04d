"""Issue 13 from Python: List-Unsubscribe (RFC 8058 one-click), List-Id, calendar
invitations and DKIM signing (keys, reusable signers, typed errors, keys kept secret).
The bytes themselves are the golden vectors' (tests/test_golden.py, testdata/vectors-13)."""
import base64
import datetime
import email
import email.policy
import json
import os
import pickle
import re
import subprocess
import sys

import pytest

import mailwright
from mailwright import errors
from conftest import REPO

KEYS = REPO / "testdata" / "dkim"
RSA_PEM = (KEYS / "rsa2048.pem").read_text(encoding="ascii")
RSA_PKCS8 = (KEYS / "rsa2048.pkcs8.pem").read_bytes()
ED_PEM = (KEYS / "ed25519.pem").read_text(encoding="ascii")
ED_SEED = base64.b64decode((KEYS / "ed25519.seed.b64").read_text(encoding="ascii"))
T = 1426390020
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//test//EN\r\nMETHOD:REQUEST\r\n"
       "BEGIN:VEVENT\r\nUID:1@ifaxin.com\r\nDTSTAMP:20150315T032655Z\r\nDTSTART:20150320T020000Z\r\n"
       "SUMMARY:季度评审\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
FIXED = dict(message_id="t.13@ifaxin.com", date=1426390015, boundary_seed="t13")


def message(**changes):
    kwargs = dict(from_addr="News <news@ifaxin.com>", to=["ben@ifaxin.com"], subject="Spring news",
                  text="Spring news", **FIXED)
    kwargs.update(changes)
    return mailwright.Message(**kwargs)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def head(raw):
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii")


# ---------------------------------------------------------------- List-Unsubscribe

def test_one_click_unsubscribe_and_list_id():
    msg = message(list_unsubscribe=["https://u.ifaxin.com/unsub?id=8f2c", "mailto:unsub@ifaxin.com"],
                  one_click_unsubscribe=True, list_id="Spring news <spring.news.ifaxin.com>")
    p = parse(msg.as_bytes())
    assert " ".join(str(p["List-Unsubscribe"]).split()) == \
        "<https://u.ifaxin.com/unsub?id=8f2c>, <mailto:unsub@ifaxin.com>"
    assert p["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert p["List-Id"] == "Spring news <spring.news.ifaxin.com>"
    assert not msg.is_signed


def test_one_str_is_one_uri_and_no_post_header_without_one_click():
    one = message(list_unsubscribe="mailto:unsub@ifaxin.com")
    assert one.as_bytes() == message(list_unsubscribe=["mailto:unsub@ifaxin.com"]).as_bytes()
    assert "List-Unsubscribe: <mailto:unsub@ifaxin.com>\r\n" in head(one.as_bytes())
    assert "List-Unsubscribe-Post" not in head(one.as_bytes())
    assert "List-Unsubscribe-Post" not in head(
        message(list_unsubscribe="https://u.ifaxin.com/u", one_click_unsubscribe=False).as_bytes())


# ---------------------------------------------------------------- calendar

def test_calendar_is_the_last_alternative_and_an_ics_attachment():
    cal = mailwright.Calendar("request", ICS, attachment="invite.ics")
    assert (cal.method, cal.attachment) == ("request", "invite.ics")
    assert "VCALENDAR" not in repr(cal) and "invite.ics" in repr(cal)
    msg = message(html="<p>You are invited</p>", calendar=cal)
    assert msg.structure == \
        "multipart/mixed[multipart/alternative[text/plain, text/html, text/calendar], application/ics]"
    p = parse(msg.as_bytes())
    part = next(x for x in p.walk() if x.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
    assert part.get_content().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")
    ics = next(x for x in p.walk() if x.get_content_disposition() == "attachment")
    assert ics.get_filename() == "invite.ics" and ics.get_content_type() == "application/ics"
    assert ics.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == ICS.replace("\r\n", "\n")
    no_file = message(calendar=mailwright.Calendar("REQUEST", ICS))
    assert no_file.structure == "multipart/alternative[text/plain, text/calendar]"


# ---------------------------------------------------------------- typed errors

CAL_OK = mailwright.Calendar("REQUEST", ICS)


@pytest.mark.parametrize("changes,cls,kind", [
    (dict(list_unsubscribe="http://u.ifaxin.com/u"), errors.InvalidUnsubscribeUriError, "InvalidUnsubscribeUri"),
    (dict(list_unsubscribe=["https://u.ifaxin.com/a b"]), errors.InvalidUnsubscribeUriError,
     "InvalidUnsubscribeUri"),
    (dict(list_unsubscribe="https://u.ifaxin.com/u\r\nBcc: x@y.com"), errors.HeaderInjectionError,
     "HeaderInjection"),
    (dict(list_unsubscribe="mailto:u@ifaxin.com", one_click_unsubscribe=True), errors.OneClickRequiresHttpsError,
     "OneClickRequiresHttps"),
    (dict(one_click_unsubscribe=True), errors.OneClickRequiresHttpsError, "OneClickRequiresHttps"),
    (dict(list_id="no namespace"), errors.InvalidListIdError, "InvalidListId"),
    (dict(list_id="a.b\r\nBcc: x@y.com"), errors.HeaderInjectionError, "HeaderInjection"),
    (dict(calendar=mailwright.Calendar("REQUEST", "not a calendar")), errors.InvalidCalendarError,
     "InvalidCalendar"),
    (dict(calendar=mailwright.Calendar("RE QUEST", ICS)), errors.InvalidCalendarError, "InvalidCalendar"),
    (dict(calendar=mailwright.Calendar("CANCEL", ICS)), errors.CalendarMethodMismatchError,
     "CalendarMethodMismatch"),
    (dict(calendar=mailwright.Calendar("REQUEST", ICS, attachment="a\r\nb.ics")), errors.HeaderInjectionError,
     "HeaderInjection"),
])
def test_message_input_errors_are_typed(changes, cls, kind):
    with pytest.raises(cls) as info:
        message(**changes)
    err = info.value
    assert type(err) is cls and err.kind == kind
    assert isinstance(err, ValueError) and err.category == "input" and not err.transient
    assert err.error_code == dict((k, c) for k, c, _, _ in mailwright.error_kinds())[kind]


def test_the_new_codes_are_the_cores():
    codes = {k: c for k, c, _, _ in mailwright.error_kinds()}
    assert [codes[k] for k in ("InvalidUnsubscribeUri", "OneClickRequiresHttps", "InvalidListId",
                               "InvalidDkimKey", "InvalidDkimOption", "InvalidCalendar",
                               "CalendarMethodMismatch")] == list(range(118, 125))
    # A method mismatch is also caught as a bad calendar.
    assert issubclass(errors.CalendarMethodMismatchError, errors.InvalidCalendarError)


@pytest.mark.parametrize("make", [
    lambda: mailwright.DkimKey.from_pem("not a key"),
    lambda: mailwright.DkimKey.from_pem(b"\xff\xfe not utf-8"),
    lambda: mailwright.DkimKey.from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
    lambda: mailwright.DkimKey.from_pem(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
    lambda: mailwright.DkimKey.from_pem(RSA_PEM.replace("\n", "\n ", 5)[:-200]),
    lambda: mailwright.DkimKey.ed25519_seed(ED_SEED[:31]),
    lambda: mailwright.DkimKey.ed25519_seed(b""),
], ids=["text", "not-utf8", "pkcs8-garbage", "encrypted", "truncated-rsa", "seed-31", "seed-empty"])
def test_bad_keys_are_invalid_dkim_key_errors(make):
    with pytest.raises(errors.InvalidDkimKeyError) as info:
        make()
    assert info.value.kind == "InvalidDkimKey" and isinstance(info.value, ValueError)


KEY = mailwright.DkimKey.ed25519_seed(ED_SEED)


@pytest.mark.parametrize("signer", [
    lambda: mailwright.DkimSigner("ifaxin.com", "bad selector", KEY),
    lambda: mailwright.DkimSigner("not a domain", "ed25519", KEY),
    lambda: mailwright.DkimSigner("ifaxin.com\r\nBcc: x@y.com", "ed25519", KEY),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=-1),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=10 ** 30),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=T, expires_after=0),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=T, expires_after=-5),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=T, expires_after=10 ** 30),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, canonicalization="relaxed/"),
    lambda: mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, canonicalization="relaxed/loose"),
], ids=["selector", "domain", "domain-crlf", "time-negative", "time-huge", "expiry-0", "expiry-negative",
        "expiry-huge", "canon-empty-body", "canon-unknown"])
def test_bad_signer_options_are_invalid_dkim_option_errors(signer):
    # Options are checked by the core when a message is built (the canonicalization names at once).
    with pytest.raises(errors.InvalidDkimOptionError) as info:
        message(dkim=signer())
    assert info.value.kind == "InvalidDkimOption" and isinstance(info.value, ValueError)


def test_one_canonicalization_name_is_the_header_s_with_a_simple_body():
    # RFC 6376, 3.5: c=relaxed means relaxed/simple (the core's rule).
    signed = message(dkim=mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, canonicalization="relaxed")).as_bytes()
    assert b"c=relaxed/simple;" in signed


@pytest.mark.parametrize("call", [
    lambda: mailwright.DkimKey.from_pem(42),
    lambda: mailwright.DkimKey.ed25519_seed(ED_SEED.hex()),
    lambda: mailwright.DkimSigner("ifaxin.com", "s", "key"),
    lambda: mailwright.DkimSigner("ifaxin.com", "s", KEY, time=1.5),
    lambda: mailwright.DkimSigner("ifaxin.com", "s", KEY, expires_after="1d"),
    lambda: message(dkim=KEY),
    lambda: message(dkim=["signer"]),
    lambda: message(calendar=ICS),
    lambda: message(list_unsubscribe=[b"https://u.ifaxin.com/u"]),
    lambda: mailwright.Calendar("REQUEST", ICS.encode()),
])
def test_wrong_types_are_type_errors(call):
    with pytest.raises(TypeError):
        call()


# ---------------------------------------------------------------- keys are secrets

SECRETS = [(RSA_PEM, lambda: mailwright.DkimKey.from_pem(RSA_PEM)),
           (ED_PEM, lambda: mailwright.DkimKey.from_pem(ED_PEM)),
           (ED_PEM, lambda: mailwright.DkimKey.ed25519_seed(ED_SEED))]


def secret_pieces(pem):
    """Every base64 line of the PEM, and the seed in the forms Python would show it."""
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return lines + [ED_SEED.hex(), repr(ED_SEED)[2:-1], base64.b64encode(ED_SEED).decode()]


@pytest.mark.parametrize("pem,make", SECRETS, ids=["rsa-pem", "ed25519-pem", "ed25519-seed"])
def test_a_key_is_never_shown(pem, make):
    key = make()
    signer = mailwright.DkimSigner("ifaxin.com", "sel", key, time=T)
    msg = message(dkim=signer)
    shown = [repr(key), str(key), repr(signer), str(signer), repr(msg), str(dir(key))]
    # A bad key's error shows nothing of it either (a PEM with one line broken).
    broken = pem.replace(pem.splitlines()[1], "!" * 8)
    try:
        mailwright.DkimKey.from_pem(broken)
    except errors.InvalidDkimKeyError as err:
        shown += [str(err), repr(err)]
    else:
        pytest.fail("a broken PEM was accepted")
    for piece in secret_pieces(pem):
        for text in shown:
            assert piece not in text, (piece[:12], text[:60])
    assert repr(key) == f"<DkimKey {key.algorithm}>"
    assert repr(signer) == f'<DkimSigner d="ifaxin.com" s="sel" {key.algorithm}>'
    # Not picklable or copyable, and no attribute holds it.
    for dump in (pickle.dumps, __import__("copy").copy):
        with pytest.raises(TypeError):
            dump(key)
    with pytest.raises(TypeError):
        pickle.dumps(signer)
    assert not hasattr(key, "__dict__")


# ---------------------------------------------------------------- signing

def test_keys_from_pem_str_bytes_and_seed():
    rsa1, rsa8 = mailwright.DkimKey.from_pem(RSA_PEM), mailwright.DkimKey.from_pem(RSA_PKCS8)
    assert rsa1.algorithm == rsa8.algorithm == "rsa-sha256"
    assert rsa1.dns_record() == rsa8.dns_record() == (KEYS / "rsa2048.dns.txt").read_text().strip()
    ed_pem = mailwright.DkimKey.from_pem(bytearray(ED_PEM, "ascii"))
    ed_seed = mailwright.DkimKey.ed25519_seed(bytearray(ED_SEED))
    assert ed_pem.algorithm == ed_seed.algorithm == "ed25519-sha256"
    assert ed_pem.dns_record() == ed_seed.dns_record() == (KEYS / "ed25519.dns.txt").read_text().strip()
    # Ed25519 signatures are deterministic: the same key read two ways signs alike.
    one = message(dkim=mailwright.DkimSigner("ifaxin.com", "ed25519", ed_pem, time=T))
    two = message(dkim=mailwright.DkimSigner("ifaxin.com", "ed25519", ed_seed, time=T))
    assert one.as_bytes() == two.as_bytes() and one.is_signed


def test_one_signer_reused_across_messages():
    key = mailwright.DkimKey.from_pem(RSA_PEM)
    signer = mailwright.DkimSigner("ifaxin.com", "rsa2048", key, time=T, expires_after=86400)
    assert (signer.domain, signer.selector, signer.algorithm) == ("ifaxin.com", "rsa2048", "rsa-sha256")
    first = message(dkim=signer, list_unsubscribe="https://u.ifaxin.com/u", one_click_unsubscribe=True)
    second = message(dkim=signer, subject="Summer news", text="Summer news")
    again = message(dkim=signer, list_unsubscribe="https://u.ifaxin.com/u", one_click_unsubscribe=True)
    del key, signer  # the messages hold what they need
    assert first.is_signed and second.is_signed
    assert first.as_bytes() == again.as_bytes()  # deterministic: fixed time, same message
    sig = [re.search(rb"^DKIM-Signature:.*?(?=\r\n\S)", m.as_bytes(), re.S).group(0) for m in (first, second)]
    for s in sig:
        assert b"d=ifaxin.com; s=rsa2048;" in s and b"t=1426390020;" in s and b"x=1426476420;" in s
    assert sig[0] != sig[1]
    h = re.sub(rb"\s", b"", re.search(rb"h=([^;]*);", sig[0]).group(1)).split(b":")
    assert {b"List-Unsubscribe", b"List-Unsubscribe-Post", b"From", b"Subject"} <= set(h)
    assert first.as_bytes().startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert len(first) == len(first.as_bytes()) == first.size


def test_two_signers_in_order_and_x_smtpapi_last_and_unsigned():
    rsa = mailwright.DkimSigner("ifaxin.com", "rsa2048", mailwright.DkimKey.from_pem(RSA_PEM), time=T,
                                canonicalization="simple/simple")
    ed = mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=datetime.datetime.fromtimestamp(
        T, datetime.timezone.utc))
    msg = message(dkim=[rsa, ed], x_smtpapi=mailwright.XSmtpApi(to=["ben@ifaxin.com"], open_tracking=False))
    hdr = head(msg.as_bytes())
    names = [line.split(":", 1)[0] for line in hdr.split("\r\n") if line and not line[0].isspace()]
    assert names[:2] == ["DKIM-Signature", "DKIM-Signature"] and names[-1] == "X-SMTPAPI"
    assert "a=rsa-sha256; c=simple/simple;" in hdr and "a=ed25519-sha256; c=relaxed/relaxed;" in hdr
    assert "t=1426390020;" in hdr.split("a=ed25519-sha256")[1]
    assert "X-SMTPAPI" not in re.sub(r"\s", "", hdr.split("b=")[0])
    assert not message().is_signed


def dkim_python():
    """The core's pinned dkimpy venv, if `make -C core check-dkim` made it (DKIM_VENV,
    as in core/Makefile; else <target dir>/dkim-venv)."""
    target = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target")
    venv = os.environ.get("DKIM_VENV") or os.path.join(target, "dkim-venv")
    python = os.path.join(venv, "bin", "python")
    return python if os.access(python, os.X_OK) else None


VERIFY = """
import json, sys
sys.path.insert(0, sys.argv[1])
import verify_dkim as v
v.NOW[0] = int(sys.argv[2])
raw = sys.stdin.buffer.read()
print(json.dumps([v.verify_all(raw), v.verify_all(v.change_body(raw)),
                  v.verify_all(v.change_header(raw, "List-Unsubscribe"))]))
"""


@pytest.mark.skipif(dkim_python() is None, reason="no dkimpy venv: run make -C core check-dkim")
def test_dkimpy_verifies_a_message_signed_from_python():
    signers = [mailwright.DkimSigner("ifaxin.com", "rsa2048", mailwright.DkimKey.from_pem(RSA_PKCS8), time=T),
               mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=T)]
    msg = message(html="<p>Spring news 春季</p>", list_unsubscribe="https://u.ifaxin.com/u?id=1",
                  one_click_unsubscribe=True, calendar=mailwright.Calendar("REQUEST", ICS, attachment="a.ics"),
                  dkim=signers)
    out = subprocess.run([dkim_python(), "-c", VERIFY, str(REPO / "testdata" / "tools"), str(T + 60)],
                         input=msg.as_bytes(), capture_output=True, check=True)
    ok, body_changed, header_changed = json.loads(out.stdout)
    assert ok == [True, True]
    assert body_changed == [False, False] and header_changed == [False, False]


def test_stub_literals_name_what_the_binding_takes():
    from test_stubs import literals
    lit = literals()
    assert set(lit["_DkimAlgorithm"]) == {mailwright.DkimKey.from_pem(RSA_PEM).algorithm, KEY.algorithm}
    for c in lit["_Canonicalization"]:
        msg = message(dkim=mailwright.DkimSigner("ifaxin.com", "ed25519", KEY, time=T, canonicalization=c))
        assert f"c={c};" in head(msg.as_bytes())
