package org.mailwright;

import java.util.List;
import java.util.Optional;

/**
 * Every mailwright failure. It is thrown by the native library, which picks
 * the subclass for the core's category of the error kind and sets every
 * property from the core: {@link #kind()}, {@link #code()} (the same number as
 * the C binding's {@code MW_ERR_*}), {@link #category()}, {@link #isTransient()}
 * and, when a server reply caused it, {@link #reply()}.
 *
 * <table>
 * <caption>Classes by category</caption>
 * <tr><th>category</th><th>class</th></tr>
 * <tr><td>input</td><td>{@link InputException}</td></tr>
 * <tr><td>server</td><td>{@link SmtpReplyException} ({@link RateLimitedException}, {@link AuthenticationException})</td></tr>
 * <tr><td>capability</td><td>{@link CapabilityException}</td></tr>
 * <tr><td>protocol</td><td>{@link ProtocolException}</td></tr>
 * <tr><td>connection</td><td>{@link ConnectionException} ({@link TlsException})</td></tr>
 * <tr><td>system</td><td>{@link SystemException}</td></tr>
 * <tr><td>state</td><td>{@link StateException}</td></tr>
 * </table>
 */
public class MailwrightException extends RuntimeException {
    private static final long serialVersionUID = 2L;
    private final String kind;
    private final int code;
    private final ErrorCategory category;
    private final boolean retryable;
    private final transient Reply reply;

    MailwrightException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.category = Names.constant(ErrorCategory.class, category);
        this.retryable = isTransient;
        this.reply = reply;
    }

    /** The error code, equal to the C binding's (e.g. 101 HeaderInjection, 202 RateLimited, 213 InvalidOption). */
    public int code() {
        return code;
    }

    /** The core's error kind name, e.g. {@code "HeaderInjection"}, as in {@code testdata/README.md}. */
    public String kind() {
        return kind;
    }

    /** The core's category of the kind. */
    public ErrorCategory category() {
        return category;
    }

    /**
     * Whether trying again later may succeed (the core's rule: 4xx replies,
     * rate limiting, time-outs, lost or refused connections).
     */
    public boolean isTransient() {
        return retryable;
    }

    /** The server's reply that caused the error, when one did. */
    public Optional<Reply> reply() {
        return Optional.ofNullable(reply);
    }

    /** The server's reply code when a reply caused the error, else 0. */
    public int smtpCode() {
        return reply == null ? 0 : reply.code();
    }

    /** The RFC 3463 enhanced status code of that reply (e.g. "5.7.8"), or null. */
    public String enhancedStatus() {
        return reply == null ? null : reply.enhancedStatus().orElse(null);
    }

    /** Every error kind name the core has, in its order. */
    public static List<String> kinds() {
        return List.of(Native.errorKindNames());
    }
}
