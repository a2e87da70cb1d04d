package org.mailwright;

import java.util.List;

/**
 * One recorded builder call, replayed on the native draft (a message, a
 * session configuration, options) when the builder's result is made.
 */
@FunctionalInterface
interface DraftStep {
    void apply(long draft);

    /** Applies {@code steps} to {@code draft}, in order. */
    static void replay(List<DraftStep> steps, long draft) {
        for (DraftStep step : steps) {
            step.apply(draft);
        }
    }
}
