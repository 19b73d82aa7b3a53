package dev.linemap.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Protocol counters for operators: how often a reader's seqlock re-check failed, how a thread
 * waited for a held bucket (spins, yields, parks of {@link Backoff}), and who evacuated the units
 * of migrations (writers or the helper thread). Process-wide: the bucket protocol is static code
 * that does not know which map it serves.
 *
 * <p>Off unless the JVM runs with {@code -Dlinemap.counters=true}, read once into the
 * {@code static final} {@link #ON}, like {@link Seqlock}'s canaries: every hook is an
 * {@code if (ON)} the JIT folds away when it is off, so the hot paths pay nothing. When on, each
 * count is one {@link LongAdder} increment (striped, so counting threads do not contend).
 *
 * <p>Public view: {@code dev.linemap.ProtocolCounters}. Threading: any thread.
 */
public final class Counters {

    /** Whether counting is on: {@code -Dlinemap.counters=true}. */
    public static final boolean ON = Boolean.getBoolean("linemap.counters");

    private static final LongAdder SEQLOCK_RETRIES = new LongAdder();
    private static final LongAdder SPINS = new LongAdder();
    private static final LongAdder YIELDS = new LongAdder();
    private static final LongAdder PARKS = new LongAdder();
    private static final LongAdder WRITER_UNITS = new LongAdder();
    private static final LongAdder HELPER_UNITS = new LongAdder();

    private Counters() {
    }

    // ------------------------------------------------------------------- hooks (folded when off)

    /**
     * A read section closed: counts it as a retry if its re-check failed.
     *
     * @param valid what {@link Seqlock#validate} returns
     */
    static void readSection(final boolean valid) {
        if (ON && !valid) {
            SEQLOCK_RETRIES.increment();
        }
    }

    /** A thread waited for a held bucket with one spin. */
    static void spun() {
        if (ON) {
            SPINS.increment();
        }
    }

    /** A thread waited for a held bucket with one yield. */
    static void yielded() {
        if (ON) {
            YIELDS.increment();
        }
    }

    /** A thread waited for a held bucket with one park. */
    static void parked() {
        if (ON) {
            PARKS.increment();
        }
    }

    /**
     * A migration unit was evacuated.
     *
     * @param byHelper whether by the helper thread (else by a writer, including the write that
     *        finishes a small migration inline, or a clear)
     */
    static void unitEvacuated(final boolean byHelper) {
        if (ON) {
            (byHelper ? HELPER_UNITS : WRITER_UNITS).increment();
        }
    }

    // ------------------------------------------------------------------------------- reading

    /**
     * Returns the failed seqlock re-checks so far (each one a read section that was retried).
     *
     * @return the count; 0 while counting is off
     */
    public static long seqlockRetries() {
        return SEQLOCK_RETRIES.sum();
    }

    /**
     * Returns the spins of threads waiting for a held bucket.
     *
     * @return the count; 0 while counting is off
     */
    public static long spins() {
        return SPINS.sum();
    }

    /**
     * Returns the yields of threads waiting for a held bucket.
     *
     * @return the count; 0 while counting is off
     */
    public static long yields() {
        return YIELDS.sum();
    }

    /**
     * Returns the parks of threads waiting for a held bucket.
     *
     * @return the count; 0 while counting is off
     */
    public static long parks() {
        return PARKS.sum();
    }

    /**
     * Returns the migration units evacuated by writers.
     *
     * @return the count; 0 while counting is off
     */
    public static long writerUnits() {
        return WRITER_UNITS.sum();
    }

    /**
     * Returns the migration units evacuated by helper threads.
     *
     * @return the count; 0 while counting is off
     */
    public static long helperUnits() {
        return HELPER_UNITS.sum();
    }
}
