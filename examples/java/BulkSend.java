/*
 * Bulk sending with mailwright's Mailer: one personalised message per recipient through a pool
 * of connections with SendCloud's quota and retries, a progress line while it runs, and a
 * summary of the outcomes (delivered / failed / uncertain, each failure's error kind).
 *
 *   java -cp mailwright-0.1.0.jar BulkSend.java --send HOST:PORT --user U --key K [--label L]
 *        [--to ADDRESS] [--count N] [--from ADDRESS] [--tls starttls|implicit|opportunistic|none]
 *        [--ca CA.pem] [--connections N] [--rate sendcloud | --rate N/SECONDS]
 *
 * Options left out take the core's defaults (STARTTLS required, 4 connections, no throttle
 * unless --rate, 5 attempts within 10 minutes). The exit status is 0 when every message was
 * delivered.
 */
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.mailwright.Credentials;
import org.mailwright.Mailer;
import org.mailwright.Message;
import org.mailwright.Outcome;
import org.mailwright.Rate;
import org.mailwright.TlsMode;

public class BulkSend {
    /** One line, redrawn on a terminal (printed at every tenth otherwise). */
    static final class Progress {
        final int total;
        final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        final long started = System.nanoTime();
        final boolean tty = System.console() != null;
        int lastTenth = -1;

        Progress(int total) {
            this.total = total;
            Outcome.kinds().forEach(k -> kinds.put(k, new LongAdder()));
        }

        /** Counts an outcome (runs on a mailer thread: cheap, never blocks). */
        void done(Outcome o) {
            kinds.get(o.kind()).increment();
        }

        long count(String kind) {
            return kinds.get(kind).sum();
        }

        void show(Mailer.Counters c, boolean last) {
            long finished = kinds.values().stream().mapToLong(LongAdder::sum).sum();
            double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-9);
            int width = 30;
            int filled = (int) (width * finished / Math.max(total, 1));
            String line = String.format("[%s%s] %d/%d  delivered %d  failed %d  uncertain %d  retries %d  connections %d  %.0f/s",
                    "#".repeat(filled), ".".repeat(width - filled), finished, total, count("delivered"), count("failed"),
                    count("uncertain"), c.retries(), c.connections(), finished / seconds);
            if (tty) {
                System.out.print("\r" + line + (last ? "\n" : ""));
                System.out.flush();
            } else {
                int tenth = (int) (10 * finished / Math.max(total, 1));
                if (last || tenth > lastTenth) {
                    lastTenth = tenth;
                    System.out.println(line);
                }
            }
        }
    }

    static Message personalised(String from, String to, int n) {
        String order = String.format("#%05d", n);
        return Message.builder().from(from).to(to).subject("Your order " + order)
                .text("Hello " + to + ",\n\nyour order " + order + " has shipped.\n")
                .html("<p>Hello " + to + ",</p><p>your order <b>" + order + "</b> has shipped.</p>")
                .build();
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = new TreeMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            opt.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        String hostPort = opt.getOrDefault("send", "127.0.0.1:25");
        int colon = hostPort.lastIndexOf(':');
        int count = Integer.parseInt(opt.getOrDefault("count", "200"));
        String from = opt.getOrDefault("from", "support@ifaxin.com");
        String to = opt.getOrDefault("to", "ben@ifaxin.com");

        Mailer.Builder builder = Mailer.builder(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))
                .timeout(Duration.ofSeconds(30));
        if (opt.containsKey("user")) {
            Credentials creds = Credentials.of(opt.get("user"), opt.getOrDefault("key", ""));
            builder.credentials(opt.containsKey("label") ? creds.withLabel(opt.get("label")) : creds);
        }
        if (opt.containsKey("tls")) {
            builder.tls(TlsMode.fromName(opt.get("tls")));
        }
        if (opt.containsKey("ca")) {
            builder.caFile(Path.of(opt.get("ca")));
        }
        if (opt.containsKey("connections")) {
            builder.connections(Integer.parseInt(opt.get("connections")));
        }
        if (opt.containsKey("rate")) {
            String rate = opt.get("rate");
            int slash = rate.indexOf('/');
            builder.rate(slash < 0 ? Rate.fromName(rate)
                    : Rate.of(Integer.parseInt(rate.substring(0, slash)),
                            Duration.ofMillis(Math.round(Double.parseDouble(rate.substring(slash + 1)) * 1000))));
        }

        Progress progress = new Progress(count);
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(count);
        Map<String, LongAdder> errors = new TreeMap<>();
        try (Mailer mailer = builder.build()) {
            // submit() returns at once (it waits only while the queue is full); the mailer's
            // connections work meanwhile, and this thread redraws the progress line.
            for (int n = 0; n < count; n++) {
                try (Message m = personalised(from, to.replace("@", "+" + n + "@"), n)) {
                    CompletableFuture<Outcome> f = mailer.submit(m);
                    f.thenAccept(progress::done);
                    futures.add(f);
                }
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
            while (!all.isDone()) {
                progress.show(mailer.counters(), false);
                try {
                    all.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    // redraw
                }
            }
            progress.show(mailer.counters(), true);
        } // close(): the connections say QUIT

        String firstQueueId = null;
        for (CompletableFuture<Outcome> f : futures) {
            Outcome o = f.join();
            if (o instanceof Outcome.Delivered d) {
                firstQueueId = firstQueueId == null ? d.queueId().orElse(null) : firstQueueId;
            } else if (o instanceof Outcome.Failed failed) {
                errors.computeIfAbsent("failed " + failed.error().kind(), k -> new LongAdder()).increment();
            } else if (o instanceof Outcome.Uncertain u) {
                errors.computeIfAbsent("uncertain " + u.error().kind(), k -> new LongAdder()).increment();
            }
        }
        System.out.println("delivered " + progress.count("delivered") + " of " + count
                + (firstQueueId == null ? "" : " (first queue id " + firstQueueId + ")"));
        errors.forEach((what, n) -> System.out.println(what + ": " + n.sum()));
        System.exit(progress.count("delivered") == count ? 0 : 1);
    }
}
