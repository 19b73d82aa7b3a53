package dev.linemap;

import dev.linemap.layout.CtrlWord;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.linemap.layout.BucketDescriptor.ctrlAcquire;
import static dev.linemap.layout.BucketDescriptor.ctrlOpaque;

/**
 * A weakly consistent walk over a map, by increasing rank, where a key's rank is
 * {@code Long.reverse(hash(key))} (unsigned).
 *
 * <p>Why ranks: low hash bits pick the bucket, so in a table of {@code 2^k} buckets a bucket holds
 * exactly the keys whose rank has a given top-{@code k}-bit prefix: one contiguous range of ranks.
 * Doubling splits each range in two, halving joins two. The cursor's whole state is one number,
 * {@link #position}: every key with a smaller rank has been reported. Each step reads the one bucket
 * whose range contains the position (in whichever table and generation is current) under its
 * seqlock, reports the entry with the smallest rank at or after the position and moves past it.
 * Hence, across any number of growths and shrinks: a key present throughout is reported exactly
 * once, no key twice, and a key removed before the cursor reaches it is not reported. The hash is a
 * bijection, so ranks never tie.
 *
 * <p>A clear draws a new seed, which reorders everything: the cursor ends when the table it walks
 * has a seed other than the one it started with (every key it had not reached was cleared).
 *
 * <p>Not thread-safe: one cursor per iteration. {@link #borrow} hands out a per-thread cursor so
 * that {@link LongLongMap#forEach} allocates nothing.
 */
final class IterationCursor {

    private static final ThreadLocal<IterationCursor> POOL = ThreadLocal.withInitial(IterationCursor::new);

    private LongLongMap map;
    private long seed;
    private long position;
    private boolean done;
    private boolean borrowed;

    /** Key of the entry {@link #advance()} found. */
    long key;
    /** Value of the entry {@link #advance()} found. */
    long value;

    private IterationCursor() {
    }

    /**
     * @param map the map to walk
     * @return a fresh cursor (for a boxed iterator)
     */
    static IterationCursor over(final LongLongMap map) {
        final IterationCursor cursor = new IterationCursor();
        cursor.start(map);
        return cursor;
    }

    /**
     * @param map the map to walk
     * @return this thread's cursor, or a fresh one if it is in use (a nested forEach)
     */
    static IterationCursor borrow(final LongLongMap map) {
        IterationCursor cursor = POOL.get();
        if (cursor.borrowed) {
            cursor = new IterationCursor();
        }
        cursor.borrowed = true;
        cursor.start(map);
        return cursor;
    }

    /** Ends a {@link #borrow}. */
    void giveBack() {
        borrowed = false;
        map = null;
    }

    private void start(final LongLongMap map) {
        this.map = map;
        this.seed = map.generation().table().seed;
        this.position = 0;
        this.done = false;
    }

    /**
     * Moves to the next entry.
     *
     * @return {@code true} with {@link #key} and {@link #value} set, or {@code false} at the end
     * @throws IllegalStateException if the map is closed
     */
    boolean advance() {
        final boolean interrupted = RetiredTableRace.interruptStatus();
        while (!done) {
            final Generation g = map.generation();
            final Migration m = g.migration();
            try {
                // The finest table in play sets the region; read the old bucket while its unit is
                // not known to be evacuated, else the new one.
                int k = g.table().log2;
                Table table = g.table();
                if (m != null) {
                    k = Math.max(k, m.from.log2);
                    if (m.from.seed == seed && m.unitOf(Long.reverse(position) & m.from.mask) >= m.watermarkAcquire()) {
                        table = m.from;
                    }
                }
                final long span = k == 0 ? 0L : 1L << (Long.SIZE - k);
                final long end = k == 0 ? 0L : (position & -span) + span;   // 0: the last region
                if (step(m, table, end)) {
                    return true;
                }
            } catch (final IllegalStateException e) {
                map.checkOpen();   // else a retired table: start over from the current Generation
                RetiredTableRace.recover(interrupted);
            }
        }
        return false;
    }

    /**
     * Reads the bucket of {@code table} covering {@link #position}, hopping from a migration's old
     * table to its new one when the bucket is EVACUATED.
     *
     * @return {@code true} if an entry was found; {@code false} to go on (region done, or retry)
     */
    private boolean step(final Migration m, final Table start, final long end) {
        Table table = start;
        for (int spins = 0; ; spins++) {
            if (table.seed != seed) {
                if (m == null || table != m.to) {
                    done = true;        // the map was cleared since the walk started
                    return false;
                }
                return moveTo(end);     // a clear is filling a new table: nothing of ours there
            }
            final long bucket = Long.reverse(position) & table.mask;
            final MemorySegment segment = table.bucketSegment(bucket);
            final long line = table.bucketLine(bucket);
            final long c1 = ctrlAcquire(segment, line);
            if (CtrlWord.isLocked(c1)) {
                Backoff.pause(spins);
                continue;
            }
            if (CtrlWord.state(c1) == CtrlWord.EVACUATED) {
                if (m != null && table == m.from) {
                    table = m.to;
                    continue;
                }
                return false;           // a newer migration: start over from its Generation
            }
            final long loc = Chains.minAtOrAfter(table, segment, line, c1, position, end);
            final long k = loc == Chains.NOT_FOUND ? 0L : Chains.keyAt(table, segment, line, loc);
            final long v = loc == Chains.NOT_FOUND ? 0L : Chains.valueAt(table, segment, line, loc);
            // Order the slot loads above before the re-check of ctrl below.
            VarHandle.acquireFence();
            if (ctrlOpaque(segment, line) != c1) {
                continue;
            }
            if (loc == Chains.NOT_FOUND) {
                return moveTo(end);
            }
            key = k;
            value = v;
            position = Long.reverse(table.hash(k)) + 1;
            done = position == 0;       // the largest rank was just reported
            return true;
        }
    }

    private boolean moveTo(final long end) {
        position = end;
        done = end == 0;
        return false;
    }
}
