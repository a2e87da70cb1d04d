package org.mailwright;

/** The connection could not be opened, failed or was lost (category connection). */
public class ConnectionException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    ConnectionException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
