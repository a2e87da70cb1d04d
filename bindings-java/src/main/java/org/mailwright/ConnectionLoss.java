package org.mailwright;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a connection ended, as your transport saw it, for
 * {@link Session#connectionLost}. The core turns the cause into the error
 * kind, so one failure has the same kind in every language.
 */
public enum ConnectionLoss {
    /** The peer closed or reset the connection ({@code ConnectionClosed}). */
    CLOSED,
    /** Nothing arrived (or could be sent) in time ({@code Timeout}). */
    TIMEOUT,
    /** The TLS layer failed ({@code Tls}). */
    TLS,
    /** The connection could not be opened ({@code Connect}). */
    CONNECT;

    /** The core's name of this cause. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The error kind the core reports this cause as. */
    public String errorKind() {
        return Native.connectionLossKind(wireName());
    }

    /** The cause with the core's name {@code name}; any other is an {@code InvalidOption} {@link InputException}. */
    public static ConnectionLoss fromName(String name) {
        return Names.constant(ConnectionLoss.class, Native.connectionLossFromName(Objects.requireNonNull(name, "name")));
    }

    /** The core's names of the causes, in its order. */
    public static List<String> coreNames() {
        return List.of(Native.connectionLossNames());
    }
}
