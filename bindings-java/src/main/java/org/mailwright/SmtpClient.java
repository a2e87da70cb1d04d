package org.mailwright;

import java.util.Objects;

/**
 * A blocking SMTP connection (TLS through rustls, certificate verification on),
 * authenticated when credentials are given; send many messages over it, then
 * close it (which sends QUIT). Calls on one client are serialized.
 */
public final class SmtpClient implements AutoCloseable {
    private long handle;

    private SmtpClient(long handle) {
        this.handle = handle;
    }

    /** Connects, says EHLO, runs STARTTLS per the options and authenticates. */
    public static SmtpClient connect(SmtpOptions o) {
        Objects.requireNonNull(o, "options");
        Credentials c = o.credentials;
        long h = Native.clientConnect(o.host, o.port, o.tls.ordinal(), c == null ? null : c.user,
                c == null ? null : c.key, c == null ? null : c.label, c != null && c.oauth2, o.caFile,
                o.timeoutMs, o.helloName, o.pipelining);
        if (h == 0) {
            throw Native.error();
        }
        return new SmtpClient(h);
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the client is closed");
        }
        return handle;
    }

    /**
     * Sends one message to its envelope's recipients. Returns once the server
     * accepted it with 250; throws {@link RateLimitedException} for
     * {@code 536 Frequency limited}, {@link SmtpReplyException} for other refusals.
     */
    public synchronized SendResult send(Message message) {
        Objects.requireNonNull(message, "message");
        synchronized (message) {
            String r = Native.clientSend(handle(), message.handle());
            if (r == null) {
                throw Native.error();
            }
            return SendResult.parse(r);
        }
    }

    /** Sends QUIT and closes; idempotent. Errors while quitting are ignored. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            Native.clientQuit(handle);
            Native.clientFree(handle);
            handle = 0;
        }
    }
}
