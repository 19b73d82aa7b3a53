package dev.linemap.engine;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one migration records for operators: units evacuated by writers and by the helper thread,
 * the longest time one operation worked for it, and its JFR event ({@link MigrationEvent}). It
 * exists only when someone looks: protocol counters on ({@link Counters#ON}) or a recording with
 * the event enabled when the migration starts; otherwise {@link Migration#trace} is {@code null}
 * and each hook is a null check on the migration path (never on a read or a write without one).
 *
 * <p>A unit is counted inside the evacuation, before the release store that publishes it: the thread
 * that completes the migration has acquired every unit's EVACUATED word, so it sees every count.
 *
 * <p>Threading: any thread; the counts are atomic.
 */
final class MigrationTrace {

    /** The JFR event, begun at the start, or {@code null}. */
    private final Object event = JfrEvents.beginMigration();
    private final LongAdder writerUnits = new LongAdder();
    private final LongAdder helperUnits = new LongAdder();
    private final AtomicLong longestNanos = new AtomicLong();
    /**
     * Start of the calling thread's operation, while one runs: the operation that completes the
     * migration is still running when the event is committed, and it is often the longest (the
     * write that finishes a small migration inline does all of it).
     */
    private final ThreadLocal<Long> operationStarted = new ThreadLocal<>();
    /**
     * The helper thread, set by that thread before its first evacuation; other threads compare it
     * with themselves, so a stale {@code null} can only mean "not the helper", which is true.
     */
    private Thread helper;

    private MigrationTrace() {
    }

    /**
     * A trace for a migration that is about to be published, if anyone looks.
     *
     * @return the trace, or {@code null} when counters are off and no recording wants the event
     */
    static MigrationTrace start() {
        final MigrationTrace trace = new MigrationTrace();
        return Counters.ON || trace.event != null ? trace : null;
    }

    /** The calling thread is the migration's helper thread. */
    void isHelper() {
        helper = Thread.currentThread();
    }

    /** The calling thread evacuated a unit (called before the unit is published). */
    void unitEvacuated() {
        final boolean byHelper = Thread.currentThread() == helper;
        (byHelper ? helperUnits : writerUnits).increment();
        Counters.unitEvacuated(byHelper);
    }

    /**
     * When an operation's work for a migration starts.
     *
     * @param trace the migration's trace, or {@code null}
     * @return {@link System#nanoTime()}, or 0 without a trace
     */
    static long operationStart(final MigrationTrace trace) {
        if (trace == null) {
            return 0L;
        }
        final long started = System.nanoTime();
        trace.operationStarted.set(started);
        return started;
    }

    /**
     * An operation's work for a migration ended; the helper thread's run is not an operation.
     *
     * @param trace the migration's trace, or {@code null}
     * @param started what {@link #operationStart} returned
     */
    static void operationEnd(final MigrationTrace trace, final long started) {
        if (trace != null) {
            trace.operationStarted.remove();
            trace.operationTook(started);
        }
    }

    private void operationTook(final long started) {
        if (Thread.currentThread() != helper) {
            longestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
        }
    }

    /**
     * The migration completed and its old table is retired: commits the JFR event.
     *
     * @param m the migration
     */
    static void completed(final Migration m) {
        final MigrationTrace trace = m.trace;
        if (trace != null && trace.event != null) {
            final Long started = trace.operationStarted.get();
            if (started != null) {
                trace.operationTook(started);   // the completing operation, so far
            }
            JfrEvents.commitMigration(trace.event, m, trace.writerUnits.sum(), trace.helperUnits.sum(),
                    trace.longestNanos.get());
        }
    }
}
