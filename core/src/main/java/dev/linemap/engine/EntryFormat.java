package dev.linemap.engine;

import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;

import static dev.linemap.layout.BucketDescriptor.SLOTS;
import static dev.linemap.layout.BucketDescriptor.keyPlain;
import static dev.linemap.layout.BucketDescriptor.metaPlain;
import static dev.linemap.layout.BucketDescriptor.valuePlain;

/**
 * The variable-length bucket format: a slot's key word holds the key's full 64-bit hash
 * ({@link ByteHashing} under the table's seed), its value word a reference to the entry record
 * in the table's entry memory ({@link EntryHeap}, {@link EntryDescriptor}: tie, lengths, key
 * bytes, value bytes). A key is found by comparing the stored hash first and the key bytes
 * second, so a lookup reads entry memory only for the (almost always one) slot whose hash matches.
 *
 * <p>The hot paths call the static methods ({@link #hash}, {@link #find}, {@link #valueStart});
 * migration and iteration reach {@link #slotHash}, {@link #tieBreak} and {@link #relocate}
 * through {@link #FORMAT}.
 *
 * <p>All loads are plain: inside a read section a reference or a length may be torn or stale, so
 * every one is checked against the table's chunk directory before it is used as an address (a
 * failed check is a mismatch, and the section's re-check fails); under the bucket's lock they are
 * stable.
 */
public final class EntryFormat implements BucketFormat {

    /** The instance the engine's shape-blind parts use. */
    public static final EntryFormat FORMAT = new EntryFormat();

    private EntryFormat() {
    }

    /**
     * Returns the 64-bit hash of a key's bytes in a table of seed {@code seed}.
     *
     * @param key holds the key bytes
     * @param offset byte offset of the key in {@code key}
     * @param length key length in bytes
     * @param seed the table's seed
     * @return the hash
     */
    public static long hash(final MemorySegment key, final long offset, final long length, final long seed) {
        return ByteHashing.hash(key, offset, length, seed);
    }

    /** The stored word is the hash (computed once, at insert, under the same seed). */
    @Override
    public long slotHash(final MemorySegment segment, final long line, final int slot, final long seed) {
        return keyPlain(segment, line, slot);
    }

    /** The record's tie word: distinct among keys of equal hash, copied by {@link #relocate}. */
    @Override
    public long tieBreak(final Table table, final MemorySegment segment, final long line, final int slot) {
        final long ref = valuePlain(segment, line, slot);
        final EntryHeap.Directory d = table.entries.directory();
        return d.holds(ref) ? EntryDescriptor.tiePlain(d.segment(ref), d.entry(ref)) : 0L;
    }

    /**
     * Copies the record into {@code to}'s entry memory. The source bucket is EVACUATING: the record
     * cannot change or be freed under us. The old block stays in {@code from}, which is retired as
     * a whole (a reader still reading the old bucket keeps reading valid bytes until then).
     */
    @Override
    public long relocate(final Table from, final Table to, final long valueWord) {
        final EntryHeap.Directory d = from.entries.directory();
        final MemorySegment segment = d.segment(valueWord);
        final long entry = d.entry(valueWord);
        final long keyLength = EntryDescriptor.keyLengthPlain(segment, entry) & 0xFFFF_FFFFL;
        final long valueLength = EntryDescriptor.valueLengthPlain(segment, entry) & 0xFFFF_FFFFL;
        final long ref = to.entries.allocate(EntryDescriptor.recordBytes(keyLength, valueLength));
        final EntryHeap.Directory target = to.entries.directory();
        MemorySegment.copy(segment, entry, target.segment(ref), target.entry(ref),
                EntryDescriptor.HEADER_BYTES + keyLength + valueLength);
        return ref;
    }

    @Override
    public boolean relocates() {
        return true;
    }

    /** Frees a record relocated into a destination that was never published. */
    @Override
    public void discard(final Table to, final long valueWord) {
        final EntryHeap.Directory d = to.entries.directory();
        final MemorySegment segment = d.segment(valueWord);
        final long entry = d.entry(valueWord);
        to.entries.free(valueWord, EntryDescriptor.recordBytes(
                EntryDescriptor.keyLengthPlain(segment, entry) & 0xFFFF_FFFFL,
                EntryDescriptor.valueLengthPlain(segment, entry) & 0xFFFF_FFFFL));
    }

    /**
     * Finds the key in the chain of the bucket at {@code (segment, line)} whose ctrl word is
     * {@code ctrl}.
     *
     * @param table the bucket's table
     * @param d the table's entry directory, read after the section opened (or under the lock)
     * @param segment segment of the bucket
     * @param line byte offset of the bucket
     * @param ctrl the bucket's ctrl word
     * @param hash the key's hash in this table
     * @param key holds the key bytes
     * @param keyOffset offset of the key bytes
     * @param keyLength key length
     * @return its {@link SlotLocation}, or {@link SlotLocation#NOT_FOUND}
     */
    public static long find(final Table table, final EntryHeap.Directory d, final MemorySegment segment,
                            final long line, final long ctrl, final long hash,
                            final MemorySegment key, final long keyOffset, final long keyLength) {
        final int occupancy = CtrlWord.occupancy(ctrl);
        for (int s = 0; s < SLOTS; s++) {
            if ((occupancy & (1 << s)) != 0 && keyPlain(segment, line, s) == hash
                    && matches(d, valuePlain(segment, line, s), key, keyOffset, keyLength)) {
                return SlotLocation.home(s);
            }
        }
        final long meta = metaPlain(segment, line);
        return MetaWord.count(meta) == 0 ? SlotLocation.NOT_FOUND
                : findInOverflow(table, d, meta, hash, key, keyOffset, keyLength);
    }

    private static long findInOverflow(final Table table, final EntryHeap.Directory d, final long meta,
                                       final long hash, final MemorySegment key, final long keyOffset,
                                       final long keyLength) {
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return SlotLocation.NOT_FOUND;   // stale link read in a racing read section
            }
            final long lineOffset = table.overflowLine(link);
            final int lineOccupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            for (int s = 0; s < SLOTS; s++) {
                if ((lineOccupancy & (1 << s)) != 0 && keyPlain(lineSegment, lineOffset, s) == hash
                        && matches(d, valuePlain(lineSegment, lineOffset, s), key, keyOffset, keyLength)) {
                    return SlotLocation.overflow(link, s);
                }
            }
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
        return SlotLocation.NOT_FOUND;
    }

    /**
     * Whether the record {@code ref} holds these key bytes. Any word is accepted: a reference or a
     * key length that does not lie inside a chunk is a mismatch, never an access out of bounds.
     */
    private static boolean matches(final EntryHeap.Directory d, final long ref, final MemorySegment key,
                                   final long keyOffset, final long keyLength) {
        if (!d.holds(ref)) {
            return false;
        }
        final MemorySegment segment = d.segment(ref);
        final long entry = d.entry(ref);
        if ((EntryDescriptor.keyLengthPlain(segment, entry) & 0xFFFF_FFFFL) != keyLength) {
            return false;
        }
        final long start = EntryDescriptor.keyOffset(entry);
        return start + keyLength <= d.end(ref)
                && MemorySegment.mismatch(segment, start, start + keyLength, key, keyOffset, keyOffset + keyLength) < 0;
    }

    /**
     * Where the value of record {@code ref} starts, checked against its chunk: the caller read the
     * record's {@code header} word once (so its two lengths belong to one record), and this says
     * whether the key and value it describes lie inside the chunk. Anything a racing writer left
     * (a torn reference, a reused block's header) fails this check or the section's re-check,
     * never both pass on bytes outside the chunk.
     *
     * @param d the entry directory
     * @param ref a reference {@link EntryHeap.Directory#holds} accepted
     * @param header the record's header word, read once
     * @return the value's offset in {@code d.segment(ref)}, or -1 if the record does not fit its chunk
     */
    public static long valueStart(final EntryHeap.Directory d, final long ref, final long header) {
        final long start = EntryDescriptor.valueOffset(d.entry(ref), EntryDescriptor.keyLength(header));
        return start + EntryDescriptor.valueLength(header) <= d.end(ref) ? start : -1;
    }

    /**
     * The tie for a new key of hash {@code hash} in this bucket: 0 if no key of the chain has that
     * hash (nearly always), else one more than the largest tie among them, or, if that no longer
     * fits the header's field, the smallest tie not in use. Under the bucket's lock. Keys of equal
     * hash share the bucket in every table, so the ties stay distinct wherever the group moves.
     *
     * @param table the bucket's table
     * @param segment segment of the bucket
     * @param line byte offset of the bucket
     * @param ctrl the ctrl word the lock returned
     * @param hash the new key's hash
     * @return its tie
     */
    static long nextTie(final Table table, final MemorySegment segment, final long line, final long ctrl,
                        final long hash) {
        final long next = tieScan(table, segment, line, ctrl, hash, null);
        if (next <= EntryDescriptor.MAX_TIE) {
            return next;
        }
        final java.util.BitSet used = new java.util.BitSet();
        tieScan(table, segment, line, ctrl, hash, used);
        return used.nextClearBit(0);   // fewer keys share a chain than the field holds
    }

    /** One more than the largest tie of the chain's keys of {@code hash} (0 if none); marks them in {@code used}. */
    private static long tieScan(final Table table, final MemorySegment segment, final long line, final long ctrl,
                                final long hash, final java.util.BitSet used) {
        final EntryHeap.Directory d = table.entries.directory();
        long next = 0;
        MemorySegment lineSegment = segment;
        long lineOffset = line;
        int occupancy = CtrlWord.occupancy(ctrl);
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        int remaining = MetaWord.count(meta);
        for (;;) {
            for (int s = 0; s < SLOTS; s++) {
                if ((occupancy & (1 << s)) != 0 && keyPlain(lineSegment, lineOffset, s) == hash) {
                    final long ref = valuePlain(lineSegment, lineOffset, s);
                    final long tie = EntryDescriptor.tiePlain(d.segment(ref), d.entry(ref));
                    next = Math.max(next, tie + 1);
                    if (used != null) {
                        used.set((int) tie);
                    }
                }
            }
            if (link == MetaWord.NONE || remaining-- == 0) {
                return next;
            }
            lineSegment = table.overflowSegment(link);
            lineOffset = table.overflowLine(link);
            occupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
    }
}
