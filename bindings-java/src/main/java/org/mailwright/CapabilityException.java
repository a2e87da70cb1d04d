package org.mailwright;

/** The server lacks what is needed (category capability): STARTTLS, a usable AUTH mechanism, room for the message. */
public class CapabilityException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    CapabilityException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
