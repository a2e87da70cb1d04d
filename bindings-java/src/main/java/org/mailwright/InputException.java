package org.mailwright;

/** The input was refused (category input): an address, header, content id, option, credentials... Never worth retrying unchanged. */
public class InputException extends MailwrightException {
    private static final long serialVersionUID = 1L;

    InputException(String kind, int code, String category, boolean isTransient, Reply reply, String message) {
        super(kind, code, category, isTransient, reply, message);
    }
}
