package org.mailwright;

import java.util.List;

/**
 * The SMTP envelope of a message: the MAIL FROM address and the RCPT TO
 * addresses (To, Cc and Bcc, deduplicated, in order).
 */
public record Envelope(String sender, List<String> recipients) {
    public Envelope {
        recipients = List.copyOf(recipients);
    }
}
