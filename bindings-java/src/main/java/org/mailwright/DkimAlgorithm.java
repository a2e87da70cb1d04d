package org.mailwright;

import java.util.List;
import java.util.Locale;

/**
 * The signing algorithm of a {@link DkimKey}: the DKIM-Signature's {@code a=}
 * tag, whose names ({@link #tag()}) are the core's.
 */
public enum DkimAlgorithm {
    /** {@code rsa-sha256} (RFC 6376): an RSA key of 1024 to 4096 bits (use 2048). */
    RSA_SHA256,
    /** {@code ed25519-sha256} (RFC 8463). */
    ED25519_SHA256;

    /** The core's name, the {@code a=} tag value: {@code rsa-sha256} or {@code ed25519-sha256}. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant for the core's name. */
    static DkimAlgorithm of(String coreName) {
        return Names.constant(DkimAlgorithm.class, coreName);
    }

    /** The core's names of the algorithms. */
    public static List<String> coreNames() {
        return List.of(Native.dkimAlgorithmNames());
    }
}
