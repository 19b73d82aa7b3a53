package dev.linemap.engine;

import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.DenseLineDescriptor;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.linemap.layout.BucketDescriptor.metaPlain;
import static dev.linemap.layout.DenseLineDescriptor.SLOTS;
import static dev.linemap.layout.DenseLineDescriptor.refPlain;
import static dev.linemap.layout.DenseLineDescriptor.tagPlain;

/**
 * The variable-length bucket format, on the dense line ({@link DenseLineDescriptor}: six slots of
 * a 4-byte tag and a 4-byte reference): a slot's key word is the key's tag, the low 32 bits of
 * its 64-bit hash ({@link ByteHashing} under the table's seed), its value word a reference to the
 * entry record in the table's entry memory ({@link EntryHeap}, {@link EntryDescriptor}: lengths,
 * key bytes, value bytes). A key is found by comparing the tag first and the key bytes second, so
 * a lookup reads entry memory only for the slots whose tag matches: the bits of the tag above the
 * bucket index tell a bucket's keys apart (14 of them in a table of 2^18 buckets, so a lookup
 * follows a wrong reference about once in 16,000 compared tags, and the byte compare rejects it).
 *
 * <p>The tag holds all the hash the engine's shape-blind parts need: migration places a key by
 * {@code hash & mask} (and a table has at most 2^{@code MAX_LOG2} buckets, fewer than 2^32), and
 * iteration orders by the reversed hash, whose high bits are the tag's. Why the low 32 bits and not
 * a tag of the high bits: docs/notes/dense-lines.md.
 *
 * <p>The hot paths call the static methods ({@link #hash}, {@link #find}, {@link #valueStart});
 * migration and iteration reach {@link #slotHash}, {@link #compareKeys} and {@link #relocate}
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

    /**
     * Returns a hash's tag, the key word of its slot.
     *
     * @param hash a key's 64-bit hash
     * @return its low 32 bits
     */
    public static long tag(final long hash) {
        return hash & DenseLineDescriptor.WORD_MASK;
    }

    /** The stored tag: the low 32 bits of the hash, all that placement and the iteration order use. */
    @Override
    public long slotHash(final MemorySegment segment, final long line, final int slot, final long seed) {
        return tagPlain(segment, line, slot);
    }

    @Override
    public int slots() {
        return SLOTS;
    }

    @Override
    public long keyWord(final MemorySegment segment, final long line, final int slot) {
        return tagPlain(segment, line, slot);
    }

    @Override
    public long valueWord(final MemorySegment segment, final long line, final int slot) {
        return refPlain(segment, line, slot);
    }

    @Override
    public long keyWordOpaque(final MemorySegment segment, final long line, final int slot) {
        return DenseLineDescriptor.tagOpaque(segment, line, slot);
    }

    @Override
    public long valueWordOpaque(final MemorySegment segment, final long line, final int slot) {
        return DenseLineDescriptor.refOpaque(segment, line, slot);
    }

    @Override
    public void setSlotOpaque(final MemorySegment segment, final long line, final int slot, final long key,
                              final long value) {
        DenseLineDescriptor.setTagOpaque(segment, line, slot, key);
        DenseLineDescriptor.setRefOpaque(segment, line, slot, value);
    }

    @Override
    public void setSlotPlain(final MemorySegment segment, final long line, final int slot, final long key,
                             final long value) {
        DenseLineDescriptor.setSlotPlain(segment, line, slot, key, value);
    }

    /*
     * Keys of equal hash are ordered by their bytes: unsigned, lexicographic, a proper prefix
     * first. That order belongs to the key alone. It replaces the record's tie word (one more than
     * the largest tie of the key's hash in the chain, chosen at insert), which moved with a record
     * through migrations but not through a remove and a put: a key put back after the cursor had
     * reported it got a larger tie than the cursor's and was reported again. Cost: a load of key
     * bytes per candidate of the cursor's rank, which only keys of equal tag ever need.
     * In a read section each reference and key length is bounded by the chunk directory first; a
     * torn one compares as equal (0), and the section's re-check fails.
     */

    @Override
    public int compareKeys(final Table table, final MemorySegment segment, final long line, final int slot,
                           final MemorySegment otherSegment, final long otherLine, final int otherSlot) {
        final EntryHeap.Directory d = table.entries.directory();
        final long ref = refPlain(segment, line, slot);
        final long other = refPlain(otherSegment, otherLine, otherSlot);
        final long length = keyLengthIn(d, ref);
        final long otherLength = keyLengthIn(d, other);
        return length < 0 || otherLength < 0 ? 0
                : compareBytes(d.segment(ref), EntryDescriptor.keyOffset(d.entry(ref)), length,
                        d.segment(other), EntryDescriptor.keyOffset(d.entry(other)), otherLength);
    }

    @Override
    public int compareKey(final Table table, final MemorySegment segment, final long line, final int slot,
                          final TieKey key) {
        final EntryHeap.Directory d = table.entries.directory();
        final long ref = refPlain(segment, line, slot);
        final long length = keyLengthIn(d, ref);
        return length < 0 ? 0
                : compareBytes(d.segment(ref), EntryDescriptor.keyOffset(d.entry(ref)), length, key.bytes(), 0,
                        key.length);
    }

    @Override
    public boolean keepKey(final Table table, final MemorySegment segment, final long line, final int slot,
                           final TieKey into) {
        final EntryHeap.Directory d = table.entries.directory();
        final long ref = refPlain(segment, line, slot);
        final long length = keyLengthIn(d, ref);
        if (length < 0) {
            return false;
        }
        MemorySegment.copy(d.segment(ref), EntryDescriptor.keyOffset(d.entry(ref)), into.buffer((int) length), 0,
                length);
        into.length = (int) length;
        return true;
    }

    /** The key length of record {@code ref} if reference and key lie inside a chunk, else -1 (torn). */
    private static long keyLengthIn(final EntryHeap.Directory d, final long ref) {
        if (!d.holds(ref)) {
            return -1;
        }
        final long entry = d.entry(ref);
        final long length = EntryDescriptor.keyLengthPlain(d.segment(ref), entry) & 0xFFFF_FFFFL;
        return EntryDescriptor.keyOffset(entry) + length <= d.end(ref) ? length : -1;
    }

    /** Unsigned lexicographic order of two byte ranges, a proper prefix first. */
    static int compareBytes(final MemorySegment a, final long aStart, final long aLength,
                            final MemorySegment b, final long bStart, final long bLength) {
        final long i = MemorySegment.mismatch(a, aStart, aStart + aLength, b, bStart, bStart + bLength);
        if (i < 0) {
            return 0;
        }
        if (i == aLength || i == bLength) {
            return Long.compare(aLength, bLength);
        }
        return Integer.compare(Byte.toUnsignedInt(a.get(ValueLayout.JAVA_BYTE, aStart + i)),
                Byte.toUnsignedInt(b.get(ValueLayout.JAVA_BYTE, bStart + i)));
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
     * @param bucketSegment segment of the bucket
     * @param line byte offset of the bucket
     * @param ctrl the bucket's ctrl word
     * @param hash the key's hash in this table (its {@link #tag} is compared)
     * @param key holds the key bytes
     * @param keyOffset offset of the key bytes
     * @param keyLength key length
     * @return its {@link SlotLocation}, or {@link SlotLocation#NOT_FOUND}
     */
    public static long find(final Table table, final EntryHeap.Directory d, final MemorySegment bucketSegment,
                            final long line, final long ctrl, final long hash,
                            final MemorySegment key, final long keyOffset, final long keyLength) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final int occupancy = CtrlWord.occupancy(ctrl);
        final long tag = tag(hash);
        for (int s = 0; s < SLOTS; s++) {
            if ((occupancy & (1 << s)) != 0 && tagPlain(segment, line, s) == tag
                    && matches(d, refPlain(segment, line, s), key, keyOffset, keyLength)) {
                return SlotLocation.home(s);
            }
        }
        final long meta = metaPlain(segment, line);
        return MetaWord.count(meta) == 0 ? SlotLocation.NOT_FOUND
                : findInOverflow(table, d, meta, tag, key, keyOffset, keyLength);
    }

    private static long findInOverflow(final Table table, final EntryHeap.Directory d, final long meta,
                                       final long tag, final MemorySegment key, final long keyOffset,
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
                if ((lineOccupancy & (1 << s)) != 0 && tagPlain(lineSegment, lineOffset, s) == tag
                        && matches(d, refPlain(lineSegment, lineOffset, s), key, keyOffset, keyLength)) {
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
}
