package org.mailwright;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A bulk sender with a ledger, for the crash test of the Java API
 * (testservers/crashloop/crashloop.py SIGKILLs it and runs it again):
 * {@code LedgerChild PORT LEDGER ROWS CONNECTIONS} sends keys order-0 ..
 * order-(ROWS-1) (Message-ID order-N@shop.example) through
 * {@code Mailer.builder(...).ledger(path)} to 127.0.0.1:PORT and exits 0 once
 * every outcome is in and none failed.
 */
public final class LedgerChild {
    private LedgerChild() {}

    /** The ledger a path or a PostgreSQL URL names. */
    private static Ledger ledger(String where) {
        return where.startsWith("postgresql://") ? Ledger.connect(where) : Ledger.open(Path.of(where));
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int rows = Integer.parseInt(args[2]);
        int failed = 0;
        try (Mailer mailer = Mailer.builder("127.0.0.1", port).tls(TlsMode.NONE)
                .connections(Integer.parseInt(args[3])).ledger(ledger(args[1])).build()) {
            List<CompletableFuture<Outcome>> futures = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                try (Message m = Message.builder().from("news@shop.example").to("user" + i + "@example.com")
                        .subject("Order " + i).text("Your order has shipped.")
                        .messageId("order-" + i + "@shop.example").build()) {
                    futures.add(mailer.submit(m, "order-" + i));
                }
            }
            for (CompletableFuture<Outcome> f : futures) {
                if (f.join() instanceof Outcome.Failed bad) {
                    System.err.println("failed: " + bad.error().getMessage());
                    failed++;
                }
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
