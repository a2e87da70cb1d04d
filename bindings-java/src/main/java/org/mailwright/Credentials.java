package org.mailwright;

import java.util.Objects;

/**
 * SMTP credentials: SendCloud's {@code api_user} and {@code api_key}, with an
 * optional label ({@code api_user#label_id}), or an OAuth2 user and token for
 * XOAUTH2. {@link #toString()} never shows the key. Immutable.
 */
public final class Credentials {
    final String user;
    final String key;
    final String label;
    final boolean oauth2;

    private Credentials(String user, String key, String label, boolean oauth2) {
        this.user = Message.Builder.text(user, "user");
        this.key = Message.Builder.text(key, "key");
        this.label = label == null ? null : Message.Builder.text(label, "label");
        this.oauth2 = oauth2;
    }

    public static Credentials of(String user, String key) {
        return new Credentials(user, key, null, false);
    }

    /** XOAUTH2 credentials: the user's address and a bearer token. */
    public static Credentials oauth2(String user, String token) {
        return new Credentials(user, token, null, true);
    }

    /** The same credentials with SendCloud's label: the username becomes {@code user#label}. */
    public Credentials withLabel(String label) {
        return new Credentials(user, key, Objects.requireNonNull(label, "label"), oauth2);
    }

    /** The username sent to the server ({@code user} or {@code user#label}). */
    public String username() {
        return Native.credentialsUsername(user, label);
    }

    @Override
    public String toString() {
        return "Credentials{username=" + username() + ", key=<redacted>}";
    }
}
