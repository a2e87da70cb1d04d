package org.mailwright;

/** The server refused the credentials, offers no usable mechanism, or the credentials are malformed. */
public class AuthenticationException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    AuthenticationException(int code, String kind, int smtpCode, String enhancedStatus, String message) {
        super(code, kind, smtpCode, enhancedStatus, message);
    }
}
