package org.mailwright;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * SMTP credentials: SendCloud's {@code api_user} and {@code api_key}, with an
 * optional label ({@code api_user#label_id}), or an OAuth2 user and token for
 * XOAUTH2. The core checks them when they are made ({@link InputException}
 * of kind {@code InvalidCredentials}) and keeps the secret in native memory,
 * wiped when this object is garbage-collected. {@link #toString()} never
 * shows the secret. Immutable and thread-safe.
 */
public final class Credentials {
    private final NativeHandle handle;

    private Credentials(long handle) {
        this.handle = new NativeHandle(this, handle, Native::credentialsFree, "the credentials");
    }

    /** A user and a key (PLAIN or LOGIN). */
    public static Credentials of(String user, String key) {
        return new Credentials(Native.credentialsNew(Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(key, "key"), null, false));
    }

    /** XOAUTH2 credentials: the user's address and a bearer token. */
    public static Credentials oauth2(String user, String token) {
        return new Credentials(Native.credentialsNew(Objects.requireNonNull(user, "user"),
                Objects.requireNonNull(token, "token"), null, true));
    }

    /** The same credentials with SendCloud's label: the username becomes {@code user#label}. */
    public Credentials withLabel(String label) {
        Objects.requireNonNull(label, "label");
        return new Credentials(use(h -> Native.credentialsWithLabel(h, label)));
    }

    /** Runs {@code call} with the native handle, keeping this object (and so the handle) alive meanwhile. */
    <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** A native setter handing credentials to a draft: {@code (draft, credentials)}. */
    @FunctionalInterface
    interface Setter {
        void set(long draft, long credentials);
    }

    /** The builder step handing these credentials to {@code setter}. */
    DraftStep step(Setter setter) {
        return draft -> use(h -> {
            setter.set(draft, h);
            return null;
        });
    }

    /** The username sent to the server ({@code user} or {@code user#label}). */
    public String username() {
        return use(Native::credentialsUsername);
    }

    /** Whether these are XOAUTH2 credentials (a token, not a key). */
    public boolean isOAuth2() {
        return use(Native::credentialsIsOAuth2);
    }

    @Override
    public String toString() {
        return "Credentials{username=" + username() + ", key=<redacted>}";
    }
}
