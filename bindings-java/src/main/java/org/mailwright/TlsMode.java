package org.mailwright;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a connection is encrypted: the core's TLS modes, whose names
 * ({@link #wireName()}: {@code starttls}, {@code opportunistic},
 * {@code implicit}, {@code none}) are the only TLS vocabulary of every
 * mailwright binding. The native library maps a mode by that name and refuses
 * any other.
 */
public enum TlsMode {
    /** STARTTLS, and fail ({@code TlsUnavailable}) when the server does not offer it. The default. */
    STARTTLS,
    /** STARTTLS when offered, else clear text. */
    OPPORTUNISTIC,
    /** TLS from the first byte (port 465 by default). */
    IMPLICIT,
    /** Clear text only (local test servers). */
    NONE;

    /** The core's name of this mode. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode with the core's name {@code name} (e.g. from a configuration
     * file); any other name is an {@link InputException} of kind
     * {@code InvalidOption}, never clear text.
     */
    public static TlsMode fromName(String name) {
        return Names.constant(TlsMode.class, Native.tlsModeFromName(Objects.requireNonNull(name, "name")));
    }

    /** The core's names of the modes, in its order. */
    public static List<String> coreNames() {
        return List.of(Native.tlsModeNames());
    }
}
