package dev.linemap;

import dev.linemap.engine.Counters;

/**
 * Protocol counters of every linemap map in this JVM, for operators: how often readers had to
 * retry and how writers waited, and who does the work of migrations. They cost nothing unless the
 * JVM runs with {@code -Dlinemap.counters=true} (read once at startup; the checks are then folded
 * away by the JIT); while off, every count stays 0.
 *
 * <pre>{@code
 * ProtocolCounters before = ProtocolCounters.snapshot();
 * ... run the workload ...
 * ProtocolCounters delta = ProtocolCounters.snapshot().minus(before);
 * }</pre>
 *
 * <p>Process-wide, not per map: the bucket protocol is shared static code. Counts grow monotonically;
 * a snapshot reads them one by one (each exact, not mutually atomic). Migrations and table
 * retirements are also JFR events ({@code dev.linemap.Migration}, {@code dev.linemap.TableRetired}),
 * recorded whenever a recording enables them, counters on or off.
 *
 * @param seqlockRetries read sections whose closing re-check failed because a writer, an evacuation
 *        or a lock changed the bucket's {@code ctrl} word in between: each was read again
 * @param spinWaits spins ({@code Thread.onSpinWait}) of threads waiting for a held bucket (a reader
 *        meeting a lock, a writer meeting a lock or an evacuation): the first phase of every wait
 * @param yieldWaits yields of such threads: the second phase, for a holder that lost its core
 * @param parkWaits short parks of such threads: the last phase, which lets a holder on a virtual
 *        thread get a carrier back (the phases are {@code Backoff}'s, see docs/design.md section 3)
 * @param unitsByWriters migration units evacuated by writes (their own key's unit and the units they
 *        claimed), by the write that finished a small migration inline, or by a clear
 * @param unitsByHelper migration units evacuated by migrations' helper threads
 */
public record ProtocolCounters(long seqlockRetries, long spinWaits, long yieldWaits, long parkWaits,
                               long unitsByWriters, long unitsByHelper) {

    /**
     * Returns whether counting is on ({@code -Dlinemap.counters=true}).
     *
     * @return whether the counters count
     */
    public static boolean enabled() {
        return Counters.ON;
    }

    /**
     * Returns the counts so far.
     *
     * @return the counts, all 0 while counting is off
     */
    public static ProtocolCounters snapshot() {
        return new ProtocolCounters(Counters.seqlockRetries(), Counters.spins(), Counters.yields(), Counters.parks(),
                Counters.writerUnits(), Counters.helperUnits());
    }

    /**
     * Returns the counts since an earlier snapshot.
     *
     * @param earlier an earlier snapshot
     * @return this minus {@code earlier}, field by field
     */
    public ProtocolCounters minus(final ProtocolCounters earlier) {
        return new ProtocolCounters(seqlockRetries - earlier.seqlockRetries, spinWaits - earlier.spinWaits,
                yieldWaits - earlier.yieldWaits, parkWaits - earlier.parkWaits,
                unitsByWriters - earlier.unitsByWriters, unitsByHelper - earlier.unitsByHelper);
    }
}
