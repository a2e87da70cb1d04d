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
        ConnectionException e = assertThrows(ConnectionException.class, () -> SmtpClient.connect(
                SmtpOptions.builder("127.0.0.1", 1).tls(TlsMode.NONE).timeout(Duration.ofSeconds(5)).build()));
        assertEquals("Connect", e.kind());
        assertTrue(e.isTransient(), "the core counts a refused connection as transient");
        TlsException tls = assertThrows(TlsException.class, () -> SmtpClient.connect(
                SmtpOptions.builder("127.0.0.1", info.get("port").asInt()).timeout(Duration.ofSeconds(10)).build()));
        assertEquals("Tls", tls.kind());
        assertEquals(ErrorCategory.CONNECTION, tls.category());
    }

    /** Haraka's own (leaf) certificate, beside the CA it was signed with. */
    static Path leafCertificate() {
        return Path.of(info.get("ca_file").asText()).resolveSibling("tls_cert.pem");
    }

    static String sha256(Path pem) throws Exception {
        java.security.cert.Certificate cert;
        try (var in = Files.newInputStream(pem)) {
            cert = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    static SmtpOptions.Builder pinned(Credentials c) {
        return SmtpOptions.builder("127.0.0.1", info.get("port").asInt()).credentials(c).timeout(Duration.ofSeconds(20));
    }

    @Test
    void aPinnedCertificateIsTrustedAlone() throws Exception {
        Credentials creds = Credentials.of("api_user", "api_key");
        String pem = Files.readString(leafCertificate());
        try (Message msg = TestSupport.example().build();
                SmtpClient client = SmtpClient.connect(pinned(creds).pinCertificatePem(pem).build())) {
            assertTrue(client.send(msg).queueId().isPresent());
        }
        try (Message msg = TestSupport.example().build();
                SmtpClient client = SmtpClient.connect(pinned(creds).pinSha256(sha256(leafCertificate())).build())) {
            assertTrue(client.send(msg).queueId().isPresent());
        }
    }

    @Test
    void aWrongPinIsATlsError() throws Exception {
        Credentials creds = Credentials.of("api_user", "api_key");
        // The CA's fingerprint: a real certificate, but not the server's.
        String wrong = sha256(Path.of(info.get("ca_file").asText()));
        TlsException e = assertThrows(TlsException.class, () -> SmtpClient.connect(pinned(creds).pinSha256(wrong).build()));
        assertEquals("Tls", e.kind());
        assertFalse(e.isTransient());
        InputException bad = assertThrows(InputException.class, () -> pinned(creds).pinSha256("AB:CD").build());
        assertEquals("InvalidOption", bad.kind());
        InputException notPem = assertThrows(InputException.class, () -> pinned(creds).pinCertificatePem("not a certificate").build());
        assertEquals(ErrorCategory.INPUT, notPem.category());
    }
}
