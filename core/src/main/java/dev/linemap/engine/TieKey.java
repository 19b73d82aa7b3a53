package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

/**
 * The iteration cursor's copy of a key, for ordering keys of equal hash: the key of the last entry
 * the cursor reported at its rank ({@link BucketFormat#keepKey}, {@link BucketFormat#compareKey}).
 * Each format uses its own field: the inline format the key word, the variable-length one the key
 * bytes. The buffer grows as needed and is reused, so a warm cursor allocates nothing.
 *
 * <p>Filled inside a read section, so the cursor keeps two and trusts one only after the section
 * validated. Not thread-safe: owned by one cursor.
 */
final class TieKey {

    /** Inline keys: the key word. */
    long word;
    /** Variable-length keys: the key bytes, {@code [0, length)} of {@link #segment}. */
    private byte[] bytes = new byte[32];
    /** A heap segment over {@link #bytes}, made when the array is. */
    private MemorySegment segment = MemorySegment.ofArray(bytes);
    /** Variable-length keys: the key's length in bytes. */
    int length;

    /**
     * Returns a segment over a buffer of at least {@code capacity} bytes (the old one if it is big
     * enough; its contents are not kept).
     *
     * @param capacity bytes needed
     * @return the buffer, as a heap segment
     */
    MemorySegment buffer(final int capacity) {
        if (bytes.length < capacity) {
            bytes = new byte[Math.max(capacity, bytes.length * 2)];
            segment = MemorySegment.ofArray(bytes);
        }
        return segment;
    }

    /**
     * Returns the variable-length key: {@code [0, length)} of this segment.
     *
     * @return the segment holding the key bytes
     */
    MemorySegment bytes() {
        return segment;
    }
}
