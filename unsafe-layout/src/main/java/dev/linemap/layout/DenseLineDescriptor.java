package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of the dense 64-byte line: the home line (and, with {@code occ} and {@code next} in
 * place of {@code ctrl} and {@code meta}, the overflow line) of a table whose slots hold a 32-bit
 * tag and a 32-bit reference: the {@code LineMap} tables, whose entries live in entry memory.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          ctrl (0..7)                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          meta (8..15)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         tag 0 (16..19)                        |
 *  +---------------------------------------------------------------+
 *  |                         tag 1 (20..23)                        |
 *  +---------------------------------------------------------------+
 *  |                         tag 2 (24..27)                        |
 *  +---------------------------------------------------------------+
 *  |                         tag 3 (28..31)                        |
 *  +---------------------------------------------------------------+
 *  |                         tag 4 (32..35)                        |
 *  +---------------------------------------------------------------+
 *  |                         tag 5 (36..39)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 0 (40..43)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 1 (44..47)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 2 (48..51)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 3 (52..55)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 4 (56..59)                        |
 *  +---------------------------------------------------------------+
 *  |                         ref 5 (60..63)                        |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code ctrl}, {@code meta}: as in {@link BucketDescriptor} ({@link CtrlWord} has six
 *       occupancy bits, one per slot here).</li>
 *   <li>{@code tags[6]}: the low 32 bits of the key's 64-bit hash. A table has at most
 *       2^{@link TableGeometry#MAX_LOG2} = 2^30 buckets, so its placement {@code hash & mask} and
 *       the split bit of a doubling are among those bits, and migration and the iteration order
 *       need nothing else; within one bucket the bits above the bucket index tell keys apart
 *       before any entry is read.</li>
 *   <li>{@code refs[6]}: a 32-bit reference to the entry's record in entry memory.</li>
 * </ul>
 *
 * <p>Six slots of 8 bytes where {@link BucketDescriptor} has three of 16: twice the entries per
 * cache line, which is what brings a {@code LineMap}'s bytes per entry under the payload's 40
 * (docs/notes/dense-lines.md). Tags and references lie in two runs so that a lookup compares the
 * six tags of a line inside one 24-byte window.
 *
 * <p>All words are native byte order, naturally aligned. The memory-ordering contract is
 * {@link BucketDescriptor}'s, word for word: plain loads inside a seqlock read section, opaque
 * loads and stores under the bucket's lock or on an EVACUATING bucket, plain stores only into a
 * line no other thread can reach yet. A 4-byte opaque store is single-copy atomic like an 8-byte
 * one, so a reader racing a writer sees a tag or a reference whole, old or new, and its
 * section's re-check discards it either way.
 */
public final class DenseLineDescriptor {

    /** Number of slots in one dense line. */
    public static final int SLOTS = 6;

    /** The line: {@code ctrl}, {@code meta}, six tags, six references, 64-byte aligned. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                    JAVA_LONG.withName("ctrl"),
                    JAVA_LONG.withName("meta"),
                    MemoryLayout.sequenceLayout(SLOTS, JAVA_INT).withName("tags"),
                    MemoryLayout.sequenceLayout(SLOTS, JAVA_INT).withName("refs"))
            .withByteAlignment(64)
            .withName("dense_line");

    /** Byte offset of tag 0 inside a line. */
    public static final long TAG0_OFFSET = LAYOUT.byteOffset(groupElement("tags"), sequenceElement(0));

    /** Byte offset of reference 0 inside a line. */
    public static final long REF0_OFFSET = LAYOUT.byteOffset(groupElement("refs"), sequenceElement(0));

    /** Distance in bytes between two consecutive tags (and two consecutive references). */
    public static final long STRIDE = JAVA_INT.byteSize();

    /** Largest value a tag or a reference holds: 32 bits, unsigned. */
    public static final long WORD_MASK = 0xFFFF_FFFFL;

    /** One 4-byte word at a byte offset; coordinates {@code (MemorySegment, long offset)}. */
    private static final VarHandle VH_WORD = JAVA_INT.varHandle();

    static {
        // The engine relies on these facts; fail class initialisation rather than corrupt memory.
        if (LAYOUT.byteSize() != BucketDescriptor.BYTES || LAYOUT.byteAlignment() != BucketDescriptor.ALIGNMENT
                || LAYOUT.byteOffset(groupElement("ctrl")) != BucketDescriptor.CTRL_OFFSET
                || LAYOUT.byteOffset(groupElement("meta")) != BucketDescriptor.META_OFFSET
                || SLOTS != CtrlWord.MAX_SLOTS) {
            throw new ExceptionInInitializerError("dense line must be one 64-byte line shaped like a bucket, is "
                    + LAYOUT);
        }
    }

    private DenseLineDescriptor() {
    }

    /**
     * Plain load of the tag of slot {@code slot}, inside a seqlock read section or under the
     * bucket's lock ({@link BucketDescriptor#keyPlain} says why plain).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the tag, unsigned (meaningful only if the slot is occupied and the section validates)
     */
    public static long tagPlain(final MemorySegment segment, final long line, final int slot) {
        return (int) VH_WORD.get(segment, tagOffset(line, slot)) & WORD_MASK;
    }

    /**
     * Plain load of the reference of slot {@code slot}; same contract as {@link #tagPlain}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the reference, unsigned
     */
    public static long refPlain(final MemorySegment segment, final long line, final int slot) {
        return (int) VH_WORD.get(segment, refOffset(line, slot)) & WORD_MASK;
    }

    /**
     * Opaque load of the tag of slot {@code slot}, by the holder of the home bucket's lock or by an
     * evacuator reading an EVACUATING bucket.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the tag, unsigned
     */
    public static long tagOpaque(final MemorySegment segment, final long line, final int slot) {
        return (int) VH_WORD.getOpaque(segment, tagOffset(line, slot)) & WORD_MASK;
    }

    /**
     * Opaque load of the reference of slot {@code slot}; same contract as {@link #tagOpaque}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the reference, unsigned
     */
    public static long refOpaque(final MemorySegment segment, final long line, final int slot) {
        return (int) VH_WORD.getOpaque(segment, refOffset(line, slot)) & WORD_MASK;
    }

    /**
     * Opaque store of the tag of slot {@code slot}; only under the home bucket's lock.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param tag the tag, {@code 0 <= tag <= WORD_MASK}
     */
    public static void setTagOpaque(final MemorySegment segment, final long line, final int slot, final long tag) {
        VH_WORD.setOpaque(segment, tagOffset(line, slot), word(tag, "tag"));
    }

    /**
     * Opaque store of the reference of slot {@code slot}; only under the home bucket's lock.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param ref the reference, {@code 0 <= ref <= WORD_MASK}
     */
    public static void setRefOpaque(final MemorySegment segment, final long line, final int slot, final long ref) {
        VH_WORD.setOpaque(segment, refOffset(line, slot), word(ref, "ref"));
    }

    /**
     * Plain store of a whole slot, only for a line no other thread can reach yet.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param tag the tag, {@code 0 <= tag <= WORD_MASK}
     * @param ref the reference, {@code 0 <= ref <= WORD_MASK}
     */
    public static void setSlotPlain(
            final MemorySegment segment, final long line, final int slot, final long tag, final long ref) {
        // Both words checked before either is stored: a rejected call leaves the slot as it was.
        final int tagWord = word(tag, "tag");
        final int refWord = word(ref, "ref");
        VH_WORD.set(segment, tagOffset(line, slot), tagWord);
        VH_WORD.set(segment, refOffset(line, slot), refWord);
    }

    /** A 32-bit word, or an exception: a wider value would be stored cut, and name another entry. */
    private static int word(final long value, final String name) {
        if ((value & ~WORD_MASK) != 0) {
            throw new IllegalArgumentException(name + "=0x" + Long.toHexString(value) + " does not fit 32 bits");
        }
        return (int) value;
    }

    /** The word handle does not check the line's alignment: {@link BucketDescriptor#checkLine} does. */
    private static long tagOffset(final long line, final int slot) {
        BucketDescriptor.checkLine(line);
        return line + TAG0_OFFSET + STRIDE * Objects.checkIndex(slot, SLOTS);
    }

    private static long refOffset(final long line, final int slot) {
        BucketDescriptor.checkLine(line);
        return line + REF0_OFFSET + STRIDE * Objects.checkIndex(slot, SLOTS);
    }
}
