package org.mailwright;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Mailer} retries: transient failures (4xx, {@code 536}, a
 * lost or timed-out connection before the end of the data) are tried again
 * with exponential backoff and jitter, at most {@link #maxAttempts} times
 * and within {@link #deadline} of the submission; permanent failures (5xx)
 * never. Every setting not called keeps the core's default (5 attempts, 1 s
 * doubling up to 60 s, a 600 s deadline); the core checks each when the
 * mailer is built. Immutable: each method returns a new policy.
 *
 * <pre>{@code
 * Mailer.builder(host, port).retry(RetryPolicy.defaults().maxAttempts(3).deadline(Duration.ofMinutes(2)))
 * }</pre>
 */
public final class RetryPolicy {
    private static final RetryPolicy DEFAULTS = new RetryPolicy(List.of());

    private final List<DraftStep> steps;

    private RetryPolicy(List<DraftStep> steps) {
        this.steps = steps;
    }

    /** The core's policy; change what you need. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    private RetryPolicy with(DraftStep step) {
        List<DraftStep> more = new ArrayList<>(steps);
        more.add(step);
        return new RetryPolicy(List.copyOf(more));
    }

    /** Attempts in all, the first included (1: never retry). */
    public RetryPolicy maxAttempts(int attempts) {
        return with(c -> Native.deliveryMaxAttempts(c, attempts));
    }

    /** The wait before the second attempt; it doubles each time. */
    public RetryPolicy initialBackoff(Duration backoff) {
        double millis = SessionConfig.millis(Objects.requireNonNull(backoff, "backoff"));
        return with(c -> Native.deliveryInitialBackoff(c, millis));
    }

    /** The longest wait between two attempts. */
    public RetryPolicy maxBackoff(Duration backoff) {
        double millis = SessionConfig.millis(Objects.requireNonNull(backoff, "backoff"));
        return with(c -> Native.deliveryMaxBackoff(c, millis));
    }

    /** The longest a message may take from submission to its outcome. */
    public RetryPolicy deadline(Duration deadline) {
        double millis = SessionConfig.millis(Objects.requireNonNull(deadline, "deadline"));
        return with(c -> Native.deliveryDeadline(c, millis));
    }

    /** The settings, replayed on the mailer's delivery draft. */
    List<DraftStep> steps() {
        return steps;
    }
}
