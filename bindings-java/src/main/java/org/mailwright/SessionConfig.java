package org.mailwright;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Session} behaves. Every setting left unset is the core's
 * default: EHLO {@code localhost}, STARTTLS required, no credentials,
 * pipelining on, no transcript, credentials never sent without TLS, 30 s per
 * reply and 300 s per message. Nothing is checked before
 * {@code new Session(config)}, where the core checks it all (an
 * {@link InputException} of kind {@code InvalidOption},
 * {@code InvalidCredentials} or {@code InvalidUnicode}). Immutable and
 * thread-safe; holds no native memory.
 */
public final class SessionConfig {
    private final List<DraftStep> steps;

    private SessionConfig(List<DraftStep> steps) {
        this.steps = List.copyOf(steps);
    }

    /** A new builder, every setting the core's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The core's defaults. */
    public static SessionConfig defaults() {
        return builder().build();
    }

    /** Makes the native configuration, runs {@code body} with it, frees it. */
    long with(java.util.function.LongUnaryOperator body) {
        long config = Native.sessionConfigNew();
        try {
            DraftStep.replay(steps, config);
            return body.applyAsLong(config);
        } finally {
            Native.sessionConfigFree(config);
        }
    }

    static double millis(Duration d) {
        Objects.requireNonNull(d, "duration");
        return d.getSeconds() * 1000.0 + d.getNano() / 1_000_000.0;
    }

    /** The settings of a session, recorded in order. Not thread-safe. */
    public static final class Builder {
        private final List<DraftStep> steps = new ArrayList<>();

        Builder() {}

        private Builder step(DraftStep step) {
            steps.add(step);
            return this;
        }

        /** The name sent in EHLO (a domain or an address literal; the core checks it). */
        public Builder helloName(String name) {
            String n = Objects.requireNonNull(name, "name");
            return step(c -> Native.sessionConfigHelloName(c, n));
        }

        /** The TLS mode (with {@link TlsMode#IMPLICIT} the connection is already TLS). */
        public Builder tls(TlsMode mode) {
            String name = Objects.requireNonNull(mode, "mode").wireName();
            return step(c -> Native.sessionConfigTls(c, name));
        }

        /** Authenticate with these credentials. */
        public Builder credentials(Credentials credentials) {
            return step(Objects.requireNonNull(credentials, "credentials").step(Native::sessionConfigCredentials));
        }

        /** Send MAIL, RCPT and DATA in one flight when the server offers PIPELINING. */
        public Builder pipelining(boolean on) {
            return step(c -> Native.sessionConfigPipelining(c, on));
        }

        /**
         * Keep a transcript (secrets masked) for {@link Session#takeTranscript()}.
         * Off by default; the core keeps at most its limit of lines (oldest
         * dropped, counted by {@link Session#transcriptDropped()}): drain it as
         * you go.
         */
        public Builder transcript(boolean on) {
            return step(c -> Native.sessionConfigTranscript(c, on));
        }

        /**
         * Send credentials even when the connection is not encrypted (no
         * STARTTLS offered, a 454 to it, or {@link TlsMode#NONE}). Off by
         * default: then AUTH fails with {@code TlsUnavailable} before any
         * secret is sent. For a local test server only.
         */
        public Builder allowPlaintextAuth(boolean allow) {
            return step(c -> Native.sessionConfigAllowPlaintextAuth(c, allow));
        }

        /**
         * The longest wait for a complete reply once its command was sent,
         * however slowly it trickles in (1 ms to one day), on the clock given
         * to {@link Session#advance}.
         */
        public Builder replyTimeout(Duration timeout) {
            double millis = millis(timeout);
            return step(c -> Native.sessionConfigReplyTimeout(c, millis));
        }

        /** The longest a message may take from MAIL FROM to its final reply (1 ms to one day). */
        public Builder messageTimeout(Duration timeout) {
            double millis = millis(timeout);
            return step(c -> Native.sessionConfigMessageTimeout(c, millis));
        }

        /** The configuration (checked by the core when a session is made with it). */
        public SessionConfig build() {
            return new SessionConfig(steps);
        }
    }
}
