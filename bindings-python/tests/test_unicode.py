"""Issue 15 #15: a str holding a lone surrogate, in ANY string argument, is the
core's InvalidUnicode error (InvalidUnicodeError), never a raw
UnicodeEncodeError, never U+FFFD in the output, never a panic."""
import email.headerregistry

import pytest

import mailwright
from mailwright import errors

LONE = ["\ud800", "a\udc00b", "\ud83d", "x" * 10 + "\udfff"]
CREDS = mailwright.Credentials("api_user", "api_key")
MSG = mailwright.Message("a@ifaxin.com", to="b@ifaxin.com", text="x")
ED_KEY = mailwright.DkimKey.ed25519_seed(bytes(range(32)))


def message(**changes):
    kwargs = dict(from_addr="support@ifaxin.com", to=["ben@ifaxin.com"], text="x")
    kwargs.update(changes)
    return mailwright.Message(**kwargs)


def check(info, field=None):
    err = info.value
    assert type(err) is errors.InvalidUnicodeError
    assert isinstance(err, ValueError) and isinstance(err, UnicodeError)
    assert (err.kind, err.category, err.transient) == ("InvalidUnicode", "input", False)
    assert err.error_code == dict((k, c) for k, c, _, _ in mailwright.error_kinds())["InvalidUnicode"] == 117
    assert "surrogate" in str(err)
    if field is not None:
        assert field in str(err), str(err)
    # The message itself is text (printable, encodable): the surrogate is named, not copied.
    str(err).encode("utf-8")


MESSAGE_FIELDS = {
    "subject": lambda s: dict(subject=s),
    "text": lambda s: dict(text=s),
    "html": lambda s: dict(html=s),
    "from_addr": lambda s: dict(from_addr=f"a{s}@ifaxin.com"),
    "from_addr name": lambda s: dict(from_addr=(s, "a@ifaxin.com")),
    "from_addr Address": lambda s: dict(from_addr=email.headerregistry.Address(s, "a", "ifaxin.com")),
    "to": lambda s: dict(to=[f"b{s}@ifaxin.com"]),
    "to str": lambda s: dict(to=f"Ben{s} <b@ifaxin.com>"),
    "cc name": lambda s: dict(cc=[(s, "c@ifaxin.com")]),
    "bcc": lambda s: dict(bcc=[s]),
    "reply_to": lambda s: dict(reply_to=[s]),
    "sender": lambda s: dict(sender=s),
    "envelope_from": lambda s: dict(envelope_from=s),
    "headers value": lambda s: dict(headers={"X-Test": s}),
    "headers name": lambda s: dict(headers={s: "v"}),
    "headers pairs": lambda s: dict(headers=[("X-Test", s)]),
    "sc_custom": lambda s: dict(sc_custom={"k": s}),
    "message_id": lambda s: dict(message_id=f"a{s}@b"),
    "in_reply_to": lambda s: dict(in_reply_to=[s]),
    "references": lambda s: dict(references=s),
    "boundary_seed": lambda s: dict(boundary_seed=s),
    "attachment filename": lambda s: dict(attachments=[(s, "text/plain", b"x")]),
    "attachment content_type": lambda s: dict(attachments=[("a.txt", s, b"x")]),
    "inline content_id": lambda s: dict(inline=[(s, "image/png", b"x")]),
    "inline filename": lambda s: dict(inline=[("c", "image/png", b"x", s)]),
    "x_smtpapi to": lambda s: dict(x_smtpapi=mailwright.XSmtpApi(to=[s])),
    "x_smtpapi sub": lambda s: dict(x_smtpapi=mailwright.XSmtpApi(sub={"%n%": [s]})),
    "x_smtpapi sub name": lambda s: dict(x_smtpapi=mailwright.XSmtpApi(sub={s: ["1"]})),
    "x_smtpapi section": lambda s: dict(x_smtpapi=mailwright.XSmtpApi(section={"k": s})),
    "list_unsubscribe": lambda s: dict(list_unsubscribe=[f"https://u.ifaxin.com/{s}"]),
    "list_id": lambda s: dict(list_id=f"spring{s}.ifaxin.com"),
    "calendar method": lambda s: dict(calendar=mailwright.Calendar(s, "BEGIN:VCALENDAR")),
    "calendar content": lambda s: dict(calendar=mailwright.Calendar("REQUEST", s)),
    "calendar attachment": lambda s: dict(calendar=mailwright.Calendar("REQUEST", "x", attachment=s)),
    "dkim domain": lambda s: dict(dkim=mailwright.DkimSigner(s, "sel", ED_KEY)),
    "dkim selector": lambda s: dict(dkim=mailwright.DkimSigner("ifaxin.com", s, ED_KEY)),
    "dkim canonicalization": lambda s: dict(dkim=mailwright.DkimSigner("ifaxin.com", "sel", ED_KEY,
                                                                       canonicalization=s)),
    "dkim pem": lambda s: dict(dkim=mailwright.DkimSigner("ifaxin.com", "sel", mailwright.DkimKey.from_pem(s))),
}


@pytest.mark.parametrize("lone", LONE, ids=repr)
@pytest.mark.parametrize("field", sorted(MESSAGE_FIELDS))
def test_every_message_argument(field, lone):
    with pytest.raises(errors.InvalidUnicodeError) as info:
        message(**MESSAGE_FIELDS[field](lone))
    check(info)


def test_the_error_names_the_argument():
    for field, changes in [("subject", dict(subject="\ud800")), ("to", dict(to=["\ud800"])),
                           ("headers", dict(headers={"X-A": "\ud800"})), ("text", dict(text="\ud800"))]:
        with pytest.raises(errors.InvalidUnicodeError) as info:
            message(**changes)
        check(info, field)


def test_parts_made_on_their_own():
    for make, field in [
        (lambda: mailwright.Inline("\ud800", "image/png", b"x"), "content_id"),
        (lambda: mailwright.Inline("c", "image/\ud800", b"x"), "content_type"),
        (lambda: mailwright.Inline("c", "image/png", b"x", "\ud800.png"), "filename"),
        (lambda: mailwright.Attachment("\ud800.pdf", "application/pdf", b"x"), "filename"),
        (lambda: mailwright.Attachment("a.pdf", "application/\ud800", b"x"), "content_type"),
    ]:
        with pytest.raises(errors.InvalidUnicodeError) as info:
            make()
        check(info, field)


@pytest.mark.parametrize("make,field", [
    (lambda: mailwright.Credentials("u\ud800", "k"), "user"),
    (lambda: mailwright.Credentials("u", "k\ud800"), "key"),
    (lambda: mailwright.Credentials("u", "k", label="1\ud800"), "label"),
    (lambda: mailwright.Credentials.oauth2("u", "t\ud800"), "token"),
    (lambda: mailwright.login_answer("UGFzc3dvcmQ6\ud800", CREDS), "challenge"),
    (lambda: mailwright.Session(hello_name="h\ud800.example"), "hello_name"),
    (lambda: mailwright.Session(tls="none\ud800"), "tls"),
    (lambda: mailwright.Session().connection_lost("closed\ud800"), "cause"),
    (lambda: mailwright.Session().connection_lost("closed", "gone \ud800"), "detail"),
])
def test_credentials_auth_and_session(make, field):
    with pytest.raises(errors.InvalidUnicodeError) as info:
        make()
    check(info, field)


@pytest.mark.parametrize("options,field", [
    (dict(host="127.0.0.\ud800"), "host"),
    (dict(hello_name="\ud800"), "hello_name"),
    (dict(tls="starttls\ud800"), "tls"),
    (dict(pin_sha256="AB" * 31 + "\ud800"), "pin_sha256"),
    (dict(pin_sha256=["AB" * 32, "\ud800"]), "pin_sha256"),
    (dict(pin_certificate="-----BEGIN CERTIFICATE-----\ud800"), "pin_certificate"),
    (dict(ca_file="/tmp/ca-\ud800.pem"), "ca_file"),
])
def test_connection_options_before_any_socket(options, field):
    # Port 1 refuses connections: reaching it would be a ConnectError, not this.
    kwargs = dict(host="127.0.0.1", port=1, tls="none", timeout=2)
    kwargs.update(options)
    for call in (lambda: mailwright.send(MSG, **kwargs), lambda: mailwright.Client(**kwargs)):
        with pytest.raises(errors.InvalidUnicodeError) as info:
            call()
        check(info, field)


def test_a_surrogate_pair_is_text():
    # A well-formed pair (an emoji written as two escapes) is one character, not an error.
    msg = message(subject="\ud83d\ude00".encode("utf-16", "surrogatepass").decode("utf-16"))
    assert "=?utf-8?" in msg.as_bytes().decode().lower()


def test_surrogate_escaped_file_names_still_reach_the_file_system(tmp_path):
    # os.fsencode's surrogateescape is how Python spells undecodable file names;
    # ca_file takes a path as Python's own file functions do (the file is read, not found).
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.send(MSG, "127.0.0.1", 1, tls="none", timeout=2, ca_file=str(tmp_path / "ca-\udcff.pem"))
