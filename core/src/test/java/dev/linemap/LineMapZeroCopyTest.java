package dev.linemap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zero-copy methods, whose keys are the key codec's encoding given as a {@link MemorySegment}:
 * {@code getBytes} (copies the value only into a target large enough, always returns its length, -1
 * when absent), {@code putBytes}, {@code removeBytes}, {@code containsKeyBytes}; and the in-place
 * access to a fixed 32-byte record: {@code readValue} and {@code updateValue}. Both ways agree with
 * the object API on the same map.
 */
class LineMapZeroCopyTest {

    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final byte SENTINEL = 0x5A;

    private Arena arena;
    private LineMap<String, String> map;

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
        map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0).seed(5).build();
    }

    @AfterEach
    void close() {
        map.close();
        arena.close();
    }

    private MemorySegment utf8(final String s) {
        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
        final MemorySegment seg = arena.allocate(Math.max(1, b.length)).asSlice(0, b.length);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
        return seg;
    }

    private MemorySegment filled(final long n) {
        final MemorySegment seg = arena.allocate(Math.max(1, n)).asSlice(0, n);
        seg.fill(SENTINEL);
        return seg;
    }

    private static String text(final MemorySegment seg, final long length) {
        return new String(seg.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static void assertUntouched(final MemorySegment seg, final long from, final String what) {
        for (long i = from; i < seg.byteSize(); i++) {
            assertEquals(SENTINEL, seg.get(ValueLayout.JAVA_BYTE, i), what + ": byte " + i + " was written");
        }
    }

    @Test
    void getBytesCopiesOnlyIntoATargetLargeEnoughAndAlwaysReturnsTheLength() {
        assertEquals(-1, map.getBytes(utf8("k"), filled(16)), "absent");
        map.put("k", "hello");
        final MemorySegment exact = filled(5);
        assertEquals(5, map.getBytes(utf8("k"), exact));
        assertEquals("hello", text(exact, 5));
        final MemorySegment larger = filled(64);
        assertEquals(5, map.getBytes(utf8("k"), larger));
        assertEquals("hello", text(larger, 5));
        assertUntouched(larger, 5, "larger target, beyond the value");
        final MemorySegment small = filled(4);
        assertEquals(5, map.getBytes(utf8("k"), small), "too small: the length, so the caller can retry");
        assertUntouched(small, 0, "too-small target");
        final MemorySegment none = filled(0);
        assertEquals(5, map.getBytes(utf8("k"), none));
        map.put("empty", "");
        final MemorySegment forEmpty = filled(8);
        assertEquals(0, map.getBytes(utf8("empty"), forEmpty), "an empty value is present, length 0");
        assertUntouched(forEmpty, 0, "empty value");
        assertEquals(0, map.getBytes(utf8("empty"), filled(0)));
        map.put("", "of the empty key");
        final MemorySegment target = filled(32);
        assertEquals(16, map.getBytes(utf8(""), target));
        assertEquals("of the empty key", text(target, 16));
    }

    @Test
    void putRemoveAndContainsByBytesAgreeWithTheObjectApi() {
        assertFalse(map.containsKeyBytes(utf8("é")));
        assertTrue(map.putBytes(utf8("é"), utf8("ü1")), "absent: true");
        assertEquals("ü1", map.get("é"), "the bytes are the codec's encoding");
        assertTrue(map.containsKeyBytes(utf8("é")));
        assertFalse(map.putBytes(utf8("é"), utf8("x")), "present: false, and the value replaced");
        assertEquals("x", map.get("é"));
        assertEquals(1, map.size());
        map.put("o", "object");
        assertTrue(map.containsKeyBytes(utf8("o")));
        assertFalse(map.containsKeyBytes(utf8("o ")), "a longer key is another key");
        assertTrue(map.removeBytes(utf8("o")));
        assertFalse(map.removeBytes(utf8("o")), "already removed");
        assertFalse(map.containsKey("o"));
        assertTrue(map.putBytes(utf8(""), utf8("")), "empty key and value");
        assertEquals("", map.get(""));
        assertEquals(2, map.size());
    }

    @Test
    void theOffsetFormsReadAndWriteInsideLargerSegmentsAndCheckTheirRanges() {
        // One buffer holding "xxkey1yyvalue-1zz": key at [2, 6), value at [8, 15).
        final MemorySegment buffer = utf8("xxkey1yyvalue-1zz");
        assertTrue(map.putBytes(buffer, 2, 4, buffer, 8, 7), "absent");
        assertEquals("value-1", map.get("key1"));
        assertTrue(map.containsKeyBytes(buffer, 2, 4));
        assertFalse(map.containsKeyBytes(buffer, 2, 3), "a prefix is another key");
        final MemorySegment target = filled(32);
        assertEquals(7, map.getBytes(buffer, 2, 4, target, 10));
        assertEquals("value-1", new String(target.asSlice(10, 7).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.UTF_8));
        assertUntouched(target.asSlice(0, 10), 0, "before the target offset");
        assertUntouched(target.asSlice(17), 0, "after the value");
        final MemorySegment tight = filled(12);
        assertEquals(7, map.getBytes(buffer, 2, 4, tight, 6), "does not fit before the end: length only");
        assertUntouched(tight, 0, "a target too small after its offset");
        assertFalse(map.putBytes(buffer, 2, 4, buffer, 0, 0), "present: replaced by the empty value");
        assertEquals("", map.get("key1"));
        assertEquals(-1, map.getBytes(buffer, 0, 4, target, 0), "\"xxke\" is absent");
        for (final Runnable outside : List.<Runnable>of(
                () -> map.getBytes(buffer, 15, 4, target, 0),
                () -> map.getBytes(buffer, 2, 4, target, 33),
                () -> map.getBytes(buffer, -1, 4, target, 0),
                () -> map.containsKeyBytes(buffer, 16, 2),
                () -> map.putBytes(buffer, 2, 4, buffer, 10, 8),
                () -> map.removeBytes(buffer, 2, 16))) {
            try {
                outside.run();
                throw new AssertionError("a range outside its segment was accepted");
            } catch (final IndexOutOfBoundsException expected) {
                // as documented
            }
        }
        assertEquals("", map.get("key1"), "the rejected calls changed nothing");
        assertTrue(map.removeBytes(buffer, 2, 4));
        assertFalse(map.removeBytes(buffer, 2, 4));
        assertEquals(0, map.size());
    }

    @Test
    void heapSegmentsWorkAsKeysAndTargetsToo() {
        map.put("heap", "value");
        final MemorySegment key = MemorySegment.ofArray("heap".getBytes(StandardCharsets.UTF_8));
        final byte[] out = new byte[8];
        assertEquals(5, map.getBytes(key, MemorySegment.ofArray(out)));
        assertEquals("value", new String(out, 0, 5, StandardCharsets.UTF_8));
        assertTrue(map.containsKeyBytes(key));
        assertFalse(map.putBytes(key, MemorySegment.ofArray(new byte[] {'w'})));
        assertEquals("w", map.get("heap"));
        assertTrue(map.removeBytes(key));
    }

    @Test
    void zeroCopyKeysHitEntriesAcrossGrowthAndShrink() {
        for (int i = 0; i < 3000; i++) {
            assertTrue(map.putBytes(utf8("key-" + i), utf8("v".repeat(i % 50))), "key " + i);
        }
        final MemorySegment target = filled(64);
        for (int i = 0; i < 3000; i++) {
            assertEquals(i % 50, map.getBytes(utf8("key-" + i), target), "key " + i);
            assertEquals("v".repeat(i % 50), text(target, i % 50));
        }
        for (int i = 0; i < 2990; i++) {
            assertTrue(map.removeBytes(utf8("key-" + i)), "key " + i);
        }
        assertEquals(10, map.size());
        for (int i = 2990; i < 3000; i++) {
            assertTrue(map.containsKeyBytes(utf8("key-" + i)));
        }
    }

    // ------------------------------------------------------------------ in place: a 32-byte record

    /** A 32-byte record: [0, 8) a counter, [8, 16) a price, [16, 32) a tag. */
    private static byte[] record(final long counter, final long price, final byte tag) {
        final MemorySegment r = MemorySegment.ofArray(new byte[32]);
        r.set(LE_LONG, 0, counter);
        r.set(LE_LONG, 8, price);
        r.asSlice(16, 16).fill(tag);
        return r.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void readValueSeesTheStoredRecordAndReturnsAbsentForAMissingKey() {
        try (LineMap<String, byte[]> records = LineMap.builder(Codecs.utf8(), Codecs.bytes()).build()) {
            records.put("EURUSD", record(1, 10_850, (byte) 3));
            final List<Long> sizes = new ArrayList<>();
            final long price = records.readValue(utf8("EURUSD"), v -> {
                sizes.add(v.byteSize());
                return v.get(LE_LONG, 8);
            }, -7);
            assertEquals(10_850, price);
            assertTrue(sizes.stream().allMatch(s -> s == 32), "the reader sees exactly the 32 bytes: " + sizes);
            assertEquals(-7, records.readValue(utf8("GBPUSD"), v -> 1 / 0, -7), "absent: the reader is not run");
            assertEquals(3L, records.readValue(utf8("EURUSD"), v -> v.get(ValueLayout.JAVA_BYTE, 31), -1));
        }
    }

    @Test
    void updateValueChangesTheStoredBytesInPlace() {
        try (LineMap<String, byte[]> records = LineMap.builder(Codecs.utf8(), Codecs.bytes()).build()) {
            records.put("EURUSD", record(1, 10_850, (byte) 3));
            records.put("other", record(9, 9, (byte) 9));
            final AtomicInteger calls = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                assertTrue(records.updateValue(utf8("EURUSD"), v -> {
                    calls.incrementAndGet();
                    assertEquals(32, v.byteSize(), "the updater sees the stored length");
                    v.set(LE_LONG, 0, v.get(LE_LONG, 0) + 1);
                    v.set(LE_LONG, 8, 10_900);
                }));
            }
            assertEquals(100, calls.get(), "the updater runs exactly once per call");
            assertArrayEquals(record(101, 10_900, (byte) 3), records.get("EURUSD"), "the update is what get returns");
            assertEquals(101, records.readValue(utf8("EURUSD"), v -> v.get(LE_LONG, 0), -1));
            assertArrayEquals(record(9, 9, (byte) 9), records.get("other"), "the neighbour is untouched");
            assertFalse(records.updateValue(utf8("none"), v -> {
                throw new AssertionError("updater called for an absent key");
            }));
            assertFalse(records.containsKey("none"), "updateValue does not insert");
            assertEquals(2, records.size());
        }
    }

    @Test
    void anUpdaterThatThrowsReleasesTheKeyAndTheMapStaysUsable() {
        try (LineMap<String, byte[]> records = LineMap.builder(Codecs.utf8(), Codecs.bytes()).build()) {
            records.put("r", record(1, 2, (byte) 3));
            try {
                records.updateValue(utf8("r"), v -> {
                    throw new IllegalStateException("from the updater");
                });
            } catch (final IllegalStateException expected) {
                assertEquals("from the updater", expected.getMessage());
            }
            assertTrue(records.updateValue(utf8("r"), v -> v.set(LE_LONG, 0, 5L)), "the lock was released");
            assertEquals(5, records.readValue(utf8("r"), v -> v.get(LE_LONG, 0), -1));
            assertNull(records.get("s"));
        }
    }
}
