package org.mailwright;

/** The system failed (category system): clock, randomness, I/O. */
public class SystemException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    SystemException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
