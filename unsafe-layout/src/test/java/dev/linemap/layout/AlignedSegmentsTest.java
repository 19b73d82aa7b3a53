package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignedSegmentsTest {

    @Test
    void allocatedSegmentIs64ByteAlignedWholeLinesAndZero() {
        for (final Arena arena : new Arena[] {Arena.ofConfined(), Arena.ofShared()}) {
            try (arena) {
                for (final long lines : new long[] {1, 2, 3, 1000}) {
                    final MemorySegment seg = AlignedSegments.allocateLines(arena, lines);
                    assertEquals(0, seg.address() % 64, "address of " + seg);
                    assertEquals(lines * 64, seg.byteSize());
                    assertEquals(lines, AlignedSegments.lineCount(seg));
                    assertEquals(-1, seg.mismatch(MemorySegment.ofArray(new byte[(int) seg.byteSize()])),
                            "fresh lines must be zero (a zero line is a valid empty bucket)");
                }
            }
        }
    }

    @Test
    void misalignedSliceIsRejectedNamingAddressAndMisalignment() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            final MemorySegment slice = seg.asSlice(8, 64);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AlignedSegments.requireLineAligned(slice));
            assertTrue(e.getMessage().contains("0x" + Long.toHexString(slice.address())), e.getMessage());
            assertTrue(e.getMessage().contains("not 64-byte aligned"), e.getMessage());
            assertTrue(e.getMessage().contains("misaligned by 8 bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AlignedSegments.requireLineAligned(seg.asSlice(8)));
        }
    }

    @Test
    void sizeThatIsNotAWholeNumberOfLinesIsRejectedNamingTheSize() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AlignedSegments.requireLineAligned(seg.asSlice(0, 100)));
            assertTrue(e.getMessage().contains("size 100"), e.getMessage());
            assertTrue(e.getMessage().contains("64-byte line"), e.getMessage());
        }
    }

    @Test
    void heapSegmentIsRejectedBecauseLinesLiveOffHeap() {
        final MemorySegment heap = MemorySegment.ofArray(new long[16]);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlignedSegments.requireLineAligned(heap));
        assertTrue(e.getMessage().contains("not native"), e.getMessage());
    }

    @Test
    void alignedWholeLineSegmentIsAcceptedAndReturnedAsIs() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 3);
            final MemorySegment slice = seg.asSlice(64, 128);
            assertSame(slice, AlignedSegments.requireLineAligned(slice));
        }
    }

    @Test
    void lineCountsOutOfRangeAreRejectedWithTheValueInTheMessage() {
        try (Arena arena = Arena.ofConfined()) {
            for (final long bad : new long[] {0, -1, AlignedSegments.MAX_LINES + 1, Long.MAX_VALUE}) {
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> AlignedSegments.allocateLines(arena, bad));
                assertTrue(e.getMessage().contains("lines=" + bad), e.getMessage());
                assertTrue(e.getMessage().contains(Long.toString(AlignedSegments.MAX_LINES)), e.getMessage());
            }
        }
    }

    @Test
    void maxLinesTimes64DoesNotOverflowALong() {
        assertTrue(BucketDescriptor.lineOffset(AlignedSegments.MAX_LINES) > 0);
    }
}
