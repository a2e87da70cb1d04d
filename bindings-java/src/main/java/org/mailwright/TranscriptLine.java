package org.mailwright;

import java.util.List;
import java.util.Objects;

/**
 * One line of a session's transcript, secrets masked and control characters
 * escaped by the core. {@link #toString()} is the core's form,
 * {@code "C: EHLO client.example"}.
 */
public final class TranscriptLine {
    /** Who said it: the core's directions, constant by constant. */
    public enum Direction {
        /** The client (us). */
        CLIENT,
        /** The server. */
        SERVER;

        /** The core's names of the directions, in its order. */
        public static List<String> coreNames() {
            return List.of(Native.directionNames());
        }
    }

    private final Direction direction;
    private final String text;
    private final String shown;

    /** Called by the native library with the core's line. */
    TranscriptLine(String direction, String text, String shown) {
        this.direction = Names.constant(Direction.class, direction);
        this.text = text;
        this.shown = shown;
    }

    /** Who said it. */
    public Direction direction() {
        return direction;
    }

    /** What was said, without CRLF. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TranscriptLine other && direction == other.direction && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(direction, text);
    }

    /** The core's form: the direction's prefix and the text ({@code "S: 250 ok"}). */
    @Override
    public String toString() {
        return shown;
    }

    static List<TranscriptLine> list(Object[] lines) {
        TranscriptLine[] out = new TranscriptLine[lines.length];
        for (int i = 0; i < lines.length; i++) {
            out[i] = (TranscriptLine) lines[i];
        }
        return List.of(out);
    }
}
