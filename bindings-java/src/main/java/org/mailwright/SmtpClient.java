package org.mailwright;

import java.util.Objects;

/**
 * A blocking SMTP connection (TLS through rustls, certificates verified or
 * pinned), authenticated when credentials are given; send many messages over
 * it, then close it (which sends QUIT). Calls on one client are serialized.
 */
public final class SmtpClient implements AutoCloseable {
    private long handle;

    private SmtpClient(long handle) {
        this.handle = handle;
    }

    /** Connects, says EHLO, runs STARTTLS per the options and authenticates. */
    public static SmtpClient connect(SmtpOptions options) {
        Objects.requireNonNull(options, "options");
        return new SmtpClient(options.use(Native::clientConnect));
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the client is closed");
        }
        return handle;
    }

    /**
     * Sends one message to its envelope's recipients. Returns once the server
     * accepted it; throws {@link RateLimitedException} for
     * {@code 536 Frequency limited}, {@link SmtpReplyException} for other refusals.
     */
    public synchronized SendResult send(Message message) {
        Objects.requireNonNull(message, "message");
        synchronized (message) {
            return Native.clientSend(handle(), message.handle());
        }
    }

    /** Sends QUIT and closes; idempotent. Errors while quitting are ignored. */
    @Override
    public synchronized void close() {
        if (handle != 0) {
            try {
                Native.clientQuit(handle);
            } catch (MailwrightException ignored) {
                // The connection is going away either way.
            } finally {
                Native.clientFree(handle);
                handle = 0;
            }
        }
    }
}
