package org.mailwright;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * #12: objects holding native memory that are dropped without close() are
 * freed by the Cleaner once unreachable; close() stays the primary path and
 * never frees twice. Measured with the native library's count of live
 * handles, not with timings.
 */
class CleanerTest {
    /** Slack for handles other tests' objects may still hold (credentials, options awaiting collection). */
    static final long SLACK = 1_000;

    /** Collects until the live handles are back to at most {@code limit}; returns the last count. */
    static long collectUntilAtMost(long limit) throws InterruptedException {
        long live = Native.liveHandles();
        for (int round = 0; round < 400 && live > limit; round++) {
            System.gc();
            Thread.sleep(25);
            live = Native.liveHandles();
        }
        return live;
    }

    /** Collects until the count of live handles stays the same for a few rounds (nothing left to clean). */
    static long quiesce() throws InterruptedException {
        long live = Native.liveHandles();
        int same = 0;
        for (int round = 0; round < 400 && same < 4; round++) {
            System.gc();
            Thread.sleep(25);
            long now = Native.liveHandles();
            same = now == live ? same + 1 : 0;
            live = now;
        }
        return live;
    }

    @Test
    void droppedMessagesAreFreed() throws InterruptedException {
        long before = Native.liveHandles();
        long peak = before;
        Message.Builder builder = Message.builder().from("a@ifaxin.com").to("b@ifaxin.com").subject("s").text("hello");
        for (int i = 0; i < 200_000; i++) {
            Message dropped = builder.build();
            if (i % 1000 == 0) {
                assertTrue(dropped.size() > 0);
            }
            peak = Math.max(peak, Native.liveHandles());
        }
        long after = collectUntilAtMost(before + SLACK);
        assertTrue(after <= before + SLACK, "live handles: " + before + " before, " + after + " after 200,000 dropped messages");
        // Sanity: the count does see live messages (the test would pass vacuously otherwise).
        assertTrue(peak > before, "peak " + peak);
    }

    @Test
    void droppedSessionsAreFreedAndCloseFreesOnce() throws InterruptedException {
        long before = Native.liveHandles();
        for (int i = 0; i < 20_000; i++) {
            Session dropped = new Session();
            dropped.receive("220 mx ESMTP\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        long after = collectUntilAtMost(before + SLACK);
        assertTrue(after <= before + SLACK, "live handles: " + before + " before, " + after + " after");

        long base = quiesce();
        Message m = TestSupport.small();
        Session s = new Session();
        assertEquals(base + 2, Native.liveHandles());
        m.close();
        s.close();
        assertEquals(base, Native.liveHandles(), "close() frees at once");
        m.close();
        s.close();
        assertEquals(base, Native.liveHandles(), "a second close() frees nothing");
        assertThrows(IllegalStateException.class, m::toBytes);
        m = null;
        s = null;
        // The cleaners of closed objects run (or are dropped) without freeing again.
        long later = collectUntilAtMost(base);
        assertTrue(later <= base, "live handles " + later + " after closed objects were collected; expected at most " + base);
    }

    /** A mailer dropped without close() is freed by the Cleaner (aborted: see MailerTest); close() frees at once. */
    @Test
    void droppedMailersAreFreedAndCloseFreesAtOnce() throws InterruptedException {
        long base = quiesce();
        for (int i = 0; i < 20; i++) {
            Mailer dropped = Mailer.builder("127.0.0.1", 25).tls(TlsMode.NONE).build();
            assertEquals(0, dropped.counters().delivered());
        }
        long after = collectUntilAtMost(base);
        assertTrue(after <= base, "live handles: " + base + " before, " + after + " after 20 dropped mailers");

        Mailer mailer = Mailer.builder("127.0.0.1", 25).tls(TlsMode.NONE).build();
        long open = quiesce();  // the options the builder made are garbage now
        mailer.close();
        assertEquals(open - 1, Native.liveHandles(), "close() frees at once");
        mailer.close();
        assertEquals(open - 1, Native.liveHandles(), "a second close() frees nothing");
    }
}
