package dev.linemap.engine;

import dev.linemap.ValueReader;
import dev.linemap.ValueUpdater;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.DenseLineDescriptor;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;

/**
 * The variable-length operations on the engine: keys and values as bytes in per-table entry
 * memory ({@link EntryFormat}, {@link EntryHeap}), every operation one bucket protocol section
 * ({@link Seqlock}) routed through the migration exactly as {@link LongLongStore} routes its own.
 * Static methods over the map's {@link Engine}; the public map ({@code LineMap}) is a thin API
 * over this class.
 *
 * <h2>Reads</h2>
 * Inside the read section of the key's bucket: compare tags (the low 32 bits of the hash), then key bytes; load the
 * entry reference; check it and the lengths read from the record against the table's chunk
 * directory ({@link EntryFormat#valueStart}); copy the value (into the caller's segment, a heap
 * array, or hand a view to a {@link ValueReader}); then validate. A check that fails means a torn
 * read (a racing writer changed or freed the record): the section is retried, and no byte outside
 * a chunk is ever touched. Decoding happens in the caller, after validation, on the copy.
 *
 * <p>Why a freed and reused block is harmless to a stale reader: every free is made by the holder
 * of the lock of the bucket that referenced the block, while that bucket is still locked (the
 * lock changed its ctrl word), so a reader that loaded the reference before the free fails its
 * re-check of that bucket whatever the block holds by then.
 *
 * <h2>Writes</h2>
 * Under the bucket lock ({@link Seqlock#lock}, after {@link Migration#prepareWrite}): a new record
 * is allocated in the locked bucket's table and filled with plain stores before the slot store
 * that references it, and the unlock's release store publishes both; a replaced or removed record
 * is freed before the unlock (see above). A new value of the same size class, from a heap segment,
 * overwrites the old one in place, under the lock (readers of the bucket fail their re-check); a
 * native one goes to a new block, because its copy may fail half way (a closed arena) and the old
 * value must survive that. Every user function
 * (remapping, in-place update) runs under the lock before anything is stored: if it throws, the
 * bucket is released unchanged.
 *
 * <p>Threading: every method may be called by any thread, concurrently.
 */
public final class EntryStore {

    private EntryStore() {
    }

    /** Read mode: the value length, or -1 if absent. */
    public static final int MODE_LENGTH = 0;
    /** Read mode: copy the value into {@code target} if it fits; its length, or -1. */
    public static final int MODE_COPY = 1;
    /** Read mode: copy the value into a new array in {@code heapOut[0]}; its length, or -1. */
    public static final int MODE_HEAP = 2;
    /** Read mode: the {@link ValueReader}'s result on a view of the value, or {@code absent}. */
    public static final int MODE_READER = 3;

    /** Store; result 1 if the key was present. */
    public static final int PUT = 0;
    /** Store if absent; result 1 if the key was present (nothing changed). */
    public static final int PUT_IF_ABSENT = 1;
    /** Remove; result 1 if the key was present. */
    public static final int REMOVE = 2;
    /** Remove if the value's bytes equal {@code expected}; result 1 if removed. */
    public static final int REMOVE_IF = 3;
    /** Replace if present; result 1 if the key was present. */
    public static final int REPLACE = 4;
    /** Replace if the value's bytes equal {@code expected}; result 1 if replaced. */
    public static final int REPLACE_IF = 5;
    /** Remap through an {@link EntryRemapperBytes}; result 1 if mapped afterwards. */
    public static final int COMPUTE = 6;
    /** Update the stored value in place through a {@link ValueUpdater}; result 1 if present. */
    public static final int UPDATE = 7;

    /**
     * The header's tie field, written 0 and never read: keys of equal hash are ordered by their
     * bytes for iteration ({@link EntryFormat#compareKeys}), not by a word chosen at insert.
     */
    private static final long UNUSED_TIE = 0;

    // ================================================================================ reading

    /**
     * Reads the value of a key.
     *
     * @param engine the map, built with {@link EntryFormat#FORMAT}
     * @param key holds the key bytes
     * @param keyOffset offset of the key bytes
     * @param keyLength key length
     * @param mode one of the {@code MODE_} constants
     * @param target {@link #MODE_COPY}: where the value goes
     * @param targetOffset {@link #MODE_COPY}: offset in {@code target} (the value is copied only if
     *        it fits between there and the end)
     * @param reader {@link #MODE_READER}: what reads the value
     * @param absent {@link #MODE_READER}: the result for an absent key
     * @param heapOut {@link #MODE_HEAP}: receives the value's bytes ({@code null} if absent; a
     *        retried attempt may have stored a torn copy before, which the last attempt replaces)
     * @return see the modes
     */
    public static long read(final Engine engine, final MemorySegment key, final long keyOffset, final long keyLength,
                            final int mode, final MemorySegment target, final long targetOffset,
                            final ValueReader reader, final long absent,
                            final byte[][] heapOut) {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        long hashSeed = 0;
        long hash = 0;
        boolean hashed = false;
        for (;;) {
            final Generation g = engine.generation();
            final Migration m = g.migration();
            try {
                Table table = g.table();
                if (m != null) {
                    if (!hashed || hashSeed != m.from.seed) {
                        hash = EntryFormat.hash(key, keyOffset, keyLength, m.from.seed);
                        hashSeed = m.from.seed;
                        hashed = true;
                    }
                    table = m.answering(m.from.bucket(hash));
                }
                for (;;) {
                    if (!hashed || hashSeed != table.seed) {
                        hash = EntryFormat.hash(key, keyOffset, keyLength, table.seed);
                        hashSeed = table.seed;
                        hashed = true;
                    }
                    final long bucket = table.bucket(hash);
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
                    // Read after the section opened: covers every reference the section can validate.
                    final EntryHeap.Directory d = table.entries.directory();
                    final long loc = EntryFormat.find(table, d, segment, line, c1, hash, key, keyOffset, keyLength);
                    long result = -1;
                    boolean torn = false;
                    RuntimeException readerFailure = null;
                    if (loc != SlotLocation.NOT_FOUND) {
                        final long ref = Chains.valueAt(EntryFormat.FORMAT, table, segment, line, loc);
                        // The header once: the length copied below is the length checked here.
                        final boolean held = d.holds(ref);
                        final long header = held ? EntryDescriptor.headerPlain(d.segment(ref), d.entry(ref)) : 0;
                        final long start = held ? EntryFormat.valueStart(d, ref, header) : -1;
                        if (start < 0) {
                            torn = true;
                        } else {
                            final MemorySegment entrySegment = d.segment(ref);
                            final int length = EntryDescriptor.valueLength(header);
                            result = length;
                            switch (mode) {
                                case MODE_COPY -> {
                                    if (target.byteSize() - targetOffset >= length) {
                                        MemorySegment.copy(entrySegment, start, target, targetOffset, length);
                                    }
                                }
                                case MODE_HEAP -> {
                                    final byte[] bytes = new byte[length];
                                    MemorySegment.copy(entrySegment, ValueLayout.JAVA_BYTE, start, bytes, 0, length);
                                    heapOut[0] = bytes;
                                }
                                case MODE_READER -> {
                                    try {
                                        result = reader.read(entrySegment.asSlice(start, length));
                                    } catch (final RuntimeException e) {
                                        readerFailure = e;   // maybe bytes torn under it: decided below
                                    }
                                }
                                default -> {
                                }
                            }
                        }
                    }
                    if (!Seqlock.validate(segment, line, c1) || torn) {
                        continue;           // a writer got in: read again
                    }
                    if (AccessMode.FAST && table.isRetired()) {
                        engine.checkOpen();
                        break;              // we may have read its zero pages: start over
                    }
                    if (readerFailure != null) {
                        throw readerFailure;   // it failed on consistent bytes: the caller's own exception
                    }
                    if (loc == SlotLocation.NOT_FOUND) {
                        if (heapOut != null) {
                            heapOut[0] = null;   // a failed attempt may have left a torn copy there
                        }
                        return mode == MODE_READER ? absent : -1;
                    }
                    return result;
                }
            } catch (final IllegalStateException e) {
                callerSegmentGone(e, key, target);
                engine.afterRetiredTable(e, interrupted);   // the table we read was retired: start over
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    // ================================================================================ writing

    /**
     * Written only if a touched word is all ones, which no meta word is (its top 16 bits are
     * reserved, 0): the branch on it is what keeps the JIT from dropping {@link #touchHome}'s load
     * as unused, and a field nobody reads is the cheapest thing it can guard.
     */
    @SuppressWarnings("unused")
    private static long touchedSink;

    /**
     * Starts the cache miss of a key's home line, so that it overlaps whatever the caller does
     * next; a hint, which changes nothing. The object API's writes call it between encoding the
     * key and encoding the value: a put of a cold key and a cold value then waits for the bucket
     * and for the value's bytes at the same time instead of one after the other
     * ({@code docs/benchmarks-linemap.md}, run 7: a put of a cold {@code String} at 1M entries went
     * from 1.51 to 1.70 ops/us). Loading the record as well was tried there, and was slower.
     *
     * <p>Memory ordering: none needed. One plain load of the line's meta word, outside any read
     * section and racing with the bucket's writers, so it may see a stale or a torn word: nothing
     * depends on it (nothing is locked, the word only feeds the branch on {@link #touchedSink}),
     * and the write that follows starts from its own acquire of the bucket. The write hashes the
     * key again (about 1 % of a put that misses the cache) rather than trust a hash computed under
     * a generation that may have changed. Not during a migration (the write may go to either
     * table, and a new table's untouched page would take a fault for the hint). A table retired
     * meanwhile reads as zero pages in fast mode (its mapping lives while {@code g} is reachable)
     * and throws in checked mode, which is ignored here: the write after it meets the same
     * retirement and copes.
     *
     * @param engine the map
     * @param key holds the key bytes
     * @param keyOffset offset of the key bytes
     * @param keyLength key length
     */
    public static void touchHome(final Engine engine, final MemorySegment key, final long keyOffset,
                                 final long keyLength) {
        final Generation g = engine.generation();
        if (g.migration() != null) {
            return;
        }
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        try {
            final Table table = g.table();
            final long bucket = table.bucket(EntryFormat.hash(key, keyOffset, keyLength, table.seed));
            if (BucketDescriptor.metaPlain(table.bucketSegment(bucket), table.bucketLine(bucket)) == -1L) {
                touchedSink = bucket;
            }
        } catch (final IllegalStateException e) {
            RetiredTableRace.recover(interrupted);   // retired or closed: the write reports it
        } finally {
            Reference.reachabilityFence(g);
        }
    }

    /**
     * One write operation, atomic under the key's home bucket lock. The caller has checked the
     * lengths against the map's maximums.
     *
     * @param engine the map
     * @param op one of the operation codes
     * @param key holds the key bytes
     * @param keyOffset offset of the key bytes
     * @param keyLength key length
     * @param value holds the new value's bytes, for the storing operations
     * @param valueOffset offset of the new value's bytes in {@code value}
     * @param valueLength the new value's length
     * @param expected the expected value's bytes (its first {@code length()}), for the conditional ones
     * @param remapper for {@link #COMPUTE}
     * @param updater for {@link #UPDATE}
     * @param oldOut {@code null}, or receives a copy of the previous value's bytes, or that the
     *        key was absent (the operations that return the previous value)
     * @return see the operation codes
     */
    public static int update(final Engine engine, final int op, final MemorySegment key, final long keyOffset,
                             final long keyLength, final MemorySegment value, final long valueOffset,
                             final long valueLength, final HeapBytes expected,
                             final EntryRemapperBytes remapper, final ValueUpdater updater, final HeapBytes oldOut) {
        final WriteGate gate = engine.writeGate;   // a map file: not while a sync copies it
        final int stripe = WriteGate.enter(gate);
        try {
            return write(engine, op, key, keyOffset, keyLength, value, valueOffset, valueLength, expected, remapper,
                    updater, oldOut);
        } finally {
            WriteGate.exit(gate, stripe);
        }
    }

    private static int write(final Engine engine, final int op, final MemorySegment key, final long keyOffset,
                             final long keyLength, final MemorySegment value, final long valueOffset,
                             final long valueLength, final HeapBytes expected,
                             final EntryRemapperBytes remapper, final ValueUpdater updater, final HeapBytes oldOut) {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        long hashSeed = 0;
        long hash = 0;
        boolean hashed = false;
        for (;;) {
            final Generation g = engine.generation();
            final MemorySegment segment;
            final long line;
            final long ctrl;
            final Table table;
            try {
                final Migration m = g.migration();
                if (m == null) {
                    table = g.table();
                } else {
                    if (!hashed || hashSeed != m.from.seed) {
                        hash = EntryFormat.hash(key, keyOffset, keyLength, m.from.seed);
                        hashSeed = m.from.seed;
                        hashed = true;
                    }
                    table = m.prepareWrite(m.from.bucket(hash));
                }
                if (!hashed || hashSeed != table.seed) {
                    hash = EntryFormat.hash(key, keyOffset, keyLength, table.seed);
                    hashSeed = table.seed;
                    hashed = true;
                }
                final long bucket = table.bucket(hash);
                segment = table.bucketSegment(bucket);
                line = table.bucketLine(bucket);
                ctrl = Seqlock.lock(segment, line);
            } catch (final IllegalStateException e) {
                callerSegmentGone(e, key, value);
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
            // Locked: only close() can retire the table until the unlock (see LongLongStore.update).
            try {
                return apply(engine, op, table, segment, line, ctrl, hash, key, keyOffset, keyLength, value,
                        valueOffset, valueLength, expected, remapper, updater, oldOut);
            } catch (final RuntimeException e) {
                throw SlotWrites.lockedSectionFailed(engine, table, e);
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    private static int apply(final Engine engine, final int op, final Table table, final MemorySegment bucketSegment,
                             final long line, final long ctrl, final long hash, final MemorySegment key,
                             final long keyOffset, final long keyLength, final MemorySegment value,
                             final long valueOffset, final long valueLength,
                             final HeapBytes expected, final EntryRemapperBytes remapper,
                             final ValueUpdater updater, final HeapBytes oldOut) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final EntryHeap heap = table.entries;
        final EntryHeap.Directory d = heap.directory();
        final long loc;
        final boolean present;
        long ref = 0;
        MemorySegment entrySegment = null;
        long entry = 0;
        int oldLength = 0;
        long oldStart = 0;
        final boolean store;             // the key ends up mapped to newValue
        MemorySegment newValue = null;   // null with store: keep the stored bytes
        long newOffset = valueOffset;
        long newLength = valueLength;
        final int result;
        boolean released = false;   // an UPDATE that threw released the lock itself
        // Decide. Nothing is stored in this block, so on any exception (a user function threw,
        // a remapped value too long) the bucket is released exactly as it was found.
        try {
            loc = EntryFormat.find(table, d, segment, line, ctrl, hash, key, keyOffset, keyLength);
            present = loc != SlotLocation.NOT_FOUND;
            if (present) {
                ref = Chains.valueAt(EntryFormat.FORMAT, table, segment, line, loc);
                entrySegment = d.segment(ref);
                entry = d.entry(ref);
                oldLength = EntryDescriptor.valueLengthPlain(entrySegment, entry);
                oldStart = EntryDescriptor.valueOffset(entry, keyLength);
                if (oldOut != null) {
                    oldOut.copyFrom(entrySegment, oldStart, oldLength);
                }
            } else if (oldOut != null) {
                oldOut.absent();
            }
            switch (op) {
                case PUT -> {
                    store = true;
                    newValue = value;
                    result = present ? 1 : 0;
                }
                case PUT_IF_ABSENT -> {
                    store = true;
                    newValue = present ? null : value;
                    result = present ? 1 : 0;
                }
                case REMOVE -> {
                    store = false;
                    result = present ? 1 : 0;
                }
                case REMOVE_IF -> {
                    final boolean hit = present && sameBytes(entrySegment, oldStart, oldLength, expected);
                    store = present && !hit;
                    result = hit ? 1 : 0;
                }
                case REPLACE -> {
                    store = present;
                    newValue = present ? value : null;
                    result = present ? 1 : 0;
                }
                case REPLACE_IF -> {
                    final boolean hit = present && sameBytes(entrySegment, oldStart, oldLength, expected);
                    store = present;
                    newValue = hit ? value : null;
                    result = hit ? 1 : 0;
                }
                case COMPUTE -> {
                    final MemorySegment remapped = remapper.remap(present, entrySegment, oldStart, oldLength);
                    if (remapped == EntryRemapperBytes.KEEP) {
                        store = present;
                    } else {
                        store = remapped != null;
                        newValue = remapped;
                        newOffset = 0;
                        newLength = remapped == null ? 0 : remapped.byteSize();
                    }
                    result = store ? 1 : 0;
                }
                case UPDATE -> {
                    if (present && engine.persistent()) {
                        // A map file is never changed in place: a process that dies half-way through
                        // the user's update would leave a torn value. The update runs on a copy,
                        // which then replaces the record (the replace path below); if it throws,
                        // nothing was stored.
                        final byte[] copy = new byte[oldLength];
                        MemorySegment.copy(entrySegment, ValueLayout.JAVA_BYTE, oldStart, copy, 0, oldLength);
                        newValue = MemorySegment.ofArray(copy);
                        newOffset = 0;
                        newLength = oldLength;
                        updater.update(newValue);
                    } else if (present) {
                        // In place, under the lock: readers of this bucket fail their re-check.
                        try {
                            updater.update(entrySegment.asSlice(oldStart, oldLength));
                        } catch (final RuntimeException | Error e) {
                            // It may have written some bytes: a new version, so that no reader that
                            // started before validates what it read.
                            SlotWrites.unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
                            released = true;
                            throw e;
                        }
                    }
                    store = present;
                    result = present ? 1 : 0;
                }
                default -> throw new AssertionError("op " + op);
            }
        } catch (final RuntimeException | Error e) {
            if (!released) {
                SlotWrites.unlock(engine, segment, line, ctrl);
            }
            throw e;
        }
        // Act. Each branch releases the lock exactly once.
        if (present && store) {
            if (op == UPDATE && !engine.persistent()) {
                SlotWrites.unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
            } else if (newValue == null) {
                SlotWrites.unlock(engine, segment, line, ctrl);   // nothing changed: readers still validate
            } else {
                replace(engine, table, segment, line, ctrl, loc, ref, entrySegment, entry, keyLength, oldLength,
                        newValue, newOffset, newLength);
            }
        } else if (present) {
            // Freed while the bucket is locked (see the class comment), after the slot is dropped
            // (a map file: see SlotWrites.removeAt).
            SlotWrites.removeAt(engine, table, segment, line, ctrl, loc, heap,
                    ref, EntryDescriptor.recordBytes(keyLength, oldLength));
        } else if (store) {
            insert(engine, table, segment, line, ctrl, hash, key, keyOffset, keyLength, newValue, newOffset, newLength);
        } else {
            SlotWrites.unlock(engine, segment, line, ctrl);
        }
        return result;
    }

    private static boolean sameBytes(final MemorySegment segment, final long start, final int length,
                                     final HeapBytes expected) {
        return expected.length() == length
                && MemorySegment.mismatch(segment, start, start + length, expected.segment(length), 0, length) < 0;
    }

    /** Replaces a present key's value under the lock, then unlocks. */
    private static void replace(final Engine engine, final Table table, final MemorySegment bucketSegment,
                                final long line,
                                final long ctrl, final long loc, final long ref, final MemorySegment entrySegment,
                                final long entry, final long keyLength, final int oldLength,
                                final MemorySegment newValue, final long newOffset, final long newLength) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final EntryHeap heap = table.entries;
        final long oldBytes = EntryDescriptor.recordBytes(keyLength, oldLength);
        final long newBytes = EntryDescriptor.recordBytes(keyLength, newLength);
        if (EntryHeap.classOf(oldBytes) == EntryHeap.classOf(newBytes) && !newValue.isNative()
                && !engine.persistent()) {
            // Same block size: overwrite in place. Readers of this bucket see the lock (or, having
            // started before it, fail the re-check); the lengths they may read torn are bounded by
            // the chunk, never by the record. Only from a heap segment, whose copy cannot fail half
            // way (a native one's arena may be closed under us: the old value must survive that).
            MemorySegment.copy(newValue, newOffset, entrySegment, EntryDescriptor.valueOffset(entry, keyLength),
                    newLength);
            EntryDescriptor.setValueLengthPlain(entrySegment, entry, (int) newLength);
            SlotWrites.unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
            return;
        }
        final long fresh;
        try {
            fresh = heap.allocate(newBytes);
        } catch (final RuntimeException | Error e) {
            SlotWrites.unlock(engine, segment, line, ctrl);   // nothing changed
            throw e;
        }
        final EntryHeap.Directory d = heap.directory();
        final MemorySegment freshSegment = d.segment(fresh);
        final long freshEntry = d.entry(fresh);
        // The record is complete (plain stores) before the slot store that references it; the
        // unlock's release publishes both.
        try {
            EntryDescriptor.setHeaderPlain(freshSegment, freshEntry, UNUSED_TIE, (int) keyLength, (int) newLength);
            MemorySegment.copy(entrySegment, EntryDescriptor.keyOffset(entry), freshSegment,
                    EntryDescriptor.keyOffset(freshEntry), keyLength);
            MemorySegment.copy(newValue, newOffset, freshSegment, EntryDescriptor.valueOffset(freshEntry, keyLength),
                    newLength);
        } catch (final RuntimeException | Error e) {
            unpublished(engine, heap, fresh, newBytes, segment, line, ctrl);   // the caller's value segment failed
            throw e;
        }
        // Store-store: the record is in memory before the reference to it (a map file: a process
        // that dies after the slot store leaves a whole record behind it).
        VarHandle.storeStoreFence();
        DenseLineDescriptor.setRefOpaque(Chains.segmentOf(table, segment, loc), Chains.lineOf(table, line, loc),
                SlotLocation.slot(loc), fresh);
        heap.free(ref, oldBytes);   // unlinked, and the bucket still locked: see the class comment
        SlotWrites.unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
    }

    /** Undoes a write whose new record was never referenced: frees the block, unlocks unchanged. */
    private static void unpublished(final Engine engine, final EntryHeap heap, final long fresh, final long bytes,
                                    final MemorySegment segment, final long line, final long ctrl) {
        heap.free(fresh, bytes);
        SlotWrites.unlock(engine, segment, line, ctrl);
    }

    /** Inserts an absent key under the lock, then unlocks (through {@link SlotWrites#insert}). */
    private static void insert(final Engine engine, final Table table, final MemorySegment bucketSegment,
                               final long line,
                               final long ctrl, final long hash, final MemorySegment key, final long keyOffset,
                               final long keyLength, final MemorySegment value, final long valueOffset,
                               final long valueLength) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final EntryHeap heap = table.entries;
        final long fresh;
        try {
            fresh = heap.allocate(EntryDescriptor.recordBytes(keyLength, valueLength));
        } catch (final RuntimeException | Error e) {
            SlotWrites.unlock(engine, segment, line, ctrl);   // nothing changed
            throw e;
        }
        final EntryHeap.Directory d = heap.directory();
        final MemorySegment freshSegment = d.segment(fresh);
        final long freshEntry = d.entry(fresh);
        try {
            EntryDescriptor.setHeaderPlain(freshSegment, freshEntry, UNUSED_TIE, (int) keyLength, (int) valueLength);
            MemorySegment.copy(key, keyOffset, freshSegment, EntryDescriptor.keyOffset(freshEntry), keyLength);
            MemorySegment.copy(value, valueOffset, freshSegment, EntryDescriptor.valueOffset(freshEntry, keyLength),
                    valueLength);
        } catch (final RuntimeException | Error e) {
            // The caller's key or value segment failed (its arena closed under us): nothing changed.
            unpublished(engine, heap, fresh, EntryDescriptor.recordBytes(keyLength, valueLength), segment, line, ctrl);
            throw e;
        }
        try {
            // Store-store: the record is in memory before the slot that references it (a map file).
            VarHandle.storeStoreFence();
            SlotWrites.insert(EntryFormat.FORMAT, engine, table, segment, line, ctrl, EntryFormat.tag(hash), fresh);
        } catch (final RuntimeException | Error e) {
            // Released unchanged (a full chain, no overflow line): the block was never published.
            try {
                heap.free(fresh, EntryDescriptor.recordBytes(keyLength, valueLength));
            } catch (final IllegalStateException retired) {
                // The table went with the close that may have caused the failure; so did the block.
            }
            throw e;
        }
    }

    /**
     * An {@link IllegalStateException} in an engine loop means "a table was retired under us, start
     * over", unless it came from the caller's own segment, whose arena was closed: that one is the
     * caller's error and must reach the caller, or the loop would retry for ever.
     */
    private static void callerSegmentGone(final IllegalStateException e, final MemorySegment first,
                                          final MemorySegment second) {
        if (!first.scope().isAlive() || second != null && !second.scope().isAlive()) {
            throw new IllegalStateException("a segment passed to the map belongs to a closed arena", e);
        }
    }

    // ================================================================================ stats

    /**
     * Returns {@code {live, free}}: bytes of entry blocks in use, and bytes of entry chunks not in
     * use (free lists, chunk tails), over the tables in play.
     *
     * @param engine the map
     * @return the two counts
     */
    public static long[] entryBytes(final Engine engine) {
        final Generation g = engine.generation();
        long live = g.table().entries.liveBytes();
        long chunks = g.table().entries.chunkBytes();
        if (g.migration() != null) {
            live += g.migration().from.entries.liveBytes();
            chunks += g.migration().from.entries.chunkBytes();
        }
        return new long[] {live, Math.max(0, chunks - live)};
    }
}
