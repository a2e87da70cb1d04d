package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger from Java: {@code Mailer.builder(...).ledger(...)} against the
 * misbehaving server ("ok" scenario): a key submitted twice is sent once, in
 * one mailer and across a restart; the records read back, exported and
 * pruned; every bad input typed. The crash test of the Java API is
 * {@link LedgerChild} run by testservers/crashloop (make test).
 */
class LedgerTest {
    static Message order(int n) {
        return Message.builder().from("Shop <shop@ifaxin.com>").to("ben@ifaxin.com").subject("Order " + n)
                .text("Your order has shipped.").messageId("order-" + n + "@ifaxin.com").build();
    }

    static Mailer mailer(TestSupport.BadServer server, Ledger ledger) {
        return Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).timeout(Duration.ofSeconds(5))
                .ledger(ledger).build();
    }

    @Test
    void aKeySubmittedTwiceIsSentOnceAndReadBack(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("run.db");
        try (TestSupport.BadServer server = new TestSupport.BadServer("ok");
                Message one = order(1); Message two = order(2)) {
            try (Ledger ledger = Ledger.open(path); Mailer m = mailer(server, ledger)) {
                CompletableFuture<Outcome> first = m.submit(one, "order-1");
                CompletableFuture<Outcome> second = m.submit(one, "order-1");
                Outcome.Delivered a = assertInstanceOf(Outcome.Delivered.class, first.join());
                Outcome.Delivered b = assertInstanceOf(Outcome.Delivered.class, second.join());
                assertNotEquals(a.ticket(), b.ticket());
                assertEquals(a.queueId(), b.queueId());
                // Each outcome names its key and Message-ID.
                assertEquals(java.util.Optional.of("order-1"), a.key());
                assertEquals(java.util.Optional.of("order-1"), b.key());
                assertEquals(java.util.Optional.of("order-1@ifaxin.com"), a.messageId());
                // Raw bytes under a key; a message without a key is keyed by its Message-ID.
                byte[] raw = "Message-ID: <raw-1@ifaxin.com>\nSubject: raw\n\nbody\n".getBytes(StandardCharsets.US_ASCII);
                assertTrue(m.submitRaw(raw, "shop@ifaxin.com", List.of("ben@ifaxin.com"), "raw-1").join().isDelivered());
                Outcome byId = m.send(two);
                assertTrue(byId.isDelivered());
                assertEquals(java.util.Optional.of("order-2@ifaxin.com"), byId.key(), "keyed by its Message-ID");
                assertTrue(m.send(two).isDelivered());
                assertEquals(3, m.counters().delivered(), "three sent: order-1, raw-1, order-2");
                assertEquals(ledger, m.ledger().orElseThrow());
                assertEquals(0, m.resumed().queued());
                Ledger.Summary s = ledger.summary();
                assertEquals(3, s.delivered());
                assertEquals(3, s.total());
            }
            // Across a restart: the recorded outcome, nothing sent. The builder opens the path itself.
            try (Mailer m = Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).ledger(path).build()) {
                Outcome again = m.send(one, "order-1");
                assertTrue(again.isDelivered());
                assertEquals(java.util.Optional.of("order-1"), again.key());
                assertEquals(java.util.Optional.of("order-1@ifaxin.com"), again.messageId());
                assertEquals(0, m.counters().delivered(), "answered from the ledger");
                assertEquals(0, m.counters().connections());
                assertTrue(m.resumed().uncertain().isEmpty());
            }
        }
        try (Ledger ledger = Ledger.open(path, Ledger.Durability.PROCESS, false)) {
            LedgerRecord r = ledger.get("order-1").orElseThrow();
            assertEquals(Ledger.State.DELIVERED, r.state());
            assertEquals("order-1@ifaxin.com", r.messageId().orElseThrow());
            assertEquals("shop@ifaxin.com", r.sender());
            assertEquals(List.of("ben@ifaxin.com"), r.recipients());
            assertTrue(r.queueId().isPresent());
            assertEquals(1, r.attempts());
            assertFalse(r.error().isPresent());
            assertFalse(r.updated().isBefore(r.submitted()));
            assertTrue(ledger.get("order-9").isEmpty());
            List<String> keys = new ArrayList<>();
            ledger.forEach(Ledger.State.DELIVERED, rec -> keys.add(rec.key()));
            assertEquals(List.of("order-1", "raw-1", "order-2@ifaxin.com"), keys);
            assertTrue(ledger.records(Ledger.State.UNCERTAIN).isEmpty());
            Path csv = dir.resolve("out.csv");
            assertEquals(3, ledger.export(csv, Ledger.Format.CSV, null));
            List<String> lines = Files.readAllLines(csv);
            assertEquals(4, lines.size());
            assertTrue(lines.get(1).startsWith("order-1,delivered,order-1@ifaxin.com,1,"), lines.get(1));
            Path json = dir.resolve("out.json");
            assertEquals(3, ledger.export(json, Ledger.Format.JSON, Ledger.State.DELIVERED));
            assertTrue(Files.readString(json).contains("\"key\":\"raw-1\""));
            assertEquals(0, ledger.prune(Duration.ofHours(1)));
            assertEquals(3, ledger.prune(Duration.ZERO));
            assertEquals(0, ledger.summary().total());
            assertThrows(InputException.class, () -> ledger.prune(Duration.ofSeconds(-1)));
        }
        Ledger closed = Ledger.open(path);
        try (closed) {
            assertEquals(0, closed.summary().total());
        }
        assertThrows(IllegalStateException.class, closed::summary);
        closed.close(); // idempotent
    }

    @Test
    void badLedgersAndKeysAreTyped(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a ledger\n".repeat(500));
        SystemException e = assertThrows(SystemException.class, () -> Ledger.open(text));
        assertEquals("Ledger", e.kind());
        assertTrue(e.getMessage().contains("not a mailwright ledger"), e.getMessage());
        assertThrows(SystemException.class, () -> Mailer.builder("127.0.0.1", 25).tls(TlsMode.NONE).ledger(text).build());
        assertThrows(NullPointerException.class, () -> Ledger.open(null));
        assertThrows(NullPointerException.class, () -> Mailer.builder("h").ledger((Path) null));
        try (TestSupport.BadServer server = new TestSupport.BadServer("ok"); Message m = order(3);
                Ledger ledger = Ledger.open(dir.resolve("l.db")); Mailer mailer = mailer(server, ledger)) {
            InputException bad = assertThrows(InputException.class, () -> mailer.submit(m, "a\r\nBcc: x@evil.test"));
            assertEquals("InvalidKey", bad.kind());
            assertEquals("InvalidKey", assertThrows(InputException.class, () -> mailer.submit(m, "")).kind());
            assertThrows(NullPointerException.class, () -> mailer.submit(m, null));
            byte[] noId = "Subject: no id\r\n\r\nx".getBytes(StandardCharsets.US_ASCII);
            assertEquals("InvalidKey", assertThrows(InputException.class,
                    () -> mailer.submitRaw(noId, "a@ifaxin.com", List.of("b@ifaxin.com"))).kind());
            assertEquals(0, ledger.summary().total(), "nothing refused was recorded");
        }
        // A key without a ledger.
        try (TestSupport.BadServer server = new TestSupport.BadServer("ok"); Message m = order(4);
                Mailer mailer = Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).build()) {
            assertEquals("InvalidState", assertThrows(StateException.class, () -> mailer.submit(m, "order-4")).kind());
            assertTrue(mailer.ledger().isEmpty());
            assertEquals(0, mailer.resumed().queued());
        }
        for (Ledger.State s : Ledger.State.values()) {
            assertEquals(s, Ledger.State.of(s.coreName()));
        }
    }
}
