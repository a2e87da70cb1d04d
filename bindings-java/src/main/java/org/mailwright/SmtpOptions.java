package org.mailwright;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Where and how {@link SmtpClient} connects. Build with
 * {@link #builder(String)} or {@link #builder(String, int)}; every setting
 * left unset is the core's default (port: 465 for {@link TlsMode#IMPLICIT},
 * else 25; STARTTLS required; 30 s time-outs; EHLO {@code localhost};
 * pipelining on), and the getters read back what the core will use.
 * Immutable and thread-safe; its native memory is freed when it is
 * garbage-collected.
 */
public final class SmtpOptions {
    private final long handle;

    private SmtpOptions(long handle) {
        this.handle = handle;
        Native.CLEANER.register(this, new Free(handle));
    }

    private record Free(long handle) implements Runnable {
        @Override
        public void run() {
            Native.optionsFree(handle);
        }
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
        try {
            return call.apply(handle);
        } finally {
            Reference.reachabilityFence(this);
        }
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
            Objects.requireNonNull(c, "credentials");
            return step(o -> c.use(h -> {
                Native.optionsCredentials(o, h);
                return null;
            }));
        }

        /** Extra trusted root certificates (a PEM file), added to the Mozilla roots. */
        public Builder caFile(Path pem) {
            String path = Objects.requireNonNull(pem, "pem").toAbsolutePath().toString();
            return step(o -> Native.optionsCaFile(o, path));
        }

        /** Extra trusted root certificates (PEM text), added to the Mozilla roots. */
        public Builder caPem(String pem) {
            byte[] bytes = Objects.requireNonNull(pem, "pem").getBytes(StandardCharsets.UTF_8);
            return step(o -> Native.optionsCaPem(o, bytes));
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
            return pinCertificatePem(Objects.requireNonNull(pem, "pem").getBytes(StandardCharsets.UTF_8));
        }

        /** Trust exactly the certificate(s) of these PEM bytes (see {@link #pinSha256}). */
        public Builder pinCertificatePem(byte[] pem) {
            byte[] bytes = Objects.requireNonNull(pem, "pem").clone();
            return step(o -> Native.optionsPinCertificatePem(o, bytes));
        }

        /** The connect, read and write time-out (1 ms to one day). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            double millis = timeout.getSeconds() * 1000.0 + timeout.getNano() / 1_000_000.0;
            return step(o -> Native.optionsTimeout(o, millis));
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
                for (DraftStep step : steps) {
                    step.apply(options);
                }
                Native.optionsValidate(options);
            } catch (RuntimeException | Error e) {
                Native.optionsFree(options);
                throw e;
            }
            return new SmtpOptions(options);
        }
    }
}
