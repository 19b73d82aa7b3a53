package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Allocation and checking of segments of consecutive 64-byte lines (buckets or overflow lines).
 *
 * <p>Every line must start on a cache-line boundary: a line that straddles two cache lines would
 * cost two misses per lookup and, worse, the 8-byte words would still be atomic but the "one line
 * per lookup" promise of the layout would be broken silently. So alignment is checked, not assumed.
 */
public final class AlignedSegments {

    /** Largest number of lines one segment may hold (keeps byte sizes far from overflow). */
    public static final long MAX_LINES = Long.MAX_VALUE >>> (BucketDescriptor.BYTES_SHIFT + 1);

    private AlignedSegments() {
    }

    /**
     * Allocates a zeroed segment of {@code lines} lines, 64-byte aligned, from {@code arena}.
     *
     * @param arena the arena that owns the memory (and frees it when closed)
     * @param lines number of 64-byte lines, {@code 1 <= lines <= MAX_LINES}
     * @return the segment, {@code lines * 64} bytes, all zero
     * @throws IllegalArgumentException if {@code lines} is out of range
     * @throws OutOfMemoryError if the native allocation fails
     */
    public static MemorySegment allocateLines(final Arena arena, final long lines) {
        if (lines < 1 || lines > MAX_LINES) {
            throw new IllegalArgumentException("lines=" + lines + " must be in [1, " + MAX_LINES + "]");
        }
        final MemorySegment segment = arena.allocate(BucketDescriptor.lineOffset(lines), BucketDescriptor.ALIGNMENT);
        return requireLineAligned(segment);
    }

    /**
     * Checks that a segment can hold lines: its address is 64-byte aligned and its size is a
     * whole number of lines.
     *
     * @param segment a native segment
     * @return {@code segment}
     * @throws IllegalArgumentException naming the address or size if it cannot
     */
    public static MemorySegment requireLineAligned(final MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment " + segment + " is not native; lines live off-heap");
        }
        final long address = segment.address();
        if ((address & (BucketDescriptor.ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("segment address 0x" + Long.toHexString(address)
                    + " is not " + BucketDescriptor.ALIGNMENT + "-byte aligned (misaligned by "
                    + (address & (BucketDescriptor.ALIGNMENT - 1)) + " bytes)");
        }
        if ((segment.byteSize() & (BucketDescriptor.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("segment size " + segment.byteSize()
                    + " is not a multiple of the " + BucketDescriptor.BYTES + "-byte line");
        }
        return segment;
    }

    /**
     * Number of lines in a line segment.
     *
     * @param segment a line segment
     * @return the number of whole lines in it
     */
    public static long lineCount(final MemorySegment segment) {
        return segment.byteSize() >>> BucketDescriptor.BYTES_SHIFT;
    }
}
