package org.mailwright;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * SMTP AUTH command lines as bytes (with CRLF), computed by the core. Use them
 * when driving your own connection; {@link SmtpClient} does this itself.
 */
public final class Auth {
    private Auth() {}

    private static byte[] payload(int kind, Credentials c, String challenge, boolean usernameSent) {
        Objects.requireNonNull(c, "credentials");
        byte[] bytes = Native.authPayload(kind, c.user, c.key, c.label, c.oauth2, challenge, usernameSent);
        if (bytes == null) {
            throw Native.error();
        }
        return bytes;
    }

    /** {@code AUTH LOGIN <base64 username>} with the username as initial response. */
    public static byte[] login(Credentials credentials) {
        return payload(0, credentials, null, false);
    }

    /** {@code AUTH PLAIN <base64 NUL user NUL key>}. */
    public static byte[] plain(Credentials credentials) {
        return payload(1, credentials, null, false);
    }

    /** {@code AUTH XOAUTH2 <base64>} for {@link Credentials#oauth2} credentials. */
    public static byte[] xoauth2(Credentials credentials) {
        return payload(2, credentials, null, false);
    }

    /**
     * The answer to a 334 challenge of AUTH LOGIN: the base64 username or key,
     * chosen from the decoded prompt (or, for an unknown prompt, from whether
     * the username was already sent).
     */
    public static byte[] loginAnswer(Credentials credentials, String challenge, boolean usernameSent) {
        return payload(3, credentials, Objects.requireNonNull(challenge, "challenge"), usernameSent);
    }

    /** As {@link #loginAnswer(Credentials, String, boolean)}, for the challenge's bytes. */
    public static byte[] loginAnswer(Credentials credentials, byte[] challenge, boolean usernameSent) {
        return loginAnswer(credentials, new String(challenge, StandardCharsets.US_ASCII), usernameSent);
    }
}
