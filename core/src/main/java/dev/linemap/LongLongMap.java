package dev.linemap;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongBinaryOperator;

import static dev.linemap.layout.BucketDescriptor.casCtrl;
import static dev.linemap.layout.BucketDescriptor.ctrlAcquire;
import static dev.linemap.layout.BucketDescriptor.ctrlOpaque;

/**
 * An off-heap, concurrent {@code long -> long} hash map. Entries live in native memory in 64-byte,
 * cache-line-aligned buckets; a lookup usually touches one cache line. The table grows and shrinks
 * incrementally: no operation ever waits for a whole-table rehash.
 *
 * <pre>{@code
 * try (LongLongMap map = LongLongMap.builder().initialCapacity(1_000_000).build()) {
 *     map.put(42L, 7L);
 *     long v = map.get(42L);              // 7
 *     map.addAndGet(42L, 1L);             // 8
 *     map.forEach((k, value) -> System.out.println(k + "=" + value));
 * }
 * }</pre>
 *
 * <h2>Threading contract</h2>
 * Every method may be called by any thread at any time, concurrently. Reads ({@code get},
 * {@code containsKey}, {@code getOrDefault}) are lock-free and never write shared memory. Writes
 * lock only the key's home bucket. Every single-key operation is linearizable; {@code merge},
 * {@code addAndGet}, {@code putIfAbsent}, {@code replace} and the two-argument {@code remove} are
 * atomic. {@link #size()} is exact when no write is in flight. {@link #forEach} and the iterators of
 * {@link #asConcurrentMap()} are weakly consistent: every key present for the whole iteration is
 * seen exactly once, even across growths; no key is seen twice; a key removed before the iteration
 * reaches it is not seen. {@link #clear()} is not atomic with respect to concurrent writes.
 * {@link #close()} frees all native memory; after it every method throws
 * {@link IllegalStateException} (a call racing the close either completes or throws it; it never
 * touches freed memory).
 *
 * <p>The primitive methods allocate nothing on the Java heap.
 */
public final class LongLongMap implements AutoCloseable {

    /*
     * Overview
     *
     * Memory. A Table is 2^k buckets of 64 bytes (BucketDescriptor: ctrl, meta, three key/value
     * slots) in 1 MiB chunks, plus an overflow area of lines with the same shape. A bucket whose
     * three slots are full chains overflow lines through meta (closed addressing: a key never lives
     * outside its home bucket's chain). All of a table's memory lives in one shared Arena.
     *
     * State encoding. ctrl (CtrlWord) = version:56 | LOCK | reserved:2 | state:2 | occupancy:3.
     * state is NORMAL, EVACUATING (a migration is copying the bucket: writers wait, readers read)
     * or EVACUATED (the entries live in the next table; never written again). Overflow lines have no
     * lock or version: their home bucket's ctrl guards them.
     *
     * Locking (per bucket, a seqlock). Pairing rule: every release store of ctrl pairs with an
     * acquire load of the same word.
     *   reader: c1 = ctrl.getAcquire; LOCK set -> back off, retry; EVACUATED -> next table;
     *           walk the chain and copy out the value with opaque loads; acquireFence;
     *           ctrl.getOpaque != c1 -> retry. The full-word compare (version) defeats ABA.
     *   writer: CAS ctrl NORMAL&unlocked -> |LOCK (volatile); releaseFence; opaque slot/meta stores;
     *           ctrl.setRelease(version+1, new occupancy, unlocked). A write that changed nothing
     *           releases the word it found, so concurrent readers need not retry.
     * Writers of different buckets never contend. Readers never write shared memory.
     *
     * Growth (Migration). The Generation descriptor {table, migration} is swapped with volatile
     * stores. Starting a migration is O(1): a new Table with no memory yet and a Migration with a
     * cursor and a watermark. Its chunks are allocated just before the evacuations that fill them.
     * A doubling splits old bucket i into new i and i + oldN (low hash bits pick the bucket); a
     * halving merges old j and j + newN into new j; a compaction rebuilds i as i; a clear drops.
     * An evacuator moves the source(s) NORMAL -> EVACUATING, fills the fresh destination(s) with
     * plain stores and publishes with a release store of EVACUATED on the source(s). Every write
     * first evacuates its own unit (if that needs memory there is not, it writes the old bucket,
     * still NORMAL and authoritative, instead), then claims two more from the cursor; a helper thread claims
     * runs of 64, so migration completes without writers. A migration of at most 1024 units is
     * finished inline by the operation that starts it (bounded work, no thread start). The watermark is a contiguous prefix of
     * evacuated units; the thread that moves it past the last unit publishes {table: new, no
     * migration} and then retires the old table. Only one migration runs at a time (the Generation CAS
     * from a migration-free descriptor).
     *
     * What a reader may observe during growth. Its key's old unit is below the watermark: it reads
     * the new table. Otherwise it reads the old bucket: NORMAL or EVACUATING, that is the truth;
     * EVACUATED, it reads the new bucket, whose contents the EVACUATED release published. A reader
     * racing the retirement of the old table gets IllegalStateException from the closed arena
     * (the JDK's guarantee for shared arenas) and simply starts over from the current Generation.
     *
     * Counting. size is a LongAdder, +1/-1 after each unlock that inserted or removed; exact when
     * quiescent. Growth is considered when an insert lands in slot 2 or an overflow line (only then
     * can the load be high), shrink when a remove empties a bucket, compaction when a new overflow
     * line is taken.
     *
     * Iteration. Keys are visited in the order of their reversed hash, Long.reverse(hash): with the
     * low bits picking the bucket, a bucket of any table size covers one contiguous range of that
     * order, and a doubling splits a range in two. A cursor that remembers only the last rank it
     * returned therefore sees every key present throughout exactly once, across any number of
     * growths and shrinks, without pinning an old table.
     *
     * File organisation: this class holds the API, the read path, the write path and the migration
     * triggers; Table owns memory, Migration the evacuation, Chains the walk of one bucket's chain,
     * IterationCursor the iteration, ConcurrentMapView the boxed view.
     */

    /** Growth threshold: entries per bucket, times 2 (2.5 entries per 3-slot bucket). */
    private static final long GROW_LOAD_X2 = 5;
    /**
     * Migrations of at most this many units finish inline, in the operation that starts them
     * (about 100 µs of work, at most 128 KiB of new buckets): cheaper than starting a helper thread,
     * and no writer ever waits for a helper the scheduler has not run yet.
     */
    private static final long INLINE_UNITS = 1024;
    /** Largest table: 2^30 buckets (64 GiB of buckets). */
    static final int MAX_LOG2 = 30;

    private static final int MODE_VALUE = 0;
    private static final int MODE_PRESENCE = 1;
    private static final int MODE_ENTRY = 2;

    private static final int PUT = 0;
    private static final int PUT_IF_ABSENT = 1;
    private static final int REMOVE = 2;
    private static final int REMOVE_IF = 3;
    private static final int REPLACE_IF = 4;
    private static final int REPLACE = 5;
    private static final int MERGE = 6;
    private static final int ADD = 7;
    private static final int COMPUTE = 8;

    /** Returned by {@link #lock}: the bucket is EVACUATED (a newer generation exists). */
    private static final long MOVED = -1L;

    private static final VarHandle VH_GENERATION;
    private static final VarHandle VH_CLOSED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            VH_GENERATION = lookup.findVarHandle(LongLongMap.class, "generation", Generation.class);
            VH_CLOSED = lookup.findVarHandle(LongLongMap.class, "closed", boolean.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Generation generation;
    private volatile boolean closed;

    private final long missingValue;
    private final boolean fixedSeed;
    private final int minLog2;
    private final boolean backgroundMigration;
    private final MemoryBudget budget;
    private final MigrationListener listener;
    private final LongAdder size = new LongAdder();
    private final AtomicLong completedMigrations = new AtomicLong();
    /** Migrations published as complete whose old table is not retired yet (see completeMigration). */
    private final java.util.concurrent.atomic.AtomicInteger retirementsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Overflow lines right after the last compaction: the bar the next one must clear. */
    private volatile long compactedLines;

    LongLongMap(final LongLongMapBuilder builder) {
        this.missingValue = builder.missingValue;
        this.fixedSeed = builder.seedSet;
        this.minLog2 = LongLongMapBuilder.log2For(builder.initialCapacity);
        this.backgroundMigration = builder.backgroundMigration;
        this.budget = new MemoryBudget(builder.maxOffHeapBytes);
        this.listener = builder.migrationListener;
        final Table table = new Table(minLog2, builder.seedSet ? builder.seed : Hashing.randomSeed(), budget, false);
        table.allocateAllChunks();
        this.generation = new Generation(table, null);
    }

    /**
     * @return a builder with the defaults: initial capacity 0, missing value 0, random seed
     */
    public static LongLongMapBuilder builder() {
        return new LongLongMapBuilder();
    }

    // ================================================================================ reading

    /**
     * @param key any key
     * @return its value, or {@link #missingValue()} if it is not mapped
     */
    public long get(final long key) {
        return getOrDefault(key, missingValue);
    }

    /**
     * @param key any key
     * @param defaultValue what to return if the key is not mapped
     * @return its value, or {@code defaultValue}
     */
    public long getOrDefault(final long key, final long defaultValue) {
        // Fast path: no migration and the home bucket unlocked and NORMAL, so one read section over
        // the home line (and its overflow chain, if the key is not inline) decides. Everything else
        // (a migration, a locked or moved bucket, a failed re-check) goes to read().
        final boolean interrupted = RetiredTableRace.interruptStatus();
        final Generation g = generation;
        if (g.migration() == null) {
            final Table table = g.table();
            final long bucket = table.bucketOf(key);
            final MemorySegment segment = table.bucketSegment(bucket);
            final long line = table.bucketLine(bucket);
            try {
                final long c1 = ctrlAcquire(segment, line);
                if ((c1 & (CtrlWord.LOCK | CtrlWord.STATE_MASK)) == 0) {
                    final long loc = Chains.find(table, segment, line, c1, key);
                    final long result = loc == Chains.NOT_FOUND ? defaultValue : Chains.valueAt(table, segment, line, loc);
                    // Order the slot loads above before the re-check of ctrl below.
                    VarHandle.acquireFence();
                    if (Canary.SKIP_READ_VALIDATION || ctrlOpaque(segment, line) == c1) {
                        return result;
                    }
                }
            } catch (final IllegalStateException e) {
                // The table was retired under us (or the map closed): the general path copes.
                throwIfClosed(e);
                RetiredTableRace.recover(interrupted);
                return read(key, defaultValue, MODE_VALUE, null);
            }
        }
        return read(key, defaultValue, MODE_VALUE, null);
    }

    /**
     * @param key any key
     * @return whether it is mapped (tells a stored {@link #missingValue()} from an absent key)
     */
    public boolean containsKey(final long key) {
        return read(key, 0, MODE_PRESENCE, null) != 0;
    }

    /** Boxed-view read: presence and value from one linearizable read. */
    boolean readEntry(final long key, final long[] value) {
        return read(key, 0, MODE_ENTRY, value) != 0;
    }

    private long read(final long key, final long absent, final int mode, final long[] out) {
        final boolean interrupted = RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = generation;
            final Migration m = g.migration();
            Table table = g.table();
            try {
                if (m != null && m.unitOf(m.from.bucketOf(key)) >= m.watermarkAcquire()) {
                    table = m.from;   // not known to be evacuated: the old bucket decides
                }
                for (int spins = 0; ; spins++) {
                    final long bucket = table.bucketOf(key);
                    final MemorySegment segment = table.bucketSegment(bucket);
                    final long line = table.bucketLine(bucket);
                    final long c1 = ctrlAcquire(segment, line);
                    if (CtrlWord.isLocked(c1)) {
                        Backoff.pause(spins);
                        continue;
                    }
                    if (CtrlWord.state(c1) == CtrlWord.EVACUATED) {
                        if (m != null && table == m.from) {
                            table = m.to;   // the release of EVACUATED published the new bucket
                            continue;
                        }
                        break;              // a newer migration moved it: start over
                    }
                    final long loc = Chains.find(table, segment, line, c1, key);
                    final long value = loc == Chains.NOT_FOUND ? 0L : Chains.valueAt(table, segment, line, loc);
                    // Order the slot loads above before the re-check of ctrl below.
                    VarHandle.acquireFence();
                    if (!Canary.SKIP_READ_VALIDATION && ctrlOpaque(segment, line) != c1) {
                        continue;           // a writer got in: read again
                    }
                    if (loc == Chains.NOT_FOUND) {
                        return mode == MODE_VALUE ? absent : 0L;
                    }
                    if (mode == MODE_ENTRY) {
                        out[0] = value;
                    }
                    return mode == MODE_VALUE ? value : 1L;
                }
            } catch (final IllegalStateException e) {
                throwIfClosed(e);   // else: the table we read was retired under us; start over
                RetiredTableRace.recover(interrupted);
            }
        }
    }

    // ================================================================================ writing

    /**
     * @param key any key
     * @param value any value
     * @return the previous value, or {@link #missingValue()} if there was none
     */
    public long put(final long key, final long value) {
        return update(PUT, key, value, 0, null, null, null);
    }

    /**
     * @param key any key
     * @param value any value
     * @return the existing value (and nothing is stored), or {@link #missingValue()} if the key was
     *         absent and is now mapped to {@code value}
     */
    public long putIfAbsent(final long key, final long value) {
        return update(PUT_IF_ABSENT, key, value, 0, null, null, null);
    }

    /**
     * @param key any key
     * @return the removed value, or {@link #missingValue()} if there was none
     */
    public long remove(final long key) {
        return update(REMOVE, key, 0, 0, null, null, null);
    }

    /**
     * @param key any key
     * @param expectedValue the value the key must have
     * @return whether the key was mapped to {@code expectedValue} and is now removed
     */
    public boolean remove(final long key, final long expectedValue) {
        return update(REMOVE_IF, key, expectedValue, 0, null, null, null) != 0;
    }

    /**
     * @param key any key
     * @param expectedValue the value the key must have
     * @param newValue the value to store
     * @return whether the key was mapped to {@code expectedValue} and now maps to {@code newValue}
     */
    public boolean replace(final long key, final long expectedValue, final long newValue) {
        return update(REPLACE_IF, key, expectedValue, newValue, null, null, null) != 0;
    }

    /**
     * Replaces the value of a mapped key; does nothing for an absent key.
     *
     * @param key any key
     * @param value the new value
     * @return the previous value, or {@link #missingValue()} if the key was absent
     */
    public long replace(final long key, final long value) {
        return update(REPLACE, key, value, 0, null, null, null);
    }

    /**
     * Atomically stores {@code value} if the key is absent, else {@code fn(oldValue, value)}. The
     * function runs under the bucket's lock: keep it short and do not touch this map from it.
     *
     * @param key any key
     * @param value the value to store or combine
     * @param fn combines the old value with {@code value}
     * @return the new value
     */
    public long merge(final long key, final long value, final LongBinaryOperator fn) {
        if (fn == null) {
            throw new NullPointerException("fn");
        }
        return update(MERGE, key, value, 0, fn, null, null);
    }

    /**
     * Atomically adds {@code delta} to the key's value; an absent key counts as 0 (and is then
     * mapped to {@code delta}).
     *
     * @param key any key
     * @param delta the increment (wraps on overflow, like {@code long} arithmetic)
     * @return the new value
     */
    public long addAndGet(final long key, final long delta) {
        return update(ADD, key, delta, 0, null, null, null);
    }

    /** Boxed-view write: {@code out[0]} = 1 if the key was present, {@code out[1]} = old value. */
    long updateBoxed(final int op, final long key, final long a, final long b, final long[] out) {
        return update(op, key, a, b, null, null, out);
    }

    /** Boxed-view compute; {@code out} as in {@link #updateBoxed}, {@code out[2]} = 1 if mapped after. */
    void compute(final long key, final EntryRemapper remapper, final long[] out) {
        update(COMPUTE, key, 0, 0, null, remapper, out);
    }

    static final int OP_PUT = PUT;
    static final int OP_PUT_IF_ABSENT = PUT_IF_ABSENT;
    static final int OP_REMOVE = REMOVE;
    static final int OP_REMOVE_IF = REMOVE_IF;
    static final int OP_REPLACE_IF = REPLACE_IF;
    static final int OP_REPLACE = REPLACE;

    private long update(final int op, final long key, final long a, final long b,
                        final LongBinaryOperator fn, final EntryRemapper remapper, final long[] out) {
        // Canary (test-only): compute the new value from a read taken outside the lock.
        final long racyBase = Canary.RACY_ADD && (op == ADD || op == MERGE) ? getOrDefault(key, 0L) : 0L;
        final boolean interrupted = RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = generation;
            Table table = g.table();
            final MemorySegment segment;
            final long line;
            final long ctrl;
            try {
                final Migration m = g.migration();
                long bucket = -1;
                if (m != null) {
                    final long oldBucket = m.from.bucketOf(key);
                    try {
                        m.evacuateOwn(oldBucket);
                    } catch (final OutOfMemoryError e) {
                        // No memory for the unit's new buckets: its old bucket is still NORMAL and
                        // authoritative, so write there; the migration carries the write over later.
                        table = m.from;
                        bucket = oldBucket;
                    }
                    m.helpAsWriter();
                }
                if (bucket < 0) {
                    bucket = table.bucketOf(key);
                }
                segment = table.bucketSegment(bucket);
                line = table.bucketLine(bucket);
                ctrl = lock(segment, line);
            } catch (final IllegalStateException e) {
                throwIfClosed(e);
                RetiredTableRace.recover(interrupted);
                continue;   // a table we touched was retired under us: start over
            }
            if (ctrl == MOVED) {
                continue;   // a newer migration owns the bucket: start over from its Generation
            }
            // Locked. From here no retired-table exception can occur (a locked NORMAL bucket cannot
            // be evacuated, so its table cannot be retired) until the unlock, whose after-the-fact
            // one RetiredTableRace.finalRelease absorbs; any other exception is the caller's own.
            return apply(op, table, segment, line, ctrl, key, a, b, fn, remapper, out, racyBase);
        }
    }

    /**
     * Takes the lock of a NORMAL bucket.
     *
     * @return the unlocked word it had, or {@link #MOVED} if the bucket is EVACUATED
     */
    private static long lock(final MemorySegment segment, final long line) {
        for (int spins = 0; ; spins++) {
            final long c = ctrlAcquire(segment, line);
            if (!CtrlWord.isLocked(c)) {
                final int state = CtrlWord.state(c);
                if (state == CtrlWord.EVACUATED) {
                    return MOVED;
                }
                if (state == CtrlWord.NORMAL && casCtrl(segment, line, c, CtrlWord.locked(c))) {
                    // The CAS is volatile; this fence states the one order the seqlock needs from
                    // it: the LOCK store before the slot stores that follow (free on x86).
                    VarHandle.releaseFence();
                    return c;
                }
            }
            Backoff.pause(spins);   // locked by a writer, or EVACUATING
        }
    }

    private long apply(final int op, final Table table, final MemorySegment segment, final long line, final long ctrl,
                       final long key, final long a, final long b, final LongBinaryOperator fn,
                       final EntryRemapper remapper, final long[] out, final long racyBase) {
        final long loc;
        final boolean present;
        final long old;
        final boolean store;     // the key ends up mapped (to newValue)
        final long newValue;
        final long result;
        // Decide. Nothing is stored in this block, so on any exception (a user function threw)
        // the bucket is released exactly as it was found.
        try {
            loc = Chains.find(table, segment, line, ctrl, key);
            present = loc != Chains.NOT_FOUND;
            old = present ? Chains.valueAt(table, segment, line, loc) : 0L;
            if (out != null) {
                out[0] = present ? 1 : 0;
                out[1] = old;
            }
            switch (op) {
                case PUT -> {
                    store = true;
                    newValue = a;
                    result = present ? old : missingValue;
                }
                case PUT_IF_ABSENT -> {
                    store = true;
                    newValue = present ? old : a;
                    result = present ? old : missingValue;
                }
                case REMOVE -> {
                    store = false;
                    newValue = 0;
                    result = present ? old : missingValue;
                }
                case REMOVE_IF -> {
                    final boolean hit = present && old == a;
                    store = present && !hit;
                    newValue = old;
                    result = hit ? 1 : 0;
                }
                case REPLACE_IF -> {
                    final boolean hit = present && old == a;
                    store = present;
                    newValue = hit ? b : old;
                    result = hit ? 1 : 0;
                }
                case REPLACE -> {
                    store = present;
                    newValue = present ? a : 0;
                    result = present ? old : missingValue;
                }
                case ADD -> {
                    store = true;
                    newValue = (Canary.RACY_ADD ? racyBase : old) + a;
                    result = newValue;
                }
                case MERGE -> {
                    store = true;
                    newValue = present ? fn.applyAsLong(Canary.RACY_ADD ? racyBase : old, a) : a;
                    result = newValue;
                }
                case COMPUTE -> {
                    final long[] remapped = new long[1];
                    store = remapper.remap(key, present, old, remapped);
                    newValue = remapped[0];
                    out[2] = store ? 1 : 0;
                    result = newValue;
                }
                default -> throw new AssertionError("op " + op);
            }
        } catch (final RuntimeException | Error e) {
            unlockUnchanged(segment, line, ctrl);
            throw e;
        }
        // Act. Each branch releases the lock exactly once.
        if (present && store) {
            if (newValue != old) {
                BucketDescriptor.setValueOpaque(Chains.segmentOf(table, segment, loc), Chains.lineOf(line, loc),
                        Chains.slot(loc), newValue);
                unlock(segment, line, CtrlWord.nextUnlocked(ctrl));
            } else {
                unlockUnchanged(segment, line, ctrl);
            }
        } else if (present) {
            removeAt(table, segment, line, ctrl, loc);
        } else if (store) {
            insert(table, segment, line, ctrl, key, newValue);
        } else {
            unlockUnchanged(segment, line, ctrl);
        }
        return result;
    }

    /**
     * Release of the word found at lock time: nothing changed, so readers that saw it before
     * validate successfully after.
     */
    private void unlockUnchanged(final MemorySegment segment, final long line, final long ctrl) {
        unlock(segment, line, ctrl);
    }

    /** Ends a critical section; see {@link RetiredTableRace#finalRelease}. */
    private void unlock(final MemorySegment segment, final long line, final long word) {
        RetiredTableRace.finalRelease(this, segment, line, word);
    }

    /**
     * Inserts an absent key under the lock, then unlocks. The only failures (a full chain, no memory
     * for an overflow line) happen before any store and release the bucket unchanged.
     */
    private void insert(final Table table, final MemorySegment segment, final long line, final long ctrl,
                        final long key, final long value) {
        final long free = Chains.findFree(table, segment, line, ctrl);
        final boolean loaded;   // only an insert into slot 2 or an overflow line can mean a loaded table
        if (free != Chains.NOT_FOUND && Chains.isHome(free)) {
            final int s = Chains.slot(free);
            BucketDescriptor.setKeyOpaque(segment, line, s, key);
            BucketDescriptor.setValueOpaque(segment, line, s, value);
            // Release: key and value are visible before the occupancy bit that makes them live.
            unlock(segment, line, CtrlWord.nextUnlocked(CtrlWord.withOccupancy(ctrl, CtrlWord.occupancy(ctrl) | 1 << s)));
            loaded = s == BucketDescriptor.SLOTS - 1;
        } else if (free != Chains.NOT_FOUND) {
            final MemorySegment lineSegment = table.overflowSegment(Chains.lineIndex(free));
            final long lineOffset = Table.overflowLine(Chains.lineIndex(free));
            final int s = Chains.slot(free);
            BucketDescriptor.setKeyOpaque(lineSegment, lineOffset, s, key);
            BucketDescriptor.setValueOpaque(lineSegment, lineOffset, s, value);
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset,
                    OverflowLineDescriptor.occOpaque(lineSegment, lineOffset) | 1L << s);
            unlock(segment, line, CtrlWord.nextUnlocked(ctrl));
            loaded = true;
        } else {
            final long meta = BucketDescriptor.metaOpaque(segment, line);
            final long index;
            try {
                if (MetaWord.count(meta) == MetaWord.MAX_COUNT) {
                    throw new IllegalStateException("bucket chain full (" + MetaWord.MAX_COUNT + " overflow lines):"
                            + " keys collide far beyond chance; use a random seed for untrusted keys");
                }
                index = table.allocateLine();
            } catch (final RuntimeException | Error e) {
                unlockUnchanged(segment, line, ctrl);
                throw e;
            }
            final MemorySegment lineSegment = table.overflowSegment(index);
            final long lineOffset = Table.overflowLine(index);
            BucketDescriptor.setKeyOpaque(lineSegment, lineOffset, 0, key);
            BucketDescriptor.setValueOpaque(lineSegment, lineOffset, 0, value);
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset, 1L);
            OverflowLineDescriptor.setNextOpaque(lineSegment, lineOffset, MetaWord.withLink(0L, MetaWord.link(meta)));
            // The new line is complete before meta links it at the head of the chain.
            BucketDescriptor.setMetaOpaque(segment, line,
                    MetaWord.withCount(MetaWord.withLink(meta, index), MetaWord.count(meta) + 1));
            unlock(segment, line, CtrlWord.nextUnlocked(ctrl));
            loaded = true;
        }
        size.increment();
        if (loaded) {
            maybeMigrate(table, free == Chains.NOT_FOUND);
        }
    }

    /** Removes the entry at {@code loc} under the lock, then unlocks. */
    private void removeAt(final Table table, final MemorySegment segment, final long line, final long ctrl, final long loc) {
        long next = CtrlWord.nextUnlocked(ctrl);
        if (Chains.isHome(loc)) {
            next = CtrlWord.withOccupancy(next, CtrlWord.occupancy(ctrl) & ~(1 << Chains.slot(loc)));
        } else {
            final long index = Chains.lineIndex(loc);
            final MemorySegment lineSegment = table.overflowSegment(index);
            final long lineOffset = Table.overflowLine(index);
            final long occupancy = OverflowLineDescriptor.occOpaque(lineSegment, lineOffset) & ~(1L << Chains.slot(loc));
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset, occupancy);
            if (occupancy == 0) {
                Chains.unlinkAndFree(table, segment, line, index);
            }
        }
        unlock(segment, line, next);
        size.decrement();
        if (CtrlWord.occupancy(next) == 0 && table.log2 > minLog2) {
            maybeMigrate(table, false);
        }
    }

    // ============================================================================= migrations

    /** Adds to the size counter (a clear's evacuation drops entries). */
    void sizeAdd(final long delta) {
        size.add(delta);
    }

    /**
     * Starts a migration if {@code table} is current, none is running and one is due.
     *
     * @param newLine whether the caller just took an overflow line (compaction check)
     */
    private void maybeMigrate(final Table table, final boolean newLine) {
        final Generation g = generation;
        if (g.table() != table || g.migration() != null || closed) {
            return;
        }
        final long n = table.bucketCount;
        final long entries = size.sum();
        try {
            if (entries * 2 > n * GROW_LOAD_X2 && table.log2 < MAX_LOG2) {
                startMigration(g, Migration.GROW, table.log2 + 1, table.seed);
            } else if (table.log2 > minLog2 && entries * 2 * 4 < n * GROW_LOAD_X2) {
                // Below a quarter of the growth load: halving leaves half of it, so neither a growth
                // nor another halving is due right after (hysteresis of 2 on both sides).
                startMigration(g, Migration.SHRINK, table.log2 - 1, table.seed);
            } else if (newLine) {
                final long lines = table.overflowInUse.sum();
                if (lines > 16 && lines > n / 2 && lines > 2 * compactedLines) {
                    startMigration(g, Migration.COMPACT, table.log2, table.seed);
                }
            }
        } catch (final OutOfMemoryError e) {
            // The new table does not fit the memory limit: stay on this one (longer chains). The
            // caller's own operation has succeeded; a later write asks again.
        }
    }

    /**
     * Publishes a new Generation with a migration from {@code g}'s table. O(1) unless
     * {@code kind} is CLEAR (whose small target is allocated here, before anything changes).
     *
     * @return the migration, or {@code null} if {@code g} was no longer current
     */
    private Migration startMigration(final Generation g, final int kind, final int log2, final long seed) {
        final Table to = new Table(log2, seed, budget, kind == Migration.CLEAR);
        if (kind == Migration.CLEAR) {
            try {
                to.allocateAllChunks();
            } catch (final RuntimeException | Error e) {
                to.retire();
                throw e;
            }
        }
        final Migration m = new Migration(this, g.table(), to, kind);
        // Volatile CAS from a migration-free descriptor: at most one migration at a time.
        if (!VH_GENERATION.compareAndSet(this, g, new Generation(to, m))) {
            to.retire();
            return null;
        }
        if (closed) {
            // close() may have read the old Generation: make sure nothing we published leaks.
            to.retire();
            g.table().retire();
            return m;
        }
        notifyListener(m, false);
        if (backgroundMigration && kind != Migration.CLEAR && m.units <= INLINE_UNITS) {
            m.runHelper();   // swallows a memory failure: the caller's own operation already succeeded
        } else if (backgroundMigration && kind != Migration.CLEAR) {
            try {
                Thread.ofPlatform().daemon().name("linemap-migrator").start(m::runHelper);
            } catch (final OutOfMemoryError | RuntimeException e) {
                // No thread to be had: writers alone still move the migration forward.
            }
        }
        return m;
    }

    /** Called once, by the thread that moved the watermark past the last unit. */
    void completeMigration(final Migration m) {
        // Publish, then retire: a thread that reads the new Generation never reaches m.from. Until
        // the retirement is done, stats() still reports the map as growing, so "not growing" means
        // the old table's memory is back.
        retirementsInFlight.incrementAndGet();
        final Generation done = new Generation(m.to, null);
        VH_GENERATION.setVolatile(this, done);
        completedMigrations.incrementAndGet();
        if (m.kind == Migration.COMPACT) {
            compactedLines = m.to.overflowInUse.sum();
        }
        // From here no reader or writer can reach m.from through a fresh Generation; a thread still
        // inside it fails with IllegalStateException and starts over.
        m.from.retire();
        retirementsInFlight.decrementAndGet();
        notifyListener(m, true);
        if (closed) {
            m.to.retire();
            return;
        }
        if (m.kind != Migration.CLEAR) {
            maybeMigrate(m.to, false);   // the load may call for the next one already
        }
    }

    private void notifyListener(final Migration m, final boolean completed) {
        if (listener == null) {
            return;
        }
        final MigrationKind kind = MigrationKind.values()[m.kind];
        try {
            if (completed) {
                listener.migrationCompleted(kind, m.from.bucketCount, m.to.bucketCount, System.nanoTime() - m.startNanos);
            } else {
                listener.migrationStarted(kind, m.from.bucketCount, m.to.bucketCount);
            }
        } catch (final RuntimeException e) {
            // Ignored by contract: the operation that triggered the call has already succeeded.
        }
    }

    // ============================================================================ whole map

    /**
     * @return the number of entries; exact when no write is in flight
     */
    public long size() {
        checkOpen();
        return Math.max(0L, size.sum());
    }

    /**
     * @return whether {@link #size()} is 0
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * @return the value {@link #get} and the other primitive methods return for "no mapping"
     */
    public long missingValue() {
        checkOpen();
        return missingValue;
    }

    /**
     * Removes every entry: installs a fresh, small table (with a new random seed unless the seed
     * was fixed) and drops the old one bucket by bucket. Concurrent writes are not lost if they
     * land after the clear reaches their bucket. O(buckets) in the calling thread.
     */
    public void clear() {
        final boolean interrupted = RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = generation;
            try {
                if (g.migration() != null) {
                    g.migration().finish();   // one migration at a time: finish the running one
                    continue;
                }
                final long seed = fixedSeed ? g.table().seed : Hashing.randomSeed();
                final Migration m = startMigration(g, Migration.CLEAR, minLog2, seed);
                if (m != null) {
                    m.finish();
                    return;
                }
            } catch (final IllegalStateException e) {
                throwIfClosed(e);
                RetiredTableRace.recover(interrupted);
            }
        }
    }

    /**
     * Calls {@code action} for every entry, weakly consistently (see the class comment). Allocates
     * nothing after the first call on a thread. The action runs outside any lock and may use this
     * map.
     *
     * @param action called with each key and value
     */
    public void forEach(final LongLongConsumer action) {
        if (action == null) {
            throw new NullPointerException("action");
        }
        checkOpen();
        final IterationCursor cursor = IterationCursor.borrow(this);
        try {
            while (cursor.advance()) {
                action.accept(cursor.key, cursor.value);
            }
        } finally {
            cursor.giveBack();
        }
    }

    /** The current descriptor, for iteration and tools. */
    Generation generation() {
        return generation;
    }

    /**
     * @return a snapshot of shape and memory (see {@link MapStats})
     */
    public MapStats stats() {
        checkOpen();
        final Generation g = generation;
        final Migration m = g.migration();
        long lines = g.table().overflowInUse.sum();
        if (m != null) {
            lines += m.from.overflowInUse.sum();
        }
        return new MapStats(
                Math.max(0L, size.sum()),
                g.table().bucketCount,
                lines,
                budget.used(),
                m != null || retirementsInFlight.get() > 0,
                m == null ? 0 : m.evacuatedBuckets.get(),
                m == null ? 0 : m.from.bucketCount,
                completedMigrations.get());
    }

    /**
     * A boxed {@link ConcurrentMap} view backed by this map: the full contract, including views,
     * iterators with {@code remove}, {@code equals} and {@code hashCode}. Null keys and values are
     * rejected. Allocates per call (boxes); use the primitive methods on hot paths.
     *
     * @return the view
     */
    public ConcurrentMap<Long, Long> asConcurrentMap() {
        checkOpen();
        return new ConcurrentMapView(this);
    }

    /**
     * Frees all native memory. Idempotent. Afterwards every method throws
     * {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!VH_CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        // closed is set before the Generation is read; startMigration publishes before it reads
        // closed: one of the two sees the other, so no table escapes retirement.
        final Generation g = generation;
        g.table().retire();
        if (g.migration() != null) {
            g.migration().from.retire();
        }
    }

    /**
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return closed;
    }

    void checkOpen() {
        if (closed) {
            throw closedException(null);
        }
    }

    private void throwIfClosed(final IllegalStateException e) {
        if (closed) {
            throw closedException(e);
        }
    }

    private static IllegalStateException closedException(final Throwable cause) {
        return new IllegalStateException("LongLongMap is closed; its native memory has been freed", cause);
    }

    @Override
    public String toString() {
        if (closed) {
            return "LongLongMap[closed]";
        }
        final MapStats s = stats();
        return "LongLongMap[size=" + s.size() + ", buckets=" + s.bucketCount() + ", offHeapBytes="
                + s.offHeapBytes() + (s.growing() ? ", migrating" : "") + "]";
    }
}
