package dev.linemap.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The free gaps recovery found in a table's entry chunks, in address order, until allocations link
 * them into the free lists ({@link EntryHeap#adoptGaps}). One packed word per gap: the reference
 * of its first granule above 24 bits, its granules less one below. Off the heap, in memory the
 * garbage collector frees once the list is dropped: a map of 100M entries with half of them
 * removed holds 50M gaps, 400 MB that a small Java heap could not take.
 *
 * <p>Filled by one thread; read-only once handed to the heap.
 */
final class GapList {

    /** Bits of a gap's length in granules, below its 32-bit reference: a whole largest chunk. */
    private static final int LENGTH_BITS = 32;

    private MemorySegment words = Arena.ofAuto().allocate(8L * 64, 8);
    private int count;

    /**
     * Appends a gap.
     *
     * @param chunk its chunk
     * @param offset its byte offset in the chunk, a multiple of 8
     * @param bytes its length, a multiple of 8, at most {@link EntryHeap#MAX_CHUNK_BYTES}
     */
    void add(final int chunk, final long offset, final long bytes) {
        append(((long) chunk << EntryHeap.GRANULE_BITS | offset >>> 3) << LENGTH_BITS | ((bytes >>> 3) - 1));
    }

    /**
     * Appends the gaps of {@code other}, which lie after this list's.
     *
     * @param other gaps of later chunks
     */
    void addAll(final GapList other) {
        for (int i = 0; i < other.count; i++) {
            append(other.word(i));
        }
    }

    private void append(final long word) {
        if ((long) count << 3 == words.byteSize()) {
            if (count == Integer.MAX_VALUE / 2) {
                throw new IllegalStateException("more than " + count + " free gaps in one table's entry memory");
            }
            final MemorySegment bigger = Arena.ofAuto().allocate(words.byteSize() * 2, 8);
            MemorySegment.copy(words, 0, bigger, 0, words.byteSize());
            words = bigger;
        }
        words.setAtIndex(ValueLayout.JAVA_LONG, count++, word);
    }

    /** Gaps in the list. */
    int count() {
        return count;
    }

    /** The reference of gap {@code i}'s first granule. */
    long ref(final int i) {
        return word(i) >>> LENGTH_BITS;
    }

    /** The bytes of gap {@code i}. */
    long bytes(final int i) {
        return ((word(i) & ((1L << LENGTH_BITS) - 1)) + 1) << 3;
    }

    private long word(final int i) {
        return words.getAtIndex(ValueLayout.JAVA_LONG, i);
    }
}
