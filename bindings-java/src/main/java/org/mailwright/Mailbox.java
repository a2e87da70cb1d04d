package org.mailwright;

import java.util.Objects;

/**
 * A mailbox given as parts: an optional display name and an address (the
 * core validates both and encodes the name). Every mailbox field of
 * {@link Message.Builder} also takes the text form ({@code "Name <a@b.c>"})
 * as one string, and the parts as two strings.
 *
 * @param name the display name, or null
 * @param address the address
 */
public record Mailbox(String name, String address) {
    /** Checks that the address is given. */
    public Mailbox {
        Objects.requireNonNull(address, "address");
    }

    /** A mailbox without a display name. */
    public static Mailbox of(String address) {
        return new Mailbox(null, address);
    }

    /** A mailbox with a display name. */
    public static Mailbox of(String name, String address) {
        return new Mailbox(name, address);
    }
}
