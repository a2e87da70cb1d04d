package org.mailwright;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.util.Properties;

/**
 * Every native method of the binding, in one package-private class. Values
 * cross as Java types (String, byte[], String[], numbers, handles); results
 * come back as Java objects the native library constructs ({@link Reply},
 * {@link SendResult}, {@link Envelope}, {@link Session.Event}); a failure is
 * thrown by the native library as the {@link MailwrightException} subclass of
 * the core's error category. A null where a value is needed is a
 * {@link NullPointerException}; the public classes check first.
 *
 * <p>Mailbox setters take {@code (text, name, address)}: {@code text} not
 * null is a mailbox to parse ({@code "Name <a@b.c>"}); else {@code name} (or
 * null) and {@code address}.
 */
final class Native {
    static final String VERSION;
    /** The library loaded, from where and how ({@link NativeLoader}). */
    static final NativeLoader.Loaded LOADED;
    /**
     * Frees the native memory of every object holding a handle once it is
     * unreachable: the only path for immutable objects (credentials,
     * options), the safety net behind {@code close()} for the others
     * (messages, sessions, clients).
     */
    static final Cleaner CLEANER = Cleaner.create();

    static {
        VERSION = readVersion();
        LOADED = NativeLoader.load();
        String nativeVersion = version();
        if (!VERSION.equals(nativeVersion)) {
            throw new UnsatisfiedLinkError("mailwright: the jar is version " + VERSION
                    + " but the native library is version " + nativeVersion + " ("
                    + (LOADED.file() != null ? LOADED.file() : LOADED.how()) + ")");
        }
    }

    private Native() {}

    private static String readVersion() {
        Properties p = new Properties();
        try (InputStream in = Native.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    static native String version();
    /** {@code value} as UTF-8, strictly: a lone surrogate is {@code InvalidUnicode} naming {@code field}. */
    static native byte[] utf8(String value, String field);
    /** Test support: the native handles alive now (made and not yet freed). */
    static native long liveHandles();

    // errors.rs
    static native String[] errorKindNames();
    static native String[] errorCategoryNames();
    static native MailwrightException errorFor(String kind, String message);

    // message.rs: the draft (one native per setter) and the built message
    static native long builderNew();
    static native void builderFree(long draft);
    static native void builderFrom(long draft, String text, String name, String address);
    static native void builderSender(long draft, String text, String name, String address);
    static native void builderEnvelopeFrom(long draft, String text, String name, String address);
    static native void builderReplyTo(long draft, String text, String name, String address);
    static native void builderTo(long draft, String text, String name, String address);
    static native void builderCc(long draft, String text, String name, String address);
    static native void builderBcc(long draft, String text, String name, String address);
    static native void builderSubject(long draft, String subject);
    static native void builderText(long draft, String text);
    static native void builderHtml(long draft, String html);
    static native void builderMessageId(long draft, String id);
    static native void builderInReplyTo(long draft, String id);
    static native void builderReferences(long draft, String id);
    static native void builderBoundarySeed(long draft, String seed);
    static native void builderDate(long draft, long epochSeconds);
    static native void builderHeader(long draft, String name, String value);
    static native void builderScCustom(long draft, String key, String value);
    static native void builderInline(long draft, String contentId, String contentType, byte[] data, String filename);
    static native void builderAttachment(long draft, String filename, String contentType, byte[] data);
    static native void builderXSmtpApiTo(long draft, String address);
    static native void builderXSmtpApiSub(long draft, String variable, String[] values);
    static native void builderXSmtpApiSection(long draft, String name, String value);
    static native void builderXSmtpApiOpenTracking(long draft, boolean on);
    static native void builderXSmtpApiClickTracking(long draft, boolean on);
    static native void builderXSmtpApiSubscriptionTracking(long draft, boolean on);
    static native void builderListUnsubscribe(long draft, String uri);
    static native void builderOneClickUnsubscribe(long draft, boolean on);
    static native void builderListId(long draft, String value);
    /** {@code attachment}: the file name of the {@code .ics} copy, or null. */
    static native void builderCalendar(long draft, String method, String content, String attachment);
    static native void builderDkim(long draft, long signer);
    static native long builderBuild(long draft);

    static native byte[] messageToBytes(long message);
    static native long messageSize(long message);
    static native String messageId(long message);
    static native String messageStructure(long message);
    static native long messageDate(long message);
    static native boolean messageIsSigned(long message);
    static native Envelope messageEnvelope(long message);
    static native void messageFree(long message);

    // dkim.rs: keys (secrets, never shown) and signers, immutable handles freed by the cleaner
    static native long dkimKeyFromPem(String pem);
    static native long dkimKeyFromPemBytes(byte[] pem);
    static native long dkimKeyFromEd25519Seed(byte[] seed);
    static native String dkimKeyAlgorithm(long key);
    static native String dkimKeyDnsRecord(long key);
    static native void dkimKeyFree(long key);
    static native String[] dkimAlgorithmNames();
    static native long dkimSignerNew(String domain, String selector, long key);
    static native void dkimSignerCanonicalization(long signer, String header, String body);
    static native void dkimSignerTime(long signer, long epochSeconds);
    static native void dkimSignerExpiresAfter(long signer, long seconds);
    static native String dkimSignerAlgorithm(long signer);
    static native void dkimSignerFree(long signer);

    // smtp/auth.rs
    static native long credentialsNew(String user, String secret, String label, boolean oauth2);
    static native long credentialsWithLabel(long credentials, String label);
    static native String credentialsUsername(long credentials);
    static native boolean credentialsIsOAuth2(long credentials);
    static native void credentialsFree(long credentials);
    static native byte[] authLogin(long credentials);
    static native byte[] authPlain(long credentials);
    static native byte[] authXoauth2(long credentials);
    static native byte[] authLoginAnswer(long credentials, String challenge, boolean usernameSent);

    // smtp/reply.rs
    static native Reply replyParse(byte[] data);
    static native String[] replyClassNames();

    // smtp/options.rs
    static native String[] tlsModeNames();
    static native String tlsModeFromName(String name);
    static native String[] connectionLossNames();
    static native String connectionLossFromName(String name);
    static native String connectionLossKind(String name);
    static native long optionsNew(String host);
    static native void optionsPort(long options, long port);
    static native void optionsTls(long options, String mode);
    static native void optionsCredentials(long options, long credentials);
    static native void optionsTimeout(long options, double millis);
    static native void optionsHelloName(long options, String name);
    static native void optionsPipelining(long options, boolean on);
    static native void optionsMessageTimeout(long options, double millis);
    static native void optionsTranscript(long options, boolean on);
    static native void optionsAllowPlaintextAuth(long options, boolean allow);
    static native void optionsCaFile(long options, String path);
    static native void optionsCaPem(long options, byte[] pem);
    static native void optionsPinSha256(long options, String fingerprint);
    static native void optionsPinCertificatePem(long options, byte[] pem);
    static native void optionsValidate(long options);
    static native String optionsHost(long options);
    static native int optionsEffectivePort(long options);
    static native String optionsTlsName(long options);
    static native long optionsTimeoutMillis(long options);
    static native String optionsHelloNameValue(long options);
    static native boolean optionsPipeliningValue(long options);
    static native long optionsMessageTimeoutMillis(long options);
    static native boolean optionsTranscriptValue(long options);
    static native int optionsAllowPlaintextAuthValue(long options);
    static native boolean optionsPlaintextAuthAllowed(long options);
    static native void optionsFree(long options);

    // smtp/client.rs
    static native long clientConnect(long options);
    static native SendResult clientSend(long client, long message);
    static native void clientQuit(long client);
    static native void clientFree(long client);
    static native long clientInterrupter(long client);
    static native void interrupterInterrupt(long interrupter);
    static native void interrupterFree(long interrupter);
    /** {@code Object[]} of {@link TranscriptLine}. */
    static native Object[] clientTakeTranscript(long client);
    static native boolean clientIsTls(long client);

    // delivery/mod.rs: rates and the delivery draft
    static native String[] outcomeKinds();
    static native long rateFromName(String name);
    static native long rateNew(int messages, double perMillis);
    static native long rateMessages(long rate);
    static native long ratePerNanos(long rate);
    static native long rateBurst(long rate);
    static native void rateFree(long rate);
    static native long deliveryNew();
    static native void deliveryConnections(long config, int n);
    static native void deliveryMessagesPerConnection(long config, int n);
    static native void deliveryQueueCapacity(long config, int n);
    static native void deliveryIdleTimeout(long config, double millis);
    static native void deliveryMaxAttempts(long config, int n);
    static native void deliveryInitialBackoff(long config, double millis);
    static native void deliveryMaxBackoff(long config, double millis);
    static native void deliveryDeadline(long config, double millis);
    static native void deliveryRateLimitedPause(long config, double millis);
    static native void deliveryRate(long config, long rate);
    static native void deliveryAtLeastOnce(long config, boolean on);
    static native void deliveryFree(long config);

    // delivery/mailer.rs: prepared messages (consumed by the mailer call they are handed to) and the mailer
    static native long preparedMessage(long message);
    static native long preparedRaw(byte[] data, String sender, String[] recipients);
    static native void preparedFree(long prepared);
    static native long mailerNew(long options, long config);
    static native Outcome mailerSend(long mailer, long prepared);
    /** Completes {@code future} through {@link Mailer#complete}; returns the ticket. */
    static native long mailerSubmit(long mailer, long prepared, java.util.concurrent.CompletableFuture<Outcome> future);
    static native Mailer.Counters mailerCounters(long mailer);
    static native void mailerClose(long mailer);
    static native void mailerAbort(long mailer);
    static native void mailerFree(long mailer);
    static native long mailerNewWithLedger(long options, long config, long ledger);
    /** As {@link #mailerSubmit}, under {@code key}. */
    static native long mailerSubmitKeyed(long mailer, long prepared, String key,
            java.util.concurrent.CompletableFuture<Outcome> future);
    static native long mailerResumedQueued(long mailer);
    /** {@code Object[]} of {@link LedgerRecord}. */
    static native Object[] mailerResumedUncertain(long mailer);

    // delivery/ledger.rs: the ledger
    static native String[] ledgerStates();
    static native long ledgerOpen(String path, String durability, boolean keepBodies);
    static native String ledgerLocation(long ledger);
    /** Counts in the core's state order, then the total. */
    static native long[] ledgerSummary(long ledger);
    static native LedgerRecord ledgerGet(long ledger, String key);
    /** {@code Object[]} of {@link LedgerRecord}; {@code last[0]} receives the last one's position. */
    static native Object[] ledgerPage(long ledger, String state, long after, int limit, long[] last);
    static native long ledgerExport(long ledger, String path, String format, String state);
    static native long ledgerPrune(long ledger, double seconds);
    static native void ledgerFree(long ledger);
    /** Throws the core's error for a closed mailer (a StateException of kind InvalidState). */
    static native void mailerClosed();

    // smtp/session.rs
    static native long sessionConfigNew();
    static native void sessionConfigHelloName(long config, String name);
    static native void sessionConfigTls(long config, String mode);
    static native void sessionConfigCredentials(long config, long credentials);
    static native void sessionConfigPipelining(long config, boolean on);
    static native void sessionConfigTranscript(long config, boolean on);
    static native void sessionConfigAllowPlaintextAuth(long config, boolean allow);
    static native void sessionConfigReplyTimeout(long config, double millis);
    static native void sessionConfigMessageTimeout(long config, double millis);
    static native void sessionConfigFree(long config);
    static native String[] sessionEventNames();
    static native String[] directionNames();
    static native long sessionNew(long config);
    static native void sessionAdvance(long session, long seconds, int nanos);
    /** Nanoseconds on the {@code advance} clock, or -1. */
    static native long sessionPollTimeout(long session);
    /** {@code Object[]} of {@link TranscriptLine}. */
    static native Object[] sessionTakeTranscript(long session);
    static native long sessionTranscriptDropped(long session);
    static native void sessionReceive(long session, byte[] data);
    static native byte[] sessionTakeOutput(long session);
    static native long sessionSend(long session, long message);
    static native void sessionQuit(long session);
    static native void sessionTlsEstablished(long session);
    static native void sessionConnectionLost(long session, String cause, String detail);
    static native Session.Event sessionPollEvent(long session);
    static native void sessionFree(long session);
}
