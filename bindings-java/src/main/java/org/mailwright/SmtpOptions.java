package org.mailwright;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where and how {@link SmtpClient} connects. Build with {@link #builder(String, int)}. */
public final class SmtpOptions {
    final String host;
    final int port;
    final TlsMode tls;
    final Credentials credentials;
    final String caFile;
    final int timeoutMs;
    final String helloName;
    final boolean pipelining;

    private SmtpOptions(Builder b) {
        host = b.host;
        port = b.port;
        tls = b.tls;
        credentials = b.credentials;
        caFile = b.caFile;
        timeoutMs = b.timeoutMs;
        helloName = b.helloName;
        pipelining = b.pipelining;
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    public static final class Builder {
        private final String host;
        private final int port;
        private TlsMode tls = TlsMode.STARTTLS;
        private Credentials credentials;
        private String caFile;
        private int timeoutMs = 30_000;
        private String helloName;
        private boolean pipelining = true;

        private Builder(String host, int port) {
            this.host = Message.Builder.text(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, not " + port);
            }
            this.port = port;
        }

        public Builder tls(TlsMode mode) { tls = Objects.requireNonNull(mode, "mode"); return this; }
        public Builder credentials(Credentials c) { credentials = Objects.requireNonNull(c, "credentials"); return this; }
        /** Extra trusted root certificates (PEM), e.g. a test server's self-signed one. */
        public Builder caFile(Path pem) { caFile = pem.toAbsolutePath().toString(); return this; }
        /** Connect, read and write timeout. */
        public Builder timeout(Duration d) {
            long ms = d.toMillis();
            if (ms < 1 || ms > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("timeout out of range: " + d);
            }
            timeoutMs = (int) ms;
            return this;
        }
        /** The name sent in EHLO. */
        public Builder helloName(String name) { helloName = Message.Builder.text(name, "helloName"); return this; }
        /** Send MAIL, RCPT and DATA in one flight when the server offers PIPELINING (on by default). */
        public Builder pipelining(boolean on) { pipelining = on; return this; }
        public SmtpOptions build() { return new SmtpOptions(this); }
    }
}
