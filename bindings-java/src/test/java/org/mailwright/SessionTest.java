package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sans-IO session driven against a scripted server, no socket involved. */
class SessionTest {
    /** Answers each command like a small relay; returns its replies. */
    static final class FakeServer {
        boolean inData;
        final StringBuilder data = new StringBuilder();
        final List<String> commands = new ArrayList<>();
        final String rcptReply;

        FakeServer(String rcptReply) {
            this.rcptReply = rcptReply;
        }

        String answer(String out) {
            StringBuilder replies = new StringBuilder();
            int start = 0;
            while (start < out.length()) {
                int end = out.indexOf("\r\n", start);
                String line = out.substring(start, end);
                start = end + 2;
                if (inData) {
                    if (line.equals(".")) {
                        inData = false;
                        replies.append("250 Queued as 4F1A2\r\n");
                    } else {
                        data.append(line).append("\r\n");
                    }
                    continue;
                }
                commands.add(line);
                String verb = line.split("[ :]")[0].toUpperCase();
                replies.append(switch (verb) {
                    case "EHLO" -> "250-mx.ifaxin.com\r\n250-PIPELINING\r\n250-AUTH LOGIN PLAIN XOAUTH2\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n";
                    case "AUTH" -> "235 2.7.0 Authentication successful\r\n";
                    case "MAIL" -> "250 2.1.0 Ok\r\n";
                    case "RCPT" -> line.contains("refused@") ? rcptReply : "250 2.1.5 Ok\r\n";
                    case "DATA" -> { inData = true; yield "354 go ahead\r\n"; }
                    case "QUIT" -> "221 bye\r\n";
                    default -> "500 what\r\n";
                });
            }
            return replies.toString();
        }
    }

    @Test
    void sendsAMessageAndReportsItsQueueId() {
        FakeServer server = new FakeServer("550 5.1.1 no such user\r\n");
        List<Session.Event> events = new ArrayList<>();
        try (Session s = new Session("client.ifaxin.com", TlsMode.NONE, null, true);
                Message m = TestSupport.example().to("refused@ifaxin.com").build()) {
            s.receive("220 mx.ifaxin.com ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            long handle = -1;
            for (int round = 0; round < 20; round++) {
                for (Optional<Session.Event> e = s.pollEvent(); e.isPresent(); e = s.pollEvent()) {
                    events.add(e.get());
                    if (e.get().kind() == Session.Event.Kind.READY) {
                        handle = s.send(m);
                        s.quit();
                    }
                }
                String out = new String(s.takeOutput(), StandardCharsets.UTF_8);
                if (out.isEmpty()) {
                    continue;
                }
                s.receive(server.answer(out).getBytes(StandardCharsets.US_ASCII));
            }
            assertEquals("EHLO client.ifaxin.com", server.commands.get(0));
            assertTrue(server.commands.get(1).startsWith("MAIL FROM:<support@ifaxin.com> SIZE="), server.commands.get(1));
            Session.Event sent = events.stream().filter(e -> e.kind() == Session.Event.Kind.SENT).findFirst().orElseThrow();
            assertEquals(handle, sent.handle());
            SendResult r = sent.result().orElseThrow();
            assertEquals("4F1A2", r.queueId().orElseThrow());
            assertEquals(List.of("ben@ifaxin.com", "audit@ifaxin.com"), r.accepted());
            assertEquals(550, r.refused().get("refused@ifaxin.com"));
            assertTrue(server.data.toString().contains("Subject: =?utf-8?"), "the message went after DATA");
            assertEquals(Session.Event.Kind.CLOSED, events.get(events.size() - 1).kind());
        }
    }

    /**
     * Runs a session with the given credentials to READY and returns the
     * commands the server saw. The fake server offers no TLS: credentials go
     * in clear text only because this session allows it (the core's rule).
     */
    static List<String> authenticate(Credentials creds) {
        FakeServer server = new FakeServer("550 no\r\n");
        SessionConfig config = SessionConfig.builder().helloName("client.ifaxin.com").tls(TlsMode.NONE)
                .credentials(creds).allowPlaintextAuth(true).build();
        try (Session s = new Session(config)) {
            s.receive("220 mx.ifaxin.com ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int round = 0; round < 5; round++) {
                String out = new String(s.takeOutput(), StandardCharsets.UTF_8);
                if (!out.isEmpty()) {
                    s.receive(server.answer(out).getBytes(StandardCharsets.US_ASCII));
                }
            }
            Session.Event e = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.READY, e.kind(), () -> e.error().map(Throwable::getMessage).orElse(""));
        }
        return server.commands;
    }

    @Test
    void authenticatesWithTheLabelOrAnOAuth2Token() {
        String plain = java.util.Base64.getEncoder().encodeToString("\0api_user#12345\0api_key".getBytes(StandardCharsets.UTF_8));
        assertEquals("AUTH PLAIN " + plain, authenticate(Credentials.of("api_user", "api_key").withLabel("12345")).get(1));
        assertTrue(authenticate(Credentials.oauth2("u@ifaxin.com", "tok")).get(1).startsWith("AUTH XOAUTH2 "));
    }

    @Test
    void garbageFromTheServerIsAnErrorEventNotACrash() {
        try (Session s = new Session(null, TlsMode.STARTTLS, null, false)) {
            s.receive("\u0000\u00ff not smtp at all\r\n".getBytes(StandardCharsets.ISO_8859_1));
            Session.Event e = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.ERROR, e.kind());
            assertEquals("Protocol", e.error().orElseThrow().kind());
        }
    }

    @Test
    void aLostConnectionHasTheKindOfItsCause() {
        for (ConnectionLoss cause : ConnectionLoss.values()) {
            try (Session s = new Session("client.ifaxin.com", TlsMode.NONE, null, true)) {
                s.connectionLost(cause, "read: connection reset");
                Session.Event e = s.pollEvent().orElseThrow();
                assertEquals(Session.Event.Kind.ERROR, e.kind());
                MailwrightException error = e.error().orElseThrow();
                assertEquals(cause.errorKind(), error.kind());
                assertEquals(ErrorCategory.CONNECTION, error.category());
                assertTrue(error.getMessage().contains("connection reset"), error.getMessage());
            }
        }
        assertEquals("Timeout", ConnectionLoss.TIMEOUT.errorKind());
    }

    @Test
    void defaultsAndNamesComeFromTheCore() {
        FakeServer server = new FakeServer("550 no\r\n");
        try (Session s = new Session(null, null, null, true)) {
            s.receive("220 mx.ifaxin.com ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
            String out = new String(s.takeOutput(), StandardCharsets.US_ASCII);
            assertEquals("EHLO localhost\r\n", out, "the core's default EHLO name");
            s.receive(server.answer(out).getBytes(StandardCharsets.US_ASCII));
            // STARTTLS required by default: the fake server does not offer it.
            Session.Event e = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.ERROR, e.kind());
            assertEquals("TlsUnavailable", e.error().orElseThrow().kind());
            assertInstanceOf(CapabilityException.class, e.error().orElseThrow());
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void credentialsAreNeverSentInClearTextUnlessAllowed() {
        FakeServer server = new FakeServer("550 no\r\n");
        SessionConfig config = SessionConfig.builder().helloName("client.ifaxin.com").tls(TlsMode.OPPORTUNISTIC)
                .credentials(Credentials.of("api_user", "api_key")).build();
        try (Session s = new Session(config)) {
            s.receive(ascii("220 mx.ifaxin.com ESMTP\r\n"));
            String out = new String(s.takeOutput(), StandardCharsets.US_ASCII);
            s.receive(ascii(server.answer(out)));
            assertEquals("QUIT\r\n", new String(s.takeOutput(), StandardCharsets.US_ASCII), "no AUTH, no secret on the wire: QUIT");
            MailwrightException e = s.pollEvent().orElseThrow().error().orElseThrow();
            assertEquals("TlsUnavailable", e.kind());
            assertInstanceOf(CapabilityException.class, e);
            assertEquals(List.of("EHLO client.ifaxin.com"), server.commands);
        }
    }

    @Test
    void aReplyBeforeItsCommandWasTakenIsAnEarlyTalker() {
        try (Session s = new Session("client.ifaxin.com", TlsMode.NONE, null, true)) {
            // The EHLO reply arrives with the greeting, before EHLO was taken (sent).
            s.receive(ascii("220 mx.ifaxin.com ESMTP\r\n250 mx.ifaxin.com\r\n"));
            Session.Event e = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.ERROR, e.kind());
            assertEquals("Protocol", e.error().orElseThrow().kind());
            assertInstanceOf(ProtocolException.class, e.error().orElseThrow());
        }
    }

    @Test
    void theHelloNameIsCheckedByTheCore() {
        InputException e = assertThrows(InputException.class,
                () -> new Session(SessionConfig.builder().helloName("x\r\nMAIL FROM:<evil@example.com>").build()));
        assertEquals("InvalidOption", e.kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> new Session(SessionConfig.builder().replyTimeout(Duration.ZERO).build())).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> new Session(SessionConfig.builder().messageTimeout(Duration.ofDays(2)).build())).kind());
    }

    @Test
    void theTranscriptIsOffByDefaultAndDrainedWhenOn() {
        try (Session off = new Session()) {
            off.receive(ascii("220 mx.ifaxin.com ESMTP\r\n"));
            off.takeOutput();
            assertEquals(List.of(), off.takeTranscript(), "off by default");
        }
        SessionConfig config = SessionConfig.builder().helloName("client.ifaxin.com").tls(TlsMode.NONE)
                .credentials(Credentials.of("api_user", "s3cret-key")).allowPlaintextAuth(true).transcript(true).build();
        FakeServer server = new FakeServer("550 no\r\n");
        try (Session s = new Session(config)) {
            s.receive(ascii("220 mx.ifaxin.com \u001b[2J ESMTP\r\n"));
            for (int round = 0; round < 5; round++) {
                String out = new String(s.takeOutput(), StandardCharsets.UTF_8);
                if (!out.isEmpty()) {
                    s.receive(ascii(server.answer(out)));
                }
            }
            assertEquals(Session.Event.Kind.READY, s.pollEvent().orElseThrow().kind());
            List<TranscriptLine> lines = s.takeTranscript();
            assertEquals(TranscriptLine.Direction.SERVER, lines.get(0).direction());
            assertEquals("S: 220 mx.ifaxin.com \\x1B[2J ESMTP", lines.get(0).toString(), "escaped by the core");
            assertEquals(TranscriptLine.Direction.CLIENT, lines.get(1).direction());
            assertEquals("C: EHLO client.ifaxin.com", lines.get(1).toString());
            String all = lines.toString();
            assertTrue(all.contains("AUTH PLAIN"), all);
            String plain = java.util.Base64.getEncoder().encodeToString("\0api_user\0s3cret-key".getBytes(StandardCharsets.UTF_8));
            assertFalse(all.contains("s3cret-key") || all.contains(plain), "the secret is masked: " + all);
            assertEquals(List.of(), s.takeTranscript(), "drained");
            assertEquals(0, s.transcriptDropped());
        }
    }

    @Test
    void theClockIsTheTransportsAndDeadlinesAreTheCores() {
        SessionConfig config = SessionConfig.builder().helloName("client.ifaxin.com").tls(TlsMode.NONE)
                .replyTimeout(Duration.ofSeconds(5)).build();
        try (Session s = new Session(config)) {
            s.advance(Duration.ofSeconds(100));
            assertEquals(Optional.of(Duration.ofSeconds(105)), s.pollTimeout(), "the greeting is due 5 s after the first reading");
            // Bytes trickle in, but no complete reply: the deadline still holds.
            s.receive(ascii("220 mx.ifa"));
            s.advance(Duration.ofSeconds(104));
            assertEquals(Optional.empty(), s.pollEvent());
            s.advance(Duration.ofSeconds(105));
            Session.Event e = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.ERROR, e.kind());
            assertEquals("Timeout", e.error().orElseThrow().kind());
            assertInstanceOf(ConnectionException.class, e.error().orElseThrow());
            assertEquals(Optional.empty(), s.pollTimeout(), "a failed session waits for nothing");
        }
        try (Session s = new Session()) {
            assertThrows(IllegalArgumentException.class, () -> s.advance(Duration.ofSeconds(-1)));
            assertThrows(NullPointerException.class, () -> s.advance(null));
        }
    }

    static boolean hasRawControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f);
    }

    /**
     * #2: NUL and other control bytes in every server-supplied field (queue
     * id, reply texts, the refusal of a recipient) cannot forge any field of
     * the typed result: each arrives whole, escaped by the core.
     */
    @Test
    void controlBytesFromTheServerForgeNothing() {
        try (Session s = new Session("client.ifaxin.com", TlsMode.NONE, null, true);
                Message ok = Message.builder().from("support@ifaxin.com").to("ben@ifaxin.com").to("refused@ifaxin.com")
                        .text("t").build();
                Message bad = Message.builder().from("support@ifaxin.com").to("ben@ifaxin.com").text("t").build()) {
            s.receive(ascii("220 mx\u0000.ifaxin.com ESMTP\r\n"));
            assertEquals("EHLO client.ifaxin.com\r\n", new String(s.takeOutput(), StandardCharsets.US_ASCII));
            s.receive(ascii("250-mx.ifaxin.com\u0000\u001b[2J\r\n250 PIPELINING\r\n"));
            assertEquals(Session.Event.Kind.READY, s.pollEvent().orElseThrow().kind());
            long first = s.send(ok);
            s.takeOutput();
            s.receive(ascii("250 ok\r\n250 ok\r\n550 5.1.1 \u0000forged@evil.example\u001b[2J\u0007 no\r\n354 go\r\n"));
            s.takeOutput();
            s.receive(ascii("250 #q\u0000forged@evil.example\u0000x#Queued\u0007\r\n"));
            Session.Event sent = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.SENT, sent.kind());
            assertEquals(first, sent.handle());
            SendResult r = sent.result().orElseThrow();
            assertEquals(List.of("ben@ifaxin.com"), r.accepted());
            assertEquals(java.util.Map.of("refused@ifaxin.com", 550), r.refused());
            assertEquals(r.refused(), sent.refused());
            assertEquals("q\\x00forged@evil.example\\x00x", r.queueId().orElseThrow());
            assertFalse(hasRawControl(r.reply().text()), r.reply().text());

            long second = s.send(bad);
            s.takeOutput();
            s.receive(ascii("250 ok\r\n250 ok\r\n354 go\r\n"));
            s.takeOutput();
            s.receive(ascii("554 5.7.1 \u0000\u001b]0;pwned\u0007 refused\r\n"));
            Session.Event failed = s.pollEvent().orElseThrow();
            assertEquals(Session.Event.Kind.FAILED, failed.kind());
            assertEquals(second, failed.handle());
            MailwrightException e = failed.error().orElseThrow();
            assertEquals("SmtpPermanent", e.kind());
            assertEquals(554, e.smtpCode());
            String shown = e.getMessage() + e.reply().orElseThrow().text() + e.reply().orElseThrow().lines();
            assertFalse(hasRawControl(shown), shown);
            assertTrue(shown.contains("\\x1B]0;pwned\\x07"), shown);
        }
    }
}
