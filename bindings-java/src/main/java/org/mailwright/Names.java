package org.mailwright;

/**
 * Maps the core's names (e.g. {@code "RateLimited"}, {@code "starttls"},
 * {@code "StartTls"}) to the Java constants that stand for them, by one
 * spelling rule: the constant's name without underscores (and the core's
 * without underscores or hyphens: {@code "rsa-sha256"}), ignoring case. The
 * names themselves come from the native library; no table is kept here.
 */
final class Names {
    private Names() {}

    /** Whether {@code constant} stands for the core's {@code coreName}. */
    static boolean matches(Enum<?> constant, String coreName) {
        return constant.name().replace("_", "").equalsIgnoreCase(coreName.replace("_", "").replace("-", ""));
    }

    /** The constant of {@code type} for the core's {@code coreName}. */
    static <E extends Enum<E>> E constant(Class<E> type, String coreName) {
        for (E constant : type.getEnumConstants()) {
            if (matches(constant, coreName)) {
                return constant;
            }
        }
        throw new IllegalStateException("mailwright: the core's " + type.getSimpleName() + " \"" + coreName
                + "\" has no Java constant; the jar and the native library do not match");
    }
}
