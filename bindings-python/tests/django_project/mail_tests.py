"""mailwright.django.EmailBackend against a local Haraka, with Django's own test
runner (`python -m django test mail_tests`, from tests/test_django.py)."""
import email
import email.policy
import json
import os
import pathlib
import runpy
import smtplib
import socket
import uuid
from unittest import mock

from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

import mailwright
from mailwright.django import DeliveryError, EmailBackend

STORED = pathlib.Path(os.environ["MW_HARAKA_STORED"])
EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "django_settings.py"
BACKEND = "mailwright.django.EmailBackend"
FROM = "Support <support@ifaxin.com>"


def stored(tag):
    """The messages Haraka stored whose Subject holds tag: [(meta, parsed message)]."""
    found = []
    for path in STORED.glob("*.eml"):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if tag in str(parsed["Subject"]):
            found.append((json.loads(path.with_suffix(".json").read_text()), parsed))
    return found


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@override_settings(EMAIL_BACKEND=BACKEND)
class SendTests(SimpleTestCase):
    def test_send_mail_returns_the_count_and_goes_over_starttls_with_the_label(self):
        tag = uuid.uuid4().hex
        self.assertEqual(mail.send_mail(f"hello {tag}", "body\n.dot line", FROM, ["ben@ifaxin.com"]), 1)
        [(meta, parsed)] = stored(tag)
        self.assertEqual((meta["label"], meta["user"], meta["tls"]), ("12345", "api_user", True))
        self.assertEqual(meta["mail_from"], "support@ifaxin.com")
        self.assertEqual(meta["rcpt_to"], ["ben@ifaxin.com"])
        self.assertEqual(parsed.get_content().replace("\r\n", "\n"), "body\n.dot line\n")  # dot-stuffed and back

    def test_attachments(self):
        tag = uuid.uuid4().hex
        pdf = bytes(range(256)) * 40
        message = mail.EmailMessage(f"report {tag}", "see attached", FROM, ["ben@ifaxin.com"])
        message.attach("报告.pdf", pdf, "application/pdf")
        message.attach("notes.txt", "line one\nline two\n", "text/plain")
        self.assertEqual(message.send(), 1)
        [(_meta, parsed)] = stored(tag)
        parts = {part.get_filename(): part for part in parsed.iter_attachments()}
        self.assertEqual(set(parts), {"报告.pdf", "notes.txt"})
        self.assertEqual(parts["报告.pdf"].get_content(), pdf)
        self.assertEqual(parts["notes.txt"].get_content().replace("\r\n", "\n"), "line one\nline two\n")

    def test_alternatives(self):
        tag = uuid.uuid4().hex
        message = mail.EmailMultiAlternatives(f"alt {tag}", "plain text", FROM, ["ben@ifaxin.com"])
        message.attach_alternative("<p>html <b>text</b></p>", "text/html")
        self.assertEqual(message.send(), 1)
        [(_meta, parsed)] = stored(tag)
        self.assertEqual(parsed.get_content_type(), "multipart/alternative")
        self.assertEqual(parsed.get_body(("plain",)).get_content().strip(), "plain text")
        self.assertEqual(parsed.get_body(("html",)).get_content().strip(), "<p>html <b>text</b></p>")

    def test_bcc_only_in_the_envelope(self):
        tag = uuid.uuid4().hex
        message = mail.EmailMessage(f"bcc {tag}", "hi", FROM, ["ben@ifaxin.com"], cc=["joe@ifaxin.com"],
                                    bcc=["audit@ifaxin.com"])
        self.assertEqual(message.send(), 1)
        [(meta, parsed)] = stored(tag)
        self.assertEqual(sorted(meta["rcpt_to"]), ["audit@ifaxin.com", "ben@ifaxin.com", "joe@ifaxin.com"])
        self.assertIsNone(parsed["Bcc"])
        self.assertNotIn(b"audit@ifaxin.com", (STORED / f"{meta['uuid']}.eml").read_bytes())
        self.assertEqual(parsed["Cc"], "joe@ifaxin.com")

    def test_one_mailer_for_several_calls_between_open_and_close(self):
        tag = uuid.uuid4().hex
        with mail.get_connection() as connection:
            self.assertIsInstance(connection, EmailBackend)
            mailer = connection.mailer
            self.assertIsInstance(mailer, mailwright.Mailer)
            first = [mail.EmailMessage(f"{tag} {n}", "hi", FROM, ["ben@ifaxin.com"]) for n in range(3)]
            self.assertEqual(connection.send_messages(first), 3)
            self.assertIs(connection.mailer, mailer)
            self.assertEqual(mail.send_mail(f"{tag} 3", "hi", FROM, ["ben@ifaxin.com"], connection=connection), 1)
            self.assertIs(connection.mailer, mailer)
            self.assertEqual(mailer.counters["delivered"], 4)
            self.assertFalse(connection.open())  # already open
        self.assertIsNone(connection.mailer)
        self.assertEqual(len(stored(tag)), 4)
        # send_messages on a closed backend opens a Mailer for the call and closes it after.
        self.assertEqual(connection.send_messages([mail.EmailMessage(f"{tag} 4", "hi", FROM, ["b@ifaxin.com"])]), 1)
        self.assertIsNone(connection.mailer)

    def test_send_mass_mail_counts_what_was_delivered(self):
        tag = uuid.uuid4().hex
        batch = [(f"{tag} {n}", "hi", FROM, [f"user{n}@ifaxin.com"]) for n in range(5)]
        self.assertEqual(mail.send_mass_mail(batch), 5)
        self.assertEqual(sorted(meta["rcpt_to"][0] for meta, _ in stored(tag)),
                         [f"user{n}@ifaxin.com" for n in range(5)])

    def test_one_call_uses_the_whole_pool_at_once(self):
        # Haraka's queue id is "<connection uuid>.<transaction>": one call of
        # send_messages spreads its messages over several connections of the
        # pool (one after the other, they would all go over one connection).
        tag = uuid.uuid4().hex
        batch = [mail.EmailMessage(f"{tag} {n}", "hi", FROM, [f"user{n}@ifaxin.com"]) for n in range(24)]
        backend = mail.get_connection(connections=4)
        self.assertEqual(backend.send_messages(batch), 24)
        found = stored(tag)
        self.assertEqual(sorted(meta["rcpt_to"][0] for meta, _ in found),
                         sorted(f"user{n}@ifaxin.com" for n in range(24)))
        self.assertGreater(len({meta["uuid"].rsplit(".", 1)[0] for meta, _ in found}), 1)

    def test_nothing_to_send_counts_zero(self):
        backend = mail.get_connection()
        self.assertEqual(backend.send_messages([]), 0)
        self.assertEqual(backend.send_messages([mail.EmailMessage("none", "hi", FROM, [])]), 0)


class LedgerTests(SimpleTestCase):
    def test_with_a_ledger_each_message_is_sent_once_by_its_key_or_message_id(self):
        import tempfile
        tag = uuid.uuid4().hex
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "mail.db")
            with self.settings(EMAIL_BACKEND=BACKEND, MAILWRIGHT_LEDGER=path):
                keyed = mail.EmailMessage(f"order {tag}", "shipped", FROM, ["ben@ifaxin.com"])
                keyed.mailwright_key = f"order-{tag}"
                by_id = mail.EmailMessage(f"by id {tag}", "hi", FROM, ["ben@ifaxin.com"],
                                          headers={"Message-ID": f"<{tag}@ifaxin.com>"})
                self.assertEqual(mail.get_connection().send_messages([keyed, by_id]), 2)
                # The same key and the same Message-ID again (a retried task, a second
                # process): counted as delivered from the ledger, not sent again.
                again = mail.EmailMessage(f"order {tag}", "shipped", FROM, ["ben@ifaxin.com"])
                again.mailwright_key = f"order-{tag}"
                self.assertEqual(mail.get_connection().send_messages([again, by_id]), 2)
            self.assertEqual(len(stored(f"order {tag}")), 1)
            self.assertEqual(len(stored(f"by id {tag}")), 1)
            with mailwright.Ledger(path) as ledger:
                record = ledger.get(f"order-{tag}")
                self.assertEqual((record.state, record.accepted), ("delivered", ["ben@ifaxin.com"]))
                self.assertIsNotNone(ledger.get(f"{tag}@ifaxin.com"))
                self.assertEqual(ledger.summary()["total"], 2)
            # The key is not a header: it never reaches the recipient.
            [(_meta, parsed)] = stored(f"order {tag}")
            self.assertNotIn(f"order-{tag}", parsed.as_string())


@override_settings(EMAIL_BACKEND=BACKEND)
class FailureTests(SimpleTestCase):
    def refused(self, tag):
        # Without AUTH this Haraka refuses to relay: 550 for every recipient.
        return mail.EmailMessage(f"refused {tag}", "hi", FROM, ["ben@ifaxin.com"])

    def test_fail_silently_on_a_refused_message(self):
        tag = uuid.uuid4().hex
        backend = mail.get_connection(username="", password="", label="", fail_silently=True)
        ok = mail.EmailMessage(f"ok {tag}", "hi", FROM, ["ben@ifaxin.com"])
        self.assertEqual(backend.send_messages([self.refused(tag)]), 0)
        authenticated = mail.get_connection(fail_silently=True)
        self.assertEqual(authenticated.send_messages([self.refused(tag), ok]), 2)
        self.assertEqual(len(stored(tag)), 2)
        refused_pair = [mail.EmailMessage(f"mixed {tag}", "hi", FROM, ["ben@ifaxin.com"]) for _ in range(2)]
        self.assertEqual(mail.get_connection(username="", password="", label="", fail_silently=True).send_messages(refused_pair), 0)
        self.assertEqual(mail.send_mail(f"silent {tag}", "hi", FROM, ["ben@ifaxin.com"], fail_silently=True,
                                        connection=mail.get_connection(username="", password="", label="",
                                                                       fail_silently=True)), 0)
        self.assertEqual(stored(f"mixed {tag}") + stored(f"silent {tag}"), [])

    def test_a_refused_message_raises_an_smtp_exception(self):
        tag = uuid.uuid4().hex
        backend = mail.get_connection(username="", password="", label="")
        with self.assertRaises(smtplib.SMTPException) as caught:
            backend.send_messages([self.refused(tag)])
        error = caught.exception
        self.assertIsInstance(error, DeliveryError)
        self.assertEqual(error.outcome.kind, "failed")
        self.assertIsInstance(error.error, mailwright.SmtpPermanentError)
        self.assertIs(error.__cause__, error.error)
        self.assertEqual(list(error.recipients), ["ben@ifaxin.com"])
        self.assertEqual(error.recipients["ben@ifaxin.com"][0], 550)

    def test_a_server_that_cannot_be_reached_raises_or_counts_zero(self):
        options = {"max_attempts": 1, "deadline": 2}  # connecting is retried until the deadline
        message = mail.EmailMessage("unreachable", "hi", FROM, ["ben@ifaxin.com"])
        backend = mail.get_connection(port=closed_port(), options=options)
        with self.assertRaises(OSError) as caught:
            backend.send_messages([message])
        self.assertIsInstance(caught.exception.error, mailwright.NetworkError)
        silent = mail.get_connection(port=closed_port(), options=options, fail_silently=True)
        self.assertEqual(silent.send_messages([message]), 0)


class SettingsTests(SimpleTestCase):
    def test_keywords_override_the_settings(self):
        backend = EmailBackend(host="mx.example.com", port=2525, username="u", password="p", use_tls=False,
                               use_ssl=True, timeout=5, label="7", rate="sendcloud", connections=8)
        self.assertEqual((backend.host, backend.port, backend.username, backend.password), ("mx.example.com", 2525, "u", "p"))
        self.assertEqual((backend.use_tls, backend.use_ssl, backend.timeout), (False, True, 5))
        self.assertEqual((backend.label, backend.rate, backend.connections), ("7", "sendcloud", 8))
        default = EmailBackend()
        self.assertEqual((default.host, default.username, default.label, default.rate, default.connections),
                         ("127.0.0.1", "api_user", "12345", (200, 1), 2))

    @override_settings(EMAIL_USE_SSL=True)
    def test_tls_and_ssl_together_are_improperly_configured(self):
        with self.assertRaises(ImproperlyConfigured):
            EmailBackend()
        with self.assertRaises(ValueError):  # what Django's own SMTP backend raises
            EmailBackend()
        EmailBackend(use_tls=False)

    def test_client_certificates_are_refused_not_ignored(self):
        with self.assertRaises(ImproperlyConfigured):
            EmailBackend(ssl_certfile="/etc/client.pem")
        with override_settings(EMAIL_SSL_KEYFILE="/etc/client.key"):
            with self.assertRaises(ImproperlyConfigured):
                EmailBackend()

    def test_a_label_needs_a_user_and_a_password(self):
        with self.assertRaises(ImproperlyConfigured):
            EmailBackend(username="")
        with self.assertRaises(ImproperlyConfigured):
            EmailBackend(password="")
        self.assertIsNone(EmailBackend(username="", label="").label or None)

    def test_bad_options_are_the_cores_errors(self):
        backend = EmailBackend(rate=(0, 60))
        with self.assertRaises(mailwright.InvalidOptionError):
            backend.open()
        self.assertIsNone(backend.mailer)

    def test_the_example_settings_make_a_mailer(self):
        with mock.patch.dict(os.environ, {"SENDCLOUD_API_KEY": "key"}):
            names = {k: v for k, v in runpy.run_path(str(EXAMPLE)).items() if k.isupper()}
        self.assertEqual(names["EMAIL_BACKEND"], BACKEND)
        with override_settings(**names):
            backend = mail.get_connection(BACKEND)
            self.assertTrue(backend.open())  # nothing connects until a message is sent
            self.assertIsInstance(backend.mailer, mailwright.Mailer)
            backend.close()

    @override_settings(MAILWRIGHT_LIMITER="mail_tests.LIMITER")
    def test_a_limiter_by_dotted_path(self):
        self.assertIs(EmailBackend().limiter, LIMITER)


class _Go:
    def acquire(self):
        return None


LIMITER = _Go()


@override_settings(EMAIL_BACKEND=BACKEND, EMAIL_USE_TLS=False, EMAIL_USE_SSL=True,
                   EMAIL_PORT=int(os.environ["MW_HARAKA_SMTPS_PORT"]))
class ImplicitTlsTests(SimpleTestCase):
    def test_email_use_ssl_is_tls_from_the_first_byte(self):
        tag = uuid.uuid4().hex
        self.assertEqual(mail.send_mail(f"ssl {tag}", "hi", FROM, ["ben@ifaxin.com"]), 1)
        [(meta, _parsed)] = stored(tag)
        self.assertEqual((meta["tls"], meta["label"]), (True, "12345"))
