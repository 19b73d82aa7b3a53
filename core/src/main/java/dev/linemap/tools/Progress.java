package dev.linemap.tools;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress lines for work that may take more than a second: silent for the first second, then one
 * line per second ({@code linemap: filling the map: 3,000,000 of 10,000,000 (30%)}), and a closing
 * line with the time taken if anything was printed. Lines go to the error stream, so a command's
 * output stays exactly what it computes.
 *
 * <p>Not thread-safe: one task, one thread.
 */
final class Progress {

    private static final long SECOND = 1_000_000_000L;

    private final PrintStream out;
    private final String task;
    private final long total;
    private final long started = System.nanoTime();
    private long nextLine = started + SECOND;
    private boolean printed;

    /**
     * Starts a task.
     *
     * @param out where the lines go
     * @param task what is being done, for example {@code filling the map}
     * @param total the amount of work, or 0 if unknown
     */
    Progress(final PrintStream out, final String task, final long total) {
        this.out = out;
        this.task = task;
        this.total = total;
    }

    /**
     * Reports how much is done; prints if a second has passed since the last line. Cheap enough
     * to call every few thousand items.
     *
     * @param done the amount done so far
     */
    void update(final long done) {
        final long now = System.nanoTime();
        if (now - nextLine >= 0) {
            nextLine = now + SECOND;
            printed = true;
            out.println(total > 0
                    ? String.format(Locale.ROOT, "linemap: %s: %,d of %,d (%d%%)", task, done, total,
                            done * 100 / total)
                    : String.format(Locale.ROOT, "linemap: %s: %,d", task, done));
            out.flush();
        }
    }

    /** Ends the task: a closing line if progress was shown. */
    void done() {
        if (printed) {
            out.println(String.format(Locale.ROOT, "linemap: %s: done in %.1f s", task,
                    (System.nanoTime() - started) / 1e9));
            out.flush();
        }
    }
}
