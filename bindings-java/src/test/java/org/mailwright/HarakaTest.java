package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sending to the local Haraka of testservers/haraka (127.0.0.1, STARTTLS, label auth). */
class HarakaTest {
    static Process haraka;
    static JsonNode info;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("mw-haraka-java-");
        haraka = new ProcessBuilder("python3", TestSupport.root().resolve("testservers/haraka/harakactl.py").toString(),
                "--dir", dir.toString(), "--user", "api_user=api_key")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(haraka.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            throw new IllegalStateException("harakactl.py could not start Haraka");
        }
        info = new ObjectMapper().readTree(line);
    }

    @AfterAll
    static void stop() throws Exception {
        if (haraka != null) {
            haraka.getOutputStream().close();
            haraka.waitFor();
        }
    }

    static SmtpOptions.Builder options(Credentials c) {
        return SmtpOptions.builder("127.0.0.1", info.get("port").asInt()).credentials(c)
                .caFile(Path.of(info.get("ca_file").asText())).timeout(Duration.ofSeconds(20));
    }

    @Test
    void sendsWithALabelOverStartTls() throws Exception {
        Credentials creds = Credentials.of("api_user", "api_key").withLabel("12345");
        try (Message msg = TestSupport.example().build(); SmtpClient client = SmtpClient.connect(options(creds).build())) {
            SendResult r = client.send(msg);
            String id = r.queueId().orElseThrow();
            assertEquals(List.of("ben@ifaxin.com", "audit@ifaxin.com"), r.accepted());
            Path stored = dir.resolve("stored");
            JsonNode meta = new ObjectMapper().readTree(stored.resolve(id + ".json").toFile());
            assertEquals("12345", meta.get("label").asText());
            assertTrue(meta.get("tls").asBoolean());
            byte[] eml = Files.readAllBytes(stored.resolve(id + ".eml"));
            byte[] raw = msg.toBytes();
            assertArrayEquals(raw, Arrays.copyOfRange(eml, eml.length - raw.length, eml.length));
            SendResult second = client.send(msg);
            assertFalse(second.queueId().orElseThrow().equals(id), "two messages, two queue ids");
        }
    }

    @Test
    void aWrongKeyIsAnAuthenticationError() {
        Credentials creds = Credentials.of("api_user", "wrong-key").withLabel("12345");
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> SmtpClient.connect(options(creds).build()).close());
        assertEquals(535, e.smtpCode());
        assertFalse(e.getMessage().contains("wrong-key"));
    }

    @Test
    void connectAndTlsErrorsAreTyped() {
        MailwrightException e = assertThrows(MailwrightException.class, () -> SmtpClient.connect(
                SmtpOptions.builder("127.0.0.1", 1).tls(TlsMode.NONE).timeout(Duration.ofSeconds(5)).build()));
        assertEquals("Connect", e.kind());
        MailwrightException tls = assertThrows(MailwrightException.class, () -> SmtpClient.connect(
                SmtpOptions.builder("127.0.0.1", info.get("port").asInt()).timeout(Duration.ofSeconds(10)).build()));
        assertEquals("Tls", tls.kind());
    }
}
