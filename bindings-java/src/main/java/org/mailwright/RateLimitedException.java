package org.mailwright;

/** SendCloud's {@code 536 Frequency limited} (kind RateLimited): wait, then send again. */
public class RateLimitedException extends SmtpReplyException {
    private static final long serialVersionUID = 1L;

    RateLimitedException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
