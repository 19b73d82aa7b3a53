package dev.linemap.engine;


import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * A weakly consistent walk over a map, by increasing rank, where a key's rank is
 * {@code Long.reverse(hash(key))} (unsigned).
 *
 * <p>Why ranks: low hash bits pick the bucket, so in a table of {@code 2^k} buckets a bucket holds
 * exactly the keys whose rank has a given top-{@code k}-bit prefix: one contiguous range of ranks.
 * Doubling splits each range in two, halving joins two. The cursor's whole state is where it is in
 * that order: every entry before it has been reported. Each step reads the one bucket whose range
 * contains the position (in whichever table and generation is current) under its seqlock,
 * reports the first entry after the position and moves to it. Hence, across any number of growths
 * and shrinks: a key present throughout is reported exactly once, no key twice, and a key removed
 * before the cursor reaches it is not reported.
 *
 * <p>Ties. Keys of other shapes can share a 64-bit hash, and so a rank (and a {@code long} key
 * shares it under the test-only colliding hash). The order is then completed by the keys
 * themselves, in the format's order ({@link BucketFormat#compareKeys}): the position is a pair
 * (rank, key of the last entry reported at that rank), the key kept in a {@link TieKey}. Keys of
 * equal hash share a bucket in every table of every size (the same low bits pick it), so each step
 * still reads one bucket. The order depends on the key alone, not on where or when its entry was
 * stored, so it is the same wherever the group moves, and a key removed and put back after the
 * cursor passed it is behind the cursor again (not reported twice).
 *
 * <p>A clear draws a new seed, which reorders everything: the cursor ends when the table it walks
 * has a seed other than the one it started with (every key it had not reached was cleared).
 *
 * <p>Not thread-safe: one cursor per iteration. {@link #borrow} hands out a per-thread cursor so
 * that a map's {@code forEach} allocates nothing.
 */
public final class IterationCursor {

    private static final ThreadLocal<IterationCursor> POOL = ThreadLocal.withInitial(IterationCursor::new);

    private Engine engine;
    private long seed;
    /** Rank of the position: every entry of a smaller rank has been reported. */
    private long position;
    /** Whether entries of rank {@link #position} up to the key {@link #after} were reported. */
    private boolean hasAfter;
    /** Key of the last entry reported at rank {@link #position} (if {@link #hasAfter}). */
    private TieKey after = new TieKey();
    /** Where a step keeps the key it finds, inside its read section; swapped with {@link #after} once valid. */
    private TieKey found = new TieKey();
    private boolean done;
    private boolean borrowed;
    /** Variable-length maps: where each entry's bytes are copied inside the read section. */
    private EntryCopy copy;

    /** Key word of the entry {@link #advance()} found. */
    public long key;
    /** Value word of the entry {@link #advance()} found. */
    public long value;

    private IterationCursor() {
    }

    /**
     * Returns a fresh cursor (for a boxed iterator).
     *
     * @param engine the map to walk
     * @return a fresh cursor (for a boxed iterator)
     */
    public static IterationCursor over(final Engine engine) {
        final IterationCursor cursor = new IterationCursor();
        cursor.start(engine);
        return cursor;
    }

    /**
     * Returns a fresh cursor over a variable-length map that copies each entry's key and value
     * bytes into {@code copy} inside the read section that finds it ({@link #key} and
     * {@link #value} then hold the slot's tag and reference words, meaningful only to the engine).
     *
     * @param engine the map to walk
     * @param copy receives the bytes of each entry {@link #advance()} finds
     * @return the cursor
     */
    public static IterationCursor over(final Engine engine, final EntryCopy copy) {
        final IterationCursor cursor = over(engine);
        cursor.copy = copy;
        return cursor;
    }

    /**
     * Returns this thread's cursor, or a fresh one if it is in use (a nested forEach).
     *
     * @param engine the map to walk
     * @return this thread's cursor, or a fresh one if it is in use (a nested forEach)
     */
    public static IterationCursor borrow(final Engine engine) {
        IterationCursor cursor = POOL.get();
        if (cursor.borrowed) {
            cursor = new IterationCursor();
        }
        cursor.borrowed = true;
        cursor.start(engine);
        return cursor;
    }

    /** Ends a {@link #borrow}. */
    public void giveBack() {
        borrowed = false;
        engine = null;
    }

    private void start(final Engine engine) {
        this.engine = engine;
        this.seed = engine.generation().table().seed;
        this.position = 0;
        this.hasAfter = false;
        this.done = false;
    }

    /**
     * Moves to the next entry.
     *
     * @return {@code true} with {@link #key} and {@link #value} set, or {@code false} at the end
     * @throws IllegalStateException if the map is closed
     */
    public boolean advance() {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        while (!done) {
            final Generation g = engine.generation();
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
                engine.afterRetiredTable(e, interrupted);   // a retired table: start over
            } finally {
                Reference.reachabilityFence(g);   // fast mode: keeps the tables mapped (MmapSource)
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
        for (;;) {
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
            final long c1 = Seqlock.awaitUnlocked(segment, line);
            if (Seqlock.isMoved(c1)) {
                if (m != null && table == m.from) {
                    table = m.to;
                    continue;
                }
                return false;           // a newer migration: start over from its Generation
            }
            final BucketFormat format = engine.format;
            final long loc = Chains.minAfter(format, table, segment, line, c1, position, hasAfter ? after : null, end);
            final long k = loc == Chains.NOT_FOUND ? 0L : Chains.keyAt(format, table, segment, line, loc);
            final long v = loc == Chains.NOT_FOUND ? 0L : Chains.valueAt(format, table, segment, line, loc);
            final long rank = loc == Chains.NOT_FOUND ? 0L : Chains.rankAt(format, table, segment, line, loc);
            final boolean kept = loc == Chains.NOT_FOUND || Chains.keepKeyAt(format, table, segment, line, loc, found);
            final boolean copied = copy == null || loc == Chains.NOT_FOUND || copy.copy(table, v);
            if (!Seqlock.validate(segment, line, c1) || !kept || !copied) {
                continue;               // a torn reference or length fails the re-check too
            }
            if (AccessMode.FAST && table.isRetired()) {
                engine.checkOpen();
                return false;           // we may have read its zero pages: start over
            }
            if (loc == Chains.NOT_FOUND) {
                return moveTo(end);
            }
            key = k;
            value = v;
            position = rank;
            hasAfter = true;
            final TieKey reported = found;   // validated: it becomes the position
            found = after;
            after = reported;
            return true;
        }
    }

    private boolean moveTo(final long end) {
        position = end;
        hasAfter = false;
        done = end == 0;
        return false;
    }
}
