package org.mailwright;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The outcome of a message the server accepted (after the final 250): the
 * queue id, the recipients accepted and those refused with their reply code.
 */
public record SendResult(Optional<String> queueId, List<String> accepted, Map<String, Integer> refused) {
    static SendResult parse(String text) {
        String[] f = text.split("\0", -1);
        int n = Integer.parseInt(f[1]);
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            accepted.add(f[2 + i]);
        }
        Map<String, Integer> refused = new LinkedHashMap<>();
        for (int i = 2 + n; i < f.length; i++) {
            int space = f[i].lastIndexOf(' ');
            refused.put(f[i].substring(0, space), Integer.parseInt(f[i].substring(space + 1)));
        }
        return new SendResult(f[0].isEmpty() ? Optional.empty() : Optional.of(f[0]), List.copyOf(accepted),
                java.util.Collections.unmodifiableMap(refused));
    }
}
