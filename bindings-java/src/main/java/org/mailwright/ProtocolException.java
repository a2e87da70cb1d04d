package org.mailwright;

/** The server said something that is not SMTP, or out of turn (category protocol). */
public class ProtocolException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
