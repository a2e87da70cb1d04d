package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 (docs/BULK-SENDERS.md): List-Unsubscribe and one-click, List-Id,
 * calendar invitations and DKIM signing through the Java API; typed errors,
 * keys never shown, one signer reused across messages and threads.
 */
class BulkSendersTest {
    static final Path DKIM = TestSupport.root().resolve("testdata/dkim");
    static final Path VECTORS_13 = TestSupport.root().resolve("testdata/vectors-13");
    static final String ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ifaxin//test//EN\r\nMETHOD:REQUEST\r\n"
            + "BEGIN:VEVENT\r\nUID:1@ifaxin.com\r\nDTSTAMP:20250301T090000Z\r\nDTSTART:20250310T090000Z\r\n"
            + "END:VEVENT\r\nEND:VCALENDAR\r\n";

    static byte[] read(String name) throws IOException {
        return Files.readAllBytes(DKIM.resolve(name));
    }

    static Message.Builder base() {
        return Message.builder().from("News <news@ifaxin.com>").to("ben@ifaxin.com").subject("Spring news")
                .text("Spring news").messageId("t@ifaxin.com").date(1426390015).boundarySeed("golden");
    }

    static InputException inputError(Message.Builder b, String kind, int code) {
        InputException e = assertThrows(InputException.class, b::build, kind);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(code, e.code());
        assertEquals(ErrorCategory.INPUT, e.category());
        assertFalse(e.isTransient());
        return e;
    }

    static String raw(Message m) {
        return new String(m.toBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void unsubscribeHeadersAreWrittenAndCheckedByTheCore() {
        try (Message m = base().listUnsubscribe("https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c")
                .listUnsubscribe("mailto:unsubscribe@ifaxin.com?subject=unsubscribe").oneClickUnsubscribe(true)
                .listId("Spring news <spring.news.ifaxin.com>").build()) {
            String s = raw(m);
            assertTrue(s.contains("List-Unsubscribe: <https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c>,\r\n"
                    + " <mailto:unsubscribe@ifaxin.com?subject=unsubscribe>\r\n"), s);
            assertTrue(s.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), s);
            assertTrue(s.contains("\r\nList-Id: Spring news <spring.news.ifaxin.com>\r\n"), s);
            assertFalse(m.isSigned());
        }
        try (Message m = base().listUnsubscribe("mailto:u@ifaxin.com").oneClickUnsubscribe(false).build()) {
            assertTrue(raw(m).contains("List-Unsubscribe: <mailto:u@ifaxin.com>\r\n"));
            assertFalse(raw(m).contains("List-Unsubscribe-Post"));
        }
        inputError(base().listUnsubscribe("http://u.ifaxin.com/x"), "InvalidUnsubscribeUri", 118);
        inputError(base().listUnsubscribe("https://u.ifaxin.com/a b"), "InvalidUnsubscribeUri", 118);
        inputError(base().listUnsubscribe("https://u.ifaxin.com/x\r\nBcc: v@evil.example"), "HeaderInjection", 101);
        inputError(base().listUnsubscribe("mailto:u@ifaxin.com").oneClickUnsubscribe(true), "OneClickRequiresHttps", 119);
        inputError(base().oneClickUnsubscribe(true), "OneClickRequiresHttps", 119);
        inputError(base().listId("News <news>"), "InvalidListId", 120);
        inputError(base().listUnsubscribe("https://u.ifaxin.com/x").header("List-Unsubscribe", "<https://x.example/>"),
                "InvalidHeaderName", 102);
        assertThrows(NullPointerException.class, () -> base().listUnsubscribe(null));
        assertThrows(NullPointerException.class, () -> base().listId(null));
    }

    @Test
    void calendarInvitationsAreAnAlternativeAndOptionallyAFile() {
        try (Message m = base().html("<p>invited</p>").calendar(Calendar.of("request", ICS).attachment("invite.ics")).build()) {
            assertEquals("multipart/mixed[multipart/alternative[text/plain, text/html, text/calendar], application/ics]",
                    m.structure());
            assertTrue(raw(m).contains("Content-Type: text/calendar; method=REQUEST; charset=utf-8"), raw(m));
        }
        try (Message m = base().calendar(Calendar.of("REQUEST", ICS)).build()) {
            assertEquals("multipart/alternative[text/plain, text/calendar]", m.structure());
        }
        inputError(base().calendar(Calendar.of("REQUEST", "METHOD:REQUEST\r\n")), "InvalidCalendar", 123);
        inputError(base().calendar(Calendar.of("NOT A TOKEN", ICS)), "InvalidCalendar", 123);
        inputError(base().calendar(Calendar.of("CANCEL", ICS)), "CalendarMethodMismatch", 124);
        Calendar c = Calendar.of("REQUEST", ICS);
        assertEquals(java.util.Optional.empty(), c.attachmentName());
        assertEquals("invite.ics", c.attachment("invite.ics").attachmentName().orElseThrow());
        assertThrows(NullPointerException.class, () -> Calendar.of(null, ICS));
        assertThrows(NullPointerException.class, () -> base().calendar(null));
    }

    @Test
    void keysAreReadByTheCoreAndGiveTheirDnsRecords() throws IOException {
        String rsaDns = Files.readString(DKIM.resolve("rsa2048.dns.txt")).trim();
        String edDns = Files.readString(DKIM.resolve("ed25519.dns.txt")).trim();
        DkimKey pkcs1 = DkimKey.fromPem(read("rsa2048.pem"));
        DkimKey pkcs8 = DkimKey.fromPem(new String(read("rsa2048.pkcs8.pem"), StandardCharsets.US_ASCII));
        DkimKey ed = DkimKey.fromPem(read("ed25519.pem"));
        DkimKey seed = DkimKey.ed25519FromSeed(Base64.getDecoder().decode(
                Files.readString(DKIM.resolve("ed25519.seed.b64")).trim()));
        assertEquals(DkimAlgorithm.RSA_SHA256, pkcs1.algorithm());
        assertEquals("rsa-sha256", pkcs8.algorithm().tag());
        assertEquals(DkimAlgorithm.ED25519_SHA256, seed.algorithm());
        assertEquals(rsaDns, pkcs1.dnsRecord());
        assertEquals(rsaDns, pkcs8.dnsRecord());
        assertEquals(edDns, ed.dnsRecord());
        assertEquals(edDns, seed.dnsRecord());
        ErrorsTest.checkNames(DkimAlgorithm.class, DkimAlgorithm.coreNames());
    }

    @Test
    void badKeysAndOptionsAreTypedErrors() throws IOException {
        for (Callable<DkimKey> bad : List.<Callable<DkimKey>>of(
                () -> DkimKey.fromPem("not a key"),
                () -> DkimKey.fromPem(new byte[] {(byte) 0xff, (byte) 0xfe, 0}),
                () -> DkimKey.fromPem(new String(read("rsa2048.pem"), StandardCharsets.US_ASCII).replace("MII", "MIJ")),
                () -> DkimKey.fromPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
                () -> DkimKey.ed25519FromSeed(new byte[31]),
                () -> DkimKey.ed25519FromSeed(new byte[0]))) {
            InputException e = assertThrows(InputException.class, bad::call);
            assertEquals("InvalidDkimKey", e.kind(), e.getMessage());
            assertEquals(121, e.code());
            assertFalse(e.isTransient());
        }
        assertEquals("InvalidUnicode", assertThrows(InputException.class, () -> DkimKey.fromPem("\ud800")).kind());
        assertThrows(NullPointerException.class, () -> DkimKey.fromPem((String) null));
        assertThrows(NullPointerException.class, () -> DkimKey.ed25519FromSeed(null));
        DkimKey key = DkimKey.ed25519FromSeed(new byte[32]);
        inputError(base().dkim(DkimSigner.of("ifaxin.com", "bad selector", key)), "InvalidDkimOption", 122);
        inputError(base().dkim(DkimSigner.of("not a domain!", "s1", key)), "InvalidDkimOption", 122);
        inputError(base().dkim(DkimSigner.builder("ifaxin.com", "s1", key).time(-1).build()), "InvalidDkimOption", 122);
        inputError(base().dkim(DkimSigner.builder("ifaxin.com", "s1", key).expiresAfter(Duration.ofSeconds(-5)).build()),
                "InvalidDkimOption", 122);
        inputError(base().dkim(DkimSigner.builder("ifaxin.com", "s1", key).expiresAfter(Duration.ZERO).build()),
                "InvalidDkimOption", 122);
        assertThrows(NullPointerException.class, () -> DkimSigner.of("ifaxin.com", "s1", null));
        assertThrows(NullPointerException.class, () -> base().dkim(null));
    }

    @Test
    void keyMaterialIsNeverShown() throws IOException {
        String pem = new String(read("rsa2048.pem"), StandardCharsets.US_ASCII);
        List<String> secrets = new ArrayList<>();
        for (String line : pem.split("\n")) {
            if (!line.startsWith("-----") && line.length() > 16) {
                secrets.add(line.substring(0, 16));
            }
        }
        byte[] seedBytes = Base64.getDecoder().decode(Files.readString(DKIM.resolve("ed25519.seed.b64")).trim());
        secrets.add(Files.readString(DKIM.resolve("ed25519.seed.b64")).trim());
        secrets.add(java.util.HexFormat.of().formatHex(seedBytes));
        secrets.add(new String(read("ed25519.pem"), StandardCharsets.US_ASCII).split("\n")[1].trim());
        DkimKey rsa = DkimKey.fromPem(pem);
        DkimKey ed = DkimKey.ed25519FromSeed(seedBytes);
        DkimSigner signer = DkimSigner.builder("ifaxin.com", "rsa2048", rsa).time(1426390020).build();
        List<String> shown = new ArrayList<>(List.of(rsa.toString(), ed.toString(), signer.toString(),
                DkimSigner.of("ifaxin.com", "ed25519", ed).toString()));
        assertEquals("DkimKey[rsa-sha256, <redacted>]", rsa.toString());
        assertTrue(signer.toString().contains("d=ifaxin.com") && signer.toString().contains("s=rsa2048"), signer.toString());
        // Errors made from (nearly) the secret: a corrupted PEM, a seed one byte short, a bad option.
        shown.add(assertThrows(InputException.class, () -> DkimKey.fromPem(pem.replace("MII", "MIJ"))).getMessage());
        shown.add(assertThrows(InputException.class, () -> DkimKey.fromPem(pem.substring(0, pem.length() / 2))).getMessage());
        shown.add(assertThrows(InputException.class,
                () -> DkimKey.ed25519FromSeed(java.util.Arrays.copyOf(seedBytes, 31))).getMessage());
        shown.add(assertThrows(InputException.class,
                () -> base().dkim(DkimSigner.of("ifaxin.com", "bad selector", rsa)).build()).getMessage());
        for (String text : shown) {
            for (String secret : secrets) {
                assertFalse(text.contains(secret), "key material in: " + text);
            }
        }
    }

    @Test
    void oneSignerSignsManyMessagesAndMatchesTheGoldenBytes() throws Exception {
        byte[] expected = Files.readAllBytes(VECTORS_13.resolve("dkim_rsa_relaxed.eml"));
        DkimSigner signer = DkimSigner.builder("ifaxin.com", "rsa2048", DkimKey.fromPem(read("rsa2048.pem")))
                .time(1426390020).build();
        // The input of vectors-13/dkim_rsa_relaxed, built again and again with one signer.
        Callable<byte[]> golden = () -> {
            try (Message m = Message.builder().messageId("golden.dkim1@ifaxin.com").date(1426390015).boundarySeed("golden")
                    .from("Support <support@ifaxin.com>").to("ben@ifaxin.com").cc("ann@ifaxin.com").replyTo("help@ifaxin.com")
                    .subject("Your report is ready").text("Hello Ben,\n\nyour report is ready.  Trailing spaces   \n\n\n")
                    .html("<p>Hello Ben,</p>\n<p>your report is ready.</p>")
                    .listUnsubscribe("https://u.ifaxin.com/unsubscribe?list=spring&id=8f2c").oneClickUnsubscribe(true)
                    .scCustom("campaign", "spring")
                    .xSmtpApi(new XSmtpApi().to("ben@ifaxin.com").openTracking(true))
                    .dkim(signer).build()) {
                assertTrue(m.isSigned());
                return m.toBytes();
            }
        };
        assertArrayEquals(expected, golden.call());
        // Other messages in between, signed by the same signer, each with its own body hash.
        List<String> bodyHashes = new ArrayList<>();
        for (String body : List.of("first", "second")) {
            try (Message m = base().text(body).dkim(signer).build()) {
                String s = raw(m);
                assertTrue(s.startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=ifaxin.com; s=rsa2048;\r\n t=1426390020;"), s);
                bodyHashes.add(s.substring(s.indexOf("bh="), s.indexOf(";", s.indexOf("bh="))));
            }
        }
        assertNotEquals(bodyHashes.get(0), bodyHashes.get(1));
        assertArrayEquals(expected, golden.call());
        // And from several threads at once.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(golden));
            }
            for (Future<byte[]> r : results) {
                assertArrayEquals(expected, r.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void twoSignersSignInOrderAndOptionsReachTheSignature() throws IOException {
        DkimKey rsa = DkimKey.fromPem(read("rsa2048.pkcs8.pem"));
        DkimKey ed = DkimKey.fromPem(read("ed25519.pem"));
        try (Message m = base().dkim(DkimSigner.builder("ifaxin.com", "rsa2048", rsa).time(1426390020)
                        .canonicalization(Canonicalization.SIMPLE, Canonicalization.RELAXED).build())
                .dkim(DkimSigner.builder("ifaxin.com", "ed25519", ed).time(1426390020)
                        .expiresAfter(Duration.ofDays(7)).build())
                .build()) {
            String s = raw(m);
            int first = s.indexOf("DKIM-Signature: v=1; a=rsa-sha256; c=simple/relaxed;");
            int second = s.indexOf("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;");
            assertEquals(0, first, s);
            assertTrue(second > first, s);
            assertTrue(s.contains("x=" + (1426390020 + 7 * 86400)), s);
        }
        // Without a fixed time the clock is read when the message is built.
        try (Message m = base().dkim(DkimSigner.of("ifaxin.com", "ed25519", ed)).build()) {
            String s = raw(m);
            long t = Long.parseLong(s.substring(s.indexOf("t=") + 2, s.indexOf(";", s.indexOf("t="))));
            assertTrue(Math.abs(t - System.currentTimeMillis() / 1000) < 3600, s);
        }
    }

    @Test
    void theSignerKeepsItsKeyAlive() throws Exception {
        DkimSigner signer = DkimSigner.builder("ifaxin.com", "ed25519",
                DkimKey.ed25519FromSeed(new byte[32])).time(1426390020).build();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(10);
        }
        try (Message m = base().dkim(signer).build()) {
            assertInstanceOf(String.class, m.messageId());
            assertTrue(raw(m).startsWith("DKIM-Signature: v=1; a=ed25519-sha256;"));
        }
    }
}
