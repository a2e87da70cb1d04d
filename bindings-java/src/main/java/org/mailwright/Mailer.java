package org.mailwright;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Sends many messages through a pool of connections with one throttle,
 * retries, and exactly one {@link Outcome} per message: the core's delivery
 * engine (its blocking driver), for bulk work. Every rule (pool, pacing,
 * SendCloud's {@code 536}, retries, outcomes) is the core's.
 *
 * <pre>{@code
 * try (Mailer mailer = Mailer.builder("smtp.sendcloud.net", 2525)
 *         .credentials(Credentials.of("api_user", "api_key").withLabel("12345"))
 *         .connections(8).rate(Rate.SENDCLOUD)
 *         .build()) {
 *     List<CompletableFuture<Outcome>> futures = new ArrayList<>();
 *     for (Message m : messages) {
 *         futures.add(mailer.submit(m));          // waits only while the queue is full
 *     }
 *     for (CompletableFuture<Outcome> f : futures) {
 *         if (f.join() instanceof Outcome.Failed failed) { ... failed.error().kind() ... }
 *     }
 * }                                               // close(): sends everything submitted, then QUIT
 * }</pre>
 *
 * <p>With {@link Builder#ledger(Ledger) a ledger}, every message is recorded
 * under a key ({@link #submit(Message, String)}) before it is queued: a key is
 * never sent twice, and a JVM killed mid-run loses nothing (see {@link Ledger}).
 *
 * <p>Nothing connects until the first message. A message that is not
 * delivered is an {@link Outcome.Failed} or {@link Outcome.Uncertain}, never
 * an exception; exceptions are for bad input ({@link InputException},
 * {@link NullPointerException}) and misuse (a {@link StateException} of kind
 * {@code InvalidState} for a message handed to a closed mailer).
 *
 * <p>Thread safety: a mailer is meant to be shared; every method may be
 * called from any number of threads at once. A {@link #submit} future is
 * completed on one of the mailer's threads (or on the thread whose call
 * produced the outcome), with no lock of the mailer held: its non-async
 * dependent stages run there, so keep them short, and use the {@code *Async}
 * variants ({@code thenApplyAsync}...) for anything that blocks. From such
 * a stage, {@link #send}, {@link #sendRaw}, {@link #submit},
 * {@link #submitRaw}, {@link #close} and {@link #abort} (of any mailer)
 * throw {@link IllegalStateException}: they could wait for the very thread
 * that runs the stage. {@link #counters()} may be called from anywhere.
 *
 * <p>Ending it: {@link #close()} (so try-with-resources) sends every message
 * already submitted, with its retries, before it returns; {@link #abort()}
 * stops at once (what is not yet on a connection fails, not sent), also
 * while a {@code close()} drains on another thread.
 *
 * <p>Memory: close it (try-with-resources). A mailer dropped without
 * {@link #close()} is <em>aborted</em>, not drained (and its native memory
 * freed) by a {@link java.lang.ref.Cleaner} once unreachable: the messages
 * it had not put on a connection yet fail, never sent, and nobody may be
 * left to see their futures. Keep it and close it.
 */
public final class Mailer implements AutoCloseable {
    /** Set while a future is being completed on this thread (its dependent stages run then). */
    private static final ThreadLocal<Boolean> IN_STAGE = new ThreadLocal<>();

    /**
     * Calls (close and abort included) hold it shared; the handle is freed
     * under it exclusively, once no call uses it.
     */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Set by close() and abort(): no call may hand the mailer a message any more. */
    private volatile boolean closing;
    private final NativeHandle handle;
    /** The ledger it records into, if any. */
    private final Ledger ledger;
    /** Whether close() closes the ledger (opened by the builder from a path). */
    private final boolean ownsLedger;

    private Mailer(long handle, Ledger ledger, boolean ownsLedger) {
        this.handle = new NativeHandle(this, handle, Native::mailerFree, "the mailer");
        this.ledger = ledger;
        this.ownsLedger = ownsLedger;
    }

    /** A mailer for {@code host} on the TLS mode's default port. */
    public static Builder builder(String host) {
        return new Builder(SmtpOptions.builder(host));
    }

    /** A mailer for {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(SmtpOptions.builder(host, port));
    }

    private static void notInStage(String method) {
        if (IN_STAGE.get() != null) {
            throw new IllegalStateException("mailwright: Mailer." + method + "() called from a dependent stage of a"
                    + " submit() future, which runs on a mailer thread; call it from a *Async stage instead");
        }
    }

    /**
     * Throws the core's error for a message handed to a closed mailer
     * ({@code delivery::closed_error}): a {@link StateException} of kind
     * {@code InvalidState}, thrown by the native side as every core error is.
     */
    private static RuntimeException closed() {
        Native.mailerClosed();
        throw new AssertionError("Native.mailerClosed() returned");
    }

    @FunctionalInterface
    private interface Call<T> {
        T apply(long mailer, long prepared);
    }

    /**
     * Runs {@code call} with the mailer (shared with other calls) and a
     * prepared message, which the native call consumes; freed here when the
     * call is not made (the mailer is closed).
     */
    private <T> T call(long prepared, Call<T> call) {
        boolean handedOver = false;
        lock.readLock().lock();
        try {
            if (closing) {
                throw closed();
            }
            long mailer = handle.get();
            handedOver = true;
            // When close() began between the check above and the core's, the
            // core throws the same error.
            return call.apply(mailer, prepared);
        } finally {
            lock.readLock().unlock();
            if (!handedOver && prepared != 0) {
                Native.preparedFree(prepared);
            }
            Reference.reachabilityFence(this);
        }
    }

    private void checkOpen() {
        if (closing) {
            throw closed();
        }
    }

    private static long prepare(Message message) {
        return Objects.requireNonNull(message, "message").use(Native::preparedMessage);
    }

    private static long prepareRaw(byte[] data, String sender, List<String> recipients) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sender, "sender");
        String[] rcpts = List.copyOf(Objects.requireNonNull(recipients, "recipients")).toArray(String[]::new);
        return Native.preparedRaw(data, sender, rcpts);
    }

    /**
     * Sends one message and waits for its outcome (retries included): at
     * most the retry deadline, plus the time it waits for room in the queue.
     */
    public Outcome send(Message message) {
        notInStage("send");
        checkOpen();
        return call(prepare(message), Native::mailerSend);
    }

    /**
     * Sends raw RFC 5322 bytes (a message built elsewhere) with an explicit
     * envelope: MAIL FROM {@code sender} (empty: the null sender {@code <>})
     * and RCPT TO each of {@code recipients}. The core makes the line ends
     * CRLF and checks the addresses ({@link InputException}).
     */
    public Outcome sendRaw(byte[] data, String sender, List<String> recipients) {
        notInStage("sendRaw");
        checkOpen();
        return call(prepareRaw(data, sender, recipients), Native::mailerSend);
    }

    /**
     * Queues a message and returns at once (waiting only while the queue is
     * full); the future is completed with its outcome, never exceptionally.
     */
    public CompletableFuture<Outcome> submit(Message message) {
        notInStage("submit");
        checkOpen();
        return submitPrepared(prepare(message));
    }

    /** {@link #sendRaw}, queued: see {@link #submit}. */
    public CompletableFuture<Outcome> submitRaw(byte[] data, String sender, List<String> recipients) {
        notInStage("submitRaw");
        checkOpen();
        return submitPrepared(prepareRaw(data, sender, recipients));
    }

    private CompletableFuture<Outcome> submitPrepared(long prepared) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        call(prepared, (mailer, p) -> Native.mailerSubmit(mailer, p, future));
        return future;
    }

    /**
     * Queues a message under {@code key}, its idempotency key (an order id, a
     * row: 1 to 512 bytes, no control characters, else an
     * {@link InputException} of kind {@code InvalidKey}), in a mailer built
     * with a {@link Builder#ledger ledger} (else a {@link StateException}). A
     * key the ledger already holds is never sent again: the future completes
     * with its recorded outcome (at once), or with the outcome of the message
     * already on its way. Without a key ({@link #submit(Message)}), a mailer
     * with a ledger keys a message by its Message-ID.
     */
    public CompletableFuture<Outcome> submit(Message message, String key) {
        notInStage("submit");
        checkOpen();
        Objects.requireNonNull(key, "key");
        return submitKeyed(prepare(message), key);
    }

    /** {@link #submitRaw}, under {@code key}: see {@link #submit(Message, String)}. */
    public CompletableFuture<Outcome> submitRaw(byte[] data, String sender, List<String> recipients, String key) {
        notInStage("submitRaw");
        checkOpen();
        Objects.requireNonNull(key, "key");
        return submitKeyed(prepareRaw(data, sender, recipients), key);
    }

    /** {@link #submit(Message, String)}, waiting for the outcome. */
    public Outcome send(Message message, String key) {
        notInStage("send");
        return submit(message, key).join();
    }

    private CompletableFuture<Outcome> submitKeyed(long prepared, String key) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        call(prepared, (mailer, p) -> Native.mailerSubmitKeyed(mailer, p, key, future));
        return future;
    }

    /** The ledger this mailer records into, if it was built with one. */
    public Optional<Ledger> ledger() {
        return Optional.ofNullable(ledger);
    }

    /**
     * What building the mailer found in its ledger: messages an earlier
     * process left unsent, queued again (their outcomes are recorded; submit
     * their keys again for futures), and those whose end of data it may have
     * sent before it died, recorded uncertain and not resent.
     *
     * @param queued messages queued again
     * @param uncertain the records made uncertain
     */
    public record Resumed(long queued, List<LedgerRecord> uncertain) {
        /** Copies the list. */
        public Resumed {
            uncertain = List.copyOf(uncertain);
        }
    }

    /** See {@link Resumed}; nothing without a ledger. */
    public Resumed resumed() {
        lock.readLock().lock();
        try {
            if (handle.isFreed()) {
                throw closed();
            }
            long h = handle.get();
            List<LedgerRecord> uncertain = new ArrayList<>();
            for (Object r : Native.mailerResumedUncertain(h)) {
                uncertain.add((LedgerRecord) r);
            }
            return new Resumed(Native.mailerResumedQueued(h), uncertain);
        } finally {
            lock.readLock().unlock();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * What has happened so far; also while {@link #close()} drains (to
     * follow it), the core's closed-mailer {@link StateException} once closed.
     */
    public Counters counters() {
        lock.readLock().lock();
        try {
            if (handle.isFreed()) {
                throw closed();
            }
            return Native.mailerCounters(handle.get());
        } finally {
            lock.readLock().unlock();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Closes after sending, the core's drain: no new messages (those calls
     * throw the core's {@link StateException} from now on); every message
     * already submitted is sent, with its retries, within its deadline, and
     * gets its outcome; then every connection says QUIT. Returns once every
     * future is completed, at most the retry deadline after the last
     * submission; {@link #abort()} from another thread cuts it short.
     * Idempotent; a second call (from any thread) returns once the first is
     * done. Every call but {@code close()}/{@code abort()} afterwards throws
     * that {@link StateException}.
     */
    @Override
    public void close() {
        stop(false, "close");
    }

    /**
     * Closes now, the core's abort: no new messages; messages not yet handed
     * to a connection end {@link Outcome.Failed} (kind {@code InvalidState},
     * 0 attempts: not sent), those in flight finish (their answer, or
     * {@link Outcome.Uncertain}), then every connection says QUIT. Returns
     * once every future is completed. Also stops a {@link #close()} draining
     * on another thread (which then returns too). Idempotent. A mailer
     * dropped without {@code close()} is aborted by its cleaner.
     */
    public void abort() {
        stop(true, "abort");
    }

    private void stop(boolean now, String method) {
        notInStage(method);
        closing = true;
        // Shared: an abort() may run while a close() drains; the core's
        // mailer lets both through and each returns once all is done.
        lock.readLock().lock();
        try {
            if (handle.isFreed()) {
                return;
            }
            long mailer = handle.get();
            if (now) {
                Native.mailerAbort(mailer);
            } else {
                Native.mailerClose(mailer);
            }
        } finally {
            lock.readLock().unlock();
        }
        // Once no call uses it (a second close() waits here for the first).
        lock.writeLock().lock();
        try {
            handle.free();
        } finally {
            lock.writeLock().unlock();
            Reference.reachabilityFence(this);
        }
        if (ownsLedger) {
            ledger.close();
        }
    }

    /**
     * Completes a {@link #submit} future; called by the native library, on
     * the thread the core gives the outcome on. Throws nothing (a dependent
     * stage's failure is that stage's).
     */
    static void complete(CompletableFuture<Outcome> future, Outcome outcome) {
        IN_STAGE.set(Boolean.TRUE);
        try {
            future.complete(outcome);
        } catch (Throwable ignored) {
            // Nothing may reach the core's thread.
        } finally {
            IN_STAGE.remove();
        }
    }

    /** Fails a {@link #submit} future whose outcome could not be converted (a bug, or no memory left). */
    static void fail(CompletableFuture<Outcome> future, String message) {
        IN_STAGE.set(Boolean.TRUE);
        try {
            future.completeExceptionally(new IllegalStateException(message));
        } catch (Throwable ignored) {
            // As in complete().
        } finally {
            IN_STAGE.remove();
        }
    }

    /**
     * What a mailer has done so far.
     *
     * @param queued messages waiting (new or for a retry)
     * @param inFlight messages handed to a connection and not answered yet
     * @param delivered delivered outcomes so far
     * @param failed failed outcomes so far
     * @param uncertain uncertain outcomes so far
     * @param retries attempts after the first
     * @param rateLimited {@code 536 Frequency limited} replies seen
     * @param connections connections open or opening
     * @param currentRate the pace the throttle allows now (messages a second), when a rate is set
     */
    public record Counters(long queued, long inFlight, long delivered, long failed, long uncertain, long retries,
            long rateLimited, long connections, OptionalDouble currentRate) {
        /** Checks for null. */
        public Counters {
            Objects.requireNonNull(currentRate, "currentRate");
        }

        /** Called by the native library with the core's counters. */
        Counters(long queued, long inFlight, long delivered, long failed, long uncertain, long retries,
                long rateLimited, long connections, boolean hasRate, double currentRate) {
            this(queued, inFlight, delivered, failed, uncertain, retries, rateLimited, connections,
                    hasRate ? OptionalDouble.of(currentRate) : OptionalDouble.empty());
        }
    }

    /**
     * The settings of a mailer: where and how to connect (those of
     * {@link SmtpOptions.Builder}), and the pool, throttle and retries. Every
     * setting not called keeps the core's default (4 connections, 1,000
     * messages per connection, 30 s idle, a queue of 10,000, no rate, a 60 s
     * pause after a {@code 536}, {@link RetryPolicy#defaults()}, at most
     * once). Nothing is checked before {@link #build()}, where the core
     * checks each setting and then the whole ({@link InputException} of kind
     * {@code InvalidOption} names the bad one). Not thread-safe.
     */
    public static final class Builder {
        private final SmtpOptions.Builder options;
        private final List<DraftStep> delivery = new ArrayList<>();

        private Ledger ledger;
        private Path ledgerPath;

        private Builder(SmtpOptions.Builder options) {
            this.options = options;
        }

        private Builder step(DraftStep step) {
            delivery.add(step);
            return this;
        }

        /** Authenticate with these credentials (SendCloud: {@code api_user}, {@code api_key}, a label). */
        public Builder credentials(Credentials credentials) { options.credentials(credentials); return this; }
        /** The TLS mode (default {@link TlsMode#STARTTLS}, required). */
        public Builder tls(TlsMode mode) { options.tls(mode); return this; }
        /** The connect, read and write time-out, and the longest wait for a complete reply (1 ms to one day). */
        public Builder timeout(Duration timeout) { options.timeout(timeout); return this; }
        /** The longest a message may take, MAIL FROM to its final reply (1 ms to one day). */
        public Builder messageTimeout(Duration timeout) { options.messageTimeout(timeout); return this; }
        /** The name sent in EHLO. */
        public Builder helloName(String name) { options.helloName(name); return this; }
        /** Send MAIL, RCPT and DATA in one flight when the server offers PIPELINING. */
        public Builder pipelining(boolean on) { options.pipelining(on); return this; }
        /** Extra trusted root certificates (a PEM file). */
        public Builder caFile(Path pem) { options.caFile(pem); return this; }
        /** Extra trusted root certificates (PEM text). */
        public Builder caPem(String pem) { options.caPem(pem); return this; }
        /** Trust exactly the certificate with this SHA-256 fingerprint (see {@link SmtpOptions.Builder#pinSha256}). */
        public Builder pinSha256(String fingerprint) { options.pinSha256(fingerprint); return this; }
        /** Trust exactly the certificate(s) of this PEM text. */
        public Builder pinCertificatePem(String pem) { options.pinCertificatePem(pem); return this; }
        /** Trust exactly the certificate(s) of these PEM bytes. */
        public Builder pinCertificatePem(byte[] pem) { options.pinCertificatePem(pem); return this; }
        /** Whether credentials may cross an unencrypted connection (see {@link SmtpOptions.Builder#allowPlaintextAuth}). */
        public Builder allowPlaintextAuth(boolean allow) { options.allowPlaintextAuth(allow); return this; }

        /** The most connections open at once (1 to 1,024). */
        public Builder connections(int n) { return step(c -> Native.deliveryConnections(c, n)); }

        /** A connection is closed (and replaced when needed) after this many messages. */
        public Builder messagesPerConnection(int n) { return step(c -> Native.deliveryMessagesPerConnection(c, n)); }

        /** An idle connection says QUIT after this long. */
        public Builder idleTimeout(Duration idle) {
            double millis = SessionConfig.millis(Objects.requireNonNull(idle, "idle"));
            return step(c -> Native.deliveryIdleTimeout(c, millis));
        }

        /** The most messages waiting (queued or for a retry); {@link Mailer#submit} waits beyond it. */
        public Builder queueCapacity(int n) { return step(c -> Native.deliveryQueueCapacity(c, n)); }

        /** The quota shared by every connection ({@link Rate#SENDCLOUD}, or {@link Rate#of}). */
        public Builder rate(Rate rate) {
            Rate r = Objects.requireNonNull(rate, "rate");
            return step(c -> r.use(h -> {
                Native.deliveryRate(c, h);
                return null;
            }));
        }

        /** How transient failures are retried. */
        public Builder retry(RetryPolicy retry) {
            delivery.addAll(Objects.requireNonNull(retry, "retry").steps());
            return this;
        }

        /** How long every connection stops after a {@code 536} when no rate is set (with a rate, its window). */
        public Builder rateLimitedPause(Duration pause) {
            double millis = SessionConfig.millis(Objects.requireNonNull(pause, "pause"));
            return step(c -> Native.deliveryRateLimitedPause(c, millis));
        }

        /**
         * Resend uncertain messages (the relay may then hold them twice; each
         * such resend is counted in {@link Outcome.Delivered#uncertainAttempts()}).
         * Off by default: an uncertain message is reported, never resent.
         */
        public Builder atLeastOnce(boolean on) { return step(c -> Native.deliveryAtLeastOnce(c, on)); }

        /**
         * Record every message in {@code ledger} (see {@link Ledger}); the
         * mailer takes up the unfinished work it holds when built
         * ({@link Mailer#resumed()}). The ledger may be closed before the mailer.
         */
        public Builder ledger(Ledger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            this.ledgerPath = null;
            return this;
        }

        /** {@link #ledger(Ledger)} with the ledger at {@code path} (opened, created when missing; closed with the mailer). */
        public Builder ledger(Path path) {
            this.ledgerPath = Objects.requireNonNull(path, "path");
            this.ledger = null;
            return this;
        }

        /** The mailer, checked by the core; nothing connects yet. */
        public Mailer build() {
            SmtpOptions built = options.build();
            long config = Native.deliveryNew();
            try {
                DraftStep.replay(delivery, config);
                if (ledger == null && ledgerPath == null) {
                    return new Mailer(built.use(o -> Native.mailerNew(o, config)), null, false);
                }
                boolean owns = ledger == null;
                Ledger l = owns ? Ledger.open(ledgerPath) : ledger;
                try {
                    long h = l.use(lh -> built.use(o -> Native.mailerNewWithLedger(o, config, lh)));
                    return new Mailer(h, l, owns);
                } catch (RuntimeException e) {
                    if (owns) {
                        l.close();
                    }
                    throw e;
                }
            } finally {
                Native.deliveryFree(config);
            }
        }
    }
}
