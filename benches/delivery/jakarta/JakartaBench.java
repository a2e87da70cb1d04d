import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jakarta Mail's Transport with a thread pool, as a contender in the delivery
 * benchmarks (run.sh):
 *
 * <pre>java -cp ... JakartaBench PORT COUNT FILE.eml THREADS [--deadline-s S] [--label NAME]</pre>
 *
 * THREADS workers, each keeping one connected SMTP Transport (reconnected
 * when the server drops it), send FILE.eml with the W1 envelope. A failure is
 * counted, not retried (Jakarta Mail has no retries or throttle). Prints one
 * JSON line like the other contenders.
 */
public final class JakartaBench {
    static final Address[] RCPTS = addresses("ben@ifaxin.com", "joe@ifaxin.com");

    static Address[] addresses(String... a) {
        try {
            Address[] out = new Address[a.length];
            for (int i = 0; i < a.length; i++) out[i] = new InternetAddress(a[i]);
            return out;
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String opt(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        byte[] data = Files.readAllBytes(Path.of(args[2]));
        int threads = Integer.parseInt(args[3]);
        double deadline = Double.parseDouble(opt(args, "--deadline-s", "600"));
        String label = opt(args, "--label", "Jakarta Mail + thread pool");

        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", Integer.toString(port));
        props.put("mail.smtp.localhost", "localhost");
        props.put("mail.smtp.from", "support@ifaxin.com");
        Session session = Session.getInstance(props);
        MimeMessage template = new MimeMessage(session, new ByteArrayInputStream(data));

        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger rateLimited = new AtomicInteger();
        AtomicLong lastNanos = new AtomicLong();
        Map<String, Integer> errors = new TreeMap<>();
        ThreadLocal<Transport> transports = new ThreadLocal<>();
        long cpuBefore = cpuNanos();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int i = 0; i < count; i++) {
            pool.execute(() -> {
                try {
                    Transport t = transports.get();
                    if (t == null || !t.isConnected()) {
                        t = session.getTransport("smtp");
                        t.connect();
                        transports.set(t);
                    }
                    t.sendMessage(template, RCPTS);
                    delivered.incrementAndGet();
                } catch (MessagingException e) {
                    failed.incrementAndGet();
                    String key = e.getClass().getSimpleName();
                    if (e instanceof org.eclipse.angus.mail.smtp.SMTPSendFailedException s) {
                        key = Integer.toString(s.getReturnCode());
                        if (s.getReturnCode() == 536) rateLimited.incrementAndGet();
                    } else if (e.getNextException() instanceof org.eclipse.angus.mail.smtp.SMTPAddressFailedException s) {
                        key = Integer.toString(s.getReturnCode());
                        if (s.getReturnCode() == 536) rateLimited.incrementAndGet();
                    }
                    synchronized (errors) {
                        errors.merge(key, 1, Integer::sum);
                    }
                }
                lastNanos.set(System.nanoTime() - started);
            });
        }
        pool.shutdown();
        boolean finished = pool.awaitTermination((long) (deadline * 1000), TimeUnit.MILLISECONDS);
        double elapsed = (finished ? lastNanos.get() : System.nanoTime() - started) / 1e9;
        StringBuilder err = new StringBuilder("{");
        synchronized (errors) {
            errors.forEach((k, v) -> err.append(err.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        }
        err.append('}');
        System.out.printf(java.util.Locale.ROOT,
                "{\"contender\": \"%s\", \"connections\": %d, \"count\": %d, \"elapsed_s\": %.3f, \"delivered\": %d, "
                        + "\"failed\": %d, \"uncertain\": null, \"rate_limited_seen\": %d, \"retries\": 0, \"cpu_s\": %.2f, "
                        + "\"stopped_at_deadline\": %s, \"errors\": %s}%n",
                label, threads, count, elapsed, delivered.get(), failed.get(), rateLimited.get(),
                (cpuNanos() - cpuBefore) / 1e9, !finished, err);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean o ? o.getProcessCpuTime() : 0;
    }
}
