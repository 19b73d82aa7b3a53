package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;

import static dev.linemap.layout.BucketDescriptor.SLOTS;
import static dev.linemap.layout.BucketDescriptor.keyPlain;
import static dev.linemap.layout.BucketDescriptor.metaPlain;
import static dev.linemap.layout.BucketDescriptor.valuePlain;

/**
 * The inline {@code long -> long} bucket format: a slot holds the key itself in its key word and
 * the value itself in its value word; a key is found by comparing key words, and its hash is
 * {@link Hashing#hash} of the key word.
 *
 * <p>The hot paths call the static methods ({@link #hash}, {@link #find}) directly, so a lookup
 * never goes through an interface. The engine's shape-blind parts (migration, iteration) reach the
 * hash through {@link #FORMAT}.
 *
 * <p>All loads are plain: see {@link Chains} for the two settings they are used in (inside a
 * read section, where the caller's re-check discards a stale result; under the bucket's lock).
 */
public final class LongLongFormat implements BucketFormat {

    /** The instance the engine's shape-blind parts use. */
    public static final LongLongFormat FORMAT = new LongLongFormat();

    private LongLongFormat() {
    }

    /**
     * Returns its 64-bit hash in that table.
     *
     * @param key a key
     * @param seed a table's seed
     * @return its 64-bit hash in that table
     */
    public static long hash(final long key, final long seed) {
        return Hashing.hash(key, seed);
    }

    @Override
    public int slots() {
        return SLOTS;
    }

    @Override
    public long keyWord(final MemorySegment segment, final long line, final int slot) {
        return keyPlain(segment, line, slot);
    }

    @Override
    public long valueWord(final MemorySegment segment, final long line, final int slot) {
        return valuePlain(segment, line, slot);
    }

    @Override
    public long keyWordOpaque(final MemorySegment segment, final long line, final int slot) {
        return BucketDescriptor.keyOpaque(segment, line, slot);
    }

    @Override
    public long valueWordOpaque(final MemorySegment segment, final long line, final int slot) {
        return BucketDescriptor.valueOpaque(segment, line, slot);
    }

    @Override
    public void setSlotOpaque(final MemorySegment segment, final long line, final int slot, final long key,
                              final long value) {
        BucketDescriptor.setKeyOpaque(segment, line, slot, key);
        BucketDescriptor.setValueOpaque(segment, line, slot, value);
    }

    @Override
    public void setSlotPlain(final MemorySegment segment, final long line, final int slot, final long key,
                             final long value) {
        BucketDescriptor.setSlotPlain(segment, line, slot, key, value);
    }

    @Override
    public long slotHash(final MemorySegment segment, final long line, final int slot, final long seed) {
        return Hashing.hash(keyPlain(segment, line, slot), seed);
    }

    /** Keys of equal hash (only ever under a test's colliding hash) in unsigned order of the key words. */
    @Override
    public int compareKeys(final Table table, final MemorySegment segment, final long line, final int slot,
                           final MemorySegment otherSegment, final long otherLine, final int otherSlot) {
        return Long.compareUnsigned(keyPlain(segment, line, slot), keyPlain(otherSegment, otherLine, otherSlot));
    }

    @Override
    public int compareKey(final Table table, final MemorySegment segment, final long line, final int slot,
                          final TieKey key) {
        return Long.compareUnsigned(keyPlain(segment, line, slot), key.word);
    }

    @Override
    public boolean keepKey(final Table table, final MemorySegment segment, final long line, final int slot,
                           final TieKey into) {
        into.word = keyPlain(segment, line, slot);
        return true;
    }

    @Override
    public boolean relocates() {
        return false;
    }

    /** Nothing to free: the value word is the value. */
    @Override
    public void discard(final Table to, final long valueWord) {
    }

    /** The value word is the value: it moves unchanged. */
    @Override
    public long relocate(final Table from, final Table to, final long valueWord) {
        return valueWord;
    }

    /**
     * Finds {@code key} in the chain of the bucket at {@code (segment, line)} whose ctrl word is
     * {@code ctrl}.
     *
     * @param table the bucket's table
     * @param segment segment of the bucket
     * @param line byte offset of the bucket
     * @param ctrl the bucket's ctrl word, as read at the start of the section or the lock
     * @param key the key
     * @return its {@link SlotLocation}, or {@link SlotLocation#NOT_FOUND}
     */
    public static long find(final Table table, final MemorySegment segment, final long line, final long ctrl,
                     final long key) {
        // The home line: small enough to inline into the read path, which is all most lookups need.
        final int slot = homeSlot(segment, line, ctrl, key);
        if (slot >= 0) {
            return SlotLocation.home(slot);
        }
        final long meta = metaPlain(segment, line);
        return MetaWord.count(meta) == 0 ? SlotLocation.NOT_FOUND : findInOverflow(table, meta, key);
    }

    /**
     * The fast get's lookup past the home line ({@code LongLongStore.getIn} has the home line):
     * the value of {@code key} in the bucket's overflow chain, or {@code absent}. Plain loads: the
     * caller's validation discards a stale result. It is compiled on its own, where the JIT cannot
     * see the segment parameter as the constant: the home line's meta load goes through
     * {@link AccessMode#constant} so that in fast mode it carries no class, bounds, alignment and
     * liveness checks.
     *
     * @param table the bucket's table
     * @param segment segment of the bucket
     * @param line byte offset of the bucket
     * @param key the key
     * @param absent returned if the key is not in the chain
     * @return its value, or {@code absent}
     */
    static long chainValueOrDefault(final Table table, final MemorySegment segment, final long line,
                                    final long key, final long absent) {
        final long meta = metaPlain(AccessMode.constant(segment), line);
        if (MetaWord.count(meta) == 0) {
            return absent;
        }
        final long loc = findInOverflow(table, meta, key);
        return loc == SlotLocation.NOT_FOUND ? absent : Chains.valueAt(FORMAT, table, segment, line, loc);
    }

    /**
     * The home-line part of {@link #find}: the slot of {@code key} among the home line's occupied
     * slots, or {@code -1} (the key may still be in the chain). For the write fast path, which
     * updates a key in its home line without the general write's location decoding. The fast get
     * has it written out ({@code LongLongStore.getIn}), each hit loading its value at once.
     *
     * @param segment segment of the bucket
     * @param line byte offset of the bucket
     * @param ctrl the bucket's ctrl word, as the lock returned it
     * @param key the key
     * @return its slot in the home line, or {@code -1}
     */
    public static int homeSlot(final MemorySegment segment, final long line, final long ctrl, final long key) {
        final int occupancy = CtrlWord.occupancy(ctrl);
        for (int s = 0; s < SLOTS; s++) {
            // The key word is loaded whether or not the slot is live (a load inside the line that
            // is already being read), so that this call site runs three times per call and never
            // looks cold to C2. Under the occupancy test it looked cold in a map built presized:
            // the puts that ran while this method was still being profiled met empty buckets, C2
            // then left keyPlain out of line in every compile that inlines this method, and gets
            // and puts at 16Mi ran 40 % slower than in a map grown from empty (fast-path.md,
            // "A presized map").
            final long stored = keyPlain(segment, line, s);
            if ((occupancy & (1 << s)) != 0 && stored == key) {
                return s;
            }
        }
        return -1;
    }

    /** The overflow part of {@link #find}, out of line. */
    private static long findInOverflow(final Table table, final long meta, final long key) {
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return SlotLocation.NOT_FOUND;   // stale link read in a racing read section
            }
            final long lineOffset = table.overflowLine(link);
            final int lineOccupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            for (int s = 0; s < SLOTS; s++) {
                if ((lineOccupancy & (1 << s)) != 0 && keyPlain(lineSegment, lineOffset, s) == key) {
                    return SlotLocation.overflow(link, s);
                }
            }
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
        return SlotLocation.NOT_FOUND;
    }
}
