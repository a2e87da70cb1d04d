package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A built MIME message, ready to write or send. It holds native memory: close
 * it (try-with-resources), which frees it at once. A message dropped without
 * {@link #close()} is freed by a {@link java.lang.ref.Cleaner} once the
 * garbage collector finds it unreachable (a safety net: native memory is not
 * heap, so the collector does not hurry for it). {@link #close()} is
 * idempotent; any other call on a closed message throws
 * {@link IllegalStateException}. Safe to share between threads (calls on one
 * message are serialized).
 */
public final class Message implements AutoCloseable {
    private final NativeHandle handle;

    private Message(long handle) {
        this.handle = new NativeHandle(this, handle, Native::messageFree, "the message");
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code call} with the native handle, this message kept open and
     * reachable meanwhile (so neither {@link #close()} nor the cleaner frees
     * it during the call).
     */
    synchronized <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** The message bytes (CRLF line ends), exactly as they go after DATA. */
    public byte[] toBytes() {
        return use(Native::messageToBytes);
    }

    /** The size of {@link #toBytes()} in bytes, without writing it. */
    public long size() {
        return use(Native::messageSize);
    }

    /** The Message-ID, without angle brackets. */
    public String messageId() {
        return use(Native::messageId);
    }

    /** The MIME structure, e.g. {@code multipart/mixed[multipart/related[...], application/pdf]}. */
    public String structure() {
        return use(Native::messageStructure);
    }

    /** Whether the message carries DKIM signatures ({@link Builder#dkim(DkimSigner)}). */
    public boolean isSigned() {
        return use(Native::messageIsSigned);
    }

    /** The Date header's time, in seconds since the Unix epoch. */
    public long date() {
        return use(Native::messageDate);
    }

    /** The envelope: MAIL FROM and RCPT TO (Bcc included here, never in the headers). */
    public Envelope envelope() {
        return use(Native::messageEnvelope);
    }

    /** Frees the native memory now; idempotent. */
    @Override
    public synchronized void close() {
        handle.free();
    }

    /**
     * Collects the fields of a message; {@link #build()} hands them to the core
     * (one native call per setter, in order), which validates them all
     * (addresses, header injection, content ids, X-SMTPAPI, strings holding
     * a lone surrogate: {@code InvalidUnicode}) and throws
     * {@link InputException} with the reason. A builder can be built again and
     * holds no native memory. Not thread-safe.
     *
     * <p>Every mailbox field takes the text form as one string
     * ({@code "Name <a@b.c>"} or {@code "a@b.c"}), a display name and an address
     * as two strings, or {@link Mailbox} values. Mind that two strings are
     * always name and address: for two recipients, call {@code to} twice or
     * pass {@link Mailbox} values.
     */
    public static final class Builder {
        private final List<DraftStep> steps = new ArrayList<>();
        private XSmtpApi xSmtpApi;

        Builder() {}

        private Builder step(DraftStep step) {
            steps.add(step);
            return this;
        }

        private static String text(String value, String what) {
            return Objects.requireNonNull(value, what);
        }

        /** A text setter of the native draft: {@code (draft, value)}. */
        @FunctionalInterface
        private interface TextSetter {
            void set(long draft, String value);
        }

        private Builder text(TextSetter setter, String value, String what) {
            String s = text(value, what);
            return step(d -> setter.set(d, s));
        }

        /** A mailbox setter of the native draft: {@code (draft, text, name, address)}. */
        @FunctionalInterface
        private interface MailboxSetter {
            void set(long draft, String text, String name, String address);
        }

        private Builder mailbox(MailboxSetter setter, String mailbox) {
            Objects.requireNonNull(mailbox, "mailbox");
            return step(d -> setter.set(d, mailbox, null, null));
        }

        private Builder mailbox(MailboxSetter setter, String name, String address) {
            Objects.requireNonNull(address, "address");
            return step(d -> setter.set(d, null, name, address));
        }

        private Builder mailbox(MailboxSetter setter, Mailbox mailbox) {
            Objects.requireNonNull(mailbox, "mailbox");
            return mailbox(setter, mailbox.name(), mailbox.address());
        }

        private Builder mailboxes(MailboxSetter setter, Mailbox[] mailboxes) {
            for (Mailbox m : Objects.requireNonNull(mailboxes, "mailboxes")) {
                mailbox(setter, Objects.requireNonNull(m, "mailbox").name(), m.address());
            }
            return this;
        }

        /** The author (From). {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder from(String mailbox) {
            return mailbox(Native::builderFrom, mailbox);
        }

        /** The author (From). A display name (or null) and an address. */
        public Builder from(String name, String address) {
            return mailbox(Native::builderFrom, name, address);
        }

        /** The author (From). */
        public Builder from(Mailbox mailbox) {
            return mailbox(Native::builderFrom, mailbox);
        }

        /** The Sender header, when it differs from From. {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder sender(String mailbox) {
            return mailbox(Native::builderSender, mailbox);
        }

        /** The Sender header, when it differs from From. A display name (or null) and an address. */
        public Builder sender(String name, String address) {
            return mailbox(Native::builderSender, name, address);
        }

        /** The Sender header, when it differs from From. */
        public Builder sender(Mailbox mailbox) {
            return mailbox(Native::builderSender, mailbox);
        }

        /** The envelope sender (MAIL FROM) when it differs from From. {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder envelopeFrom(String mailbox) {
            return mailbox(Native::builderEnvelopeFrom, mailbox);
        }

        /** The envelope sender (MAIL FROM) when it differs from From. A display name (or null) and an address. */
        public Builder envelopeFrom(String name, String address) {
            return mailbox(Native::builderEnvelopeFrom, name, address);
        }

        /** The envelope sender (MAIL FROM) when it differs from From. */
        public Builder envelopeFrom(Mailbox mailbox) {
            return mailbox(Native::builderEnvelopeFrom, mailbox);
        }

        /** A Reply-To mailbox (call again for more). {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder replyTo(String mailbox) {
            return mailbox(Native::builderReplyTo, mailbox);
        }

        /** A Reply-To mailbox (call again for more). A display name (or null) and an address. */
        public Builder replyTo(String name, String address) {
            return mailbox(Native::builderReplyTo, name, address);
        }

        /** A Reply-To mailbox: each of these mailboxes. */
        public Builder replyTo(Mailbox... mailboxes) {
            return mailboxes(Native::builderReplyTo, mailboxes);
        }

        /** A To recipient (call again for more). {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder to(String mailbox) {
            return mailbox(Native::builderTo, mailbox);
        }

        /** A To recipient (call again for more). A display name (or null) and an address. */
        public Builder to(String name, String address) {
            return mailbox(Native::builderTo, name, address);
        }

        /** A To recipient: each of these mailboxes. */
        public Builder to(Mailbox... mailboxes) {
            return mailboxes(Native::builderTo, mailboxes);
        }

        /** A Cc recipient (call again for more). {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder cc(String mailbox) {
            return mailbox(Native::builderCc, mailbox);
        }

        /** A Cc recipient (call again for more). A display name (or null) and an address. */
        public Builder cc(String name, String address) {
            return mailbox(Native::builderCc, name, address);
        }

        /** A Cc recipient: each of these mailboxes. */
        public Builder cc(Mailbox... mailboxes) {
            return mailboxes(Native::builderCc, mailboxes);
        }

        /** A Bcc recipient: in the envelope, never in the written headers (call again for more). {@code mailbox} is text: {@code "Name <a@b.c>"} or {@code "a@b.c"}. */
        public Builder bcc(String mailbox) {
            return mailbox(Native::builderBcc, mailbox);
        }

        /** A Bcc recipient: in the envelope, never in the written headers (call again for more). A display name (or null) and an address. */
        public Builder bcc(String name, String address) {
            return mailbox(Native::builderBcc, name, address);
        }

        /** A Bcc recipient: in the envelope, never in the written headers: each of these mailboxes. */
        public Builder bcc(Mailbox... mailboxes) {
            return mailboxes(Native::builderBcc, mailboxes);
        }

        /** The Subject (encoded by the core when not ASCII). */
        public Builder subject(String subject) {
            return text(Native::builderSubject, subject, "subject");
        }

        /** The plain-text body. */
        public Builder text(String body) {
            return text(Native::builderText, body, "text");
        }

        /** The HTML body. */
        public Builder html(String body) {
            return text(Native::builderHtml, body, "html");
        }

        /** A fixed Message-ID (deterministic mode); by default a random one. */
        public Builder messageId(String id) {
            return text(Native::builderMessageId, id, "messageId");
        }

        /** An In-Reply-To message id (call again for more). */
        public Builder inReplyTo(String id) {
            return text(Native::builderInReplyTo, id, "inReplyTo");
        }

        /** A References message id (call again for more). */
        public Builder references(String id) {
            return text(Native::builderReferences, id, "references");
        }

        /** A fixed Date, seconds since the Unix epoch (deterministic mode). */
        public Builder date(long epochSeconds) {
            return step(d -> Native.builderDate(d, epochSeconds));
        }

        /** A fixed boundary seed (deterministic mode); by default boundaries are random. */
        public Builder boundarySeed(String seed) {
            return text(Native::builderBoundarySeed, seed, "boundarySeed");
        }

        /** A custom header; the core checks the name and refuses CR/LF in the value. */
        public Builder header(String name, String value) {
            String n = text(name, "name");
            String v = text(value, "value");
            return step(d -> Native.builderHeader(d, n, v));
        }

        /** A SendCloud {@code SC-Custom-<key>} header. */
        public Builder scCustom(String key, String value) {
            String k = text(key, "key");
            String v = text(value, "value");
            return step(d -> Native.builderScCustom(d, k, v));
        }

        /** An inline part referenced from the HTML as {@code cid:<contentId>}. */
        public Builder inline(String contentId, String contentType, byte[] bytes) {
            return inline(contentId, contentType, bytes, null);
        }

        /** An inline part with a file name (or null). */
        public Builder inline(String contentId, String contentType, byte[] bytes, String filename) {
            String id = text(contentId, "contentId");
            String type = text(contentType, "contentType");
            byte[] data = Objects.requireNonNull(bytes, "bytes");
            return step(d -> Native.builderInline(d, id, type, data, filename));
        }

        /** An attachment; the core encodes a non-ASCII file name. */
        public Builder attachment(String filename, String contentType, byte[] bytes) {
            String name = text(filename, "filename");
            String type = text(contentType, "contentType");
            byte[] data = Objects.requireNonNull(bytes, "bytes");
            return step(d -> Native.builderAttachment(d, name, type, data));
        }

        /**
         * A List-Unsubscribe URI (RFC 2369; call again for more, written in
         * order in one header): {@code https:} or {@code mailto:}, printable
         * ASCII (percent-encode the rest, a comma as {@code %2C}); the core
         * writes the angle brackets. Anything else is an
         * {@link InputException} of kind {@code InvalidUnsubscribeUri} (CR/LF:
         * {@code HeaderInjection}).
         */
        public Builder listUnsubscribe(String uri) {
            return text(Native::builderListUnsubscribe, uri, "uri");
        }

        /**
         * One-click unsubscribe (RFC 8058): writes
         * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click}, which
         * needs an {@code https:} List-Unsubscribe URI ({@code OneClickRequiresHttps}
         * otherwise). Mailbox providers POST to that URI; it must unsubscribe
         * on that request alone. Choose this or SendCloud's subscription
         * tracking, not both (see the README).
         */
        public Builder oneClickUnsubscribe(boolean on) {
            return step(d -> Native.builderOneClickUnsubscribe(d, on));
        }

        /** The List-Id (RFC 2919): {@code label.namespace}, optionally after a description ({@code InvalidListId} otherwise). */
        public Builder listId(String value) {
            return text(Native::builderListId, value, "listId");
        }

        /** A calendar invitation: a {@code text/calendar} alternative, and optionally an {@code .ics} attachment. */
        public Builder calendar(Calendar calendar) {
            return step(Objects.requireNonNull(calendar, "calendar").step());
        }

        /**
         * Signs the message with DKIM when it is built (call again to sign
         * with a second key: RSA and Ed25519). The signer is shared, not
         * used up: reuse it for every message.
         */
        public Builder dkim(DkimSigner signer) {
            return step(Objects.requireNonNull(signer, "signer").step());
        }

        /** SendCloud's X-SMTPAPI header, written last (as the API holds it when {@link #build()} runs). */
        public Builder xSmtpApi(XSmtpApi api) {
            this.xSmtpApi = Objects.requireNonNull(api, "api");
            return this;
        }

        /** Builds the message; throws {@link InputException} when the input is invalid. */
        public Message build() {
            long draft = Native.builderNew();
            try {
                DraftStep.replay(steps, draft);
                if (xSmtpApi != null) {
                    xSmtpApi.applyTo(draft);
                }
                return new Message(Native.builderBuild(draft));
            } finally {
                Native.builderFree(draft);
            }
        }
    }
}
