package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dense line's numbers (docs/spec/bucket.md, section 3.1), typed here as literals as
 * {@link BucketDescriptorLayoutTest} types the bucket's, and its accessors checked byte by byte as
 * {@link DescriptorAccessorBytesTest} checks the bucket's: each 4-byte tag and reference is written
 * and read at the offset the spec names, and no other byte of the segment changes. A 4-byte
 * accessor that reached 8 bytes would overwrite its neighbour slot, which a test of 8-byte words
 * would not see.
 */
class DenseLineDescriptorTest {

    /** Lines in the test segment; the line under test is not the first, so the line base counts. */
    private static final int LINES = 3;
    private static final long LINE = 64;

    /**
     * Four distinct non-zero bytes, different for every offset up to 124, so a shifted or wide
     * access shows; the top bit is set, so a reader that sign-extended would show too.
     */
    private static int pattern(final long offset) {
        return (int) (0x8102_0304L + 0x0101_0101L * offset);
    }

    /** {@link #pattern} as the accessors take and return it: a long of 32 bits, unsigned. */
    private static long word(final long offset) {
        return Integer.toUnsignedLong(pattern(offset));
    }

    /**
     * Asserts that the segment holds {@code value} in the 4 bytes at {@code at} (absolute) and zero
     * everywhere else.
     */
    private static void assertOnlyWordSet(final MemorySegment seg, final long at, final int value) {
        for (long off = 0; off < seg.byteSize(); off += 4) {
            assertEquals(off == at ? value : 0, seg.get(JAVA_INT, off),
                    "4 bytes at " + off + " (written word: " + at + ")");
        }
    }

    private static void assertAllZero(final MemorySegment seg) {
        for (long off = 0; off < seg.byteSize(); off += 4) {
            assertEquals(0, seg.get(JAVA_INT, off), "4 bytes at " + off + " after a rejected call");
        }
    }

    @Test
    void denseLineIsOne64ByteLineWithSixTagsFrom16AndSixReferencesFrom40() {
        assertEquals(64, DenseLineDescriptor.LAYOUT.byteSize());
        assertEquals(64, DenseLineDescriptor.LAYOUT.byteAlignment());
        assertEquals(6, DenseLineDescriptor.SLOTS);
        assertEquals(DenseLineDescriptor.SLOTS, CtrlWord.MAX_SLOTS, "one ctrl occupancy bit per dense slot");
        assertEquals(0, DenseLineDescriptor.LAYOUT.byteOffset(groupElement("ctrl")));
        assertEquals(8, DenseLineDescriptor.LAYOUT.byteOffset(groupElement("meta")));
        assertEquals(16, DenseLineDescriptor.TAG0_OFFSET);
        assertEquals(40, DenseLineDescriptor.REF0_OFFSET);
        assertEquals(4, DenseLineDescriptor.STRIDE);
        assertEquals(0xFFFF_FFFFL, DenseLineDescriptor.WORD_MASK);
        for (int i = 0; i < DenseLineDescriptor.SLOTS; i++) {
            assertEquals(16 + 4L * i,
                    DenseLineDescriptor.LAYOUT.byteOffset(groupElement("tags"), sequenceElement(i)), "tag " + i);
            assertEquals(40 + 4L * i,
                    DenseLineDescriptor.LAYOUT.byteOffset(groupElement("refs"), sequenceElement(i)), "ref " + i);
        }
    }

    @Test
    void denseLineWordsAreNativeOrderAndTheHeaderWordsSitWhereTheBucketsDo() {
        for (final LayoutField field : LayoutPrinter.fields(DenseLineDescriptor.LAYOUT)) {
            final boolean header = field.name().equals("ctrl") || field.name().equals("meta");
            assertEquals(header ? "long" : "int", field.type(),
                    field.name() + " (a foreign byte order would be named)");
            assertEquals(header ? 8 : 4, field.size(), field.name());
            assertEquals(0, field.offset() % field.size(), field.name() + " must be naturally aligned");
        }
        // The seqlock code reads ctrl and meta through BucketDescriptor whatever the line's shape.
        assertEquals(BucketDescriptor.CTRL_OFFSET, DenseLineDescriptor.LAYOUT.byteOffset(groupElement("ctrl")));
        assertEquals(BucketDescriptor.META_OFFSET, DenseLineDescriptor.LAYOUT.byteOffset(groupElement("meta")));
    }

    @Test
    void everyTagAndReferenceAccessorTouchesExactlyItsFourBytes() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            for (int slot = 0; slot < DenseLineDescriptor.SLOTS; slot++) {
                final long tagAt = LINE + 16 + 4L * slot;
                final long refAt = LINE + 40 + 4L * slot;
                final String at = "slot " + slot;

                DenseLineDescriptor.setTagOpaque(seg, LINE, slot, word(tagAt));
                assertOnlyWordSet(seg, tagAt, pattern(tagAt));
                assertEquals(word(tagAt), DenseLineDescriptor.tagPlain(seg, LINE, slot), at);
                assertEquals(word(tagAt), DenseLineDescriptor.tagOpaque(seg, LINE, slot), at);
                seg.fill((byte) 0);

                DenseLineDescriptor.setRefOpaque(seg, LINE, slot, word(refAt));
                assertOnlyWordSet(seg, refAt, pattern(refAt));
                assertEquals(word(refAt), DenseLineDescriptor.refPlain(seg, LINE, slot), at);
                assertEquals(word(refAt), DenseLineDescriptor.refOpaque(seg, LINE, slot), at);
                seg.fill((byte) 0);

                DenseLineDescriptor.setSlotPlain(seg, LINE, slot, word(tagAt), word(refAt));
                for (long off = 0; off < seg.byteSize(); off += 4) {
                    final int expected = off == tagAt ? pattern(tagAt) : off == refAt ? pattern(refAt) : 0;
                    assertEquals(expected, seg.get(JAVA_INT, off), at + ", setSlotPlain: 4 bytes at " + off);
                }
                seg.fill((byte) 0);
            }
        }
    }

    @Test
    void readersSeeWordsStoredAtTheSpecsOffsetsAndTheirNeighboursApart() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            // Every word of the line distinct at once: a reader that took a neighbour's bytes fails.
            for (long off = LINE + 16; off < LINE + 64; off += 4) {
                seg.set(JAVA_INT, off, pattern(off));
            }
            for (int slot = 0; slot < DenseLineDescriptor.SLOTS; slot++) {
                final long tagAt = LINE + 16 + 4L * slot;
                final long refAt = LINE + 40 + 4L * slot;
                assertEquals(word(tagAt), DenseLineDescriptor.tagPlain(seg, LINE, slot), "tag " + slot);
                assertEquals(word(tagAt), DenseLineDescriptor.tagOpaque(seg, LINE, slot), "tag " + slot);
                assertEquals(word(refAt), DenseLineDescriptor.refPlain(seg, LINE, slot), "ref " + slot);
                assertEquals(word(refAt), DenseLineDescriptor.refOpaque(seg, LINE, slot), "ref " + slot);
            }
        }
    }

    @Test
    void wordsAreReadUnsignedSoTheTopBitDoesNotSignExtend() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 1);
            DenseLineDescriptor.setSlotPlain(seg, 0, 5, 0xFFFF_FFFFL, 0x8000_0000L);
            assertEquals(0xFFFF_FFFFL, DenseLineDescriptor.tagPlain(seg, 0, 5));
            assertEquals(0xFFFF_FFFFL, DenseLineDescriptor.tagOpaque(seg, 0, 5));
            assertEquals(0x8000_0000L, DenseLineDescriptor.refPlain(seg, 0, 5));
            assertEquals(0x8000_0000L, DenseLineDescriptor.refOpaque(seg, 0, 5));
            assertEquals(-1, seg.get(JAVA_INT, 16 + 4 * 5), "stored as the 32 bits, not cut or shifted");
        }
    }

    @Test
    void wordsAreNativeOrderInts() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 1);
            DenseLineDescriptor.setTagOpaque(seg, 0, 0, 0x0102_0304L);
            final long low = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 16 : 19;
            assertEquals(0x04, seg.get(JAVA_BYTE, low), "least significant byte sits where native order puts it");
        }
    }

    @Test
    void settersRejectValuesWiderThan32BitsNamingTheValueAndStoreNothing() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 1);
            final long wide = 0x1_0000_0000L;
            assertRejected("tag=0x100000000", () -> DenseLineDescriptor.setTagOpaque(seg, 0, 1, wide));
            assertRejected("ref=0x100000000", () -> DenseLineDescriptor.setRefOpaque(seg, 0, 1, wide));
            assertRejected("tag=0xffffffffffffffff", () -> DenseLineDescriptor.setSlotPlain(seg, 0, 1, -1L, 0));
            // A valid tag beside a rejected reference: the slot is not left half written.
            assertRejected("ref=0xffffffff80000000",
                    () -> DenseLineDescriptor.setSlotPlain(seg, 0, 1, 0x1234, Integer.MIN_VALUE));
            assertAllZero(seg);
        }
    }

    private static void assertRejected(final String named, final org.junit.jupiter.api.function.Executable call) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void everyAccessorRejectsASlotOutsideZeroToFive() {
        try (Arena arena = Arena.ofConfined()) {
            // Two lines: slot 6 of line 0 would land inside the segment (on ref 0, on line 1's
            // ctrl), so only the slot check can refuse it, not the segment's bounds.
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            for (final int slot : new int[] {DenseLineDescriptor.SLOTS, -1}) {
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.tagPlain(seg, 0, slot));
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.refPlain(seg, 0, slot));
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.tagOpaque(seg, 0, slot));
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.refOpaque(seg, 0, slot));
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.setTagOpaque(seg, 0, slot, 1));
                assertThrows(IndexOutOfBoundsException.class, () -> DenseLineDescriptor.setRefOpaque(seg, 0, slot, 1));
                assertThrows(IndexOutOfBoundsException.class,
                        () -> DenseLineDescriptor.setSlotPlain(seg, 0, slot, 1, 1));
            }
            assertAllZero(seg);
        }
    }

    @Test
    void everyAccessorRejectsALineOffsetThatIsNotAMultipleOf64() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            // 4 and 16 land on a real tag of line 0 if the check were missing; 32 and 48 on others.
            for (final long bad : new long[] {4, 16, 32, 48}) {
                assertLineRejected(bad, () -> DenseLineDescriptor.tagPlain(seg, bad, 0));
                assertLineRejected(bad, () -> DenseLineDescriptor.refPlain(seg, bad, 0));
                assertLineRejected(bad, () -> DenseLineDescriptor.tagOpaque(seg, bad, 0));
                assertLineRejected(bad, () -> DenseLineDescriptor.refOpaque(seg, bad, 0));
                assertLineRejected(bad, () -> DenseLineDescriptor.setTagOpaque(seg, bad, 0, 1));
                assertLineRejected(bad, () -> DenseLineDescriptor.setRefOpaque(seg, bad, 0, 1));
                assertLineRejected(bad, () -> DenseLineDescriptor.setSlotPlain(seg, bad, 0, 1, 1));
            }
            assertAllZero(seg);
        }
    }

    private static void assertLineRejected(final long line, final org.junit.jupiter.api.function.Executable call) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains("line offset " + line), e.getMessage());
    }

    @Test
    void aLineWrittenThroughTheDescriptorReadsBackThroughItsLayoutPaths() {
        // The accessors' offsets are derived once from LAYOUT; reading through the layout's own
        // path handles ties the two together for every slot at once.
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            for (int slot = 0; slot < DenseLineDescriptor.SLOTS; slot++) {
                DenseLineDescriptor.setSlotPlain(seg, LINE, slot, 0xA0 + slot, 0xB0 + slot);
            }
            for (int slot = 0; slot < DenseLineDescriptor.SLOTS; slot++) {
                assertEquals(0xA0 + slot, seg.get(ValueLayout.JAVA_INT, LINE
                        + DenseLineDescriptor.LAYOUT.byteOffset(groupElement("tags"), sequenceElement(slot))));
                assertEquals(0xB0 + slot, seg.get(ValueLayout.JAVA_INT, LINE
                        + DenseLineDescriptor.LAYOUT.byteOffset(groupElement("refs"), sequenceElement(slot))));
            }
        }
    }
}
