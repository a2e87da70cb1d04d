package org.mailwright;

/** TLS failed (kind Tls): handshake, certificate verification, or a pinned certificate that does not match. */
public class TlsException extends ConnectionException {
    private static final long serialVersionUID = 1L;

    TlsException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
