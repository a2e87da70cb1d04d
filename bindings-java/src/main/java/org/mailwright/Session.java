package org.mailwright;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The sans-IO SMTP session: feed it the server's bytes with {@link #receive},
 * write {@link #takeOutput()} to your connection, and read {@link #pollEvent()}.
 * It never touches a socket, and never reads a clock: report yours with
 * {@link #advance} and wait no longer than {@link #pollTimeout()} for the
 * server. Close it to free its memory (a session dropped without
 * {@link #close()} is freed by a {@link java.lang.ref.Cleaner} once
 * unreachable). Safe to share between threads (calls are serialized).
 *
 * <p>A transport takes the output (and writes it) before it feeds the reply
 * to it: a reply to a command not yet taken is the server talking early, and
 * the session refuses it ({@code Protocol}).
 */
public final class Session implements AutoCloseable {
    /**
     * What happened; {@code kind} says which fields are set.
     *
     * @param kind the event (the core's event, constant by constant)
     * @param handle for SENT and FAILED, the handle {@link Session#send} returned; else 0
     * @param result for SENT, what the server accepted
     * @param error for FAILED and ERROR, why
     * @param refused for SENT and FAILED, the recipients refused with their reply code
     */
    public record Event(Kind kind, long handle, Optional<SendResult> result, Optional<MailwrightException> error,
            Map<String, Integer> refused) {
        /** The core's events, constant by constant ({@link #coreName()}). */
        public enum Kind {
            /** The server agreed to STARTTLS: run the TLS handshake, then call {@link Session#tlsEstablished()}. */
            START_TLS,
            /** Greeted, encrypted and authenticated as configured: messages flow. */
            READY,
            /** The server accepted a message. */
            SENT,
            /** A message was not accepted; the session goes on with the next one. */
            FAILED,
            /** The session cannot go on. */
            ERROR,
            /** QUIT was answered (or the connection ended after QUIT). */
            CLOSED;

            /** The core's names of the events, in its order. */
            public static List<String> coreNames() {
                return List.of(Native.sessionEventNames());
            }

            /** The core's name of this event (e.g. {@code "StartTls"}). */
            public String coreName() {
                for (String name : coreNames()) {
                    if (Names.matches(this, name)) {
                        return name;
                    }
                }
                throw new IllegalStateException("mailwright: the core has no event " + this);
            }
        }

        /** Checks the fields. */
        public Event {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(error, "error");
            refused = Collections.unmodifiableMap(new LinkedHashMap<>(refused));
        }

        /** Called by the native library with the core's event. */
        Event(String kind, long handle, SendResult result, MailwrightException error, String[] refusedRecipients,
                int[] refusedCodes) {
            this(Names.constant(Kind.class, kind), handle, Optional.ofNullable(result), Optional.ofNullable(error),
                    SendResult.refused(refusedRecipients, refusedCodes));
        }
    }

    private final NativeHandle handle;

    /** A session with the core's defaults ({@link SessionConfig#defaults()}). */
    public Session() {
        this(SessionConfig.defaults());
    }

    /**
     * A session with this configuration, checked by the core first (an
     * {@link InputException} says what is wrong).
     */
    public Session(SessionConfig config) {
        Objects.requireNonNull(config, "config");
        this.handle = new NativeHandle(this, config.with(Native::sessionNew), Native::sessionFree, "the session");
    }

    /**
     * A session. A null {@code helloName} or {@code tls} is the core's default
     * ({@code localhost}, STARTTLS required); {@code credentials} may be null
     * (no AUTH). The core checks the EHLO name ({@link InputException} of kind
     * {@code InvalidOption}). For the other settings (transcript, plaintext
     * AUTH, deadlines) use {@link #Session(SessionConfig)}.
     */
    public Session(String helloName, TlsMode tls, Credentials credentials, boolean pipelining) {
        this(config(helloName, tls, credentials, pipelining));
    }

    private static SessionConfig config(String helloName, TlsMode tls, Credentials credentials, boolean pipelining) {
        SessionConfig.Builder b = SessionConfig.builder().pipelining(pipelining);
        if (helloName != null) {
            b.helloName(helloName);
        }
        if (tls != null) {
            b.tls(tls);
        }
        if (credentials != null) {
            b.credentials(credentials);
        }
        return b.build();
    }

    /** Runs {@code call} with the handle, this session open and reachable meanwhile. */
    private synchronized <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** Bytes read from the server. */
    public void receive(byte[] data) {
        Objects.requireNonNull(data, "data");
        use(s -> {
            Native.sessionReceive(s, data);
            return null;
        });
    }

    /** Bytes to write to the server (empty when there are none). */
    public byte[] takeOutput() {
        return use(Native::sessionTakeOutput);
    }

    /** Queues a message; returns the handle its SENT or FAILED event carries. */
    public long send(Message message) {
        Objects.requireNonNull(message, "message");
        return use(s -> message.use(m -> Native.sessionSend(s, m)));
    }

    /** Ends the session with QUIT once queued messages are done. */
    public void quit() {
        use(s -> {
            Native.sessionQuit(s);
            return null;
        });
    }

    /** Call after the TLS handshake that followed a START_TLS event. */
    public void tlsEstablished() {
        use(s -> {
            Native.sessionTlsEstablished(s);
            return null;
        });
    }

    /**
     * Call when the connection ended unexpectedly, with the cause your
     * transport saw and what it knows (an OS error, a TLS alert; may be empty).
     * The core turns the cause into the error kind of the events that follow.
     */
    public void connectionLost(ConnectionLoss cause, String detail) {
        Objects.requireNonNull(cause, "cause");
        String d = detail == null ? "" : detail;
        use(s -> {
            Native.sessionConnectionLost(s, cause.wireName(), d);
            return null;
        });
    }

    /** The next event, or empty. */
    public Optional<Event> pollEvent() {
        return Optional.ofNullable(use(Native::sessionPollEvent));
    }

    /**
     * Reports your clock: {@code now} is a monotonic reading from any origin
     * you choose (e.g. {@code Duration.ofNanos(System.nanoTime() - start)}),
     * never negative. Call it before and after each wait; when a complete
     * reply (or a whole message) takes longer than the configured deadline,
     * however slowly its bytes trickle in, the session fails with an ERROR
     * event of kind {@code Timeout}. A session never advanced has no deadlines.
     */
    public void advance(Duration now) {
        Objects.requireNonNull(now, "now");
        if (now.isNegative()) {
            throw new IllegalArgumentException("now is a reading of a monotonic clock, never negative: " + now);
        }
        use(s -> {
            Native.sessionAdvance(s, now.getSeconds(), now.getNano());
            return null;
        });
    }

    /**
     * The instant, on the clock given to {@link #advance}, by which the
     * session must hear from the server; empty when it waits for nothing.
     * Wait at most until then, then call {@link #advance}.
     */
    public Optional<Duration> pollTimeout() {
        long nanos = use(Native::sessionPollTimeout);
        return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
    }

    /**
     * The transcript so far (when {@link SessionConfig.Builder#transcript}
     * asked for one; else empty), drained: each line is returned once.
     */
    public List<TranscriptLine> takeTranscript() {
        return TranscriptLine.list(use(Native::sessionTakeTranscript));
    }

    /** How many transcript lines the core dropped (oldest first) because the transcript was full. */
    public long transcriptDropped() {
        return use(Native::sessionTranscriptDropped);
    }

    /** Frees the native memory now; idempotent. */
    @Override
    public synchronized void close() {
        handle.free();
    }
}
