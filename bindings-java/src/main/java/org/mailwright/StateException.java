package org.mailwright;

/** A call came when the object cannot take it (category state). */
public class StateException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    StateException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
