package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared SMTP vectors of testdata/smtp (AUTH payloads, replies, scripted
 * sessions; see its README) through the public API. Fails when fewer cases ran
 * than the files hold.
 */
class SmtpVectorsTest {
    static final Path SMTP = TestSupport.root().resolve("testdata/smtp");
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final AtomicInteger expected = new AtomicInteger();
    static final AtomicInteger ran = new AtomicInteger();

    @AfterAll
    static void everyCaseRan() {
        assertTrue(expected.get() > 0, "no SMTP vector found in " + SMTP);
        assertEquals(expected.get(), ran.get(), "SMTP vectors that ran, of those in " + SMTP);
    }

    static List<JsonNode> cases(String file) throws IOException {
        List<JsonNode> cases = new ArrayList<>();
        JSON.readTree(SMTP.resolve(file).toFile()).get("cases").forEach(cases::add);
        return cases;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Credentials through the public API: fails (InvalidCredentials) when made, if they are bad. */
    static Credentials credentials(JsonNode c) {
        Credentials made = c.has("token") ? Credentials.oauth2(c.get("user").asText(), c.get("token").asText())
                : Credentials.of(c.get("user").asText(), c.get("key").asText());
        return c.has("label") ? made.withLabel(c.get("label").asText()) : made;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    @TestFactory
    Stream<DynamicTest> auth() throws IOException {
        List<JsonNode> cases = cases("auth.json");
        expected.addAndGet(cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest("auth " + c.get("name").asText(), () -> {
            ObjectNode actual = NODES.objectNode();
            try {
                Credentials creds = credentials(c.get("credentials"));
                actual.put("username", creds.username());
                if (creds.isOAuth2()) {
                    actual.put("xoauth2", text(Auth.xoauth2(creds)));
                } else {
                    actual.put("login", text(Auth.login(creds)));
                    actual.put("login_username", text(Auth.loginAnswer(creds, b64("Username:"), false)));
                    actual.put("login_password", text(Auth.loginAnswer(creds, b64("Password:"), true)));
                    actual.put("plain", text(Auth.plain(creds)));
                }
                assertEquals(c.get("expected"), actual);
                assertTrue(!c.has("expected_error"));
            } catch (MailwrightException e) {
                assertEquals(c.path("expected_error").asText(null), e.kind(), e.getMessage());
                assertEquals(ErrorCategory.INPUT, e.category());
            }
            ran.incrementAndGet();
        }));
    }

    @TestFactory
    Stream<DynamicTest> replies() throws IOException {
        List<JsonNode> cases = cases("replies.json");
        expected.addAndGet(cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest("reply " + c.get("name").asText(), () -> {
            try {
                Reply r = Reply.parse(c.get("input").asText());
                JsonNode want = c.get("expected");
                assertTrue(want != null, "parsed, but expected " + c.path("expected_error").asText());
                assertEquals(want.get("code").asInt(), r.code());
                assertEquals(want.get("enhanced").isNull() ? Optional.empty() : Optional.of(want.get("enhanced").asText()),
                        r.enhancedStatus());
                List<String> lines = new ArrayList<>();
                want.get("lines").forEach(l -> lines.add(l.asText()));
                assertEquals(lines, r.lines());
                assertEquals(Names.constant(Reply.Classification.class, want.get("class").asText()), r.classification());
                assertEquals(want.get("transient").asBoolean(), r.isTransient());
                assertEquals(want.get("queue_id").isNull() ? Optional.empty() : Optional.of(want.get("queue_id").asText()),
                        r.queueId());
            } catch (MailwrightException e) {
                assertEquals(c.path("expected_error").asText(null), e.kind(), e.getMessage());
            }
            ran.incrementAndGet();
        }));
    }

    @TestFactory
    Stream<DynamicTest> sessions() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(SMTP.resolve("sessions"))) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        expected.addAndGet(files.size());
        return files.stream().map(p -> DynamicTest.dynamicTest("session " + p.getFileName(), () -> {
            runSession(JSON.readTree(p.toFile()));
            ran.incrementAndGet();
        }));
    }

    static Message vector(String name) throws IOException {
        JsonNode input = JSON.readTree(TestSupport.root().resolve("testdata/vectors/" + name + ".json").toFile()).get("input");
        return GoldenVectorsTest.builder(input).build();
    }

    static void runSession(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        JsonNode config = c.get("config");
        Session session;
        try {
            SessionConfig.Builder b = SessionConfig.builder()
                    .helloName(config.get("hello_name").asText())
                    .tls(TlsMode.fromName(config.get("tls").asText()))
                    .pipelining(config.get("pipelining").asBoolean())
                    .allowPlaintextAuth(config.path("allow_plaintext_auth").asBoolean(false));
            if (config.has("credentials")) {
                b.credentials(credentials(config.get("credentials")));
            }
            session = new Session(b.build());
        } catch (MailwrightException e) {
            assertEquals(c.path("expected_error").asText(null), e.kind(), name + ": " + e.getMessage());
            assertEquals(0, c.get("steps").size());
            return;
        }
        assertTrue(!c.has("expected_error"), name + ": the session was made, but expected " + c.path("expected_error"));
        List<Message> messages = new ArrayList<>();
        try (session) {
            int i = 0;
            for (JsonNode step : c.get("steps")) {
                String where = name + " step " + ++i;
                JsonNode handle = NODES.nullNode();
                JsonNode error = NODES.nullNode();
                if (step.has("send")) {
                    Message m = vector(step.get("send").asText());
                    messages.add(m);
                    try {
                        handle = NODES.numberNode(Math.toIntExact(session.send(m)));
                    } catch (MailwrightException e) {
                        error = NODES.textNode(e.kind());
                    }
                } else if (step.has("server")) {
                    session.receive(step.get("server").asText().getBytes(StandardCharsets.UTF_8));
                } else if (step.has("tls_established")) {
                    session.tlsEstablished();
                } else if (step.has("lost")) {
                    session.connectionLost(ConnectionLoss.fromName(step.get("lost").asText()), "");
                } else if (step.has("quit")) {
                    session.quit();
                } else if (step.has("advance_ms")) {
                    session.advance(java.time.Duration.ofMillis(step.get("advance_ms").asLong()));
                } else {
                    throw new AssertionError(where + ": unknown step " + step);
                }
                assertEquals(step.path("handle").isMissingNode() ? NODES.nullNode() : step.get("handle"), handle, where + " handle");
                assertEquals(step.path("expected_error").isMissingNode() ? NODES.nullNode() : step.get("expected_error"), error,
                        where + " error");
                assertEquals(step.get("client").asText(), text(session.takeOutput()), where + " client bytes");
                ArrayNode events = NODES.arrayNode();
                for (Optional<Session.Event> e = session.pollEvent(); e.isPresent(); e = session.pollEvent()) {
                    events.add(event(e.get()));
                }
                assertEquals(step.get("events"), events, where + " events");
            }
        } finally {
            messages.forEach(Message::close);
        }
    }

    static ArrayNode refused(Map<String, Integer> refused) {
        ArrayNode out = NODES.arrayNode();
        refused.forEach((rcpt, code) -> out.add(NODES.objectNode().put("recipient", rcpt).put("code", code)));
        return out;
    }

    /** The event as the vectors write it (its type by the core's name). */
    static ObjectNode event(Session.Event e) {
        ObjectNode out = NODES.objectNode().put("type", e.kind().coreName());
        switch (e.kind()) {
            case SENT -> {
                SendResult r = e.result().orElseThrow();
                out.put("handle", Math.toIntExact(e.handle()));
                out.set("queue_id", r.queueId().<JsonNode>map(NODES::textNode).orElse(NODES.nullNode()));
                ArrayNode accepted = out.putArray("accepted");
                r.accepted().forEach(accepted::add);
                out.set("refused", refused(r.refused()));
                out.put("code", r.reply().code());
                assertEquals(r.refused(), e.refused());
            }
            case FAILED -> {
                MailwrightException x = e.error().orElseThrow();
                out.put("handle", Math.toIntExact(e.handle()));
                out.put("error", x.kind());
                out.set("code", x.reply().<JsonNode>map(rep -> NODES.numberNode(rep.code())).orElse(NODES.nullNode()));
                out.set("refused", refused(e.refused()));
            }
            case ERROR -> {
                MailwrightException x = e.error().orElseThrow();
                out.put("error", x.kind());
                out.set("code", x.reply().<JsonNode>map(rep -> NODES.numberNode(rep.code())).orElse(NODES.nullNode()));
            }
            default -> { }
        }
        return out;
    }
}
