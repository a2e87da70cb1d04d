package org.mailwright;

import java.util.Objects;
import java.util.Optional;

/** A parsed SMTP reply (single or multi-line), classified by the core. */
public final class Reply {
    /** How to treat a reply. */
    public enum Classification { POSITIVE, INTERMEDIATE, TRANSIENT, PERMANENT, RATE_LIMITED }

    private final int code;
    private final String enhancedStatus;
    private final Classification classification;
    private final String queueId;
    private final String text;

    private Reply(String[] f) {
        code = Integer.parseInt(f[0]);
        enhancedStatus = f[1].isEmpty() ? null : f[1];
        classification = Classification.valueOf(f[2]);
        queueId = f[3].isEmpty() ? null : f[3];
        text = f[4];
    }

    /** Parses one complete reply, e.g. {@code "250 #1426390015358_15_6484_8661.sc-10_10_127_51-inbound#Queued\r\n"}. */
    public static Reply parse(byte[] bytes) {
        String f = Native.replyParse(Objects.requireNonNull(bytes, "bytes"));
        if (f == null) {
            throw Native.error();
        }
        return new Reply(f.split("\0", 5));
    }

    public static Reply parse(String reply) {
        return parse(Objects.requireNonNull(reply, "reply").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public int code() { return code; }
    /** The RFC 3463 enhanced status code, e.g. {@code "2.0.0"}. */
    public Optional<String> enhancedStatus() { return Optional.ofNullable(enhancedStatus); }
    public Classification classification() { return classification; }
    /** The queue id of a DATA reply (SendCloud, Postfix or Haraka forms). */
    public Optional<String> queueId() { return Optional.ofNullable(queueId); }
    /** The text of all lines, joined with newlines. */
    public String text() { return text; }

    @Override
    public String toString() {
        return code + " " + text;
    }
}
