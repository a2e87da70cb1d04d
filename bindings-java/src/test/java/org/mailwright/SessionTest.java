package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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

    /** Runs a session with the given credentials to READY and returns the commands the server saw. */
    static List<String> authenticate(Credentials creds) {
        FakeServer server = new FakeServer("550 no\r\n");
        try (Session s = new Session("client.ifaxin.com", TlsMode.NONE, creds, true)) {
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
}
