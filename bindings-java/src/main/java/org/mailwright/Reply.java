package org.mailwright;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A parsed SMTP reply (single or multi-line), classified by the core. Immutable. */
public final class Reply {
    /** How to treat a reply: the core's {@code ReplyClass}, constant by constant. */
    public enum Classification {
        /** 2xx: done. */
        POSITIVE,
        /** 3xx: go on (e.g. 334, 354). */
        INTERMEDIATE,
        /** 4xx: try again later. */
        TRANSIENT,
        /** 5xx: refused. */
        PERMANENT,
        /** SendCloud's 536 Frequency limited: try again after a while. */
        RATE_LIMITED;

        /** The core's names of the classes, in its order. */
        public static List<String> coreNames() {
            return List.of(Native.replyClassNames());
        }
    }

    private final int code;
    private final String enhancedStatus;
    private final Classification classification;
    private final boolean retryable;
    private final String queueId;
    private final List<String> lines;
    private final String text;

    /** Called by the native library with the core's values. */
    Reply(int code, String enhancedStatus, String className, boolean isTransient, String queueId, String[] lines,
            String text) {
        this.code = code;
        this.enhancedStatus = enhancedStatus;
        this.classification = Names.constant(Classification.class, className);
        this.retryable = isTransient;
        this.queueId = queueId;
        this.lines = List.of(lines);
        this.text = text;
    }

    /** Parses one complete reply, e.g. {@code "250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n"}. */
    public static Reply parse(byte[] bytes) {
        return Native.replyParse(Objects.requireNonNull(bytes, "bytes"));
    }

    /** As {@link #parse(byte[])}, for the reply's text (as UTF-8; a lone surrogate is {@code InvalidUnicode}). */
    public static Reply parse(String reply) {
        return parse(Native.utf8(Objects.requireNonNull(reply, "reply"), "reply"));
    }

    /** The three-digit reply code. */
    public int code() { return code; }
    /** The RFC 3463 enhanced status code, e.g. {@code "2.0.0"}. */
    public Optional<String> enhancedStatus() { return Optional.ofNullable(enhancedStatus); }
    /** The core's classification. */
    public Classification classification() { return classification; }
    /** Whether trying again later may succeed (the core's rule for the class). */
    public boolean isTransient() { return retryable; }
    /** The queue id of a DATA reply (SendCloud, Postfix or Haraka forms). */
    public Optional<String> queueId() { return Optional.ofNullable(queueId); }
    /** The text of each line, without the code and separator. */
    public List<String> lines() { return lines; }
    /** The text of all lines, as the core joins them. */
    public String text() { return text; }

    @Override
    public String toString() {
        return code + " " + text;
    }
}
