"""Connection and session options: one TLS vocabulary, the core's defaults and checks.

Nothing here connects to a server: a bad option is refused before any socket
is opened, and good options are shown good by reaching ConnectError on port 1.
"""
import ast
import math
import typing

import pytest

import mailwright
import mailwright.aio
import mailwright.options

MSG = mailwright.Message("a@ifaxin.com", to="b@ifaxin.com", text="x")


def send(**options):
    options.setdefault("port", 1)
    options.setdefault("timeout", 5)
    return mailwright.send(MSG, "127.0.0.1", **options)


def test_the_tls_vocabulary_is_the_cores():
    assert mailwright.TLS_MODES == ("starttls", "opportunistic", "implicit", "none")
    for mode in mailwright.TLS_MODES:
        mailwright.Session(tls=mode)
        with pytest.raises(mailwright.ConnectError):
            send(tls=mode)


# The aliases the binding used to accept are gone (one vocabulary in every language).
@pytest.mark.parametrize("name", ["required", "never", "ssl", "tls", "STARTTLS", "", "sometimes"])
def test_unknown_tls_names_are_invalid_options(name):
    with pytest.raises(mailwright.InvalidOptionError) as info:
        mailwright.Session(tls=name)
    assert info.value.kind == "InvalidOption" and info.value.error_code == 213
    assert isinstance(info.value, ValueError) and info.value.category == "input"
    with pytest.raises(mailwright.InvalidOptionError):
        send(tls=name)
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Client("127.0.0.1", 1, tls=name)


def test_session_has_no_implicit_tls_flag():
    with pytest.raises(TypeError):
        mailwright.Session(implicit_tls=True)  # type: ignore[call-arg]
    s = mailwright.Session(tls="implicit", hello_name="ifaxin.com")
    s.receive(b"220 hi\r\n")
    assert s.take_output() == b"EHLO ifaxin.com\r\n" and s.is_tls


@pytest.mark.parametrize("timeout", [0, -1, 0.0, 1e300, 10**400, -10**400, math.nan, math.inf, 86_401, 0.0001])
def test_bad_time_outs_are_invalid_options_never_panics(timeout):
    # Issue 15 #4: timeout=1e300 used to panic (PanicException, which `except Exception` misses).
    for option in ("timeout", "message_timeout"):
        with pytest.raises(mailwright.InvalidOptionError):
            send(**{option: timeout})
        with pytest.raises(mailwright.InvalidOptionError):
            mailwright.Client("127.0.0.1", 1, **{option: timeout})


@pytest.mark.parametrize("timeout", [0.5, 1, 2.5, 86_400])
def test_good_time_outs(timeout):
    with pytest.raises(mailwright.ConnectError):
        send(tls="none", timeout=timeout)
    with pytest.raises(mailwright.ConnectError):
        send(tls="none", message_timeout=timeout)


@pytest.mark.parametrize("port", [0, -1, 65536, 2**63, 10**30, -10**30])
def test_bad_ports_are_invalid_options(port):
    with pytest.raises(mailwright.InvalidOptionError):
        send(port=port)


@pytest.mark.parametrize("value", ["25", 25.0, b"25"])
def test_ports_are_ints(value):
    with pytest.raises(TypeError):
        send(port=value)


def test_wrong_types_for_options():
    with pytest.raises(TypeError):
        send(timeout="30")
    with pytest.raises(TypeError) as info:
        send(message_timeout="30")
    assert "message_timeout" in str(info.value)
    with pytest.raises(TypeError):
        send(pin_certificate=42)
    with pytest.raises(TypeError):
        send(pin_sha256=42)


@pytest.mark.parametrize("name", ["x\r\nMAIL FROM:<evil@example.com>", "a b", "", "a..b", "héllo"])
def test_bad_hello_names_are_invalid_options(name):
    with pytest.raises(mailwright.InvalidOptionError):
        send(hello_name=name)
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.Session(hello_name=name)


@pytest.mark.parametrize("pin", ["", "abc", "zz" * 32, "AB" * 31, "AB:" * 32 + "AB"])
def test_bad_fingerprints_are_invalid_options(pin):
    with pytest.raises(mailwright.InvalidOptionError):
        send(pin_sha256=pin)
    with pytest.raises(mailwright.InvalidOptionError):
        send(pin_sha256=["AB" * 32, pin])


def test_good_fingerprint_forms_are_accepted():
    colons = ":".join(["AB"] * 32)
    for pin in (colons, colons.lower(), "AB" * 32, "sha256 Fingerprint=" + colons, [colons, "CD" * 32]):
        with pytest.raises(mailwright.ConnectError):
            send(tls="implicit", pin_sha256=pin)


@pytest.mark.parametrize("pem", [b"", "no certificate here", b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"])
def test_bad_pinned_certificates_are_invalid_options(pem):
    with pytest.raises(mailwright.InvalidOptionError):
        send(pin_certificate=pem)


def test_the_host_is_checked_by_the_core():
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.send(MSG, "", tls="none", timeout=1)
    with pytest.raises(mailwright.InvalidOptionError):
        mailwright.send(MSG, "bad host", tls="none", timeout=1)


def test_none_means_the_cores_default():
    # Every option may be None (what the signatures show): the core fills it in.
    with pytest.raises(mailwright.ConnectError):
        mailwright.send(MSG, "127.0.0.1", 1, credentials=None, tls=None, ca_file=None, pin_sha256=None,
                        pin_certificate=None, timeout=None, message_timeout=None, hello_name=None,
                        pipelining=None, allow_plaintext_auth=None)
    s = mailwright.Session(hello_name=None, tls=None, credentials=None, pipelining=None, transcript=None,
                           allow_plaintext_auth=None)
    s.receive(b"220 hi\r\n")
    assert s.take_output() == b"EHLO localhost\r\n"


def test_session_allow_plaintext_auth():
    # The core's default for a session is False: credentials never go out without TLS.
    creds = mailwright.Credentials("api_user", "api_key")
    for allow, expected in [(None, "TlsUnavailable"), (False, "TlsUnavailable"), (True, None)]:
        s = mailwright.Session(tls="opportunistic", credentials=creds, allow_plaintext_auth=allow)
        s.receive(b"220 hi\r\n")
        s.take_output()
        s.receive(b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n")
        out = s.take_output()
        event = s.poll_event()
        if expected is None:
            assert out.startswith(b"AUTH ") and event is None
        else:
            assert b"AUTH" not in out and event.kind == "Error" and event.error.kind == expected


# ---------------------------------------------------------------- one table of options

SETS = {
    "SEND_OPTIONS": mailwright.options.SendOptions,
    "CLIENT_OPTIONS": mailwright.options.ClientOptions,
    "MAILER_OPTIONS": mailwright.options.MailerOptions,
    "SESSION_OPTIONS": mailwright.options.SessionOptions,
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_typed_options_are_the_parsers(name):
    # Both ways: a key the TypedDict declares that the native parser refuses,
    # or one the parser takes that the TypedDict lacks, fails here.
    declared = SETS[name].__annotations__.keys()
    assert set(declared) == set(getattr(mailwright, name)), name
    assert len(getattr(mailwright, name)) == len(set(getattr(mailwright, name)))


def test_every_option_is_documented():
    source = open(mailwright.options.__file__, encoding="utf-8").read()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            body = node.body[1:]  # after the class docstring
            for i, item in enumerate(body):
                if isinstance(item, ast.AnnAssign):
                    doc = body[i + 1] if i + 1 < len(body) else None
                    assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant), item.target.id


def test_the_typed_tls_modes_are_the_cores():
    assert typing.get_args(mailwright.options._TlsMode) == mailwright.TLS_MODES
    assert mailwright.options.ConnectOptions.__annotations__["tls"].__forward_arg__ == "Optional[_TlsMode]"


ENTRY_POINTS = {
    "SEND_OPTIONS": lambda **kw: mailwright.send(MSG, "127.0.0.1", 1, **kw),
    "CLIENT_OPTIONS": lambda **kw: mailwright.Client("127.0.0.1", 1, **kw),
    "MAILER_OPTIONS": lambda **kw: mailwright.Mailer("127.0.0.1", 1, **kw).close(),
    "aio": lambda **kw: mailwright.aio.Mailer("127.0.0.1", 1, **kw),
    "Dispatcher": lambda **kw: mailwright._mailwright.Dispatcher("127.0.0.1", 1, **kw),
    "SESSION_OPTIONS": lambda **kw: mailwright.Session(**kw),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_an_unknown_keyword_is_a_type_error_listing_the_known_ones(entry):
    names = getattr(mailwright, entry if entry in SETS else "MAILER_OPTIONS")
    with pytest.raises(TypeError) as info:
        ENTRY_POINTS[entry](tls="none", retries=3)
    text = str(info.value)
    assert "'retries'" in text and all(name in text for name in names), text
    # An option of another entry point is just as unknown here.
    other = "connections" if entry in ("CLIENT_OPTIONS", "SESSION_OPTIONS") else "transcript"
    with pytest.raises(TypeError, match=other):
        ENTRY_POINTS[entry](**{other: True})


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_listed_option_is_taken_and_none_is_the_default(entry):
    names = getattr(mailwright, entry if entry in SETS else "MAILER_OPTIONS")
    options = {name: None for name in names}
    options.update(tls="none", timeout=1)
    if entry == "SESSION_OPTIONS":
        options.pop("timeout")
        s = ENTRY_POINTS[entry](**options)
        s.receive(b"220 hi\r\n")
        assert s.take_output() == b"EHLO localhost\r\n"
    elif entry in ("SEND_OPTIONS", "CLIENT_OPTIONS"):
        with pytest.raises(mailwright.ConnectError):
            ENTRY_POINTS[entry](**options)
    else:
        ENTRY_POINTS[entry](**options)  # nothing connects until a message is sent


@pytest.mark.parametrize("option,value", [
    ("connections", "4"), ("connections", 4.0), ("connections", True), ("max_attempts", [1]),
    ("at_least_once", 1), ("allow_plaintext_auth", "yes"), ("credentials", ("u", "k")),
    ("deadline", "60"), ("tls", 1), ("hello_name", b"mx"), ("queue_capacity", 2.5),
])
def test_a_wrong_type_is_a_type_error_naming_the_option(option, value):
    for make in (mailwright.Mailer, mailwright.aio.Mailer):
        with pytest.raises(TypeError, match=option):
            make("127.0.0.1", 1, **{option: value})


@pytest.mark.parametrize("option,value", [
    ("connections", -1), ("connections", 2**70), ("connections", 0), ("queue_capacity", -(2**70)),
    ("max_attempts", 0), ("messages_per_connection", 0),
])
def test_a_count_out_of_range_is_the_cores_invalid_option(option, value):
    for make in (mailwright.Mailer, mailwright.aio.Mailer):
        with pytest.raises(mailwright.InvalidOptionError):
            make("127.0.0.1", 1, **{option: value})


def test_a_settings_dict_is_the_keywords():
    settings: mailwright.options.MailerOptions = {"tls": "none", "connections": 2, "max_attempts": 1}
    with mailwright.Mailer("127.0.0.1", 1, **settings) as mailer:
        assert mailer.counters["connections"] == 0


def test_a_type_checker_sees_the_options(tmp_path):
    # The TypedDicts reach users' type checkers through the signatures
    # (**options: Unpack[...]): a typo or a wrong type is caught before run time.
    mypy = pytest.importorskip("mypy.api")
    code = tmp_path / "misuse.py"
    code.write_text(
        "import mailwright, mailwright.aio\n"
        "mailwright.Mailer('h', connections='4')\n"
        "mailwright.aio.Mailer('h', retries=3)\n"
        "mailwright.Client('h', tls='bogus', transcript=True)\n"
        "mailwright.Mailer('h', tls='implicit', connections=8, rate='sendcloud')\n")
    out, _, status = mypy.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(code)])
    assert status == 1, out
    assert 'misuse.py:2: error: Argument "connections"' in out, out
    assert 'misuse.py:3: error: Unexpected keyword argument "retries"' in out, out
    assert 'misuse.py:4: error: Argument "tls"' in out, out
    assert "misuse.py:5" not in out and "Found 3 errors" in out, out
