package org.mailwright;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a message the server accepted (after the final 2xx): the
 * queue id, the recipients accepted, those refused with their reply code,
 * and the final reply.
 *
 * @param queueId the queue id in the final reply, when the server gives one
 * @param accepted the recipients the server accepted
 * @param refused the recipients the server refused, with the reply code
 * @param reply the final reply to the end of DATA
 */
public record SendResult(Optional<String> queueId, List<String> accepted, Map<String, Integer> refused, Reply reply) {
    /** Copies the collections. */
    public SendResult {
        Objects.requireNonNull(queueId, "queueId");
        accepted = List.copyOf(accepted);
        refused = Collections.unmodifiableMap(new LinkedHashMap<>(refused));
    }

    /** Called by the native library with the core's report. */
    SendResult(String queueId, String[] accepted, String[] refusedRecipients, int[] refusedCodes, Reply reply) {
        this(Optional.ofNullable(queueId), List.of(accepted), refused(refusedRecipients, refusedCodes), reply);
    }

    /** Recipients and their codes, from the two parallel arrays the native library passes. */
    static Map<String, Integer> refused(String[] recipients, int[] codes) {
        Map<String, Integer> refused = new LinkedHashMap<>();
        for (int i = 0; i < recipients.length; i++) {
            refused.put(recipients[i], codes[i]);
        }
        return Collections.unmodifiableMap(refused);
    }
}
