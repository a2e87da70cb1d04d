package org.mailwright;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Where and how {@link SmtpClient} connects. Build with
 * {@link #builder(String)} or {@link #builder(String, int)}; every setting
 * left unset is the core's default (port: 465 for {@link TlsMode#IMPLICIT},
 * else 25; STARTTLS required; 30 s time-outs, 300 s per message; EHLO
 * {@code localhost}; pipelining on; no transcript; credentials sent without
 * TLS only to a loopback host), and the getters read back what the core will
 * use.
 * Immutable and thread-safe; its native memory is freed when it is
 * garbage-collected.
 */
public final class SmtpOptions {
    private final NativeHandle handle;

    private SmtpOptions(long handle) {
        this.handle = new NativeHandle(this, handle, Native::optionsFree, "the options");
    }

    /** Options for {@code host} on the TLS mode's default port. */
    public static Builder builder(String host) {
        return new Builder(host);
    }

    /** Options for {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(host).port(port);
    }

    <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** The host. */
    public String host() { return use(Native::optionsHost); }
    /** The port connected to (the TLS mode's default when none was given). */
    public int port() { return use(Native::optionsEffectivePort); }
    /** The TLS mode. */
    public TlsMode tls() { return Names.constant(TlsMode.class, use(Native::optionsTlsName)); }
    /** The read and write time-out. */
    public Duration timeout() { return Duration.ofMillis(use(Native::optionsTimeoutMillis)); }
    /** The name sent in EHLO. */
    public String helloName() { return use(Native::optionsHelloNameValue); }
    /** Whether PIPELINING is used when offered. */
    public boolean pipelining() { return use(Native::optionsPipeliningValue); }
    /** The longest a message may take, MAIL FROM to its final reply. */
    public Duration messageTimeout() { return Duration.ofMillis(use(Native::optionsMessageTimeoutMillis)); }
    /** Whether the client keeps a transcript. */
    public boolean transcript() { return use(Native::optionsTranscriptValue); }

    /** The plaintext-AUTH choice as given to the builder; empty when not given (the core's rule applies). */
    public Optional<Boolean> allowPlaintextAuth() {
        int value = use(Native::optionsAllowPlaintextAuthValue);
        return value < 0 ? Optional.empty() : Optional.of(value == 1);
    }

    /** Whether credentials will be sent without TLS, as the core decides (the choice given, else loopback hosts only). */
    public boolean plaintextAuthAllowed() { return use(Native::optionsPlaintextAuthAllowed); }

    /**
     * The settings of a connection. Nothing is checked before {@link #build()},
     * where the core checks each setting and then the whole (an
     * {@link InputException} of kind {@code InvalidOption} names the bad one).
     * Not thread-safe.
     */
    public static final class Builder {
        private final String host;
        private final List<DraftStep> steps = new ArrayList<>();

        private Builder(String host) {
            this.host = Objects.requireNonNull(host, "host");
        }

        private Builder step(DraftStep step) {
            steps.add(step);
            return this;
        }

        /** The port (1 to 65535). */
        public Builder port(int port) { return step(o -> Native.optionsPort(o, port)); }

        /** The TLS mode. */
        public Builder tls(TlsMode mode) {
            String name = Objects.requireNonNull(mode, "mode").wireName();
            return step(o -> Native.optionsTls(o, name));
        }

        /** Authenticate with these credentials. */
        public Builder credentials(Credentials c) {
            return step(Objects.requireNonNull(c, "credentials").step(Native::optionsCredentials));
        }

        /** Extra trusted root certificates (a PEM file), added to the Mozilla roots. */
        public Builder caFile(Path pem) {
            String path = Objects.requireNonNull(pem, "pem").toAbsolutePath().toString();
            return step(o -> Native.optionsCaFile(o, path));
        }

        /** Extra trusted root certificates (PEM text), added to the Mozilla roots. */
        public Builder caPem(String pem) {
            String text = Objects.requireNonNull(pem, "pem");
            return step(o -> Native.optionsCaPem(o, Native.utf8(text, "CA PEM")));
        }

        /**
         * Trust exactly the certificate with this SHA-256 fingerprint (64 hex
         * digits, colons allowed, as {@code openssl x509 -fingerprint -sha256}
         * prints it) and nothing else about it: a self-signed test certificate
         * works. Call again to pin more than one.
         */
        public Builder pinSha256(String fingerprint) {
            String fp = Objects.requireNonNull(fingerprint, "fingerprint");
            return step(o -> Native.optionsPinSha256(o, fp));
        }

        /** Trust exactly the certificate(s) of this PEM text (see {@link #pinSha256}). */
        public Builder pinCertificatePem(String pem) {
            String text = Objects.requireNonNull(pem, "pem");
            return step(o -> Native.optionsPinCertificatePem(o, Native.utf8(text, "pinned certificate PEM")));
        }

        /** Trust exactly the certificate(s) of these PEM bytes (see {@link #pinSha256}). */
        public Builder pinCertificatePem(byte[] pem) {
            byte[] bytes = Objects.requireNonNull(pem, "pem").clone();
            return step(o -> Native.optionsPinCertificatePem(o, bytes));
        }

        /**
         * The connect, read and write time-out, and the longest wait for a
         * complete reply however slowly it trickles in (1 ms to one day).
         */
        public Builder timeout(Duration timeout) {
            double millis = SessionConfig.millis(Objects.requireNonNull(timeout, "timeout"));
            return step(o -> Native.optionsTimeout(o, millis));
        }

        /** The longest a message may take, MAIL FROM to its final reply (1 ms to one day). */
        public Builder messageTimeout(Duration timeout) {
            double millis = SessionConfig.millis(Objects.requireNonNull(timeout, "timeout"));
            return step(o -> Native.optionsMessageTimeout(o, millis));
        }

        /**
         * Keep a transcript (secrets masked) for {@link SmtpClient#takeTranscript()}.
         * Off by default; bounded by the core.
         */
        public Builder transcript(boolean on) { return step(o -> Native.optionsTranscript(o, on)); }

        /**
         * Whether credentials may be sent over an unencrypted connection (no
         * STARTTLS offered, a 454 to it, or {@link TlsMode#NONE}). Not called:
         * only to a loopback host ({@code localhost}, {@code 127.0.0.0/8},
         * {@code ::1}). {@code true}: always (a test server across a network);
         * {@code false}: never. When not allowed, AUTH fails with
         * {@code TlsUnavailable} ({@link CapabilityException}) before any
         * secret is sent.
         */
        public Builder allowPlaintextAuth(boolean allow) {
            return step(o -> Native.optionsAllowPlaintextAuth(o, allow));
        }

        /** The name sent in EHLO (a domain or an address literal). */
        public Builder helloName(String name) {
            String n = Objects.requireNonNull(name, "name");
            return step(o -> Native.optionsHelloName(o, n));
        }

        /** Send MAIL, RCPT and DATA in one flight when the server offers PIPELINING. */
        public Builder pipelining(boolean on) { return step(o -> Native.optionsPipelining(o, on)); }

        /** The options, checked by the core. */
        public SmtpOptions build() {
            long options = Native.optionsNew(host);
            try {
                DraftStep.replay(steps, options);
                Native.optionsValidate(options);
            } catch (RuntimeException | Error e) {
                Native.optionsFree(options);
                throw e;
            }
            return new SmtpOptions(options);
        }
    }
}
