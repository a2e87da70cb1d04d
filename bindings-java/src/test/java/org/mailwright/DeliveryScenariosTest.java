package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared delivery scenarios (testdata/delivery/scenarios.json): each
 * case starts testservers/misbehaving/badsmtp.py with its server, sends the
 * file's message through a Mailer made with the file's options (the case's
 * overriding them) as many times as the case says (concurrently through
 * submit when more than one), and checks every member of "expect" against
 * every outcome, then the mailer's counters. The same outcomes in every
 * binding. Fails when fewer cases ran than the file holds.
 */
class DeliveryScenariosTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Only keeps a hang from hanging the build; no case comes near it. */
    static final Duration HANG_GUARD = Duration.ofMinutes(2);
    static final int PARALLEL = 6;

    /**
     * Every case runs at once (each against its own server, at most
     * {@link #PARALLEL} together, mostly waiting on time-outs and backoffs);
     * each dynamic test waits for its case and reports it by name.
     */
    @TestFactory
    Stream<DynamicTest> scenarios() throws Exception {
        JsonNode file = JSON.readTree(TestSupport.root().resolve("testdata/delivery/scenarios.json").toFile());
        JsonNode cases = file.get("cases");
        AtomicInteger ran = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String name = c.get("name").asText();
            Future<?> result = pool.submit(() -> {
                run(file, c);
                return null;
            });
            tests.add(DynamicTest.dynamicTest(name, () -> {
                ran.incrementAndGet();
                try {
                    result.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new AssertionError(name + ": " + e.getCause(), e.getCause());
                }
            }));
        }
        pool.shutdown();
        tests.add(DynamicTest.dynamicTest("every case ran", () -> {
            assertTrue(cases.size() > 0, "no scenario in the file");
            assertEquals(cases.size(), ran.get(), "cases run");
        }));
        return tests.stream();
    }

    static void run(JsonNode file, JsonNode c) throws Exception {
        String name = c.get("name").asText();
        ObjectNode options = file.get("mailer").deepCopy();
        if (c.has("mailer")) {
            options.setAll((ObjectNode) c.get("mailer"));
        }
        int count = c.get("messages").asInt();
        JsonNode expect = c.get("expect");
        try (TestSupport.BadServer server = new TestSupport.BadServer(c.get("server").asText());
                Message message = message(file.get("message"), name)) {
            List<Outcome> outcomes = new ArrayList<>();
            Mailer.Counters counters;
            try (Mailer mailer = mailer(server.port, options, name)) {
                if (count == 1) {
                    outcomes.add(mailer.send(message));
                } else {
                    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        futures.add(mailer.submit(message));
                    }
                    futures.forEach(f -> outcomes.add(f.join()));
                }
                counters = mailer.counters();
            }
            assertEquals(count, outcomes.size(), name);
            for (Outcome o : outcomes) {
                check(name, expect, o, counters);
            }
        }
    }

    /** The case's message, through the public builder. */
    static Message message(JsonNode spec, String name) {
        Message.Builder b = Message.builder();
        for (Map.Entry<String, JsonNode> e : spec.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "from" -> b.from(v.asText());
                case "to" -> v.forEach(a -> b.to(a.asText()));
                case "cc" -> v.forEach(a -> b.cc(a.asText()));
                case "bcc" -> v.forEach(a -> b.bcc(a.asText()));
                case "subject" -> b.subject(v.asText());
                case "text" -> b.text(v.asText());
                case "html" -> b.html(v.asText());
                default -> fail(name + ": the runner does not know the message member \"" + e.getKey() + "\"");
            }
        }
        return b.build();
    }

    static Duration millis(JsonNode v) {
        return Duration.ofNanos(Math.round(v.asDouble() * 1_000_000));
    }

    /** A mailer for 127.0.0.1:port with the merged options. */
    static Mailer mailer(int port, JsonNode options, String name) {
        Mailer.Builder b = Mailer.builder("127.0.0.1", port);
        RetryPolicy retry = RetryPolicy.defaults();
        for (Map.Entry<String, JsonNode> e : options.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "tls" -> b.tls(TlsMode.fromName(v.asText()));
                case "timeout_ms" -> b.timeout(millis(v));
                case "message_timeout_ms" -> b.messageTimeout(millis(v));
                case "connections" -> b.connections(v.asInt());
                case "messages_per_connection" -> b.messagesPerConnection(v.asInt());
                case "queue_capacity" -> b.queueCapacity(v.asInt());
                case "idle_timeout_ms" -> b.idleTimeout(millis(v));
                case "rate_limited_pause_ms" -> b.rateLimitedPause(millis(v));
                case "at_least_once" -> b.atLeastOnce(v.asBoolean());
                case "pipelining" -> b.pipelining(v.asBoolean());
                case "rate" -> b.rate(v.isTextual() ? Rate.fromName(v.asText())
                        : Rate.of(v.get("messages").asInt(), millis(v.get("per_ms"))));
                case "max_attempts" -> retry = retry.maxAttempts(v.asInt());
                case "initial_backoff_ms" -> retry = retry.initialBackoff(millis(v));
                case "max_backoff_ms" -> retry = retry.maxBackoff(millis(v));
                case "deadline_ms" -> retry = retry.deadline(millis(v));
                default -> fail(name + ": the runner does not know the mailer option \"" + e.getKey() + "\"");
            }
        }
        return b.retry(retry).build();
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** Checks every member of {@code expect} present against one outcome (and the counters after all outcomes). */
    static void check(String name, JsonNode expect, Outcome o, Mailer.Counters counters) {
        String where = name + ": " + o;
        List<Outcome.Refusal> refused = List.of();
        MailwrightException error = null;
        if (o instanceof Outcome.Delivered d) {
            refused = d.refused();
        } else if (o instanceof Outcome.Failed f) {
            refused = f.refused();
            error = f.error();
        } else if (o instanceof Outcome.Uncertain u) {
            error = u.error();
        }
        for (Map.Entry<String, JsonNode> e : expect.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "outcome" -> assertEquals(v.asText(), o.kind(), where);
                case "error" -> assertEquals(v.asText(), error == null ? null : error.kind(), where);
                case "attempts" -> assertEquals(v.asInt(), o.attempts(), where);
                case "gave_up" -> assertEquals(v.asBoolean(), o instanceof Outcome.Failed f && f.gaveUp(), where);
                case "queue_id" -> assertEquals(v.isNull() ? null : v.asText(),
                        o instanceof Outcome.Delivered d ? d.queueId().orElse(null) : null, where);
                case "accepted" -> assertEquals(texts(v),
                        o instanceof Outcome.Delivered d ? d.accepted() : List.of(), where);
                case "refused" -> assertEquals(texts(v), refused.stream().map(Outcome.Refusal::recipient).toList(), where);
                case "uncertain_attempts" -> assertEquals(v.asInt(),
                        o instanceof Outcome.Delivered d ? d.uncertainAttempts() : 0, where);
                case "counters" -> checkCounters(name, v, counters);
                default -> fail(name + ": the runner does not know the expectation \"" + e.getKey() + "\"");
            }
        }
    }

    static void checkCounters(String name, JsonNode expect, Mailer.Counters c) {
        String where = name + ": " + c;
        for (Map.Entry<String, JsonNode> e : expect.properties()) {
            String key = e.getKey();
            boolean atLeast = key.endsWith("_at_least");
            String counter = atLeast ? key.substring(0, key.length() - "_at_least".length()) : key;
            long actual = switch (counter) {
                case "queued" -> c.queued();
                case "in_flight" -> c.inFlight();
                case "delivered" -> c.delivered();
                case "failed" -> c.failed();
                case "uncertain" -> c.uncertain();
                case "retries" -> c.retries();
                case "rate_limited" -> c.rateLimited();
                case "connections" -> c.connections();
                default -> {
                    fail(name + ": the runner does not know the counter \"" + key + "\"");
                    yield -1;
                }
            };
            long wanted = e.getValue().asLong();
            if (atLeast) {
                assertTrue(actual >= wanted, where + ": " + key + " " + wanted);
            } else {
                assertEquals(wanted, actual, where + ": " + key);
            }
        }
    }
}
