package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The one final result of a message sent through a {@link Mailer}: exactly
 * one per message, decided by the core. A message that was not delivered is
 * an outcome, not an exception: {@link Failed} and {@link Uncertain} carry
 * the {@link MailwrightException} that ended it (never thrown), with its
 * {@code kind()}, {@code code()} and the server's reply.
 *
 * <pre>{@code
 * Outcome o = mailer.send(message);
 * if (o instanceof Outcome.Delivered d) {
 *     log(d.queueId());
 * } else if (o instanceof Outcome.Failed f) {
 *     retryLater(f.error().kind(), f.gaveUp());
 * } else if (o instanceof Outcome.Uncertain u) {
 *     flagForReview(u.error());               // may have been delivered: not resent
 * }
 * }</pre>
 * (On Java 21 and later, a {@code switch} over the sealed interface is exhaustive.)
 *
 * Immutable records (the lists are copies).
 */
public sealed interface Outcome permits Outcome.Delivered, Outcome.Failed, Outcome.Uncertain {
    /** The number the mailer gave the message (one per message, in submission order). */
    long ticket();

    /**
     * The key the message was submitted under: the caller's (an order id, a
     * CSV row), or under a ledger its Message-ID by default; empty without one.
     */
    Optional<String> key();

    /** The message's Message-ID (without angle brackets), when it has one. */
    Optional<String> messageId();

    /** Attempts made, the first included (0: it never went out). */
    int attempts();

    /** The core's name of the outcome: {@code delivered}, {@code failed} or {@code uncertain}, as in every binding. */
    default String kind() {
        return OutcomeKinds.of(this);
    }

    /** Whether the relay accepted the message. */
    default boolean isDelivered() {
        return this instanceof Delivered;
    }

    /** The core's names of the outcomes, in its order. */
    static List<String> kinds() {
        return OutcomeKinds.ALL;
    }

    /**
     * A recipient the relay refused, with its reply.
     *
     * @param recipient the address, as sent in RCPT TO
     * @param reply the server's reply to it
     */
    record Refusal(String recipient, Reply reply) {
        /** Checks for nulls. */
        public Refusal {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(reply, "reply");
        }
    }

    /**
     * The relay accepted the message (its final 2xx).
     *
     * @param ticket the message's ticket
     * @param key the key it was submitted under, when it has one
     * @param messageId its Message-ID (without angle brackets), when it has one
     * @param queueId the relay's queue id, when it gave one
     * @param accepted the recipients accepted
     * @param refused the recipients refused (they will not get it), with the replies
     * @param attempts attempts made (1 when the first went through)
     * @param uncertainAttempts earlier attempts that ended uncertain and were
     *     resent anyway (only with {@link Mailer.Builder#atLeastOnce}): the relay
     *     may hold the message that many more times
     */
    record Delivered(long ticket, Optional<String> key, Optional<String> messageId, Optional<String> queueId,
            List<String> accepted, List<Refusal> refused, int attempts, int uncertainAttempts) implements Outcome {
        /** Copies the lists. */
        public Delivered {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(queueId, "queueId");
            accepted = List.copyOf(accepted);
            refused = List.copyOf(refused);
        }

        /** Called by the native library with the core's values. */
        Delivered(long ticket, String key, String messageId, String queueId, String[] accepted,
                String[] refusedRecipients, Object[] refusedReplies, int attempts, int uncertainAttempts) {
            this(ticket, Optional.ofNullable(key), Optional.ofNullable(messageId), Optional.ofNullable(queueId),
                    List.of(accepted),
                    refusals(refusedRecipients, refusedReplies), attempts, uncertainAttempts);
        }
    }

    /**
     * The message was not delivered.
     *
     * @param ticket the message's ticket
     * @param key the key it was submitted under, when it has one
     * @param messageId its Message-ID (without angle brackets), when it has one
     * @param error why (the last failure; not thrown)
     * @param attempts attempts made (0 when it never went out)
     * @param gaveUp true when retries ran out (attempts or deadline) on a
     *     transient failure; false for a permanent one, or a message the
     *     mailer's {@link Mailer#close()} found not yet sent
     * @param refused the recipients refused, with the replies
     */
    record Failed(long ticket, Optional<String> key, Optional<String> messageId, MailwrightException error,
            int attempts, boolean gaveUp, List<Refusal> refused) implements Outcome {
        /** Copies the list. */
        public Failed {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(error, "error");
            refused = List.copyOf(refused);
        }

        /** Called by the native library with the core's values. */
        Failed(long ticket, String key, String messageId, MailwrightException error, int attempts, boolean gaveUp,
                String[] refusedRecipients, Object[] refusedReplies) {
            this(ticket, Optional.ofNullable(key), Optional.ofNullable(messageId), error, attempts, gaveUp,
                    refusals(refusedRecipients, refusedReplies));
        }
    }

    /**
     * The connection was lost after the end of the data went out and before
     * the relay answered: the message may have been delivered. It is not
     * resent (unless {@link Mailer.Builder#atLeastOnce} was asked).
     *
     * @param ticket the message's ticket
     * @param key the key it was submitted under, when it has one
     * @param messageId its Message-ID (without angle brackets), when it has one
     * @param error how the connection ended (not thrown)
     * @param attempts attempts made
     */
    record Uncertain(long ticket, Optional<String> key, Optional<String> messageId, MailwrightException error,
            int attempts) implements Outcome {
        /** Checks for nulls. */
        public Uncertain {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(error, "error");
        }

        /** Called by the native library with the core's values. */
        Uncertain(long ticket, String key, String messageId, MailwrightException error, int attempts) {
            this(ticket, Optional.ofNullable(key), Optional.ofNullable(messageId), error, attempts);
        }
    }

    /** The refusals from the two parallel arrays the native library passes. */
    private static List<Refusal> refusals(String[] recipients, Object[] replies) {
        List<Refusal> list = new ArrayList<>(recipients.length);
        for (int i = 0; i < recipients.length; i++) {
            list.add(new Refusal(recipients[i], (Reply) replies[i]));
        }
        return list;
    }
}

/**
 * The core's outcome names, and which record stands for each: by the one
 * spelling rule of {@link Names} (the record's simple name, ignoring case).
 * The names come from the native library; no table is kept here.
 */
final class OutcomeKinds {
    static final List<String> ALL = List.of(Native.outcomeKinds());

    private OutcomeKinds() {}

    static String of(Outcome outcome) {
        String simple = outcome.getClass().getSimpleName();
        for (String kind : ALL) {
            if (kind.equalsIgnoreCase(simple)) {
                return kind;
            }
        }
        throw new IllegalStateException("mailwright: the core has no outcome \""
                + simple.toLowerCase(Locale.ROOT) + "\"; the jar and the native library do not match");
    }
}
