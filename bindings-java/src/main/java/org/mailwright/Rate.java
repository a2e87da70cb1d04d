package org.mailwright;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A relay's quota, shared by every connection of a {@link Mailer}: at most
 * {@link #messages()} in any window of {@link #per()}, at most
 * {@link #burst()} back to back. Made and checked by the core
 * ({@link InputException} of kind {@code InvalidOption} for a bad one).
 * Immutable and thread-safe; its native memory is freed when it is
 * garbage-collected.
 */
public final class Rate {
    /** SendCloud's quota: 20,000 messages a minute per api_user ({@code 536 Frequency limited} beyond it). */
    public static final Rate SENDCLOUD = fromName("sendcloud");

    private final NativeHandle handle;

    private Rate(long handle) {
        this.handle = new NativeHandle(this, handle, Native::rateFree, "the rate");
    }

    /**
     * {@code messages} in any window of {@code per} (1 ms to one day), with a
     * burst of one second's worth (the core's rule).
     */
    public static Rate of(int messages, Duration per) {
        double millis = SessionConfig.millis(Objects.requireNonNull(per, "per"));
        return new Rate(Native.rateNew(messages, millis));
    }

    /** A preset by the core's name ({@code "sendcloud"}), e.g. from a configuration file; any other name is {@code InvalidOption}. */
    public static Rate fromName(String name) {
        return new Rate(Native.rateFromName(Objects.requireNonNull(name, "name")));
    }

    <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** Messages allowed in any window. */
    public long messages() {
        return use(Native::rateMessages);
    }

    /** The window. */
    public Duration per() {
        return Duration.ofNanos(use(Native::ratePerNanos));
    }

    /** Messages that may go back to back before the pace is spread evenly. */
    public long burst() {
        return use(Native::rateBurst);
    }

    @Override
    public String toString() {
        return "Rate[" + messages() + " per " + per() + ", burst " + burst() + "]";
    }
}
