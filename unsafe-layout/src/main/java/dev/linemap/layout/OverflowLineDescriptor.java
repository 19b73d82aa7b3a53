package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of an overflow line: the extra 64-byte lines a bucket chains when its three inline
 * slots are full. An overflow line has the shape of a bucket ({@link BucketDescriptor}) and belongs
 * to exactly one home bucket; only the meaning of its two header words differs.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          occ (0..7)                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          next (8..15)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     slots[3] (16..63)                         |
 *  |             key, value, key, value, key, value                |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code occ}: a {@link CtrlWord} with only the occupancy bits used (version 0, unlocked,
 *       NORMAL). The line has no lock of its own: the home bucket's {@code ctrl} guards it.</li>
 *   <li>{@code next}: a {@link MetaWord} whose link names the next overflow line of the chain;
 *       count 0. In a free line it links the table's free list.</li>
 *   <li>{@code slots[3]}: as in a bucket; use {@link BucketDescriptor#keyPlain} and friends.</li>
 * </ul>
 *
 * <p>The overflow line of a dense table has the shape of its home line, a
 * {@link DenseLineDescriptor} line: {@code occ} and {@code next} sit where this class puts them
 * (the offsets of {@code ctrl} and {@code meta} in both shapes), so the accessors below serve it,
 * with {@link DenseLineDescriptor#tagPlain} and friends for its six slots; its {@code occ} uses six
 * occupancy bits.
 *
 * <p>Memory ordering: the rules of {@link BucketDescriptor}, with the home bucket's {@code ctrl} as
 * the word that guards the line. A reader loads {@code occ}, {@code next} and the slots with plain
 * loads ({@link #occPlain}, {@link #nextPlain}, {@link BucketDescriptor#keyPlain}) inside the home
 * bucket's seqlock read section, validated by its re-read of {@code ctrl}. The holder of the home
 * bucket's lock writes the line with opaque stores, published by the release store of {@code ctrl}
 * at unlock. The opaque loads are for the lock holder, for an evacuator reading the chain of an
 * EVACUATING bucket and for the thread that pops a free line. An evacuator fills a line that no other
 * thread can reach yet with plain slot stores and opaque {@code occ} and {@code next} stores (there
 * are no plain setters for these two), published by the release store of its source's {@code ctrl}.
 */
public final class OverflowLineDescriptor {

    /** The overflow line: {@code occ}, {@code next} and three inline slots, 64-byte aligned. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                    JAVA_LONG.withName("occ"),
                    JAVA_LONG.withName("next"),
                    MemoryLayout.sequenceLayout(BucketDescriptor.SLOTS, BucketDescriptor.SLOT_LAYOUT).withName("slots"))
            .withByteAlignment(64)
            .withName("overflow_line");

    /** Byte offset of {@code occ}. */
    public static final long OCC_OFFSET = LAYOUT.byteOffset(groupElement("occ"));

    /** Byte offset of {@code next}. */
    public static final long NEXT_OFFSET = LAYOUT.byteOffset(groupElement("next"));

    /** Byte offset of the slots; equal to the bucket's, so bucket slot accessors apply. */
    public static final long SLOTS_OFFSET = LAYOUT.byteOffset(groupElement("slots"));

    private static final VarHandle VH_OCC = LAYOUT.varHandle(groupElement("occ"));

    private static final VarHandle VH_NEXT = LAYOUT.varHandle(groupElement("next"));

    static {
        if (LAYOUT.byteSize() != BucketDescriptor.BYTES
                || LAYOUT.byteAlignment() != BucketDescriptor.ALIGNMENT
                || OCC_OFFSET != BucketDescriptor.CTRL_OFFSET
                || NEXT_OFFSET != BucketDescriptor.META_OFFSET
                || SLOTS_OFFSET != BucketDescriptor.KEY0_OFFSET) {
            throw new ExceptionInInitializerError("overflow line must have the bucket's shape: " + LAYOUT
                    + " vs " + BucketDescriptor.LAYOUT);
        }
    }

    private OverflowLineDescriptor() {
    }

    /**
     * Opaque load of {@code occ}, by the holder of the home bucket's lock or by an evacuator reading
     * an EVACUATING bucket's chain. A seqlock read section uses {@link #occPlain}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @return the occupancy word
     */
    public static long occOpaque(final MemorySegment segment, final long line) {
        return (long) VH_OCC.getOpaque(segment, line);
    }

    /**
     * Plain load of {@code occ}, inside the home bucket's seqlock read section or under its lock
     * (contract of {@link BucketDescriptor#keyPlain}).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @return the occupancy word
     */
    public static long occPlain(final MemorySegment segment, final long line) {
        return (long) VH_OCC.get(segment, line);
    }

    /**
     * Plain load of {@code next}, inside the home bucket's seqlock read section or under its lock
     * (contract of {@link BucketDescriptor#keyPlain}).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @return the next word
     */
    public static long nextPlain(final MemorySegment segment, final long line) {
        return (long) VH_NEXT.get(segment, line);
    }

    /**
     * Opaque store of {@code occ}; only under the home bucket's lock, or into a line no other thread
     * can reach yet (an evacuator filling the next table).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param value new occupancy word
     */
    public static void setOccOpaque(final MemorySegment segment, final long line, final long value) {
        VH_OCC.setOpaque(segment, line, value);
    }

    /**
     * Opaque load of {@code next}, by the holder of the home bucket's lock, by an evacuator reading
     * an EVACUATING bucket's chain, or (for a free line) by the thread popping it from the free list
     * after its volatile load of the list head. A seqlock read section uses {@link #nextPlain}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @return the next word
     */
    public static long nextOpaque(final MemorySegment segment, final long line) {
        return (long) VH_NEXT.getOpaque(segment, line);
    }

    /**
     * Opaque store of {@code next}; only under the home bucket's lock, into a line no other thread
     * can reach yet (an evacuator filling the next table), or on a free line before it is pushed on
     * the free list (the push is a volatile CAS that publishes it).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param value new next word
     */
    public static void setNextOpaque(final MemorySegment segment, final long line, final long value) {
        VH_NEXT.setOpaque(segment, line, value);
    }
}
