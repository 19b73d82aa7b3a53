package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.function.LongBinaryOperator;

/**
 * The {@code long -> long} operations on the engine: the read paths and every write, each one a
 * bucket protocol section ({@link Seqlock}) over the inline format ({@link LongLongFormat}). Static
 * methods over the map's {@link Engine}: the public map ({@code LongLongMap}, which is the engine)
 * is a thin API over this class.
 *
 * <p>Threading: every method may be called by any thread, concurrently. Reads never write shared
 * memory; writes lock only the key's home bucket; every single-key operation is linearizable.
 */
public final class LongLongStore {

    private LongLongStore() {
    }

    /** Read mode: return the value, or the caller's default. */
    public static final int MODE_VALUE = 0;
    /** Read mode: return 1 if present, 0 if not. */
    public static final int MODE_PRESENCE = 1;
    /** Read mode: as presence, and the value into {@code out[0]}. */
    public static final int MODE_ENTRY = 2;

    // Write operations. Each runs under the home bucket's lock, decided in apply().

    /** Store; result: the previous value or the missing value. */
    public static final int PUT = 0;
    /** Store if absent; result: the existing value or the missing value. */
    public static final int PUT_IF_ABSENT = 1;
    /** Remove; result: the removed value or the missing value. */
    public static final int REMOVE = 2;
    /** Remove if mapped to {@code a}; result: 1 if removed. */
    public static final int REMOVE_IF = 3;
    /** Replace {@code a} by {@code b}; result: 1 if replaced. */
    public static final int REPLACE_IF = 4;
    /** Replace if present; result: the previous value or the missing value. */
    public static final int REPLACE = 5;
    /** Store {@code a} if absent, else {@code fn(old, a)}; result: the new value. */
    public static final int MERGE = 6;
    /** Add {@code a} (absent counts as 0); result: the new value. */
    public static final int ADD = 7;
    /** Remap through an {@link EntryRemapper}; result: the new value. */
    public static final int COMPUTE = 8;

    // ================================================================================ reading

    /**
     * Returns the value of {@code key}, or {@code defaultValue} if it is not mapped.
     *
     * @param engine the map, built with {@link LongLongFormat#FORMAT}
     * @param key any key
     * @param defaultValue what to return if the key is not mapped
     * @return its value, or {@code defaultValue}
     */
    public static long getOrDefault(final Engine engine, final long key, final long defaultValue) {
        final Generation g = engine.generation();
        if (g.migration() == null) {
            try {
                return getIn(engine, g.table(), key, defaultValue);
            } finally {
                // Fast mode: the table's mapping stays until g (and so the table) is unreachable.
                Reference.reachabilityFence(g);
            }
        }
        return read(engine, key, defaultValue, MODE_VALUE, null);
    }

    /** Keys whose home lines a batched get touches before it reads any of them. */
    private static final int BATCH = 8;

    /**
     * Batched get: {@code values[i]} becomes {@code getOrDefault(keys[i], defaultValue)}, each a
     * linearizable read of its own. For each group of {@value #BATCH} keys it first touches the
     * group's home lines ({@link #touchHomeLines}), so that the CPU has their cache misses in
     * flight together, and then runs each key's read section on lines that are arriving. A key
     * whose bucket is busy, chained or migrating takes the general path. Allocates nothing:
     * {@code values} holds the touched words until the read sections overwrite them.
     *
     * @param engine the map
     * @param keys the keys
     * @param values receives the values; at least as long as {@code keys}
     * @param defaultValue the value of an absent key
     */
    public static void getAll(final Engine engine, final long[] keys, final long[] values, final long defaultValue) {
        final int n = keys.length;
        for (int base = 0; base < n; base += BATCH) {
            final int end = Math.min(n, base + BATCH);
            final Generation g = engine.generation();
            try {
                if (g.migration() != null) {
                    for (int i = base; i < end; i++) {
                        values[i] = getOrDefault(engine, keys[i], defaultValue);
                    }
                    continue;
                }
                final Table table = g.table();
                touchHomeLines(engine, table, keys, values, base, end);
                for (int i = base; i < end; i++) {
                    values[i] = getIn(engine, table, keys[i], defaultValue);
                }
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    /**
     * The first pass of a {@link #getAll} group: loads of one word of each key's home line, loads
     * that depend on nothing, so that all of the group's misses are in flight together. Nothing
     * read here decides an answer (the read sections that follow read everything again), so the
     * loads are plain and outside any section. Each loaded word is kept in {@code values}, or the
     * JIT would drop the load.
     *
     * <p>Checked mode: a migration may retire {@code table} between the caller's load of its
     * generation and these loads, and the next access then throws. That only ends the touching:
     * the read sections that follow find the newer table, as a single get does. (Until 2026-12-01
     * the exception reached the caller of an open map; {@code GetAllTest} shows it in a few
     * milliseconds of growth and shrink.)
     */
    private static void touchHomeLines(final Engine engine, final Table table, final long[] keys,
                                       final long[] values, final int base, final int end) {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        try {
            final long seed = table.seed;
            for (int i = base; i < end; i++) {
                final long bucket = table.bucket(LongLongFormat.hash(keys[i], seed));
                values[i] = BucketDescriptor.metaPlain(table.bucketSegment(bucket), table.bucketLine(bucket));
            }
        } catch (final IllegalStateException e) {
            engine.afterRetiredTable(e, interrupted);
        }
    }

    /**
     * The fast path: no migration, and the home bucket unlocked and NORMAL, so one read section
     * over the home line (and its overflow chain, if the key is not inline) decides. Everything
     * else (a locked or moved bucket, a failed re-check, a retired table) goes to {@link #read}.
     * The caller keeps {@code table} reachable.
     *
     * <p>The home line's lookup is {@link LongLongFormat#homeSlot} written out, with the value
     * loaded in the branch that found the key: each load then has a constant slot, where a slot
     * number returned and then used costs an index check and its arithmetic. And a key not in the
     * home line leaves through {@link #chainedGet}, which validates on its own, so no path joins
     * the hot one after a call: at such a join C2 kept this method's values on the stack, and the
     * hit path stored and reloaded them on every get. Together about 10 % off a get at 1K in a
     * plain loop, within the noise at 16Mi ({@code docs/notes/fast-path.md}, "The get's home line
     * written out").
     */
    private static long getIn(final Engine engine, final Table table, final long key, final long defaultValue) {
        // Checked mode only: the interrupt status HotSpot may set when a table is retired under us.
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        final long bucket = table.bucket(LongLongFormat.hash(key, table.seed));
        final MemorySegment segment = table.bucketSegment(bucket);
        final long line = table.bucketLine(bucket);
        try {
            final long c1 = Seqlock.tryOptimisticRead(segment, line);
            if (Seqlock.isUnlockedNormal(c1)) {
                // All three key words loaded, live or not, as homeSlot does and for its reason: a
                // load under the occupancy test can look cold to C2 and stay out of line.
                final long k0 = BucketDescriptor.keyPlain(segment, line, 0);
                final long k1 = BucketDescriptor.keyPlain(segment, line, 1);
                final long k2 = BucketDescriptor.keyPlain(segment, line, 2);
                final int occupancy = CtrlWord.occupancy(c1);
                final long result;
                if ((occupancy & 1) != 0 && k0 == key) {
                    result = BucketDescriptor.valuePlain(segment, line, 0);
                } else if ((occupancy & 2) != 0 && k1 == key) {
                    result = BucketDescriptor.valuePlain(segment, line, 1);
                } else if ((occupancy & 4) != 0 && k2 == key) {
                    result = BucketDescriptor.valuePlain(segment, line, 2);
                } else {
                    return chainedGet(engine, table, segment, line, c1, key, defaultValue);
                }
                if (fastSectionHolds(table, segment, line, c1)) {
                    return result;
                }
            }
        } catch (final IllegalStateException e) {
            // The table was retired under us (or the map closed): the general path copes.
            engine.afterRetiredTable(e, interrupted);
        }
        return read(engine, key, defaultValue, MODE_VALUE, null);
    }

    /**
     * The rest of {@link #getIn}'s read section for a key not in the home line: the overflow chain,
     * then the same re-checks, out of line. Compiled on its own, so its accesses go through
     * {@link AccessMode#constant}. A retired table or closed map in checked mode throws to
     * {@code getIn}'s handler.
     */
    private static long chainedGet(final Engine engine, final Table table, final MemorySegment bucketSegment,
                                   final long line, final long c1, final long key, final long defaultValue) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);
        final long result = LongLongFormat.chainValueOrDefault(table, segment, line, key, defaultValue);
        if (fastSectionHolds(table, segment, line, c1)) {
            return result;
        }
        return read(engine, key, defaultValue, MODE_VALUE, null);
    }

    /**
     * The end of a fast-path read section ({@link #getIn}, {@link #chainedGet}): whether what it
     * read holds, that is, the bucket's ctrl word is still {@code stamp} and, in fast mode, the
     * table is not retired. A retired table reads as zero pages, which validate as "absent". Even a
     * non-zero stamp needs the second check: close() retires tables without evacuating them, so a
     * writer that held a bucket across the close unlocks into the zeroed page and leaves a
     * non-zero, unlocked ctrl over zeroed slots there.
     */
    private static boolean fastSectionHolds(final Table table, final MemorySegment segment, final long line,
                                            final long stamp) {
        return Seqlock.validate(segment, line, stamp) && !(AccessMode.FAST && table.isRetired());
    }

    /**
     * The general read: routes the key through a migration, waits out locks, follows EVACUATED
     * buckets to the next table and starts over after a retirement.
     *
     * @param engine the map
     * @param key any key
     * @param absent returned in {@link #MODE_VALUE} for an absent key
     * @param mode {@link #MODE_VALUE}, {@link #MODE_PRESENCE} or {@link #MODE_ENTRY}
     * @param out for {@link #MODE_ENTRY}: the value goes to {@code out[0]}
     * @return see the modes
     */
    public static long read(final Engine engine, final long key, final long absent, final int mode,
                            final long[] out) {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = engine.generation();
            final Migration m = g.migration();
            try {
                Table table = m == null ? g.table() : m.answering(m.from.bucket(LongLongFormat.hash(key, m.from.seed)));
                for (;;) {
                    final long bucket = table.bucket(LongLongFormat.hash(key, table.seed));
                    final MemorySegment segment = table.bucketSegment(bucket);
                    final long line = table.bucketLine(bucket);
                    final long c1 = Seqlock.awaitUnlocked(segment, line);
                    if (Seqlock.isMoved(c1)) {
                        if (m != null && table == m.from) {
                            table = m.to;   // the release of EVACUATED published the new bucket
                            continue;
                        }
                        break;              // a newer migration moved it: start over
                    }
                    final long loc = LongLongFormat.find(table, segment, line, c1, key);
                    final long value = loc == SlotLocation.NOT_FOUND ? 0L
                            : Chains.valueAt(LongLongFormat.FORMAT, table, segment, line, loc);
                    if (!Seqlock.validate(segment, line, c1)) {
                        continue;           // a writer got in: read again
                    }
                    if (AccessMode.FAST && table.isRetired()) {
                        engine.checkOpen();
                        break;              // we may have read its zero pages: start over
                    }
                    if (loc == SlotLocation.NOT_FOUND) {
                        return mode == MODE_VALUE ? absent : 0L;
                    }
                    if (mode == MODE_ENTRY) {
                        out[0] = value;
                    }
                    return mode == MODE_VALUE ? value : 1L;
                }
            } catch (final IllegalStateException e) {
                engine.afterRetiredTable(e, interrupted);   // the table we read was retired: start over
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    // ================================================================================ writing

    /**
     * One write operation, atomic under the key's home bucket lock.
     *
     * @param engine the map
     * @param missingValue what the operations return for "no mapping"
     * @param op one of the operation codes of this class
     * @param key the key
     * @param a first operand (the value, the expected value, the delta)
     * @param b second operand (the new value of {@link #REPLACE_IF})
     * @param fn for {@link #MERGE}
     * @param remapper for {@link #COMPUTE}
     * @param out {@code null}, or: {@code out[0]} = 1 if the key was present, {@code out[1]} = its
     *        old value, and for {@link #COMPUTE} {@code out[2]} = 1 if it is mapped after
     * @return see the operation codes
     */
    public static long update(final Engine engine, final long missingValue, final int op, final long key,
                              final long a, final long b, final LongBinaryOperator fn,
                              final EntryRemapper remapper, final long[] out) {
        final WriteGate gate = engine.writeGate;   // a map file: not while a sync copies it
        final int stripe = WriteGate.enter(gate);
        try {
            return write(engine, missingValue, op, key, a, b, fn, remapper, out);
        } finally {
            WriteGate.exit(gate, stripe);
        }
    }

    private static long write(final Engine engine, final long missingValue, final int op, final long key,
                              final long a, final long b, final LongBinaryOperator fn,
                              final EntryRemapper remapper, final long[] out) {
        final long racyBase = racyBase(engine, op, key);
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = engine.generation();
            final MemorySegment segment;
            final long line;
            final long ctrl;
            final Table table;
            try {
                final Migration m = g.migration();
                table = m == null ? g.table() : m.prepareWrite(m.from.bucket(LongLongFormat.hash(key, m.from.seed)));
                final long bucket = table.bucket(LongLongFormat.hash(key, table.seed));
                segment = table.bucketSegment(bucket);
                line = table.bucketLine(bucket);
                ctrl = Seqlock.lock(segment, line);
            } catch (final IllegalStateException e) {
                engine.afterRetiredTable(e, interrupted);
                continue;   // a table we touched was retired under us: start over
            }
            if (ctrl == Seqlock.MOVED) {
                continue;   // a newer migration owns the bucket: start over from its Generation
            }
            if (AccessMode.FAST && table.isRetired()) {
                SlotWrites.giveBack(engine, segment, line, ctrl);
                continue;
            }
            // Locked. From here no migration can retire the table (a locked NORMAL bucket cannot be
            // evacuated) until the unlock, which absorbs its own after-the-fact exception
            // (Seqlock.unlock); only close() can, see SlotWrites.lockedSectionFailed.
            try {
                if (op == PUT && out == null) {
                    // The common write, kept out of the general apply (too large for HotSpot to
                    // inline): a primitive put on a key in its home line.
                    final int slot = LongLongFormat.homeSlot(segment, line, ctrl, key);
                    if (slot >= 0) {
                        final long old = BucketDescriptor.valuePlain(segment, line, slot);
                        SlotWrites.unlock(engine, segment, line, storeValue(segment, line, slot, old, a, ctrl));
                        return old;
                    }
                }
                return apply(engine, missingValue, op, table, segment, line, ctrl, key, a, b, fn, remapper, out,
                        racyBase);
            } catch (final RuntimeException e) {
                throw SlotWrites.lockedSectionFailed(engine, table, e);
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    private static long apply(final Engine engine, final long missingValue, final int op, final Table table,
                              final MemorySegment bucketSegment, final long line, final long ctrl,
                              final long key, final long a, final long b, final LongBinaryOperator fn,
                              final EntryRemapper remapper, final long[] out, final long racyBase) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final long loc;
        final boolean present;
        final long old;
        final boolean store;     // the key ends up mapped (to newValue)
        final long newValue;
        final long result;
        // Decide. Nothing is stored in this block, so on any exception (a user function threw)
        // the bucket is released exactly as it was found.
        try {
            loc = LongLongFormat.find(table, segment, line, ctrl, key);
            present = loc != SlotLocation.NOT_FOUND;
            old = present ? Chains.valueAt(LongLongFormat.FORMAT, table, segment, line, loc) : 0L;
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
                    newValue = (Seqlock.RACY_ADD ? racyBase : old) + a;
                    result = newValue;
                }
                case MERGE -> {
                    store = true;
                    newValue = present ? fn.applyAsLong(Seqlock.RACY_ADD ? racyBase : old, a) : a;
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
            SlotWrites.unlock(engine, segment, line, ctrl);
            throw e;
        }
        // Act. Each branch releases the lock exactly once.
        if (present && store) {
            SlotWrites.unlock(engine, segment, line, storeValue(Chains.segmentOf(table, segment, loc),
                    Chains.lineOf(table, line, loc), SlotLocation.slot(loc), old, newValue, ctrl));
        } else if (present) {
            SlotWrites.removeAt(engine, table, segment, line, ctrl, loc);
        } else if (store) {
            SlotWrites.insert(LongLongFormat.FORMAT, engine, table, segment, line, ctrl, key, newValue);
        } else {
            SlotWrites.unlock(engine, segment, line, ctrl);
        }
        return result;
    }

    /** Canary (test-only): the new value of an add or merge computed from a read taken outside the lock. */
    private static long racyBase(final Engine engine, final int op, final long key) {
        return Seqlock.RACY_ADD && (op == ADD || op == MERGE) ? getOrDefault(engine, key, 0L) : 0L;
    }

    /**
     * Under the lock: stores {@code value} over a present key's value {@code old} in the slot at
     * {@code (valueSegment, valueLine, slot)} (home or overflow line) and returns the ctrl word the
     * bucket is to be unlocked with: the next version, or {@code ctrl} itself if the value did not
     * change (readers that saw {@code ctrl} still validate).
     *
     * <p>Small on purpose, and in fast mode written against the constant segment
     * ({@link AccessMode#constant}), so that its code compiled on its own is small too (384 bytes,
     * against 792 with the segment as a parameter). C1 does not inline it (its stack use is above
     * {@code C1InlineStackLimit}), so it is hot and compiled on its own, and the call site in
     * {@link #write} looks cold to C2 while the profile still counts the inserts that filled the
     * map; at a cold site C2 refuses a callee whose compiled code is above a quarter of
     * {@code InlineSmallCode} (625 bytes: "already compiled into a medium method"). The home-line
     * put through the earlier {@code putHome} (28 bytecodes, 792 bytes compiled) hit that in one
     * JVM in six to twenty-four, and that JVM's 16Mi put ran at 6.3-7.5 ops/us instead of 9-10.6
     * ({@code docs/notes/fast-path.md}, "A bimodal put"). Checked mode keeps the segment's checks,
     * so its compiled code is larger and the trap can remain there.
     */
    private static long storeValue(final MemorySegment valueSegment, final long valueLine, final int slot,
                                   final long old, final long value, final long ctrl) {
        if (value == old) {
            return ctrl;
        }
        // Opaque: it comes after the lock (whose fence orders the LOCK store first), so a section
        // that reads it fails validation; the unlock's release publishes it with the new stamp.
        BucketDescriptor.setValueOpaque(AccessMode.constant(valueSegment), valueLine, slot, value);
        return CtrlWord.nextUnlocked(ctrl);
    }
}
