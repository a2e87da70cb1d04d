package org.mailwright;

import java.util.List;

/**
 * The SMTP envelope of a message, as the core computes it: the MAIL FROM
 * address and the RCPT TO addresses (To, Cc and Bcc, deduplicated, in order).
 *
 * @param sender the MAIL FROM address
 * @param recipients the RCPT TO addresses
 */
public record Envelope(String sender, List<String> recipients) {
    /** Copies the list. */
    public Envelope {
        recipients = List.copyOf(recipients);
    }

    /** Called by the native library. */
    Envelope(String sender, String[] recipients) {
        this(sender, List.of(recipients));
    }
}
