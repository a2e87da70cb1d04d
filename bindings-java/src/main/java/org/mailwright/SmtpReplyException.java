package org.mailwright;

/** The server answered with a 4xx or 5xx reply (category server); see {@link #reply()}. */
public class SmtpReplyException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    SmtpReplyException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
