package dev.linemap.stress;

import java.time.Duration;
import java.util.Map;

/**
 * Turns a hang into a failed verdict. A livelocked or deadlocked map would otherwise make a stress
 * command (and CI) run until it is killed, with no evidence; the watchdog prints every thread's
 * stack, the command's own context line (seed, settings) and a FAIL verdict, then halts the JVM
 * with status 3.
 */
public final class Watchdog {

    private Watchdog() {
    }

    /**
     * Arms a watchdog for this JVM.
     *
     * @param limit how long the command may take in total
     * @param what the command and its context (printed on expiry, e.g. with the seed)
     */
    public static void arm(final Duration limit, final String what) {
        final Thread t = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
            } catch (final InterruptedException e) {
                return;
            }
            final StringBuilder b = new StringBuilder();
            b.append("WATCHDOG: ").append(what).append(" did not finish within ").append(limit)
                    .append(": hang or livelock. Thread dump:\n");
            for (final Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                b.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
                for (final StackTraceElement el : e.getValue()) {
                    b.append("    at ").append(el).append('\n');
                }
            }
            b.append("VERDICT: FAIL (").append(what).append(" hung)\n");
            System.out.print(b);
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "stress-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
