package org.mailwright;

/** The server refused the credentials (kind AuthenticationFailed, e.g. 535). */
public class AuthenticationException extends SmtpReplyException {
    private static final long serialVersionUID = 1L;

    AuthenticationException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
