package org.mailwright;

/** SendCloud's {@code 536 Frequency limited} (or another rate limit): retry later; the message did not fail for good. */
public class RateLimitedException extends SmtpReplyException {
    private static final long serialVersionUID = 1L;

    RateLimitedException(int code, String kind, int smtpCode, String enhancedStatus, String message) {
        super(code, kind, smtpCode, enhancedStatus, message);
    }
}
