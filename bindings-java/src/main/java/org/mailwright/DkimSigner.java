package org.mailwright;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * How to DKIM-sign a message (RFC 6376): a {@link DkimKey}, the signing
 * domain ({@code d=}) and selector ({@code s=}), the canonicalization
 * (relaxed/relaxed by default), the signature time ({@code t=}: fixed, or the
 * clock when the message is built) and an optional expiry ({@code x=}).
 * Give it to {@link Message.Builder#dkim(DkimSigner)}; call that twice with
 * an RSA and an Ed25519 signer to sign with both (RFC 8463).
 *
 * <p>Immutable and thread-safe: make one and reuse it for every message (it
 * shares its key, which it keeps alive). The core checks the domain, selector,
 * time and expiry when a message is built ({@link InputException} of kind
 * {@code InvalidDkimOption}). {@link #toString()} never shows the key.
 *
 * <pre>{@code
 * DkimSigner signer = DkimSigner.builder("ifaxin.com", "mw2025", DkimKey.fromPem(pemBytes)).build();
 * Message m = Message.builder().from("news@ifaxin.com").to("ben@ifaxin.com").text("hi").dkim(signer).build();
 * }</pre>
 */
public final class DkimSigner {
    private final NativeHandle handle;
    private final String domain;
    private final String selector;
    private final DkimAlgorithm algorithm;

    private DkimSigner(long handle, String domain, String selector) {
        this.handle = new NativeHandle(this, handle, Native::dkimSignerFree, "the DKIM signer");
        this.domain = domain;
        this.selector = selector;
        this.algorithm = DkimAlgorithm.of(use(Native::dkimSignerAlgorithm));
    }

    /** A builder for signatures of {@code domain} ({@code d=}) with {@code selector} ({@code s=}) and {@code key}. */
    public static Builder builder(String domain, String selector, DkimKey key) {
        return new Builder(domain, selector, key);
    }

    /** A relaxed/relaxed signer, its time taken when each message is built (as {@code builder(...).build()}). */
    public static DkimSigner of(String domain, String selector, DkimKey key) {
        return builder(domain, selector, key).build();
    }

    <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** The builder step signing a message draft with this signer. */
    DraftStep step() {
        return draft -> use(h -> {
            Native.builderDkim(draft, h);
            return null;
        });
    }

    /** The signing domain ({@code d=}), as given. */
    public String domain() {
        return domain;
    }

    /** The selector ({@code s=}), as given. */
    public String selector() {
        return selector;
    }

    /** The algorithm of its key. */
    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /** Domain, selector and algorithm, never the key. */
    @Override
    public String toString() {
        return "DkimSigner[d=" + domain + ", s=" + selector + ", " + algorithm.tag() + ", key=<redacted>]";
    }

    /** The settings of a signer, recorded in order. Not thread-safe. */
    public static final class Builder {
        private final String domain;
        private final String selector;
        private final DkimKey key;
        private final List<DraftStep> steps = new ArrayList<>();

        private Builder(String domain, String selector, DkimKey key) {
            this.domain = Objects.requireNonNull(domain, "domain");
            this.selector = Objects.requireNonNull(selector, "selector");
            this.key = Objects.requireNonNull(key, "key");
        }

        private Builder step(DraftStep step) {
            steps.add(step);
            return this;
        }

        /** The header and body canonicalization ({@code c=}); relaxed/relaxed by default. */
        public Builder canonicalization(Canonicalization header, Canonicalization body) {
            String h = Objects.requireNonNull(header, "header").tag();
            String b = Objects.requireNonNull(body, "body").tag();
            return step(s -> Native.dkimSignerCanonicalization(s, h, b));
        }

        /**
         * A fixed signature time ({@code t=}), seconds since the Unix epoch, so
         * that the same message gives the same bytes; by default the clock is
         * read when each message is built.
         */
        public Builder time(long epochSeconds) {
            return step(s -> Native.dkimSignerTime(s, epochSeconds));
        }

        /** An expiry ({@code x=}) this long after the signature time, in whole seconds (fractions dropped). */
        public Builder expiresAfter(Duration after) {
            long seconds = Objects.requireNonNull(after, "after").getSeconds();
            return step(s -> Native.dkimSignerExpiresAfter(s, seconds));
        }

        /** The signer (the domain, selector, time and expiry are checked when a message is built). */
        public DkimSigner build() {
            long signer = key.use(k -> Native.dkimSignerNew(domain, selector, k));
            try {
                DraftStep.replay(steps, signer);
            } catch (RuntimeException | Error e) {
                Native.dkimSignerFree(signer);
                throw e;
            }
            return new DkimSigner(signer, domain, selector);
        }
    }
}
