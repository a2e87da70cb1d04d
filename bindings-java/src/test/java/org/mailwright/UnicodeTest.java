package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * #15: a Java String holding a lone surrogate, given to any string parameter,
 * is refused with InvalidUnicode (code 117, an InputException), never written
 * as U+FFFD or '?'. Strings cross JNI as UTF-16 and the core decodes them.
 */
class UnicodeTest {
    static final String LONE = "\ud800";
    static final String LONE_LOW = "a\udc00b";

    static Message.Builder base() {
        return Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").text("t");
    }

    static void refused(String what, Executable call) {
        InputException e = assertThrows(InputException.class, call, what);
        assertEquals("InvalidUnicode", e.kind(), what + ": " + e.getMessage());
        assertEquals(117, e.code(), what);
        assertEquals(ErrorCategory.INPUT, e.category(), what);
        assertFalse(e.isTransient(), what);
        assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
        assertFalse(e.getMessage().contains("\ufffd"), e.getMessage());
    }

    static void buildRefused(String what, Supplier<Message.Builder> builder) {
        refused(what, () -> builder.get().build().close());
    }

    @Test
    void messageFields() {
        buildRefused("subject", () -> base().subject("Hi " + LONE));
        buildRefused("subject, low surrogate", () -> base().subject(LONE_LOW));
        buildRefused("text", () -> base().text("x" + LONE));
        buildRefused("html", () -> Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").html(LONE));
        buildRefused("header value", () -> base().header("X-Tag", "v" + LONE));
        buildRefused("header name", () -> base().header("X-" + LONE, "v"));
        buildRefused("to address", () -> Message.builder().from("a@ifaxin.com").to("b" + LONE + "@ifaxin.com").text("t"));
        buildRefused("to text", () -> Message.builder().from("a@ifaxin.com").to("Ben " + LONE + " <b@ifaxin.com>").text("t"));
        buildRefused("from display name", () -> Message.builder().from("Sup" + LONE, "a@ifaxin.com").to("b@ifaxin.com").text("t"));
        buildRefused("cc Mailbox", () -> base().cc(Mailbox.of(LONE, "c@ifaxin.com")));
        buildRefused("bcc", () -> base().bcc("d" + LONE + "@ifaxin.com"));
        buildRefused("reply-to", () -> base().replyTo(LONE + "@ifaxin.com"));
        buildRefused("sender", () -> base().sender(LONE + "@ifaxin.com"));
        buildRefused("envelope from", () -> base().envelopeFrom(LONE + "@ifaxin.com"));
        buildRefused("message id", () -> base().messageId("x" + LONE + "@ifaxin.com"));
        buildRefused("attachment filename", () -> base().attachment("r" + LONE + ".pdf", "application/pdf", new byte[1]));
        buildRefused("content type", () -> base().attachment("r.pdf", "application/" + LONE, new byte[1]));
        buildRefused("inline content id", () -> base().inline("i" + LONE, "image/png", TestSupport.PNG));
        buildRefused("X-SMTPAPI sub value", () -> base().xSmtpApi(new XSmtpApi().to("b@ifaxin.com").sub("%n%", List.of(LONE))));
        buildRefused("SC-Custom", () -> base().scCustom("k", LONE));
    }

    @Test
    void credentialsAndOptions() {
        refused("user", () -> Credentials.of("api" + LONE, "key"));
        refused("key", () -> Credentials.of("api_user", "k" + LONE));
        refused("token", () -> Credentials.oauth2("u@ifaxin.com", LONE));
        refused("label", () -> Credentials.of("api_user", "key").withLabel(LONE));
        refused("hello name", () -> SmtpOptions.builder("h").helloName("client" + LONE).build());
        refused("host", () -> SmtpOptions.builder("h" + LONE).build());
        refused("pin", () -> SmtpOptions.builder("h").pinSha256(LONE).build());
        refused("CA PEM", () -> SmtpOptions.builder("h").caPem("-----BEGIN" + LONE).build());
        refused("pinned PEM", () -> SmtpOptions.builder("h").pinCertificatePem("-----BEGIN" + LONE).build());
        refused("session hello name", () -> new Session("client" + LONE, TlsMode.NONE, null, true));
        refused("TLS mode name", () -> TlsMode.fromName("none" + LONE));
        refused("reply text", () -> Reply.parse("250 ok " + LONE + "\r\n"));
        refused("login challenge", () -> Auth.loginAnswer(Credentials.of("u", "k"), LONE, false));
        try (Session s = new Session()) {
            refused("connection-loss detail", () -> s.connectionLost(ConnectionLoss.CLOSED, "reset " + LONE));
        }
    }

    @Test
    void pairedSurrogatesAreText() {
        // An emoji is a valid surrogate pair: it is text, encoded by the core.
        try (Message m = base().subject("ok \ud83d\ude00").build()) {
            String raw = new String(m.toBytes(), StandardCharsets.US_ASCII);
            assertTrue(raw.contains("Subject: =?utf-8?B?b2sg8J+YgA==?="), raw);
        }
        assertEquals("ok \ud83d\ude00", Reply.parse("250 ok \ud83d\ude00\r\n").text());
        InputException e = assertThrows(InputException.class, () -> base().subject(LONE).build());
        assertInstanceOf(MailwrightException.class, e);
        assertTrue(e.getMessage().contains("subject"), "names the field: " + e.getMessage());
    }
}
