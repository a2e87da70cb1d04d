"""Every error class, injection refused in every string field, TypeError for wrong types."""
import pytest

import mailwright
from mailwright import errors

BASE = dict(from_addr="support@ifaxin.com", to=["ben@ifaxin.com"], text="x")


def make(**changes):
    kwargs = dict(BASE)
    kwargs.update(changes)
    return mailwright.Message(**kwargs)


KINDS = mailwright.error_kinds()

#: The documented mapping (errors.py docstring, README): the core's category → base class.
CATEGORY_BASES = {
    "input": (errors.InvalidInputError, ValueError),
    "server": (errors.SmtpError,),
    "capability": (errors.CapabilityError,),
    "protocol": (errors.ProtocolError,),
    "connection": (errors.NetworkError, OSError),
    "system": (errors.MailwrightSystemError,),
    "state": (errors.InvalidStateError,),
}


def test_every_core_kind_has_a_class_under_its_categorys_base():
    assert len(KINDS) >= 38 and {k for k, _, _, _ in KINDS} >= {"InvalidOption", "Connect", "RateLimited",
                                                                 "InvalidDkimKey", "CalendarMethodMismatch"}
    assert set(CATEGORY_BASES) == set(mailwright.ERROR_CATEGORIES)
    for name, code, category, transient in KINDS:
        cls = errors._BY_KIND[name]
        for base in CATEGORY_BASES[category]:
            assert issubclass(cls, base), (name, category, base)
        assert issubclass(cls, errors._BY_CATEGORY[category]), name
        # Nothing outside its category: an input error is the only ValueError.
        assert issubclass(cls, ValueError) == (category == "input"), name
        assert issubclass(cls, errors.SmtpError) == (category == "server"), name
    # The class table holds nothing the core does not know, and one class per kind.
    assert set(errors._BY_KIND) == {k for k, _, _, _ in KINDS}
    assert len(set(errors._BY_KIND.values())) == len(errors._BY_KIND)


def test_instances_carry_the_cores_kind_code_category_and_transient():
    for name, code, category, transient in KINDS:
        err = errors._from_core("why", name, code, category, transient, None)
        assert (type(err), err.kind, err.error_code, err.category, err.transient) == (
            errors._BY_KIND[name], name, code, category, transient)
        assert str(err) == "why"
    # A kind this module does not know yet still lands under its category's base.
    err = errors._from_core("new", "SomethingNew", 299, "connection", True, None)
    assert type(err) is errors.NetworkError and err.transient
    assert mailwright.InvalidOptionError("x").transient is False  # made by hand: no core data


def test_the_hierarchy():
    for kind, cls in errors._BY_KIND.items():
        assert issubclass(cls, mailwright.MailwrightError), kind
    for cls in (errors.InvalidAddressError, errors.HeaderInjectionError, errors.XSmtpApiError,
                errors.InvalidCredentialsError, errors.InvalidOptionError):
        assert issubclass(cls, ValueError)
    assert issubclass(errors.RateLimitedError, errors.SmtpError)
    assert issubclass(errors.AuthenticationError, errors.SmtpError)
    assert issubclass(errors.MailwrightTimeoutError, TimeoutError)
    assert not issubclass(errors.SmtpPermanentError, ValueError)
    assert len(set(errors._BY_KIND.values())) == len(errors._BY_KIND)


CASES = [
    (dict(from_addr="not-an-address"), errors.InvalidAddressError),
    (dict(from_addr=None), errors.MissingFromError),
    (dict(to=[]), errors.NoRecipientsError),
    (dict(headers={"Bcc": "x@y.com"}), errors.InvalidHeaderNameError),
    (dict(inline=[("a", "image/png", b"1"), ("<a>", "image/png", b"2")]), errors.DuplicateContentIdError),
    (dict(inline=[("a b", "image/png", b"1")]), errors.InvalidContentIdError),
    (dict(attachments=[("a.pdf", "pdf", b"1")]), errors.InvalidContentTypeError),
    (dict(x_smtpapi=mailwright.XSmtpApi(to=["a@b.com", "c@d.com"], sub={"%n%": ["1"]})), errors.XSmtpApiError),
    (dict(message_id="nope"), errors.InvalidMessageIdError),
    (dict(attachments=[("   ", "text/plain", b"1")]), errors.InvalidHeaderValueError),
    (dict(boundary_seed="has space"), errors.InvalidBoundarySeedError),
    (dict(boundary_seed="s", text="--=_s.a"), errors.BoundaryCollisionError),
    (dict(date=-5), errors.InvalidHeaderValueError),
    (dict(list_unsubscribe="ftp://u.ifaxin.com/u"), errors.InvalidUnsubscribeUriError),
    (dict(list_unsubscribe="mailto:u@ifaxin.com", one_click_unsubscribe=True), errors.OneClickRequiresHttpsError),
    (dict(list_id="spring"), errors.InvalidListIdError),
    (dict(calendar=mailwright.Calendar("REQUEST", "BEGIN:VEVENT")), errors.InvalidCalendarError),
    (dict(calendar=mailwright.Calendar("PUBLISH", "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")),
     errors.CalendarMethodMismatchError),
    (dict(dkim=mailwright.DkimSigner("ifaxin.com", "a b", mailwright.DkimKey.ed25519_seed(bytes(32)))),
     errors.InvalidDkimOptionError),
]


@pytest.mark.parametrize("changes,cls", CASES)
def test_input_errors(changes, cls):
    with pytest.raises(cls) as info:
        make(**changes)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, mailwright.MailwrightError)
    assert err.kind and err.error_code >= 100 and str(err)
    assert err.category == "input" and err.transient is False


EVIL = ["a\r\nBcc: x@y.com", "a\nb", "a\rb"]


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize("field", ["subject", "from_name", "to", "cc_name", "header", "sc_custom",
                                   "filename", "inline_filename", "content_type", "content_id", "message_id",
                                   "in_reply_to", "reply_to", "list_unsubscribe", "list_id",
                                   "calendar_attachment"])
def test_injection_is_refused_in_every_field(field, evil):
    changes = {
        "subject": dict(subject=evil),
        "from_name": dict(from_addr=(evil, "a@ifaxin.com")),
        "to": dict(to=["b@ifaxin.com" + evil]),
        "cc_name": dict(cc=[(evil, "c@ifaxin.com")]),
        "header": dict(headers={"X-Test": evil}),
        "sc_custom": dict(sc_custom={"k": evil}),
        "filename": dict(attachments=[(evil, "text/plain", b"x")]),
        "inline_filename": dict(inline=[mailwright.Inline("c", "image/png", b"x", evil)]),
        "content_type": dict(attachments=[("a", "text/plain" + evil, b"x")]),
        "content_id": dict(inline=[(evil, "image/png", b"x")]),
        "message_id": dict(message_id="a@b" + evil),
        "in_reply_to": dict(in_reply_to=["a@b" + evil]),
        "reply_to": dict(reply_to=["r@ifaxin.com" + evil]),
        "list_unsubscribe": dict(list_unsubscribe=["https://u.ifaxin.com/u" + evil]),
        "list_id": dict(list_id="spring.ifaxin.com" + evil),
        "calendar_attachment": dict(calendar=mailwright.Calendar(
            "REQUEST", "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n", attachment=evil)),
    }[field]
    with pytest.raises(errors.HeaderInjectionError):
        make(**changes)


@pytest.mark.parametrize("changes", [
    dict(from_addr=42), dict(to=[42]), dict(attachments=[("a", "text/plain", "not bytes")]),
    dict(attachments=[("a", "text/plain", 123)]), dict(inline=["nope"]), dict(subject=b"bytes"),
    dict(headers=5), dict(date="yesterday"), dict(x_smtpapi="{}"),
])
def test_wrong_types_are_type_errors(changes):
    with pytest.raises(TypeError):
        make(**changes)


def test_credentials_and_smtp_argument_errors():
    # Credentials are checked when made (the core's rule; before, only when used).
    with pytest.raises(errors.InvalidCredentialsError):
        mailwright.Credentials("u", "")
    with pytest.raises(errors.InvalidCredentialsError):
        mailwright.Credentials("u", "k", label="a#b")
    with pytest.raises(errors.InvalidCredentialsError):
        mailwright.Credentials.oauth2("u", "t\r\n")
    with pytest.raises(errors.InvalidCredentialsError):
        mailwright.auth_xoauth2(mailwright.Credentials("u", "k"))
    with pytest.raises(errors.InvalidCredentialsError):
        mailwright.auth_plain(mailwright.Credentials.oauth2("u", "t"))
    with pytest.raises(errors.InvalidOptionError):
        mailwright.Session(tls="sometimes")
    with pytest.raises(errors.ProtocolError):
        mailwright.Reply.parse(b"hello\r\n")
    with pytest.raises(errors.InvalidDkimKeyError):
        mailwright.DkimKey.from_pem("-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n")
    creds = mailwright.Credentials("api_user", "s3cret-key", label="1")
    assert "s3cret" not in repr(creds)


def test_no_panic_reaches_python():
    # Odd but legal input; anything else must be a typed error, never PanicException.
    for subject in ["\x00", "\u2028", "=?utf-8?B?x?=", "a" * 5000]:
        make(subject=subject).as_bytes()
    # A lone surrogate is a typed error too (tests/test_unicode.py tries every argument).
    with pytest.raises(errors.InvalidUnicodeError):
        make(subject="\udcff")
