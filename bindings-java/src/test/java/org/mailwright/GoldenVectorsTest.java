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

/** Every case of testdata/vectors through the public builder API, byte for byte. */
class GoldenVectorsTest {
    static final Path VECTORS = TestSupport.root().resolve("testdata/vectors");
    static int ran;
    static int total;

    @TestFactory
    Stream<DynamicTest> vectors() throws IOException {
        List<Path> cases;
        try (Stream<Path> files = Files.list(VECTORS)) {
            cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(cases.size() >= 30, "expected the golden vectors in " + VECTORS);
        total = cases.size();
        return cases.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
    }

    @AfterAll
    static void someRan() {
        assertEquals(total, ran, "golden vectors that ran, of those in " + VECTORS);
    }

    static void run(Path json) throws IOException {
        JsonNode c = new ObjectMapper().readTree(json.toFile());
        Message.Builder b = builder(c.get("input"));
        if (c.has("expected_error")) {
            MailwrightException e = assertThrows(MailwrightException.class, b::build);
            assertEquals(c.get("expected_error").asText(), e.kind());
            ran++;
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
        }
        ran++;
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
                default -> throw new AssertionError("unknown input member " + f.getKey());
            }
        }
        return b;
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
