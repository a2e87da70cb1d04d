package org.mailwright;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Objects;

/**
 * A blocking SMTP connection (TLS through rustls, certificates verified or
 * pinned), authenticated when credentials are given; send many messages over
 * it, then close it (which sends QUIT).
 *
 * <p>Thread safety: a client may be shared; calls on it are serialized (one
 * at a time, in lock order). {@link #close()} is the exception: called from
 * another thread while a call is blocked (a server that does not answer), it
 * ends the connection at once, and the blocked call throws a
 * {@link ConnectionException} of kind {@code ConnectionClosed}.
 *
 * <p>Memory: close it (try-with-resources). A client dropped without
 * {@link #close()} is freed (its socket closed, without QUIT) by a
 * {@link Cleaner} once unreachable.
 */
public final class SmtpClient implements AutoCloseable {
    /**
     * The native client and its interrupter, freed together, once: by
     * {@link #close()} or by the cleaner. Holds no reference to the client.
     */
    private static final class State implements Runnable {
        private long client;
        private long interrupter;
        /** A call is in progress (set and cleared under the client's lock). */
        private volatile boolean busy;
        /**
         * close() has begun. With {@link #busy} it closes the race between a
         * call starting and close(): either close() sees the call busy and
         * interrupts it, or the call sees close() and does not start.
         */
        private volatile boolean closing;

        State(long client, long interrupter) {
            this.client = client;
            this.interrupter = interrupter;
        }

        synchronized boolean isFreed() {
            return client == 0;
        }

        synchronized long client() {
            if (client == 0) {
                throw new IllegalStateException("the client is closed");
            }
            return client;
        }

        /** Ends the connection if a call is blocked in it (any thread; never while freeing). */
        synchronized void interruptIfBusy() {
            if (busy && interrupter != 0) {
                Native.interrupterInterrupt(interrupter);
            }
        }

        @Override
        public void run() {
            long c;
            long i;
            synchronized (this) {
                c = client;
                i = interrupter;
                client = 0;
                interrupter = 0;
            }
            if (i != 0) {
                Native.interrupterFree(i);
            }
            if (c != 0) {
                Native.clientFree(c);
            }
        }
    }

    private final Object lock = new Object();
    private final State state;
    private final Cleaner.Cleanable cleanable;

    private SmtpClient(long client) {
        long interrupter;
        try {
            interrupter = Native.clientInterrupter(client);
        } catch (RuntimeException | Error e) {
            Native.clientFree(client);
            throw e;
        }
        this.state = new State(client, interrupter);
        this.cleanable = Native.CLEANER.register(this, state);
    }

    /**
     * Connects, says EHLO, runs STARTTLS per the options and authenticates.
     * The core checks the options first, before any socket is opened.
     */
    public static SmtpClient connect(SmtpOptions options) {
        Objects.requireNonNull(options, "options");
        return new SmtpClient(options.use(Native::clientConnect));
    }

    private interface Call<T> {
        T apply(long client);
    }

    /** Runs {@code call} under the client's lock, marked busy (so close() can interrupt it). */
    private <T> T use(Call<T> call) {
        synchronized (lock) {
            long client = state.client();
            state.busy = true;
            try {
                if (state.closing) {
                    throw new IllegalStateException("the client is closed");
                }
                return call.apply(client);
            } finally {
                state.busy = false;
                Reference.reachabilityFence(this);
            }
        }
    }

    /**
     * Sends one message to its envelope's recipients. Returns once the server
     * accepted it; throws {@link RateLimitedException} for
     * {@code 536 Frequency limited}, {@link SmtpReplyException} for other
     * refusals, {@link ConnectionException} when the connection is lost,
     * times out, or is closed by {@link #close()} from another thread.
     */
    public SendResult send(Message message) {
        Objects.requireNonNull(message, "message");
        return use(c -> message.use(m -> Native.clientSend(c, m)));
    }

    /** True when the connection is encrypted. */
    public boolean isTls() {
        return use(Native::clientIsTls);
    }

    /**
     * The conversation so far, secrets masked and control characters escaped
     * (when {@link SmtpOptions.Builder#transcript} asked for one; else empty),
     * drained: each line is returned once, and the core keeps a bounded number.
     */
    public List<TranscriptLine> takeTranscript() {
        return TranscriptLine.list(use(Native::clientTakeTranscript));
    }

    /**
     * Sends QUIT and closes; idempotent. Errors while quitting are ignored.
     * From another thread while a call is blocked, ends the connection at
     * once (that call throws {@code ConnectionClosed}) and returns promptly.
     */
    @Override
    public void close() {
        state.closing = true;
        state.interruptIfBusy();
        synchronized (lock) {
            try {
                if (!state.isFreed()) {
                    Native.clientQuit(state.client());
                }
            } catch (MailwrightException ignored) {
                // The connection is going away either way.
            } finally {
                cleanable.clean();
                Reference.reachabilityFence(this);
            }
        }
    }
}
