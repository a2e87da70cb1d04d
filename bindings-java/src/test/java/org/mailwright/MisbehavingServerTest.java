package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SmtpClient against testservers/misbehaving/badsmtp.py: every misbehaviour
 * is a typed exception or a typed result, never a raw value or a hang.
 */
class MisbehavingServerTest {
    static final Base64.Encoder B64 = Base64.getEncoder();

    static boolean hasRawControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f);
    }

    /** #2/#7: NUL, ESC and BEL in the queue id: nothing thrown, the typed result, values escaped by the core. */
    @Test
    void controlCharactersInTheQueueIdAreEscaped() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("control_chars");
                SmtpClient client = SmtpClient.connect(server.options().build());
                Message m = TestSupport.small()) {
            SendResult r = client.send(m);
            assertEquals("q\\x00id\\x1B[2J", r.queueId().orElseThrow());
            assertEquals(List.of("ben@ifaxin.com", "joe@ifaxin.com"), r.accepted());
            assertEquals(250, r.reply().code());
            assertFalse(hasRawControl(r.reply().text()), r.reply().text());
            assertTrue(r.reply().text().contains("\\x07"), r.reply().text());
        }
    }

    /** #5: on a loopback host, plaintext AUTH refused explicitly: TlsUnavailable before any secret is sent. */
    @Test
    void credentialsAreNotSentInClearTextWhenRefused() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("echo_auth")) {
            SmtpOptions options = server.options().tls(TlsMode.OPPORTUNISTIC)
                    .credentials(Credentials.of("api_user", "api_key")).allowPlaintextAuth(false).build();
            assertEquals(java.util.Optional.of(false), options.allowPlaintextAuth());
            assertFalse(options.plaintextAuthAllowed());
            CapabilityException e = assertThrows(CapabilityException.class, () -> SmtpClient.connect(options));
            assertEquals("TlsUnavailable", e.kind());
        }
        SmtpOptions loopback = SmtpOptions.builder("127.0.0.1").build();
        assertEquals(java.util.Optional.empty(), loopback.allowPlaintextAuth());
        assertTrue(loopback.plaintextAuthAllowed(), "the core allows it for a loopback host");
        assertFalse(SmtpOptions.builder("smtp.example.com").build().plaintextAuthAllowed());
        assertTrue(SmtpOptions.builder("smtp.example.com").allowPlaintextAuth(true).build().plaintextAuthAllowed());
    }

    /** #7: a server echoing the AUTH secret (with ESC and BEL) shows neither the secret nor raw escapes. */
    @Test
    void aServerEchoingTheSecretShowsItNowhere() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("echo_auth")) {
            for (String key : List.of("s3cret-key", "another-key")) {
                SmtpOptions options = server.options().credentials(Credentials.of("api_user", key)).transcript(true).build();
                AuthenticationException e = assertThrows(AuthenticationException.class, () -> SmtpClient.connect(options));
                assertEquals("AuthenticationFailed", e.kind());
                String reply = e.reply().orElseThrow().text();
                String shown = e.getMessage() + " " + reply + " " + e.reply().orElseThrow().lines();
                assertTrue(reply.contains("<redacted>"), shown);
                assertFalse(shown.contains("\u001b") || shown.contains("\u0007"), shown);
                for (String secret : List.of(key, B64.encodeToString(key.getBytes(StandardCharsets.UTF_8)),
                        B64.encodeToString(("\0api_user\0" + key).getBytes(StandardCharsets.UTF_8)))) {
                    assertFalse(shown.contains(secret), secret + " in " + shown);
                }
            }
        }
    }

    /** #8: replies sent before their command are a protocol error, and no AUTH goes out early. */
    @Test
    void anEarlyTalkerIsAProtocolError() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("early_talker")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> SmtpClient.connect(
                    server.options().credentials(Credentials.of("api_user", "api_key")).build()));
            assertEquals("Protocol", e.kind());
        }
    }

    /** #10: a greeting dripping one byte per half second: every read gets data, yet the reply deadline ends it. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aServerDrippingBytesTimesOut() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("slow_drip")) {
            ConnectionException e = assertThrows(ConnectionException.class,
                    () -> SmtpClient.connect(server.options().timeout(Duration.ofSeconds(2)).build()));
            assertEquals("Timeout", e.kind());
            assertTrue(e.isTransient());
        }
    }

    /** The transcript is off unless asked for, then drained; secrets masked. */
    @Test
    void theClientTranscriptIsOptIn() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("ok")) {
            try (SmtpClient client = SmtpClient.connect(server.options().build()); Message m = TestSupport.small()) {
                assertFalse(server.options().build().transcript());
                client.send(m);
                assertEquals(List.of(), client.takeTranscript());
                assertFalse(client.isTls());
            }
            try (SmtpClient client = SmtpClient.connect(server.options().transcript(true).build());
                    Message m = TestSupport.small()) {
                client.send(m);
                List<TranscriptLine> lines = client.takeTranscript();
                assertEquals("S: 220 bad.test ESMTP misbehaving", lines.get(0).toString());
                assertTrue(lines.stream().anyMatch(l -> l.text().startsWith("MAIL FROM:<support@ifaxin.com>")), lines.toString());
                assertEquals(List.of(), client.takeTranscript(), "drained");
            }
        }
    }

    /**
     * close() from another thread while a send is blocked (the server never
     * answers the end of DATA) returns promptly, and the send throws
     * ConnectionClosed. A hang fails through the time-out (the test runs in
     * a thread of its own, so even a close() stuck on a lock cannot hang the
     * build).
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeFromAnotherThreadInterruptsABlockedSend() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final"); Message m = TestSupport.small()) {
            // Time-outs far longer than the test's: only close() can end the send.
            SmtpClient client = SmtpClient.connect(server.options().timeout(Duration.ofMinutes(10)).build());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread sender = new Thread(() -> {
                started.countDown();
                try {
                    client.send(m);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            sender.setDaemon(true);
            sender.start();
            started.await();
            Thread.sleep(500); // let the send reach the read of the final reply
            client.close();
            sender.join();
            Throwable t = thrown.get();
            assertNotNull(t, "the blocked send must fail");
            ConnectionException e = assertInstanceOf(ConnectionException.class, t);
            assertEquals("ConnectionClosed", e.kind());
            assertTrue(e.getMessage().contains("application"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> client.send(m), "closed");
            client.close();
        }
    }
}
