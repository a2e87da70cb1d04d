package org.mailwright;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Java binding's {@link Mailer} as a contender in the delivery
 * benchmarks (benches/delivery/run.sh, docs/BENCHMARKS.md):
 *
 * <pre>java -cp bindings-java/target/classes:bindings-java/target/test-classes org.mailwright.DeliveryBench \
 *     PORT COUNT FILE.eml CONNECTIONS [--sendcloud] [--deadline-s S] [--label NAME]</pre>
 *
 * One mailer for 127.0.0.1:PORT (TLS none), CONNECTIONS connections, with
 * {@link Rate#SENDCLOUD} when --sendcloud is given; sends FILE.eml COUNT
 * times with the W1 envelope through {@link Mailer#submitRaw}, all submitted
 * at once (submitRaw waits only while the queue is full), then waits for
 * every outcome, at most the deadline (default 600 s) from the start. Prints
 * one JSON line like the other contenders; {@code errors} counts the failed
 * and uncertain outcomes by their error's kind.
 */
public final class DeliveryBench {
    static final String SENDER = "support@ifaxin.com";
    static final List<String> RCPTS = List.of("ben@ifaxin.com", "joe@ifaxin.com");

    private DeliveryBench() {}

    static String opt(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        byte[] data = Files.readAllBytes(Path.of(args[2]));
        int conns = Integer.parseInt(args[3]);
        boolean sendcloud = List.of(args).contains("--sendcloud");
        double deadline = Double.parseDouble(opt(args, "--deadline-s", "600"));
        String label = opt(args, "--label", "mailwright Java");

        Mailer.Builder builder = Mailer.builder("127.0.0.1", port).tls(TlsMode.NONE).connections(conns);
        if (sendcloud) {
            builder.rate(Rate.SENDCLOUD);
        }
        long cpuBefore = cpuNanos();
        long started = System.nanoTime();
        Mailer mailer = builder.build();
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(mailer.submitRaw(data, SENDER, RCPTS));
        }
        boolean stopped = false;
        long left = started + (long) (deadline * 1e9) - System.nanoTime();
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stopped = true;
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Mailer.Counters counters = mailer.counters();
        int delivered = 0;
        int failed = 0;
        int uncertain = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (CompletableFuture<Outcome> f : futures) {
            Outcome o = f.getNow(null);
            if (o instanceof Outcome.Delivered) {
                delivered++;
            } else if (o instanceof Outcome.Failed x) {
                failed++;
                errors.merge(x.error().kind(), 1, Integer::sum);
            } else if (o instanceof Outcome.Uncertain x) {
                uncertain++;
                errors.merge(x.error().kind(), 1, Integer::sum);
            }
        }
        StringBuilder err = new StringBuilder("{");
        errors.forEach((k, v) -> err.append(err.length() > 1 ? ", " : "").append(json(k)).append(": ").append(v));
        err.append('}');
        System.out.printf(Locale.ROOT,
                "{\"contender\": %s, \"connections\": %d, \"count\": %d, \"elapsed_s\": %.3f, \"delivered\": %d, "
                        + "\"failed\": %d, \"uncertain\": %d, \"rate_limited_seen\": %d, \"retries\": %d, \"cpu_s\": %.2f, "
                        + "\"stopped_at_deadline\": %s, \"errors\": %s}%n",
                json(label), conns, count, elapsed, delivered, failed, uncertain, counters.rateLimited(),
                counters.retries(), (cpuNanos() - cpuBefore) / 1e9, stopped, err);
        System.out.flush();
        // As the other contenders: no drain (close()) or abort measured or waited for.
        Runtime.getRuntime().halt(0);
    }

    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean o ? o.getProcessCpuTime() : 0;
    }
}
