package org.mailwright;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Ledger} holds for one key.
 *
 * @param key the idempotency key
 * @param state its state
 * @param messageId the message's Message-ID (without angle brackets), if it has one
 * @param attempts attempts recorded (an attempt counts once its end of data went out)
 * @param sender the envelope sender ({@code ""}: the null sender)
 * @param recipients the envelope recipients
 * @param queueId the relay's queue id of a delivered message
 * @param accepted the recipients the relay accepted
 * @param refused the recipients refused for good, with the relay's reply
 * @param errorKind the error's kind name of a failed or uncertain message (e.g. {@code "SmtpPermanent"})
 * @param error the error's description
 * @param submitted when it was first submitted
 * @param updated when the record last changed
 */
public record LedgerRecord(String key, Ledger.State state, Optional<String> messageId, int attempts, String sender,
        List<String> recipients, Optional<String> queueId, List<String> accepted, List<Refusal> refused,
        Optional<String> errorKind, Optional<String> error, Instant submitted, Instant updated) {

    /**
     * A recipient the relay refused for good.
     *
     * @param recipient the address
     * @param code the reply's code (e.g. 550)
     * @param text the reply's text
     */
    public record Refusal(String recipient, int code, String text) {}

    /** Checks for null and copies the lists. */
    public LedgerRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(queueId, "queueId");
        accepted = List.copyOf(accepted);
        refused = List.copyOf(refused);
        Objects.requireNonNull(errorKind, "errorKind");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(submitted, "submitted");
        Objects.requireNonNull(updated, "updated");
    }

    /** Called by the native library with the core's record. */
    LedgerRecord(String key, String state, String messageId, int attempts, String sender, String[] recipients,
            String queueId, String[] accepted, String[] refused, int[] codes, String[] texts, String errorKind,
            String error, long submittedMs, long updatedMs) {
        this(key, Ledger.State.of(state), Optional.ofNullable(messageId), attempts, sender, List.of(recipients),
                Optional.ofNullable(queueId), List.of(accepted), refusals(refused, codes, texts),
                Optional.ofNullable(errorKind), Optional.ofNullable(error), Instant.ofEpochMilli(submittedMs),
                Instant.ofEpochMilli(updatedMs));
    }

    private static List<Refusal> refusals(String[] recipients, int[] codes, String[] texts) {
        List<Refusal> out = new ArrayList<>(recipients.length);
        for (int i = 0; i < recipients.length; i++) {
            out.add(new Refusal(recipients[i], codes[i], texts[i]));
        }
        return out;
    }
}
