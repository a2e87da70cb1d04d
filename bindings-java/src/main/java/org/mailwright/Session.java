package org.mailwright;

import java.lang.ref.Reference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sans-IO SMTP session: feed it the server's bytes with {@link #receive},
 * write {@link #takeOutput()} to your connection, and read {@link #pollEvent()}.
 * It never touches a socket. Close it to free its memory.
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
        /** The core's events. */
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
            CLOSED
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

    private long handle;

    /**
     * A session. A null {@code helloName} or {@code tls} is the core's default
     * ({@code localhost}, STARTTLS required); {@code credentials} may be null
     * (no AUTH). The core checks the EHLO name ({@link InputException} of kind
     * {@code InvalidOption}).
     */
    public Session(String helloName, TlsMode tls, Credentials credentials, boolean pipelining) {
        String tlsName = tls == null ? null : tls.wireName();
        try {
            handle = Native.sessionNew(helloName, tlsName, credentials == null ? 0 : credentials.use(h -> h), pipelining);
        } finally {
            Reference.reachabilityFence(credentials);
        }
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the session is closed");
        }
        return handle;
    }

    /** Bytes read from the server. */
    public synchronized void receive(byte[] data) {
        Native.sessionReceive(handle(), Objects.requireNonNull(data, "data"));
    }

    /** Bytes to write to the server (empty when there are none). */
    public synchronized byte[] takeOutput() {
        return Native.sessionTakeOutput(handle());
    }

    /** Queues a message; returns the handle its SENT or FAILED event carries. */
    public synchronized long send(Message message) {
        Objects.requireNonNull(message, "message");
        synchronized (message) {
            return Native.sessionSend(handle(), message.handle());
        }
    }

    /** Ends the session with QUIT once queued messages are done. */
    public synchronized void quit() {
        Native.sessionQuit(handle());
    }

    /** Call after the TLS handshake that followed a START_TLS event. */
    public synchronized void tlsEstablished() {
        Native.sessionTlsEstablished(handle());
    }

    /**
     * Call when the connection ended unexpectedly, with the cause your
     * transport saw and what it knows (an OS error, a TLS alert; may be empty).
     * The core turns the cause into the error kind of the events that follow.
     */
    public synchronized void connectionLost(ConnectionLoss cause, String detail) {
        Objects.requireNonNull(cause, "cause");
        Native.sessionConnectionLost(handle(), cause.wireName(), detail == null ? "" : detail);
    }

    /** The next event, or empty. */
    public synchronized Optional<Event> pollEvent() {
        return Optional.ofNullable(Native.sessionPollEvent(handle()));
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            Native.sessionFree(handle);
            handle = 0;
        }
    }
}
