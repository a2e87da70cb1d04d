package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sans-IO SMTP session: feed it the server's bytes with {@link #receive},
 * write {@link #takeOutput()} to your connection, and read {@link #pollEvent()}.
 * It never touches a socket. Close it to free its memory.
 */
public final class Session implements AutoCloseable {
    /** What happened; {@code kind} says which fields are set. */
    public record Event(Kind kind, long handle, Optional<SendResult> result, Optional<MailwrightException> error) {
        public enum Kind { START_TLS, READY, SENT, FAILED, ERROR, CLOSED }
    }

    private long handle;

    /** A session with the given EHLO name, TLS policy and (optional) credentials. */
    public Session(String helloName, TlsMode tls, Credentials credentials, boolean pipelining) {
        Objects.requireNonNull(tls, "tls");
        Credentials c = credentials;
        handle = Native.sessionNew(helloName == null ? null : Message.Builder.text(helloName, "helloName"),
                tls.ordinal(), c == null ? null : c.user, c == null ? null : c.key, c == null ? null : c.label,
                c != null && c.oauth2, pipelining);
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the session is closed");
        }
        return handle;
    }

    private void check(boolean ok) {
        if (!ok) {
            throw Native.error();
        }
    }

    /** Bytes read from the server. */
    public synchronized void receive(byte[] data) {
        check(Native.sessionReceive(handle(), Objects.requireNonNull(data, "data")));
    }

    /** Bytes to write to the server (empty when there are none). */
    public synchronized byte[] takeOutput() {
        byte[] out = Native.sessionTakeOutput(handle());
        if (out == null) {
            throw Native.error();
        }
        return out;
    }

    /** Queues a message; returns the handle its SENT or FAILED event carries. */
    public synchronized long send(Message message) {
        Objects.requireNonNull(message, "message");
        synchronized (message) {
            long h = Native.sessionSend(handle(), message.handle());
            if (h < 0) {
                throw Native.error();
            }
            return h;
        }
    }

    /** Ends the session with QUIT once queued messages are done. */
    public synchronized void quit() { check(Native.sessionControl(handle(), 0)); }

    /** Call after the TLS handshake that followed a START_TLS event. */
    public synchronized void tlsEstablished() { check(Native.sessionControl(handle(), 1)); }

    /** Call when the connection closed unexpectedly. */
    public synchronized void connectionLost() { check(Native.sessionControl(handle(), 2)); }

    /** The next event, or empty. */
    public synchronized Optional<Event> pollEvent() {
        long h = handle();
        String text = Native.sessionPollEvent(h);
        if (text == null) {
            return Optional.empty();
        }
        String[] f = text.split("\0", -1);
        Event.Kind kind = Event.Kind.valueOf(f[0]);
        long id = Long.parseLong(f[1]);
        Optional<SendResult> result = Optional.empty();
        Optional<MailwrightException> error = Optional.empty();
        if (kind == Event.Kind.SENT) {
            List<String> rest = new ArrayList<>(List.of(f).subList(6, f.length));
            result = Optional.of(SendResult.parse(String.join("\0", rest)));
        } else if (kind == Event.Kind.FAILED || kind == Event.Kind.ERROR) {
            error = Optional.of(MailwrightException.of(Integer.parseInt(f[2]), f[3], Integer.parseInt(f[4]), null, f[5]));
        }
        return Optional.of(new Event(kind, id, result, error));
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            Native.sessionFree(handle);
            handle = 0;
        }
    }
}
