package org.mailwright;

import java.util.Locale;

/** A DKIM canonicalization (RFC 6376 section 3.4), for the header or the body ({@code c=}). */
public enum Canonicalization {
    /** The bytes as they are (only trailing empty lines of the body ignored). */
    SIMPLE,
    /** Whitespace runs folded, trailing whitespace dropped, header names in lower case: survives most relays. The default. */
    RELAXED;

    /** The name in the {@code c=} tag: {@code simple} or {@code relaxed}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
