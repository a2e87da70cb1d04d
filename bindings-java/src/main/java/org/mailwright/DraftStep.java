package org.mailwright;

/** One recorded builder call, replayed on the native draft by {@link Message.Builder#build()}. */
@FunctionalInterface
interface DraftStep {
    void apply(long draft);
}
