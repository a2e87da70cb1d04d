package org.mailwright;

import java.util.List;

/**
 * What kind of failure a {@link MailwrightException} is, as the core
 * classifies its error kinds. Each category has its exception class.
 */
public enum ErrorCategory {
    /** The caller's input was refused ({@link InputException}). */
    INPUT,
    /** The server refused with a 4xx/5xx reply ({@link SmtpReplyException}). */
    SERVER,
    /** The server lacks something needed (a TLS upgrade, an AUTH mechanism, room) ({@link CapabilityException}). */
    CAPABILITY,
    /** The server broke the protocol ({@link ProtocolException}). */
    PROTOCOL,
    /** The connection failed or was lost ({@link ConnectionException}). */
    CONNECTION,
    /** The system failed (clock, randomness, I/O) ({@link SystemException}). */
    SYSTEM,
    /** A call came at the wrong time ({@link StateException}). */
    STATE;

    /** The core's names of the categories, in its order. */
    public static List<String> coreNames() {
        return List.of(Native.errorCategoryNames());
    }
}
