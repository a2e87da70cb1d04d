package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Mailer (the core's delivery engine) against the local Haraka of
 * testservers/haraka (STARTTLS, AUTH with a label) and the misbehaving
 * server. The time-outs only keep a hang from hanging the build.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MailerTest {
    static Process haraka;
    static JsonNode info;
    static Path dir;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("mw-haraka-mailer-java-");
        haraka = new ProcessBuilder("python3", TestSupport.root().resolve("testservers/haraka/harakactl.py").toString(),
                "--dir", dir.toString(), "--user", "api_user=api_key")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(haraka.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            throw new IllegalStateException("harakactl.py could not start Haraka");
        }
        info = JSON.readTree(line);
    }

    @AfterAll
    static void stop() throws Exception {
        if (haraka != null) {
            haraka.getOutputStream().close();
            haraka.waitFor();
        }
    }

    /** A mailer for Haraka over STARTTLS, logging in as api_user#12345. */
    static Mailer.Builder haraka() {
        return Mailer.builder("127.0.0.1", info.get("port").asInt())
                .credentials(Credentials.of("api_user", "api_key").withLabel("12345"))
                .tls(TlsMode.STARTTLS).caFile(Path.of(info.get("ca_file").asText())).timeout(Duration.ofSeconds(20));
    }

    /** What Haraka stored so far: queue id → its metadata. */
    static Map<String, JsonNode> stored() throws IOException {
        Map<String, JsonNode> out = new HashMap<>();
        Path folder = dir.resolve("stored");
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".json")) {
                    out.put(name.substring(0, name.length() - 5), JSON.readTree(p.toFile()));
                }
            }
        }
        return out;
    }

    static String subjectOf(String queueId) throws IOException {
        for (String line : Files.readAllLines(dir.resolve("stored").resolve(queueId + ".eml"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Subject: ")) {
                return line.substring("Subject: ".length());
            }
        }
        return null;
    }

    static Message message(String tag, int n) {
        return Message.builder().from("support@ifaxin.com").to("ben@ifaxin.com").subject(tag + " " + n)
                .text("message " + n + "\n.dot line").build();
    }

    /** Checks that every outcome was delivered once, stored once by Haraka over TLS with the label. */
    static void assertStoredOnce(String tag, Set<String> before, List<Outcome> outcomes, int n) throws IOException {
        assertEquals(n, outcomes.size());
        Set<Long> tickets = new HashSet<>();
        Set<String> queueIds = new TreeSet<>();
        for (Outcome o : outcomes) {
            Outcome.Delivered d = assertInstanceOf(Outcome.Delivered.class, o, o.toString());
            assertEquals("delivered", d.kind());
            assertEquals(1, d.attempts());
            assertEquals(List.of("ben@ifaxin.com"), d.accepted());
            assertEquals(List.of(), d.refused());
            assertTrue(tickets.add(d.ticket()), "one ticket per message");
            assertTrue(queueIds.add(d.queueId().orElseThrow()), "one queue id per message");
        }
        Map<String, JsonNode> now = stored();
        now.keySet().removeAll(before);
        assertEquals(queueIds, new TreeSet<>(now.keySet()), "every queue id returned is a stored message, once");
        Set<String> subjects = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : now.entrySet()) {
            assertEquals("12345", e.getValue().get("label").asText());
            assertTrue(e.getValue().get("tls").asBoolean());
            String subject = subjectOf(e.getKey());
            if (subject.startsWith(tag + " ")) {
                subjects.add(subject);
            }
        }
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            expected.add(tag + " " + i);
        }
        assertEquals(expected, subjects, "each message stored once");
    }

    @Test
    void twoHundredMessagesOverFourConnectionsWithALabelOverStartTls() throws Exception {
        String tag = "pool-" + System.nanoTime();
        Set<String> before = stored().keySet();
        List<Outcome> outcomes = new ArrayList<>();
        Mailer.Counters counters;
        try (Mailer mailer = haraka().connections(4).build()) {
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                try (Message m = message(tag, i)) {
                    futures.add(mailer.submit(m));
                }
            }
            for (CompletableFuture<Outcome> f : futures) {
                outcomes.add(f.join());
            }
            counters = mailer.counters();
            assertTrue(counters.connections() <= 4, counters.toString());
        }
        assertStoredOnce(tag, before, outcomes, 200);
        assertEquals(200, counters.delivered());
        assertEquals(0, counters.failed() + counters.uncertain() + counters.retries() + counters.queued() + counters.inFlight());
        assertFalse(counters.currentRate().isPresent(), "no rate set");
    }

    @Test
    void manyThreadsShareOneMailer() throws Exception {
        String tag = "threads-" + System.nanoTime();
        Set<String> before = stored().keySet();
        int threads = 8;
        int each = 10;
        Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Mailer mailer = haraka().connections(3).rate(Rate.of(1000, Duration.ofSeconds(1))).build()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                Thread worker = new Thread(() -> {
                    try {
                        go.await();
                        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
                        for (int i = base; i < base + each; i++) {
                            try (Message m = message(tag, i)) {
                                if (i % 2 == 0) {
                                    outcomes.put(i, mailer.send(m));     // blocking, from many threads
                                } else {
                                    int n = i;
                                    futures.add(mailer.submit(m).thenApply(o -> outcomes.put(n, o)));
                                }
                            }
                        }
                        futures.forEach(CompletableFuture::join);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                worker.start();
                workers.add(worker);
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertEquals(List.of(), errors);
            Mailer.Counters c = mailer.counters();
            assertEquals(threads * each, c.delivered());
            assertTrue(c.currentRate().isPresent(), "a rate is set: " + c);
        }
        assertStoredOnce(tag, before, new ArrayList<>(outcomes.values()), threads * each);
    }

    @Test
    void sendRawAndSendAndSubmitRaw() throws Exception {
        try (Mailer mailer = haraka().connections(2).build()) {
            byte[] raw;
            try (Message m = Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").subject("raw").text("raw").build()) {
                raw = m.toBytes();
            }
            Outcome o = mailer.sendRaw(raw, "a@ifaxin.com", List.of("b@ifaxin.com", "c@ifaxin.com"));
            Outcome.Delivered d = assertInstanceOf(Outcome.Delivered.class, o);
            assertEquals(List.of("b@ifaxin.com", "c@ifaxin.com"), d.accepted());
            assertTrue(stored().containsKey(d.queueId().orElseThrow()));
            Outcome.Delivered viaFuture = assertInstanceOf(Outcome.Delivered.class,
                    mailer.submitRaw(raw, "", List.of("b@ifaxin.com")).join());
            assertTrue(stored().containsKey(viaFuture.queueId().orElseThrow()), "null sender <> accepted");
            try (Message m = TestSupport.example().build()) {
                Outcome.Delivered single = assertInstanceOf(Outcome.Delivered.class, mailer.send(m));
                assertEquals(List.of("ben@ifaxin.com", "audit@ifaxin.com"), single.accepted(), "Bcc in the envelope");
                byte[] eml = Files.readAllBytes(dir.resolve("stored").resolve(single.queueId().orElseThrow() + ".eml"));
                byte[] bytes = m.toBytes();
                assertTrue(new String(eml, StandardCharsets.UTF_8).endsWith(new String(bytes, StandardCharsets.UTF_8)),
                        "the message's own bytes were stored");
            }
            // A bad raw envelope is bad input, thrown at once.
            InputException bad = assertThrows(InputException.class,
                    () -> mailer.sendRaw(raw, "a@ifaxin.com", List.of("x\r\nRCPT TO:<e@vil>")));
            assertEquals("HeaderInjection", bad.kind());
            assertEquals("NoRecipients", assertThrows(InputException.class,
                    () -> mailer.submitRaw(raw, "a@ifaxin.com", List.of())).kind());
        }
    }

    /**
     * close() drains: called while most messages are still queued, it
     * returns once every one was sent (every future Delivered, each stored
     * once); then the mailer refuses every call with the core's InvalidState
     * error (a StateException, so a MailwrightException),
     * and a second close() (or an abort()) is a no-op.
     */
    @Test
    void closeSendsEverythingSubmittedThenRefusesEveryCall() throws Exception {
        String tag = "drain-" + System.nanoTime();
        Set<String> before = stored().keySet();
        Mailer mailer = haraka().connections(2).build();
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            try (Message m = message(tag, i)) {
                futures.add(mailer.submit(m));
            }
        }
        // Close while some are delivered, some on a connection, most still queued.
        Mailer.Counters c = mailer.counters();
        while (c.delivered() < 5) {
            Thread.sleep(5);
            c = mailer.counters();
        }
        assertTrue(c.queued() > 0, "messages still queued when close() is called: " + c);
        mailer.close();
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<Outcome> f : futures) {
            assertTrue(f.isDone(), "close() returns once every outcome is in");
            outcomes.add(f.getNow(null));
        }
        assertStoredOnce(tag, before, outcomes, 200);
        try (Message m = message(tag, 99)) {
            MailwrightException e = assertThrows(MailwrightException.class, () -> mailer.send(m));
            assertTrue(e instanceof StateException, e.toString());
            assertEquals("InvalidState", e.kind(), e.getMessage());
            assertEquals(ErrorCategory.STATE, e.category(), e.getMessage());
            assertTrue(e.getMessage().contains("the mailer is closed"), e.getMessage());
            assertThrows(StateException.class, () -> mailer.submit(m));
            assertThrows(StateException.class, () -> mailer.sendRaw(new byte[] {'x'}, "a@ifaxin.com", List.of("b@ifaxin.com")));
            assertThrows(StateException.class, mailer::counters);
        }
        mailer.close();
        mailer.abort();
    }

    /** close() waits for the retries of what was submitted: each message is tried to its last attempt. */
    @Test
    void closeSendsWithRetries() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("transient_final"); Message m = TestSupport.small()) {
            Mailer mailer = Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).timeout(Duration.ofSeconds(5))
                    .connections(2).retry(RetryPolicy.defaults().maxAttempts(3).initialBackoff(Duration.ofMillis(20))
                            .maxBackoff(Duration.ofMillis(50)))
                    .build();
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(mailer.submit(m));
            }
            mailer.close();
            for (CompletableFuture<Outcome> f : futures) {
                Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, f.getNow(null));
                assertEquals("SmtpTransient", failed.error().kind(), failed.toString());
                assertEquals(3, failed.attempts());
                assertTrue(failed.gaveUp());
            }
        }
    }

    /** Checks abort()'s outcomes: {@code sent} uncertain (no answer to their data), the rest failed, never sent. */
    static void assertAborted(List<Outcome> outcomes, int sent) {
        int uncertain = 0;
        for (Outcome o : outcomes) {
            if (o instanceof Outcome.Uncertain u) {
                uncertain++;
                assertInstanceOf(ConnectionException.class, u.error());
            } else {
                Outcome.Failed failed = assertInstanceOf(Outcome.Failed.class, o, String.valueOf(o));
                assertEquals("InvalidState", failed.error().kind(), "not sent: aborted before its turn");
                assertInstanceOf(StateException.class, failed.error());
                assertEquals(0, failed.attempts());
                assertFalse(failed.gaveUp());
            }
        }
        assertEquals(sent, uncertain, "the messages in flight finish (uncertain), the others are not sent: " + outcomes);
    }

    /** A mailer on one connection to a server that never answers the data (1 s time-out). */
    static Mailer stalledOne(TestSupport.BadServer server) {
        return Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).timeout(Duration.ofSeconds(1))
                .connections(1).build();
    }

    /** Waits until one message is on the connection and {@code queued} wait for it. */
    static void awaitOneInFlight(Mailer mailer, long queued) throws InterruptedException {
        for (Mailer.Counters c = mailer.counters(); c.inFlight() != 1 || c.queued() != queued; c = mailer.counters()) {
            Thread.sleep(10);
        }
    }

    /** abort() from another thread while sends wait: every caller gets its outcome, the queued ones not sent. */
    @Test
    void abortWhileOtherThreadsSend() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final"); Message m = TestSupport.small()) {
            Mailer mailer = stalledOne(server);
            List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Thread t = new Thread(() -> {
                    try {
                        results.add(mailer.send(m));
                    } catch (Throwable e) {
                        results.add(e);
                    }
                });
                t.start();
                senders.add(t);
            }
            awaitOneInFlight(mailer, 2);
            mailer.abort();
            for (Thread t : senders) {
                t.join();
            }
            assertEquals(3, results.size());
            List<Outcome> outcomes = new ArrayList<>();
            for (Object r : results) {
                outcomes.add(assertInstanceOf(Outcome.class, r, String.valueOf(r)));
            }
            assertAborted(outcomes, 1);
            assertThrows(StateException.class, () -> mailer.submit(m));
            mailer.close();
        }
    }

    /**
     * abort() cuts a close() draining on another thread short: the drain has
     * sent the first message and put the second on the connection; abort()
     * fails the two still queued, and close() returns.
     */
    @Test
    void abortStopsADrain() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final"); Message m = TestSupport.small()) {
            Mailer mailer = stalledOne(server);
            List<CompletableFuture<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(mailer.submit(m));
            }
            awaitOneInFlight(mailer, 3);
            CountDownLatch closing = new CountDownLatch(1);
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread closer = new Thread(() -> {
                closing.countDown();
                try {
                    mailer.close();
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            closer.start();
            closing.await();
            // The drain goes on after the first outcome (1 s): the second message is on the connection.
            for (Mailer.Counters c = mailer.counters(); c.uncertain() != 1 || c.inFlight() != 1; c = mailer.counters()) {
                Thread.sleep(10);
            }
            assertThrows(StateException.class, () -> mailer.submit(m), "no new messages while draining");
            mailer.abort();
            closer.join();
            assertEquals(List.of(), errors);
            List<Outcome> outcomes = new ArrayList<>();
            for (CompletableFuture<Outcome> f : futures) {
                assertTrue(f.isDone(), "abort() returns once every outcome is in");
                outcomes.add(f.getNow(null));
            }
            assertAborted(outcomes, 2);
        }
    }

    /** Submits {@code n} messages to a mailer that is then dropped, one on the connection and the rest queued. */
    static List<CompletableFuture<Outcome>> submitAndDrop(TestSupport.BadServer server, Message m, int n)
            throws InterruptedException {
        Mailer mailer = stalledOne(server);
        List<CompletableFuture<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(mailer.submit(m));
        }
        awaitOneInFlight(mailer, n - 1);
        return futures;
    }

    /** A mailer dropped without close() is aborted by its cleaner, not drained: the queued messages are not sent. */
    @Test
    void aDroppedMailerIsAborted() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final"); Message m = TestSupport.small()) {
            List<CompletableFuture<Outcome>> futures = submitAndDrop(server, m, 3);
            CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
            while (!all.isDone()) {
                System.gc();
                Thread.sleep(20);
            }
            assertAborted(futures.stream().map(CompletableFuture::join).toList(), 1);
        }
    }

    @Test
    void failuresAreOutcomesWithTheTypedError() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("permanent_rcpt");
                Mailer mailer = Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).build();
                Message m = TestSupport.small()) {
            Outcome.Failed f = assertInstanceOf(Outcome.Failed.class, mailer.send(m));
            assertEquals("failed", f.kind());
            SmtpReplyException e = assertInstanceOf(SmtpReplyException.class, f.error());
            assertEquals("SmtpPermanent", e.kind());
            assertEquals(201, e.code());
            assertFalse(e.isTransient());
            assertFalse(f.gaveUp());
            assertEquals(List.of("ben@ifaxin.com", "joe@ifaxin.com"), f.refused().stream().map(Outcome.Refusal::recipient).toList());
            assertEquals(550, f.refused().get(0).reply().code());
        }
    }

    /**
     * A mailer whose messages all end uncertain one second after their data
     * (the server never answers it): every future completes on a mailer
     * thread, long after its dependent stages were attached.
     */
    static Mailer stalled(TestSupport.BadServer server) {
        return Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).timeout(Duration.ofSeconds(1))
                .connections(8).build();
    }

    /**
     * Futures complete on the core's driver threads, attached to the JVM as
     * daemon threads named after the core's, with the binding's class loader
     * as their context loader.
     */
    @Test
    void futuresCompleteOnDaemonMailerThreads() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final");
                Mailer mailer = stalled(server); Message m = TestSupport.small()) {
            List<CompletableFuture<Thread>> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(mailer.submit(m).thenApply(o -> Thread.currentThread()));
            }
            for (CompletableFuture<Thread> f : threads) {
                Thread t = f.join();
                assertTrue(t.isDaemon(), t.toString());
                assertTrue(t.getName().startsWith("mailwright-"), t.getName());
                assertEquals(Mailer.class.getClassLoader(), t.getContextClassLoader());
            }
        }
    }

    @Test
    void theMailerRefusesCallsFromDependentStages() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("stall_final"); Message m = TestSupport.small()) {
            Mailer mailer = stalled(server);
            List<Consumer<Outcome>> calls = List.of(o -> mailer.send(m), o -> mailer.submit(m), o -> mailer.close(),
                    o -> mailer.sendRaw(new byte[] {'x'}, "a@ifaxin.com", List.of("b@ifaxin.com")));
            List<CompletableFuture<Void>> stages = new ArrayList<>();
            for (Consumer<Outcome> call : calls) {
                stages.add(mailer.submit(m).thenAccept(call));
            }
            // From an async stage, the mailer works; counters() works from anywhere.
            CompletableFuture<Outcome> chained = mailer.submit(m).thenApplyAsync(o -> mailer.send(m));
            CompletableFuture<Mailer.Counters> counted = mailer.submit(m).thenApply(o -> mailer.counters());
            for (CompletableFuture<Void> stage : stages) {
                CompletionException e = assertThrows(CompletionException.class, stage::join);
                assertInstanceOf(IllegalStateException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("*Async"), e.getCause().getMessage());
            }
            assertEquals("uncertain", chained.join().kind());
            assertTrue(counted.join().uncertain() >= 1);
            mailer.close();
        }
    }

    @Test
    void preparedMessagesAreNeverLeaked() throws Exception {
        try (TestSupport.BadServer server = new TestSupport.BadServer("ok");
                Mailer mailer = Mailer.builder("127.0.0.1", server.port).tls(TlsMode.NONE).build();
                Message m = TestSupport.small()) {
            long before = CleanerTest.quiesce();  // nothing else left for the Cleaner to free meanwhile
            for (int i = 0; i < 10; i++) {
                assertTrue(mailer.send(m).isDelivered());
                mailer.submit(m).join();
            }
            assertThrows(InputException.class, () -> mailer.sendRaw(new byte[0], "bad address", List.of("b@ifaxin.com")));
            assertEquals(before, Native.liveHandles());
        }
    }

    @Test
    void badArgumentsAreTyped() {
        assertNotNull(Mailer.builder("127.0.0.1", 25));
        assertThrows(NullPointerException.class, () -> Mailer.builder(null));
        assertThrows(NullPointerException.class, () -> Mailer.builder("h").rate(null));
        assertThrows(NullPointerException.class, () -> Mailer.builder("h").retry(null));
        assertThrows(NullPointerException.class, () -> Mailer.builder("h").idleTimeout(null));
        assertThrows(NullPointerException.class, () -> Rate.of(1, null));
        List<Mailer.Builder> bad = List.of(
                Mailer.builder("127.0.0.1", 25).connections(0),
                Mailer.builder("127.0.0.1", 25).connections(-1),
                Mailer.builder("127.0.0.1", 25).connections(5000),
                Mailer.builder("127.0.0.1", 25).queueCapacity(0),
                Mailer.builder("127.0.0.1", 25).messagesPerConnection(0),
                Mailer.builder("127.0.0.1", 25).retry(RetryPolicy.defaults().maxAttempts(0)),
                Mailer.builder("127.0.0.1", 25).retry(RetryPolicy.defaults().deadline(Duration.ZERO)),
                Mailer.builder("127.0.0.1", 25).retry(RetryPolicy.defaults().initialBackoff(Duration.ofDays(2))),
                Mailer.builder("127.0.0.1", 25).idleTimeout(Duration.ofNanos(1)),
                Mailer.builder("127.0.0.1", 25).rateLimitedPause(Duration.ofMillis(-5)),
                Mailer.builder("127.0.0.1", 25).timeout(Duration.ZERO),
                Mailer.builder("127.0.0.1", 0));
        for (Mailer.Builder b : bad) {
            InputException e = assertThrows(InputException.class, b::build);
            assertEquals("InvalidOption", e.kind());
        }
        // A negative count is the core's InvalidOption naming the setting (never read as 0).
        Map<String, Runnable> negative = Map.of(
                "connections", () -> Mailer.builder("127.0.0.1", 25).connections(-1).build(),
                "messagesPerConnection", () -> Mailer.builder("127.0.0.1", 25).messagesPerConnection(-1).build(),
                "queueCapacity", () -> Mailer.builder("127.0.0.1", 25).queueCapacity(-7).build(),
                "maxAttempts", () -> Mailer.builder("127.0.0.1", 25).retry(RetryPolicy.defaults().maxAttempts(-2)).build(),
                "messages", () -> Rate.of(-3, Duration.ofMinutes(1)));
        negative.forEach((name, r) -> {
            InputException e = assertThrows(InputException.class, r::run, name);
            assertEquals("InvalidOption", e.kind(), name);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains(" -"), e.getMessage());
        });
        for (Runnable r : List.<Runnable>of(() -> Rate.of(0, Duration.ofMinutes(1)), () -> Rate.of(-3, Duration.ofMinutes(1)),
                () -> Rate.of(10, Duration.ZERO), () -> Rate.fromName("fast"))) {
            assertEquals("InvalidOption", assertThrows(InputException.class, r::run).kind());
        }
    }

    @Test
    void ratesAndKindsAreTheCores() throws Exception {
        assertEquals(20_000, Rate.SENDCLOUD.messages());
        assertEquals(Duration.ofMinutes(1), Rate.SENDCLOUD.per());
        assertEquals(500, Rate.SENDCLOUD.burst());
        assertEquals(Rate.SENDCLOUD.toString(), Rate.fromName("sendcloud").toString());
        Rate r = Rate.of(100, Duration.ofMillis(1500));
        assertEquals(100, r.messages());
        assertEquals(Duration.ofMillis(1500), r.per());
        assertTrue(r.burst() >= 1);
        assertEquals(List.of("delivered", "failed", "uncertain"), Outcome.kinds());
        MailwrightException error = new MailwrightException("Timeout", 208, "connection", true, null, "x");
        assertEquals("delivered", new Outcome.Delivered(1, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), List.of(), List.of(), 1, 0).kind());
        assertEquals("failed", new Outcome.Failed(2, java.util.Optional.empty(), java.util.Optional.empty(), error, 1, true, List.of()).kind());
        assertEquals("uncertain", new Outcome.Uncertain(3, java.util.Optional.empty(), java.util.Optional.empty(), error, 1).kind());
        // Good settings build (nothing connects until a message is sent).
        try (Mailer mailer = Mailer.builder("127.0.0.1", 25).tls(TlsMode.NONE).connections(8).rate(Rate.SENDCLOUD)
                .retry(RetryPolicy.defaults().maxAttempts(3).initialBackoff(Duration.ofMillis(50))
                        .maxBackoff(Duration.ofSeconds(2)).deadline(Duration.ofMinutes(5)))
                .rateLimitedPause(Duration.ofSeconds(30)).messagesPerConnection(500).idleTimeout(Duration.ofSeconds(10))
                .queueCapacity(100).atLeastOnce(false).build()) {
            Mailer.Counters c = mailer.counters();
            assertEquals(0, c.connections());
            assertEquals(new Mailer.Counters(0, 0, 0, 0, 0, 0, 0, 0, c.currentRate()), c);
        }
    }
}
