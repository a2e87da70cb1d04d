"""Issue 15 against the misbehaving server (testservers/misbehaving/badsmtp.py):
clear-text AUTH (#5), secrets and terminal escapes in server text (#7), an
early talker (#8), a server dripping bytes past every deadline (#10)."""
import base64
import time

import pytest

import mailwright

MSG = mailwright.Message("support@ifaxin.com", to=["ben@ifaxin.com"], text="hello")


@pytest.mark.parametrize("tls", ["opportunistic", "none"])
def test_no_credentials_in_clear_text_unless_allowed(bad_server, tls):
    # echo_auth offers AUTH without STARTTLS; allow_plaintext_auth=False refuses before any secret is sent.
    port = bad_server("echo_auth")
    creds = mailwright.Credentials("api_user", "api_key")
    with pytest.raises(mailwright.TlsUnavailableError) as info:
        mailwright.Client("127.0.0.1", port, tls=tls, credentials=creds, allow_plaintext_auth=False, timeout=5)
    assert info.value.category == "capability"
    with pytest.raises(mailwright.TlsUnavailableError):
        mailwright.send(MSG, "127.0.0.1", port, tls=tls, credentials=creds, allow_plaintext_auth=False, timeout=5)


@pytest.mark.parametrize("allow", [None, True])
@pytest.mark.parametrize("key", ["s3cret-key", "another-key"])
def test_an_echoed_secret_and_terminal_escapes_are_never_shown(bad_server, allow, key):
    # None: the core's rule, clear text allowed to a loopback host (127.0.0.1); the server
    # answers 535 echoing what it got, wrapped in ESC and BEL.
    port = bad_server("echo_auth")
    creds = mailwright.Credentials("api_user", key)
    with pytest.raises(mailwright.AuthenticationError) as info:
        mailwright.send(MSG, "127.0.0.1", port, tls="opportunistic", credentials=creds,
                        allow_plaintext_auth=allow, timeout=5)
    err = info.value
    assert err.code == 535 and "<redacted>" in err.text
    shown = " ".join([str(err), err.text, repr(err.reply), str(err.reply), *err.reply.lines])
    assert "\x1b" not in shown and "\x07" not in shown, shown
    for secret in (key, base64.b64encode(key.encode()).decode(),
                   base64.b64encode(f"\0api_user\0{key}".encode()).decode()):
        assert secret not in shown, (secret, shown)


def test_control_characters_in_a_queue_id_are_escaped(bad_server):
    result = mailwright.send(MSG, "127.0.0.1", bad_server("control_chars"), tls="none", timeout=5)
    assert result.queue_id == "q\\x00id\\x1B[2J"
    assert not any(ord(c) < 32 or ord(c) == 127 for c in result.queue_id + result.reply.text)


def test_an_early_talker_is_a_protocol_error(bad_server):
    creds = mailwright.Credentials("api_user", "api_key")
    with pytest.raises(mailwright.ProtocolError):
        mailwright.Client("127.0.0.1", bad_server("early_talker"), tls="none", credentials=creds, timeout=5)


def test_a_dripping_server_hits_the_reply_deadline(bad_server):
    # One byte every half second: every read gets data within the time-out, the whole
    # greeting would take 30 s. The core's deadline for a complete reply ends it.
    started = time.monotonic()
    with pytest.raises(mailwright.MailwrightTimeoutError) as info:
        mailwright.Client("127.0.0.1", bad_server("slow_drip"), tls="none", timeout=2)
    assert time.monotonic() - started < 10
    assert info.value.transient and info.value.category == "connection"


def test_message_timeout_bounds_a_whole_message(bad_server):
    # stall_final never answers the end of DATA; the per-reply time-out (30 s) is not
    # reached, the message deadline (1 s) is.
    started = time.monotonic()
    with pytest.raises(mailwright.MailwrightTimeoutError):
        mailwright.send(MSG, "127.0.0.1", bad_server("stall_final"), tls="none", timeout=30, message_timeout=1)
    assert time.monotonic() - started < 10
