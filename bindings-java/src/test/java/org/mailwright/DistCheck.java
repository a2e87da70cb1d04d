package org.mailwright;

import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * make test-dist: run with the dist jar (not target/classes) first on the
 * class path, on a JVM of one platform (the arm64 JDK under qemu, or the
 * host's). Checks that the classes came from that jar, that the loader picked
 * the expected platform's library from it by itself, then runs the JUnit
 * classes named (in this one process: an emulated JVM cannot start others).
 *
 * <p>{@code java -cp dist.jar:test-classes:deps org.mailwright.DistCheck <jar> <platform> <class>...};
 * exits 1 on any failure.
 */
public final class DistCheck {
    private DistCheck() {}

    public static void main(String[] args) throws ClassNotFoundException, URISyntaxException {
        if (args.length < 3) {
            System.err.println("usage: DistCheck <jar> <expected platform> <test class>...");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath().normalize();
        String expected = args[1];
        List<String> problems = new ArrayList<>();
        Path from = Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!from.equals(jar)) {
            problems.add("the classes come from " + from + ", not " + jar);
        }
        NativeLoader.Loaded loaded = Native.LOADED;
        System.out.println("loaded " + loaded + " (detected " + Platform.current().describe() + "; the jar carries "
                + NativeLoader.carried() + ")");
        if (!expected.equals(loaded.platform()) || !"jar".equals(loaded.how())) {
            problems.add("expected " + expected + " from the jar, loaded " + loaded);
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (int i = 2; i < args.length; i++) {
            request.selectors(DiscoverySelectors.selectClass(Class.forName(args[i])));
        }
        LauncherDiscoveryRequest built = request.build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(built, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 20);
        summary.printTo(out);
        if (summary.getTotalFailureCount() > 0) {
            problems.add(summary.getTotalFailureCount() + " test(s) failed");
        }
        if (summary.getTestsSucceededCount() == 0) {
            problems.add("no test ran");
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.out.println("DistCheck: " + p));
            System.exit(1);
        }
        System.out.println("DistCheck: " + summary.getTestsSucceededCount() + " tests passed on " + loaded.platform());
    }
}
