package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Error paths, closed handles, nulls, injection; auth payloads and replies. */
class ErrorsTest {
    static MailwrightException buildFails(Message.Builder b) {
        return assertThrows(MailwrightException.class, b::build);
    }

    @Test
    void headerInjectionIsRefusedInEveryField() {
        String evil = "x\r\nBcc: victim@evil.example";
        Message.Builder base = Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").text("t");
        assertEquals("HeaderInjection", buildFails(Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").subject(evil)).kind());
        MailwrightException e = buildFails(Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").header("X-A", evil));
        assertEquals(101, e.code());
        assertEquals("HeaderInjection", e.kind());
        assertEquals("InvalidHeaderName", buildFails(base.header("X A:", "v")).kind());
        assertThrows(MailwrightException.class, Message.builder().from("a@ifaxin.com").to("b@ifaxin.com\r\nX: y")::build);
        assertThrows(MailwrightException.class,
                Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").attachment("a\r\nb.txt", "text/plain\r\nX: y", new byte[1])::build);
    }

    @Test
    void missingFieldsHaveTheirKinds() {
        assertEquals("MissingFrom", buildFails(Message.builder().to("b@ifaxin.com")).kind());
        assertEquals(103, buildFails(Message.builder().to("b@ifaxin.com")).code());
        assertEquals("NoRecipients", buildFails(Message.builder().from("a@ifaxin.com")).kind());
        assertEquals("InvalidAddress", buildFails(Message.builder().from("not an address").to("b@ifaxin.com")).kind());
        assertEquals("DuplicateContentId", buildFails(Message.builder().from("a@ifaxin.com").to("b@ifaxin.com")
                .inline("x", "image/png", new byte[1]).inline("x", "image/png", new byte[1])).kind());
        List<String> tooMany = java.util.stream.IntStream.range(0, 101).mapToObj(i -> "u" + i + "@ifaxin.com").toList();
        assertEquals("XSmtpApiInvalid", buildFails(Message.builder().from("a@ifaxin.com").to("b@ifaxin.com")
                .xSmtpApi(new XSmtpApi().to(tooMany))).kind());
    }

    @Test
    void nullsAreArgumentErrors() {
        assertThrows(NullPointerException.class, () -> Message.builder().from((String) null));
        assertThrows(NullPointerException.class, () -> Message.builder().to((String) null, null));
        assertThrows(NullPointerException.class, () -> Message.builder().attachment("a", "text/plain", null));
        assertThrows(NullPointerException.class, () -> Credentials.of(null, "k"));
        assertThrows(NullPointerException.class, () -> Reply.parse((byte[]) null));
        assertThrows(NullPointerException.class, () -> SmtpOptions.builder(null));
    }

    @Test
    void nulCharactersCrossToTheCoreWhichDecides() {
        // Strings cross JNI as Java Strings: a NUL reaches the core intact, and
        // the core's rules (not the binding's) refuse it where it is unsafe.
        MailwrightException e = buildFails(Message.builder().from("a\0@ifaxin.com").to("b@ifaxin.com"));
        assertInstanceOf(InputException.class, e);
        assertEquals("InvalidAddress", e.kind());
        try (Message m = Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").subject("a\0b").build()) {
            String raw = new String(m.toBytes(), StandardCharsets.UTF_8);
            assertTrue(raw.contains("Subject: =?utf-8?B?YQBi?="), raw);
        }
        InputException c = assertThrows(InputException.class, () -> Credentials.of("u", "a\0b"));
        assertEquals("InvalidCredentials", c.kind());
        // A NUL in a reply can no longer forge fields of the result.
        Reply r = Reply.parse("250 ok\0forged\r\n");
        assertEquals(250, r.code());
        assertEquals(1, r.lines().size(), r.lines().toString());
        assertTrue(r.lines().get(0).startsWith("ok") && r.lines().get(0).endsWith("forged"), r.lines().toString());
    }

    @Test
    void optionsAreCheckedByTheCore() {
        InputException port = assertThrows(InputException.class, () -> SmtpOptions.builder("127.0.0.1", 0).build());
        assertEquals("InvalidOption", port.kind());
        assertEquals(213, port.code());
        assertEquals(ErrorCategory.INPUT, port.category());
        assertFalse(port.isTransient());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> SmtpOptions.builder("h", 65536).build()).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> SmtpOptions.builder("h").timeout(Duration.ZERO).build()).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> SmtpOptions.builder("h").timeout(Duration.ofDays(2)).build()).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> SmtpOptions.builder("h").helloName("x\r\nMAIL FROM:<e@x>").build()).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> SmtpOptions.builder("h").pinSha256("not a fingerprint").build()).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class, () -> TlsMode.fromName("ssl")).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class, () -> TlsMode.fromName("required")).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class, () -> ConnectionLoss.fromName("reset")).kind());
        assertEquals("InvalidOption", assertThrows(InputException.class,
                () -> new Session("bad name", TlsMode.NONE, null, true)).kind());
    }

    @Test
    void unsetOptionsAreTheCoresDefaults() {
        SmtpOptions o = SmtpOptions.builder("smtp.example.com").build();
        assertEquals("smtp.example.com", o.host());
        assertEquals(25, o.port());
        assertEquals(TlsMode.STARTTLS, o.tls());
        assertEquals(Duration.ofSeconds(30), o.timeout());
        assertEquals("localhost", o.helloName());
        assertTrue(o.pipelining());
        assertEquals(465, SmtpOptions.builder("smtp.example.com").tls(TlsMode.IMPLICIT).build().port());
        SmtpOptions set = SmtpOptions.builder("h", 2525).tls(TlsMode.NONE).timeout(Duration.ofMillis(1500))
                .helloName("client.example").pipelining(false).build();
        assertEquals(2525, set.port());
        assertEquals(TlsMode.NONE, set.tls());
        assertEquals(Duration.ofMillis(1500), set.timeout());
        assertEquals("client.example", set.helloName());
        assertFalse(set.pipelining());
    }

    @Test
    void closedHandlesThrowIllegalState() {
        Message m = TestSupport.example().build();
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, m::toBytes);
        assertThrows(IllegalStateException.class, m::size);
        assertThrows(IllegalStateException.class, m::envelope);
        Session s = new Session("client.example", TlsMode.NONE, null, true);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.receive(new byte[0]));
        assertThrows(IllegalStateException.class, s::pollEvent);
    }

    @Test
    void closingWhileOtherThreadsUseAMessageNeverCrashes() throws Exception {
        Message m = TestSupport.example().messageId("x@ifaxin.com").date(0).boundarySeed("s").build();
        byte[] expected = m.toBytes();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> other = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        assertArrayEquals(expected, m.toBytes());
                        ok.incrementAndGet();
                    } catch (IllegalStateException e) {
                        closed.incrementAndGet();
                    } catch (Throwable e) {
                        other.set(e);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep(5);
        m.close();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, other.get());
        assertEquals(800, ok.get() + closed.get());
        assertThrows(IllegalStateException.class, m::toBytes);
    }

    @Test
    void defaultModeIsRandomDeterministicModeIsNot() {
        try (Message a = TestSupport.example().build(); Message b = TestSupport.example().build()) {
            assertFalse(a.messageId().equals(b.messageId()));
        }
        try (Message a = TestSupport.example().messageId("x@ifaxin.com").date(1426390015).boundarySeed("s").build();
                Message b = TestSupport.example().messageId("x@ifaxin.com").date(1426390015).boundarySeed("s").build()) {
            assertArrayEquals(a.toBytes(), b.toBytes());
            assertEquals(1426390015, a.date());
        }
    }

    @Test
    void authPayloadsUseTheLabel() {
        Credentials c = Credentials.of("api_user", "api_key").withLabel("12345");
        assertEquals("api_user#12345", c.username());
        assertFalse(c.toString().contains("api_key"));
        String b64user = Base64.getEncoder().encodeToString("api_user#12345".getBytes(StandardCharsets.UTF_8));
        assertEquals("AUTH LOGIN " + b64user + "\r\n", new String(Auth.login(c), StandardCharsets.US_ASCII));
        String plain = Base64.getEncoder().encodeToString("\0api_user#12345\0api_key".getBytes(StandardCharsets.UTF_8));
        assertEquals("AUTH PLAIN " + plain + "\r\n", new String(Auth.plain(c), StandardCharsets.US_ASCII));
        String password = Base64.getEncoder().encodeToString("Password:".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Base64.getEncoder().encodeToString("api_key".getBytes(StandardCharsets.US_ASCII)) + "\r\n",
                new String(Auth.loginAnswer(c, password, true), StandardCharsets.US_ASCII));
        assertTrue(new String(Auth.xoauth2(Credentials.oauth2("u@ifaxin.com", "tok")), StandardCharsets.US_ASCII)
                .startsWith("AUTH XOAUTH2 "));
        MailwrightException e = assertThrows(MailwrightException.class, () -> Auth.xoauth2(c));
        assertFalse(e.getMessage().contains("api_key"));
    }

    @Test
    void repliesAreParsedAndClassified() {
        Reply r = Reply.parse("250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n");
        assertEquals(250, r.code());
        assertEquals(Reply.Classification.POSITIVE, r.classification());
        assertEquals("1426390015358_15_6484_8661.sc-10_10_127_51-inbound", r.queueId().orElseThrow());
        assertEquals("4F1A2", Reply.parse("250 2.0.0 Ok: queued as 4F1A2\r\n").queueId().orElseThrow());
        assertEquals("2.0.0", Reply.parse("250 2.0.0 Ok: queued as 4F1A2\r\n").enhancedStatus().orElseThrow());
        assertEquals(Reply.Classification.RATE_LIMITED, Reply.parse("536 Frequency limited\r\n").classification());
        assertEquals(Reply.Classification.TRANSIENT, Reply.parse("451 4.3.0 try later\r\n").classification());
        Reply multi = Reply.parse("250-mx.example\r\n250-SIZE 1000\r\n250 AUTH LOGIN\r\n");
        assertEquals("mx.example\nSIZE 1000\nAUTH LOGIN", multi.text());
        MailwrightException e = assertThrows(MailwrightException.class, () -> Reply.parse("garbage"));
        assertEquals("Protocol", e.kind());
    }

    /** The class a category's exceptions are (the binding's design), checked against the core's categories. */
    static Class<? extends MailwrightException> categoryClass(ErrorCategory category) {
        return switch (category) {
            case INPUT -> InputException.class;
            case SERVER -> SmtpReplyException.class;
            case CAPABILITY -> CapabilityException.class;
            case PROTOCOL -> ProtocolException.class;
            case CONNECTION -> ConnectionException.class;
            case SYSTEM -> SystemException.class;
            case STATE -> StateException.class;
        };
    }

    @Test
    void everyKindOfTheCoreMapsToTheClassOfItsCategory() {
        List<String> kinds = MailwrightException.kinds();
        assertTrue(kinds.size() >= 31, "the core reports " + kinds);
        assertTrue(kinds.contains("InvalidOption"));
        java.util.Set<Integer> codes = new java.util.HashSet<>();
        for (String kind : kinds) {
            MailwrightException e = Native.errorFor(kind, "m");
            assertEquals(kind, e.kind());
            assertTrue(codes.add(e.code()), "code " + e.code() + " twice");
            assertInstanceOf(categoryClass(e.category()), e, kind);
            switch (kind) {
                case "RateLimited" -> assertInstanceOf(RateLimitedException.class, e);
                case "AuthenticationFailed" -> assertInstanceOf(AuthenticationException.class, e);
                case "Tls" -> assertInstanceOf(TlsException.class, e);
                default -> assertEquals(categoryClass(e.category()), e.getClass(), kind);
            }
        }
        assertEquals(213, Native.errorFor("InvalidOption", "m").code());
        assertTrue(kinds.contains("InvalidUnicode"));
        assertEquals(117, Native.errorFor("InvalidUnicode", "m").code());
        assertInstanceOf(InputException.class, Native.errorFor("InvalidUnicode", "m"));
        assertEquals(null, Native.errorFor("NoSuchKind", "m"));
        // Transience is the core's: Connect is transient, as are 4xx, rate limiting, time-outs and lost connections.
        for (String kind : List.of("Connect", "SmtpTransient", "RateLimited", "Timeout", "ConnectionClosed")) {
            assertTrue(Native.errorFor(kind, "m").isTransient(), kind);
        }
        for (String kind : List.of("SmtpPermanent", "Tls", "InvalidOption", "AuthenticationFailed", "Protocol")) {
            assertFalse(Native.errorFor(kind, "m").isTransient(), kind);
        }
    }

    /**
     * The README's error table names every kind the core has, with its code,
     * in the row of its category and after the class the binding throws for
     * it (a kind added to the core fails here until it is documented).
     */
    @Test
    void theReadmeTableListsEveryKindWithItsCodeAndClass() throws java.io.IOException {
        java.util.Map<String, String> rowOf = new java.util.HashMap<>();
        java.util.regex.Pattern entry = java.util.regex.Pattern.compile("(?:`(\\w+)` )?(\\w+) (\\d+)");
        java.util.Map<String, String> classOf = new java.util.HashMap<>();
        for (String line : java.nio.file.Files.readAllLines(TestSupport.root().resolve("bindings-java/README.md"))) {
            String[] cells = line.split("\\|", -1);
            if (cells.length != 5 || !line.startsWith("| ")) {
                continue;
            }
            String category = cells[1].trim();
            if (!ErrorCategory.coreNames().contains(category)) {
                continue;
            }
            String className = cells[2].trim().replace("`", "");
            for (String item : cells[3].split("[,;]")) {
                java.util.regex.Matcher m = entry.matcher(item.trim());
                if (m.matches()) {
                    assertEquals(null, rowOf.put(m.group(2) + " " + m.group(3), category), m.group(2) + " twice");
                    classOf.put(m.group(2), m.group(1) != null ? m.group(1) : className);
                }
            }
        }
        for (String kind : MailwrightException.kinds()) {
            MailwrightException e = Native.errorFor(kind, "m");
            String key = kind + " " + e.code();
            assertEquals(e.category().name().toLowerCase(java.util.Locale.ROOT), rowOf.get(key),
                    "README.md error table: " + key);
            assertEquals(e.getClass().getSimpleName(), classOf.get(kind), "README.md error table: class of " + kind);
        }
        assertEquals(MailwrightException.kinds().size(), rowOf.size(), "README.md lists kinds the core does not have: " + rowOf);
    }

    @Test
    void everyNameOfTheCoreHasExactlyOneJavaConstant() {
        checkNames(ErrorCategory.class, ErrorCategory.coreNames());
        checkNames(TlsMode.class, TlsMode.coreNames());
        checkNames(ConnectionLoss.class, ConnectionLoss.coreNames());
        checkNames(Reply.Classification.class, Reply.Classification.coreNames());
        checkNames(Session.Event.Kind.class, Session.Event.Kind.coreNames());
        checkNames(TranscriptLine.Direction.class, TranscriptLine.Direction.coreNames());
        assertEquals("StartTls", Session.Event.Kind.START_TLS.coreName());
        for (TlsMode mode : TlsMode.values()) {
            assertEquals(mode, TlsMode.fromName(mode.wireName()));
        }
        for (ConnectionLoss cause : ConnectionLoss.values()) {
            assertEquals(cause, ConnectionLoss.fromName(cause.wireName()));
            assertTrue(MailwrightException.kinds().contains(cause.errorKind()), cause.errorKind());
        }
        assertEquals("Connect", ConnectionLoss.CONNECT.errorKind());
    }

    static <E extends Enum<E>> void checkNames(Class<E> type, List<String> coreNames) {
        java.util.Set<E> seen = java.util.EnumSet.noneOf(type);
        for (String name : coreNames) {
            assertTrue(seen.add(Names.constant(type, name)), type + " " + name);
        }
        assertEquals(java.util.EnumSet.allOf(type), seen, type.getSimpleName() + " and the core's " + coreNames);
    }
}
