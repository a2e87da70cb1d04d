package org.mailwright;

/** The server answered a command with a 4xx or 5xx reply; see {@link #smtpCode()}. */
public class SmtpReplyException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    SmtpReplyException(int code, String kind, int smtpCode, String enhancedStatus, String message) {
        super(code, kind, smtpCode, enhancedStatus, message);
    }
}
