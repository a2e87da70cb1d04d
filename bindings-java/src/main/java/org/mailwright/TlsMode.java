package org.mailwright;

/** How a connection is protected. */
public enum TlsMode {
    /** STARTTLS, and fail when the server does not offer it (the default). */
    STARTTLS,
    /** STARTTLS when offered, else plain text. */
    STARTTLS_OPPORTUNISTIC,
    /** TLS from the first byte (port 465). */
    IMPLICIT,
    /** Plain text only. */
    NONE
}
