package org.mailwright;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The durable record of every message sent through a {@link Mailer} built
 * with it: one SQLite file (WAL), created when missing. Each message is
 * recorded before it is queued, the end of its data is marked on the disk
 * before its final {@code .} goes out, and its outcome is recorded before
 * its future completes. A mailer started on a ledger that an earlier
 * process left unfinished sends what was not sent and reports uncertain
 * (never resends) what may have reached the relay: see
 * {@link Mailer#resumed()}. Every rule is the core's.
 *
 * <pre>{@code
 * try (Ledger ledger = Ledger.open(Path.of("run.db"));
 *      Mailer mailer = Mailer.builder("smtp.sendcloud.net", 2525).credentials(creds)
 *              .ledger(ledger).build()) {
 *     mailer.submit(message, "order-1042");   // a key already recorded is never sent again
 * }
 * }</pre>
 *
 * <p>What is guaranteed: with {@link Durability#FULL} (the default) every
 * record survives a crash of the process and a power loss; with
 * {@link Durability#PROCESS} a crash of the process only. Thread-safe: it
 * may be read (summary, records, export) while mailers record into it.
 * Close it (try-with-resources); mailers built with it keep their own
 * reference, so it may be closed before them.
 */
public final class Ledger implements AutoCloseable {
    /** How far a commit is durable before it returns. */
    public enum Durability {
        /** On the disk: survives a power loss (SQLite {@code synchronous=FULL}). */
        FULL,
        /** In the operating system: survives a crash of the process, not a power loss. */
        PROCESS;

        String coreName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The state of a record (the core's states, in its order). */
    public enum State {
        /** Submitted, not yet sent: a restart sends it. */
        PENDING,
        /** The end of its data may have gone out: a restart records it uncertain, never resends it. */
        DATA_SENT,
        /** Delivered: the relay's queue id is recorded. */
        DELIVERED,
        /** Failed for good. */
        FAILED,
        /** It may have been delivered: never resent unless at-least-once. */
        UNCERTAIN;

        static final List<String> CORE = List.of(Native.ledgerStates());

        String coreName() {
            for (String name : CORE) {
                if (Names.matches(this, name)) {
                    return name;
                }
            }
            throw new IllegalStateException("mailwright: the native library has no ledger state " + name());
        }

        static State of(String coreName) {
            return Names.constant(State.class, coreName);
        }
    }

    /**
     * Counts by state.
     *
     * @param pending submitted, not yet sent
     * @param dataSent end of data sent, no answer recorded
     * @param delivered delivered
     * @param failed failed
     * @param uncertain uncertain
     * @param total all records
     */
    public record Summary(long pending, long dataSent, long delivered, long failed, long uncertain, long total) {}

    /** The two formats of {@link #export}. */
    public enum Format {
        /** CSV (RFC 4180) with a header line. */
        CSV,
        /** JSON lines: one object per record. */
        JSON
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final NativeHandle handle;
    private final Path path;
    private final String location;

    private Ledger(long handle, Path path) {
        this.handle = new NativeHandle(this, handle, Native::ledgerFree, "the ledger");
        this.path = path;
        this.location = Native.ledgerLocation(handle);
    }

    /** Opens (or creates) the ledger at {@code path}, every commit on the disk. */
    public static Ledger open(Path path) {
        return open(path, Durability.FULL, false);
    }

    /**
     * Opens (or creates) the ledger at {@code path}. {@code keepBodies}: keep
     * each message's bytes after its outcome (dropped by default). A file that
     * is not a ledger, from a newer version, read-only or locked: a
     * {@link SystemException} of kind {@code Ledger} saying which.
     */
    public static Ledger open(Path path, Durability durability, boolean keepBodies) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(durability, "durability");
        return new Ledger(Native.ledgerOpen(path.toString(), durability.coreName(), keepBodies), path);
    }

    /**
     * Connects to a ledger on PostgreSQL, for workers on many machines:
     * {@code url} is {@code postgresql://user:password@host:port/dbname}; the
     * tables are created when missing, the same records and rules as a file's
     * (the durability is the server's). A server that cannot be reached,
     * refused credentials or tables of a newer mailwright: a
     * {@link SystemException} of kind {@code Ledger}, never with the password.
     * Plain connections only (no TLS to the database yet).
     */
    public static Ledger connect(String url) {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException("a PostgreSQL ledger's URL starts with postgresql://");
        }
        return new Ledger(Native.ledgerOpen(url, null, false), null);
    }

    /** The file; null for a ledger on PostgreSQL (see {@link #location()}). */
    public Path path() {
        return path;
    }

    /** Where the ledger is: the file, or the database's address without its password. */
    public String location() {
        return location;
    }

    private <T> T call(LongFunction<T> body) {
        lock.readLock().lock();
        try {
            return body.apply(handle.get());
        } finally {
            lock.readLock().unlock();
            Reference.reachabilityFence(this);
        }
    }

    /** Runs {@code body} with the native handle (for {@link Mailer.Builder#ledger}). */
    <T> T use(LongFunction<T> body) {
        return call(body);
    }

    /** Counts by state. */
    public Summary summary() {
        long[] c = call(Native::ledgerSummary);
        return new Summary(c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    /** The record of one key, if the ledger holds it. */
    public Optional<LedgerRecord> get(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(call(h -> Native.ledgerGet(h, key)));
    }

    /**
     * Hands every record in {@code state} ({@code null}: all) to
     * {@code action}, in submission order, a page at a time (the ledger is not
     * locked while {@code action} runs).
     */
    public void forEach(State state, Consumer<LedgerRecord> action) {
        Objects.requireNonNull(action, "action");
        String name = state == null ? null : state.coreName();
        long[] last = {0};
        while (true) {
            long after = last[0];
            Object[] page = call(h -> Native.ledgerPage(h, name, after, 1000, last));
            if (page.length == 0) {
                return;
            }
            for (Object r : page) {
                action.accept((LedgerRecord) r);
            }
        }
    }

    /** Every record in {@code state} ({@code null}: all), in submission order. */
    public List<LedgerRecord> records(State state) {
        List<LedgerRecord> out = new ArrayList<>();
        forEach(state, out::add);
        return out;
    }

    /**
     * Writes every record in {@code state} ({@code null}: all) to {@code file}
     * (created or replaced) as {@code format}; returns how many.
     */
    public long export(Path file, Format format, State state) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        String name = state == null ? null : state.coreName();
        String formatName = format.name().toLowerCase(java.util.Locale.ROOT);
        return call(h -> Native.ledgerExport(h, file.toString(), formatName, name));
    }

    /** Deletes the records whose outcome last changed more than {@code olderThan} ago; returns how many. */
    public long prune(Duration olderThan) {
        Objects.requireNonNull(olderThan, "olderThan");
        double seconds = olderThan.getSeconds() + olderThan.getNano() / 1e9;
        return call(h -> Native.ledgerPrune(h, seconds));
    }

    /** Closes this handle (mailers built with it keep recording). Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            handle.free();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "Ledger(" + location + ")";
    }
}
