package org.mailwright;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A native handle owned by one Java object, freed exactly once: by the
 * owner's {@code close()} (the primary path) or, when the owner was dropped
 * without it, by {@link Native#CLEANER} once the owner is unreachable (the
 * safety net; the only path for immutable owners, credentials and options,
 * which have no {@code close()}). This object is the cleaning action: it holds the handle and a
 * static free function, never the owner, so registering it does not keep the
 * owner alive.
 */
final class NativeHandle implements Runnable {
    private final LongConsumer free;
    private final String what;
    private long value;
    private final Cleaner.Cleanable cleanable;

    /**
     * Takes ownership of {@code value} for {@code owner}; {@code free} must be
     * a static native (e.g. {@code Native::messageFree}), {@code what} names
     * the owner in errors ("the message").
     */
    NativeHandle(Object owner, long value, LongConsumer free, String what) {
        this.free = free;
        this.what = what;
        this.value = value;
        this.cleanable = Native.CLEANER.register(owner, this);
    }

    /** The handle; {@link IllegalStateException} once freed. */
    synchronized long get() {
        if (value == 0) {
            throw new IllegalStateException(what + " is closed");
        }
        return value;
    }

    /**
     * Runs {@code call} with the handle, {@code owner} kept reachable meanwhile
     * (so the cleaner cannot free the handle during the call).
     */
    <T> T use(Object owner, LongFunction<T> call) {
        try {
            return call.apply(get());
        } finally {
            Reference.reachabilityFence(owner);
        }
    }

    /** Whether the handle was freed. */
    synchronized boolean isFreed() {
        return value == 0;
    }

    /** Frees the handle now (idempotent; the cleaner will not free it again). */
    void free() {
        cleanable.clean();
    }

    /** The cleaning action: runs at most once (a {@link Cleaner.Cleanable} guarantees it). */
    @Override
    public void run() {
        long h;
        synchronized (this) {
            h = value;
            value = 0;
        }
        if (h != 0) {
            free.accept(h);
        }
    }
}
