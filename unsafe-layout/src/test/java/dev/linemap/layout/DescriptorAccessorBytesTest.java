package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VarHandle accessors touch exactly the bytes the spec names: every write through an accessor
 * is read back with {@code MemorySegment.get(JAVA_LONG, literal offset)} and vice versa, on a line
 * that is not the first in its segment (so the line base is exercised too), and no other word of
 * the segment changes.
 */
class DescriptorAccessorBytesTest {

    private static final int LINES = 4;
    private static final long LINE = 2 * 64;

    static Stream<Arguments> arenas() {
        return Stream.of(
                Arguments.of("confined", (Supplier<Arena>) Arena::ofConfined),
                Arguments.of("shared", (Supplier<Arena>) Arena::ofShared));
    }

    /** A value whose 8 bytes all differ, distinct per offset, so a shifted access is visible. */
    private static long pattern(final long offset) {
        return 0x0102_0304_0506_0708L * (offset + 3) ^ 0x8000_0000_0000_0000L;
    }

    /** Asserts that only the word at {@code changedOffset} (absolute) holds a non-zero value. */
    private static void assertOnlyWordSet(final MemorySegment seg, final long changedOffset, final long value) {
        for (long off = 0; off < seg.byteSize(); off += 8) {
            final long expected = off == changedOffset ? value : 0;
            assertEquals(expected, seg.get(JAVA_LONG, off),
                    "word at byte " + off + " (changed word: " + changedOffset + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void ctrlAccessorsWriteAndReadBytes0To7OfTheLine(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            BucketDescriptor.ctrlRelease(seg, LINE, pattern(0));
            assertOnlyWordSet(seg, LINE, pattern(0));
            BucketDescriptor.setCtrlPlain(seg, LINE, pattern(1));
            assertOnlyWordSet(seg, LINE, pattern(1));
            seg.set(JAVA_LONG, LINE, pattern(2));
            assertEquals(pattern(2), BucketDescriptor.ctrlAcquire(seg, LINE));
            assertEquals(pattern(2), BucketDescriptor.ctrlOpaque(seg, LINE));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void metaAccessorsWriteAndReadBytes8To15OfTheLine(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            BucketDescriptor.setMetaOpaque(seg, LINE, pattern(8));
            assertOnlyWordSet(seg, LINE + 8, pattern(8));
            BucketDescriptor.setMetaPlain(seg, LINE, pattern(9));
            assertOnlyWordSet(seg, LINE + 8, pattern(9));
            seg.set(JAVA_LONG, LINE + 8, pattern(10));
            assertEquals(pattern(10), BucketDescriptor.metaOpaque(seg, LINE));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void slotAccessorsWriteAndReadKeyAt16Plus16iAndValueAt24Plus16i(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            for (int slot = 0; slot < BucketDescriptor.SLOTS; slot++) {
                final long keyAt = LINE + 16 + 16L * slot;
                final long valueAt = LINE + 24 + 16L * slot;

                BucketDescriptor.setKeyOpaque(seg, LINE, slot, pattern(keyAt));
                assertOnlyWordSet(seg, keyAt, pattern(keyAt));
                seg.set(JAVA_LONG, keyAt, 0);

                BucketDescriptor.setValueOpaque(seg, LINE, slot, pattern(valueAt));
                assertOnlyWordSet(seg, valueAt, pattern(valueAt));
                seg.set(JAVA_LONG, valueAt, 0);

                BucketDescriptor.setSlotPlain(seg, LINE, slot, pattern(keyAt), pattern(valueAt));
                assertEquals(pattern(keyAt), seg.get(JAVA_LONG, keyAt), "key of slot " + slot);
                assertEquals(pattern(valueAt), seg.get(JAVA_LONG, valueAt), "value of slot " + slot);
                seg.fill((byte) 0);

                seg.set(JAVA_LONG, keyAt, ~pattern(keyAt));
                seg.set(JAVA_LONG, valueAt, ~pattern(valueAt));
                assertEquals(~pattern(keyAt), BucketDescriptor.keyOpaque(seg, LINE, slot), "key of slot " + slot);
                assertEquals(~pattern(valueAt), BucketDescriptor.valueOpaque(seg, LINE, slot), "value of slot " + slot);
                seg.fill((byte) 0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void overflowLineOccAndNextAccessorsUseBytes0And8(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            OverflowLineDescriptor.setOccOpaque(seg, LINE, pattern(0));
            assertOnlyWordSet(seg, LINE, pattern(0));
            seg.fill((byte) 0);
            OverflowLineDescriptor.setNextOpaque(seg, LINE, pattern(8));
            assertOnlyWordSet(seg, LINE + 8, pattern(8));
            seg.set(JAVA_LONG, LINE, 11);
            assertEquals(11, OverflowLineDescriptor.occOpaque(seg, LINE));
            assertEquals(pattern(8), OverflowLineDescriptor.nextOpaque(seg, LINE));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void casCtrlInstallsOnlyWhenTheExpectedWordMatches(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            final long unlocked = CtrlWord.of(41, false, CtrlWord.NORMAL, 0b101);
            BucketDescriptor.ctrlRelease(seg, LINE, unlocked);

            assertFalse(BucketDescriptor.casCtrl(seg, LINE, unlocked + CtrlWord.VERSION_ONE, CtrlWord.locked(unlocked)),
                    "CAS with a stale version must fail");
            assertEquals(unlocked, seg.get(JAVA_LONG, LINE), "a failed CAS must not change ctrl");

            assertTrue(BucketDescriptor.casCtrl(seg, LINE, unlocked, CtrlWord.locked(unlocked)));
            assertEquals(CtrlWord.locked(unlocked), seg.get(JAVA_LONG, LINE));
            assertFalse(BucketDescriptor.casCtrl(seg, LINE, unlocked, CtrlWord.locked(unlocked)),
                    "a second locker expecting the unlocked word must fail");
            assertOnlyWordSet(seg, LINE, CtrlWord.locked(unlocked));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void accessorsRejectALineOffsetThatIsNot64ByteAligned(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BucketDescriptor.ctrlRelease(seg, 8, 1));
            assertTrue(e.getMessage().contains("alignment"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> BucketDescriptor.keyOpaque(seg, 32, 0));
            assertOnlyWordSet(seg, 0, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void accessorsRejectSlotIndexOutOfRangeAndLinesPastTheEnd(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, LINES);
            assertThrows(IndexOutOfBoundsException.class,
                    () -> BucketDescriptor.keyOpaque(seg, 0, BucketDescriptor.SLOTS));
            assertThrows(IndexOutOfBoundsException.class, () -> BucketDescriptor.setValueOpaque(seg, 0, -1, 1));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> BucketDescriptor.ctrlAcquire(seg, BucketDescriptor.lineOffset(LINES)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("arenas")
    void wordsWrittenByAccessorsAreNativeOrderLongs(final String kind, final Supplier<Arena> arenas) {
        try (Arena arena = arenas.get()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 1);
            BucketDescriptor.ctrlRelease(seg, 0, 0x0102_0304_0506_0708L);
            final byte lowByte = seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE,
                    java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 0 : 7);
            assertEquals(0x08, lowByte, "least significant byte sits where native order puts it");
        }
    }
}
