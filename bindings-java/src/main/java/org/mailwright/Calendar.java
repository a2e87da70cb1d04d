package org.mailwright;

import java.util.Objects;
import java.util.Optional;

/**
 * A calendar invitation (iMIP, RFC 6047), as nodemailer's {@code icalEvent}:
 * the iCalendar text you supply (mailwright does not write events) goes in
 * as {@code text/calendar; method=<METHOD>; charset=utf-8}, the last
 * alternative after the text and HTML bodies, and with
 * {@link #attachment(String)} also as an {@code application/ics} file after
 * the other attachments. The core checks it when the message is built
 * ({@link InputException}): the method is an iTIP token, the text is
 * {@code BEGIN:VCALENDAR ... END:VCALENDAR} ({@code InvalidCalendar}) and its
 * {@code METHOD} equals the method given ({@code CalendarMethodMismatch}).
 *
 * <p>Not {@link java.util.Calendar}: with both packages imported on demand,
 * write {@code org.mailwright.Calendar} or import it by name. Immutable.
 */
public final class Calendar {
    private final String method;
    private final String content;
    private final String attachment;

    private Calendar(String method, String content, String attachment) {
        this.method = Objects.requireNonNull(method, "method");
        this.content = Objects.requireNonNull(content, "content");
        this.attachment = attachment;
    }

    /**
     * An invitation with its iTIP method ({@code REQUEST}, {@code CANCEL},
     * {@code REPLY}, {@code PUBLISH}...; any case, written in upper case) and
     * the iCalendar text, whose {@code METHOD} property must say the same.
     */
    public static Calendar of(String method, String content) {
        return new Calendar(method, content, null);
    }

    /** The same invitation, also attached as a file with this name (e.g. {@code invite.ics}). */
    public Calendar attachment(String filename) {
        return new Calendar(method, content, Objects.requireNonNull(filename, "filename"));
    }

    /** The method, as given. */
    public String method() {
        return method;
    }

    /** The iCalendar text. */
    public String content() {
        return content;
    }

    /** The file name of the {@code .ics} copy, if any. */
    public Optional<String> attachmentName() {
        return Optional.ofNullable(attachment);
    }

    /** The builder step adding this invitation to a message draft. */
    DraftStep step() {
        return draft -> Native.builderCalendar(draft, method, content, attachment);
    }

    @Override
    public String toString() {
        return "Calendar[method=" + method + (attachment == null ? "" : ", attachment=" + attachment)
                + ", " + content.length() + " chars]";
    }
}
