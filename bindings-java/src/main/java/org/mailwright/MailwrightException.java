package org.mailwright;

/**
 * Every mailwright failure. {@link #code()} is the same number the C binding
 * returns ({@code MW_ERR_*}) and {@link #kind()} the core's error kind name.
 */
public class MailwrightException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String kind;
    private final int smtpCode;
    private final String enhancedStatus;

    MailwrightException(int code, String kind, int smtpCode, String enhancedStatus, String message) {
        super(message);
        this.code = code;
        this.kind = kind;
        this.smtpCode = smtpCode;
        this.enhancedStatus = enhancedStatus;
    }

    static MailwrightException of(int code, String kind, int smtp, String enhanced, String message) {
        switch (kind) {
            case "RateLimited":
                return new RateLimitedException(code, kind, smtp, enhanced, message);
            case "AuthenticationFailed":
            case "AuthUnavailable":
            case "InvalidCredentials":
                return new AuthenticationException(code, kind, smtp, enhanced, message);
            case "SmtpTransient":
            case "SmtpPermanent":
                return new SmtpReplyException(code, kind, smtp, enhanced, message);
            default:
                return new MailwrightException(code, kind, smtp, enhanced, message);
        }
    }

    /** The error code, equal to the C binding's (e.g. 101 HeaderInjection, 202 RateLimited). */
    public int code() {
        return code;
    }

    /** The error kind name, e.g. {@code "HeaderInjection"}, as in {@code testdata/README.md}. */
    public String kind() {
        return kind;
    }

    /** The server's reply code when a reply caused the error, else 0. */
    public int smtpCode() {
        return smtpCode;
    }

    /** The RFC 3463 enhanced status code of that reply (e.g. "5.7.8"), or null. */
    public String enhancedStatus() {
        return enhancedStatus;
    }

    /** Whether sending again later may succeed (4xx replies, rate limiting, timeouts, lost connections). */
    public boolean isTransient() {
        return code == 200 || code == 202 || code == 207 || code == 208;
    }
}
