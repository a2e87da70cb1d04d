package org.mailwright;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * SMTP AUTH command lines as bytes (with CRLF), computed by the core. Use them
 * when driving your own connection; {@link SmtpClient} and {@link Session} do
 * this themselves.
 */
public final class Auth {
    private Auth() {}

    private static Credentials check(Credentials c) {
        return Objects.requireNonNull(c, "credentials");
    }

    /** {@code AUTH LOGIN <base64 username>} with the username as initial response. */
    public static byte[] login(Credentials credentials) {
        return check(credentials).use(Native::authLogin);
    }

    /** {@code AUTH PLAIN <base64 NUL user NUL key>}. */
    public static byte[] plain(Credentials credentials) {
        return check(credentials).use(Native::authPlain);
    }

    /** {@code AUTH XOAUTH2 <base64>} for {@link Credentials#oauth2} credentials. */
    public static byte[] xoauth2(Credentials credentials) {
        return check(credentials).use(Native::authXoauth2);
    }

    /**
     * The answer to a 334 challenge of AUTH LOGIN: the base64 username or key,
     * chosen by the core from the decoded prompt (or, for an unknown prompt,
     * from whether the username was already sent).
     */
    public static byte[] loginAnswer(Credentials credentials, String challenge, boolean usernameSent) {
        Objects.requireNonNull(challenge, "challenge");
        return check(credentials).use(h -> Native.authLoginAnswer(h, challenge, usernameSent));
    }

    /** As {@link #loginAnswer(Credentials, String, boolean)}, for the challenge's bytes. */
    public static byte[] loginAnswer(Credentials credentials, byte[] challenge, boolean usernameSent) {
        return loginAnswer(credentials, new String(challenge, StandardCharsets.US_ASCII), usernameSent);
    }
}
