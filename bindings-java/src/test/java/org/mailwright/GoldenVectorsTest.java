package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of testdata/vectors and testdata/vectors-13 (List-Unsubscribe,
 * DKIM, calendar invitations) through the public builder API, byte for byte;
 * fails when fewer cases ran than a folder holds.
 */
class GoldenVectorsTest {
    static final Path VECTORS = TestSupport.root().resolve("testdata/vectors");
    static final Path VECTORS_13 = TestSupport.root().resolve("testdata/vectors-13");
    /** testdata/dkim: the fixed test keys the signers of vectors-13 name. */
    static final Path DKIM = TestSupport.root().resolve("testdata/dkim");
    static final Map<Path, Integer> RAN = new java.util.concurrent.ConcurrentHashMap<>();
    static final Map<Path, Integer> TOTAL = new java.util.concurrent.ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> vectors() throws IOException {
        return folder(VECTORS, 30);
    }

    @TestFactory
    Stream<DynamicTest> vectors13() throws IOException {
        return folder(VECTORS_13, 15);
    }

    static Stream<DynamicTest> folder(Path dir, int atLeast) throws IOException {
        List<Path> cases;
        try (Stream<Path> files = Files.list(dir)) {
            cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(cases.size() >= atLeast, "expected the golden vectors in " + dir);
        TOTAL.put(dir, cases.size());
        RAN.put(dir, 0);
        return cases.stream().map(p -> DynamicTest.dynamicTest(dir.getFileName() + "/" + p.getFileName(), () -> {
            run(p);
            RAN.merge(dir, 1, Integer::sum);
        }));
    }

    @AfterAll
    static void everyCaseRan() {
        assertEquals(java.util.Set.of(VECTORS, VECTORS_13), TOTAL.keySet(), "folders run");
        TOTAL.forEach((dir, total) -> assertEquals(total, RAN.get(dir), "golden vectors that ran, of those in " + dir));
    }

    static void run(Path json) throws IOException {
        JsonNode c = new ObjectMapper().readTree(json.toFile());
        Message.Builder b = builder(c.get("input"));
        if (c.has("expected_error")) {
            MailwrightException e = assertThrows(MailwrightException.class, b::build);
            assertEquals(c.get("expected_error").asText(), e.kind());
            return;
        }
        byte[] expected = Files.readAllBytes(Path.of(json.toString().replaceAll("\\.json$", ".eml")));
        try (Message m = b.build()) {
            assertArrayEquals(expected, m.toBytes(), json.getFileName() + ": bytes differ");
            assertEquals(expected.length, m.size());
            JsonNode env = c.get("expected_envelope");
            List<String> rcpt = new ArrayList<>();
            env.get("recipients").forEach(r -> rcpt.add(r.asText()));
            assertEquals(new Envelope(env.get("sender").asText(), rcpt), m.envelope());
            assertEquals(c.get("input").has("dkim"), m.isSigned());
        }
    }

    static Message.Builder builder(JsonNode in) {
        Message.Builder b = Message.builder();
        Iterator<Map.Entry<String, JsonNode>> fields = in.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "from" -> mailbox(v, b::from, b::from);
                case "sender" -> mailbox(v, b::sender, b::sender);
                case "envelope_from" -> mailbox(v, b::envelopeFrom, b::envelopeFrom);
                case "to" -> each(v, m -> mailbox(m, b::to, b::to));
                case "cc" -> each(v, m -> mailbox(m, b::cc, b::cc));
                case "bcc" -> each(v, m -> mailbox(m, b::bcc, b::bcc));
                case "reply_to" -> each(v, m -> mailbox(m, b::replyTo, b::replyTo));
                case "subject" -> b.subject(v.asText());
                case "text" -> b.text(v.asText());
                case "html" -> b.html(v.asText());
                case "message_id" -> b.messageId(v.asText());
                case "date" -> b.date(v.asLong());
                case "boundary_seed" -> b.boundarySeed(v.asText());
                case "in_reply_to" -> v.forEach(id -> b.inReplyTo(id.asText()));
                case "references" -> v.forEach(id -> b.references(id.asText()));
                case "headers" -> v.forEach(h -> b.header(h.get(0).asText(), h.get(1).asText()));
                case "sc_custom" -> v.forEach(h -> b.scCustom(h.get(0).asText(), h.get(1).asText()));
                case "inline" -> v.forEach(p -> b.inline(p.get("content_id").asText(), p.get("content_type").asText(),
                        Base64.getDecoder().decode(p.get("data_base64").asText()),
                        p.has("filename") ? p.get("filename").asText() : null));
                case "attachments" -> v.forEach(p -> b.attachment(p.get("filename").asText(),
                        p.get("content_type").asText(), Base64.getDecoder().decode(p.get("data_base64").asText())));
                case "x_smtpapi" -> b.xSmtpApi(api(v));
                case "list_unsubscribe" -> v.forEach(u -> b.listUnsubscribe(u.asText()));
                case "one_click_unsubscribe" -> b.oneClickUnsubscribe(v.asBoolean());
                case "list_id" -> b.listId(v.asText());
                case "calendar" -> {
                    Calendar cal = Calendar.of(v.get("method").asText(), v.get("content").asText());
                    b.calendar(v.has("attachment") ? cal.attachment(v.get("attachment").asText()) : cal);
                }
                case "dkim" -> v.forEach(s -> b.dkim(signer(s)));
                default -> throw new AssertionError("unknown input member " + f.getKey());
            }
        }
        return b;
    }

    /** A member of {@code dkim}: the key from testdata/dkim or a raw seed, as the core's runner reads it. */
    static DkimSigner signer(JsonNode v) {
        DkimKey key;
        if (v.has("key_file")) {
            try {
                key = DkimKey.fromPem(Files.readAllBytes(DKIM.resolve(v.get("key_file").asText())));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            key = DkimKey.ed25519FromSeed(Base64.getDecoder().decode(v.get("key_seed_base64").asText()));
        }
        DkimSigner.Builder s = DkimSigner.builder(v.get("domain").asText(), v.get("selector").asText(), key);
        Iterator<Map.Entry<String, JsonNode>> fields = v.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            switch (f.getKey()) {
                case "key_file", "key_seed_base64", "domain", "selector" -> { }
                case "time" -> s.time(f.getValue().asLong());
                case "expires_after" -> s.expiresAfter(java.time.Duration.ofSeconds(f.getValue().asLong()));
                case "canonicalization" -> {
                    String[] hb = f.getValue().asText().split("/", 2);
                    s.canonicalization(canonicalization(hb[0]), canonicalization(hb.length > 1 ? hb[1] : "simple"));
                }
                default -> throw new AssertionError("unknown dkim member " + f.getKey());
            }
        }
        return s.build();
    }

    static Canonicalization canonicalization(String tag) {
        for (Canonicalization c : Canonicalization.values()) {
            if (c.tag().equals(tag)) {
                return c;
            }
        }
        throw new AssertionError("canonicalization " + tag);
    }

    interface One { Message.Builder set(String mailbox); }
    interface Two { Message.Builder set(String name, String address); }

    /** A mailbox member: a string (the text form) or an object {name?, address} (the two-string form). */
    static void mailbox(JsonNode v, One text, Two parts) {
        if (v.isObject()) {
            parts.set(v.has("name") ? v.get("name").asText() : null, v.get("address").asText());
        } else if (v.isTextual()) {
            text.set(v.asText());
        } else {
            throw new AssertionError("a mailbox is a string or an object, not " + v);
        }
    }

    /** The items of a list member (testdata/README: always an array). */
    static void each(JsonNode v, java.util.function.Consumer<JsonNode> item) {
        if (!v.isArray()) {
            throw new AssertionError("expected an array of mailboxes, not " + v);
        }
        v.forEach(item);
    }

    static XSmtpApi api(JsonNode v) {
        XSmtpApi x = new XSmtpApi();
        Iterator<Map.Entry<String, JsonNode>> fields = v.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            switch (f.getKey()) {
                case "to" -> f.getValue().forEach(a -> x.to(a.asText()));
                case "sub" -> f.getValue().properties().forEach(s -> {
                    List<String> values = new ArrayList<>();
                    s.getValue().forEach(e -> values.add(e.asText()));
                    x.sub(s.getKey(), values);
                });
                case "section" -> f.getValue().properties().forEach(s -> x.section(s.getKey(), s.getValue().asText()));
                case "filters" -> f.getValue().properties().forEach(s -> {
                    boolean on = s.getValue().asBoolean();
                    switch (s.getKey()) {
                        case "open_tracking" -> x.openTracking(on);
                        case "click_tracking" -> x.clickTracking(on);
                        case "subscription_tracking" -> x.subscriptionTracking(on);
                        default -> throw new AssertionError("unknown filter " + s.getKey());
                    }
                });
                default -> throw new AssertionError("unknown x_smtpapi member " + f.getKey());
            }
        }
        return x;
    }
}
