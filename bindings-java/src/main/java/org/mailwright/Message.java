package org.mailwright;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A built MIME message, ready to write or send. It holds native memory: close
 * it (try-with-resources). {@link #close()} is idempotent; any other call on a
 * closed message throws {@link IllegalStateException}. Safe to share between
 * threads.
 */
public final class Message implements AutoCloseable {
    private long handle;
    private String[] info;

    private Message(long handle) {
        this.handle = handle;
    }

    public static Builder builder() {
        return new Builder();
    }

    synchronized long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the message is closed");
        }
        return handle;
    }

    /** The message bytes (CRLF line ends), exactly as they go after DATA. */
    public synchronized byte[] toBytes() {
        byte[] bytes = Native.messageToBytes(handle());
        if (bytes == null) {
            throw Native.error();
        }
        return bytes;
    }

    /** The size of {@link #toBytes()} in bytes, without writing it. */
    public synchronized long size() {
        long size = Native.messageSize(handle());
        if (size < 0) {
            throw Native.error();
        }
        return size;
    }

    private synchronized String[] info() {
        if (info == null) {
            String text = Native.messageInfo(handle());
            if (text == null) {
                throw Native.error();
            }
            info = text.split("\0", -1);
        }
        handle();
        return info;
    }

    /** The Message-ID, without angle brackets. */
    public String messageId() {
        return info()[0];
    }

    /** The MIME structure, e.g. {@code multipart/mixed(multipart/related(...), application/pdf)}. */
    public String structure() {
        return info()[1];
    }

    /** The Date header's time, in seconds since the Unix epoch. */
    public long date() {
        return Long.parseLong(info()[2]);
    }

    /** The envelope: MAIL FROM and RCPT TO (Bcc included here, never in the headers). */
    public Envelope envelope() {
        String[] i = info();
        return new Envelope(i[3], Arrays.asList(i).subList(4, i.length));
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            Native.messageFree(handle);
            handle = 0;
        }
    }

    /**
     * Collects the fields of a message; {@link #build()} validates them all in
     * the core (addresses, header injection, content ids, X-SMTPAPI) and throws
     * {@link MailwrightException} with the reason. Mailboxes are written as a
     * user writes them ({@code "Name <a@b.c>"} or {@code "a@b.c"}), or as name and address.
     */
    public static final class Builder {
        private final List<String> ops = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final List<byte[]> data = new ArrayList<>();
        private XSmtpApi xSmtpApi;

        Builder() {}

        static String text(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " contains a NUL character");
            }
            return value;
        }

        static String join(String... fields) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < fields.length; i++) {
                if (i > 0) {
                    b.append('\0');
                }
                b.append(text(fields[i], "argument"));
            }
            return b.toString();
        }

        private Builder op(String op, String arg, byte[] bytes) {
            ops.add(op);
            args.add(arg);
            data.add(bytes);
            return this;
        }

        private Builder mailbox(String op, String mailbox) {
            return op(op, text(mailbox, op), null);
        }

        private Builder mailbox(String op, String name, String address) {
            return op(op, (name == null ? "" : text(name, "name")) + "\0" + text(address, "address"), null);
        }

        public Builder from(String mailbox) { return mailbox("from", mailbox); }
        public Builder from(String name, String address) { return mailbox("from", name, address); }
        public Builder sender(String mailbox) { return mailbox("sender", mailbox); }
        /** The envelope sender (MAIL FROM) when it differs from From. */
        public Builder envelopeFrom(String mailbox) { return mailbox("envelopeFrom", mailbox); }
        public Builder replyTo(String... mailboxes) { return many("replyTo", mailboxes); }
        public Builder to(String... mailboxes) { return many("to", mailboxes); }
        public Builder to(String name, String address) { return mailbox("to", name, address); }
        public Builder cc(String... mailboxes) { return many("cc", mailboxes); }
        public Builder cc(String name, String address) { return mailbox("cc", name, address); }
        /** Bcc recipients: in the envelope, never in the written headers. */
        public Builder bcc(String... mailboxes) { return many("bcc", mailboxes); }

        private Builder many(String op, String... mailboxes) {
            for (String m : Objects.requireNonNull(mailboxes, op)) {
                mailbox(op, m);
            }
            return this;
        }

        public Builder subject(String subject) { return op("subject", text(subject, "subject"), null); }
        public Builder text(String body) { return op("text", text(body, "text"), null); }
        public Builder html(String body) { return op("html", text(body, "html"), null); }
        /** A fixed Message-ID (deterministic mode); by default a random one. */
        public Builder messageId(String id) { return op("messageId", text(id, "messageId"), null); }
        public Builder inReplyTo(String id) { return op("inReplyTo", text(id, "inReplyTo"), null); }
        public Builder references(String id) { return op("references", text(id, "references"), null); }
        /** A fixed Date, seconds since the Unix epoch (deterministic mode). */
        public Builder date(long epochSeconds) { return op("date", Long.toString(epochSeconds), null); }
        /** A fixed boundary seed (deterministic mode); by default boundaries are random. */
        public Builder boundarySeed(String seed) { return op("boundarySeed", text(seed, "boundarySeed"), null); }
        /** A custom header; the core checks the name and refuses CR/LF in the value. */
        public Builder header(String name, String value) { return op("header", join(name, value), null); }
        /** A SendCloud {@code SC-Custom-<key>} header. */
        public Builder scCustom(String key, String value) { return op("scCustom", join(key, value), null); }

        /** An inline part referenced from the HTML as {@code cid:<contentId>}. */
        public Builder inline(String contentId, String contentType, byte[] bytes) {
            return inline(contentId, contentType, bytes, null);
        }

        public Builder inline(String contentId, String contentType, byte[] bytes, String filename) {
            Objects.requireNonNull(bytes, "bytes");
            String f = filename == null ? "" : text(filename, "filename");
            return op("inline", join(contentId, contentType) + "\0" + f, bytes);
        }

        public Builder attachment(String filename, String contentType, byte[] bytes) {
            Objects.requireNonNull(bytes, "bytes");
            return op("attachment", join(filename, contentType), bytes);
        }

        /** SendCloud's X-SMTPAPI header, written last. */
        public Builder xSmtpApi(XSmtpApi api) {
            this.xSmtpApi = Objects.requireNonNull(api, "api");
            return this;
        }

        /** Builds the message; throws {@link MailwrightException} when the input is invalid. */
        public Message build() {
            List<String> o = new ArrayList<>(ops);
            List<String> a = new ArrayList<>(args);
            List<byte[]> d = new ArrayList<>(data);
            if (xSmtpApi != null) {
                for (String[] op : xSmtpApi.ops) {
                    o.add(op[0]);
                    a.add(op[1]);
                    d.add(null);
                }
            }
            long handle = Native.messageBuild(o.toArray(new String[0]), a.toArray(new String[0]),
                    d.toArray(new byte[0][]));
            if (handle == 0) {
                throw Native.error();
            }
            return new Message(handle);
        }
    }
}
