package org.mailwright;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A DKIM private key (RSA or Ed25519), read and checked by the core when it
 * is made ({@link InputException} of kind {@code InvalidDkimKey}: not a
 * readable PEM key, an encrypted one, an RSA key outside 1024 to 4096 bits, a
 * seed that is not 32 bytes). It is a secret: the key lives in native memory,
 * zeroized when the last {@link DkimSigner} using it and this object are
 * garbage-collected; {@link #toString()} and errors show only its algorithm,
 * never key material. Immutable and thread-safe; share one key between any
 * number of signers and messages.
 *
 * <p>The bytes passed in are copied into native memory and the copy wiped;
 * the caller's {@code byte[]} is the caller's to clear ({@code Arrays.fill}),
 * a {@code String} cannot be cleared: prefer {@link #fromPem(byte[])} with
 * the file's bytes.
 */
public final class DkimKey {
    private final NativeHandle handle;
    private final DkimAlgorithm algorithm;

    private DkimKey(long handle) {
        this.handle = new NativeHandle(this, handle, Native::dkimKeyFree, "the DKIM key");
        this.algorithm = DkimAlgorithm.of(use(Native::dkimKeyAlgorithm));
    }

    /**
     * A key from PEM text: {@code BEGIN PRIVATE KEY} (PKCS#8, RSA or Ed25519)
     * or {@code BEGIN RSA PRIVATE KEY} (PKCS#1).
     */
    public static DkimKey fromPem(String pem) {
        return new DkimKey(Native.dkimKeyFromPem(Objects.requireNonNull(pem, "pem")));
    }

    /** A key from the bytes of a PEM file (as {@link #fromPem(String)}). */
    public static DkimKey fromPem(byte[] pem) {
        return new DkimKey(Native.dkimKeyFromPemBytes(Objects.requireNonNull(pem, "pem")));
    }

    /** An Ed25519 key from its raw 32-byte seed (the private key). */
    public static DkimKey ed25519FromSeed(byte[] seed) {
        return new DkimKey(Native.dkimKeyFromEd25519Seed(Objects.requireNonNull(seed, "seed")));
    }

    <T> T use(LongFunction<T> call) {
        return handle.use(this, call);
    }

    /** The key's algorithm. */
    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The DNS TXT record to publish at {@code <selector>._domainkey.<domain>}:
     * {@code v=DKIM1; k=rsa; p=...} or {@code v=DKIM1; k=ed25519; p=...}
     * (the public key only).
     */
    public String dnsRecord() {
        return use(Native::dkimKeyDnsRecord);
    }

    /** The algorithm only, never key material. */
    @Override
    public String toString() {
        return "DkimKey[" + algorithm.tag() + ", <redacted>]";
    }
}
