package dev.linemap;

import dev.linemap.engine.Hashing;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class LineMapBasicsTest {

    private static LineMap<String, String> strings() {
        return LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).backgroundMigration(false).build();
    }

    private static MemorySegment utf8(final String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void putGetReplaceRemoveLikeConcurrentHashMap() {
        try (LineMap<String, String> map = strings()) {
            assertNull(map.put("a", "1"));
            assertEquals("1", map.put("a", "22"));
            assertEquals("22", map.get("a"));
            assertEquals("22", map.putIfAbsent("a", "x"));
            assertNull(map.putIfAbsent("b", "2"));
            assertTrue(map.replace("b", "2", "333333333333333333333333333333"));
            assertFalse(map.replace("b", "2", "4"));
            assertEquals("333333333333333333333333333333", map.replace("b", "5"));
            assertNull(map.replace("c", "5"));
            assertFalse(map.remove("b", "4"));
            assertTrue(map.remove("b", "5"));
            assertEquals("22", map.remove("a"));
            assertNull(map.remove("a"));
            assertTrue(map.isEmpty());
            assertThrows(NullPointerException.class, () -> map.put(null, "x"));
            assertThrows(NullPointerException.class, () -> map.put("x", null));
            assertThrows(NullPointerException.class, () -> map.get(null));
        }
    }

    @Test
    void computeMergeAndViewsAgreeWithConcurrentHashMap() {
        final long seed = 99;
        final Random random = new Random(seed);
        final Map<String, String> model = new ConcurrentHashMap<>();
        try (LineMap<String, String> map = strings()) {
            for (int i = 0; i < 20_000; i++) {
                final String k = "k" + random.nextInt(500);
                final String v = "v".repeat(random.nextInt(40));
                switch (random.nextInt(8)) {
                    case 0 -> assertEquals(model.put(k, v), map.put(k, v));
                    case 1 -> assertEquals(model.remove(k), map.remove(k));
                    case 2 -> assertEquals(model.merge(k, v, String::concat), map.merge(k, v, String::concat));
                    case 3 -> assertEquals(model.compute(k, (a, b) -> b == null ? v : null),
                            map.compute(k, (a, b) -> b == null ? v : null));
                    case 4 -> assertEquals(model.computeIfAbsent(k, a -> v), map.computeIfAbsent(k, a -> v));
                    case 5 -> assertEquals(model.computeIfPresent(k, (a, b) -> b.length() > 30 ? null : b + "x"),
                            map.computeIfPresent(k, (a, b) -> b.length() > 30 ? null : b + "x"));
                    case 6 -> assertEquals(model.putIfAbsent(k, v), map.putIfAbsent(k, v));
                    default -> assertEquals(model.get(k), map.get(k));
                }
            }
            assertEquals(model.size(), map.size(), "seed " + seed);
            assertEquals(model, map);
            assertEquals(map, model);
            assertEquals(model.hashCode(), map.hashCode());
            final Map<String, String> seen = new HashMap<>();
            map.forEach((k, v) -> assertNull(seen.put(k, v), "twice: " + k));
            assertEquals(model, seen);
            for (final Iterator<String> it = map.keySet().iterator(); it.hasNext(); ) {
                if (it.next().hashCode() % 2 == 0) {
                    it.remove();
                }
            }
            model.keySet().removeIf(k -> k.hashCode() % 2 == 0);
            assertEquals(model, map);
            assertEquals(model.entrySet(), map.entrySet());
            assertTrue(map.containsValue(model.values().iterator().next()));
        }
    }

    @Test
    void emptyKeysAndValuesAndTheMaximumsWork() {
        try (LineMap<byte[], byte[]> map = LineMap.builder(TestCodecs.BYTES, TestCodecs.BYTES).build()) {
            assertNull(map.put(new byte[0], new byte[0]));
            assertArrayEquals(new byte[0], map.get(new byte[0]));
            final byte[] bigKey = new byte[LineMap.MAX_KEY_BYTES];
            bigKey[7] = 7;
            final byte[] bigValue = new byte[LineMap.MAX_VALUE_BYTES];
            bigValue[LineMap.MAX_VALUE_BYTES - 1] = 9;
            map.put(bigKey, bigValue);
            assertArrayEquals(bigValue, map.get(bigKey));
            map.put(new byte[] {1}, new byte[] {2});
            final IllegalArgumentException tooLongKey = assertThrows(IllegalArgumentException.class,
                    () -> map.put(new byte[LineMap.MAX_KEY_BYTES + 1], new byte[1]));
            assertTrue(tooLongKey.getMessage().contains(String.valueOf(LineMap.MAX_KEY_BYTES + 1)),
                    tooLongKey.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> map.put(new byte[] {1}, new byte[LineMap.MAX_VALUE_BYTES + 1]));
            assertThrows(IllegalArgumentException.class,
                    () -> map.compute(new byte[] {1}, (k, v) -> new byte[LineMap.MAX_VALUE_BYTES + 1]));
            assertArrayEquals(new byte[] {2}, map.get(new byte[] {1}), "nothing stored changes");
            assertEquals(3, map.size());
            assertArrayEquals(bigValue, map.remove(bigKey));
        }
    }

    @Test
    void zeroCopyPathsAndInPlaceUpdate() {
        try (LineMap<String, String> map = strings(); Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocate(5);
            key.copyFrom(utf8("price"));
            final MemorySegment record = arena.allocate(16);
            record.set(ValueLayout.JAVA_LONG, 0, 100);
            record.set(ValueLayout.JAVA_LONG, 8, 7);
            assertTrue(map.putBytes(key, record));
            assertFalse(map.putBytes(key, record));
            assertTrue(map.containsKeyBytes(key));
            final MemorySegment target = arena.allocate(16);
            assertEquals(16, map.getBytes(key, target));
            assertEquals(100, target.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(16, map.getBytes(key, arena.allocate(4)), "too small: length only");
            assertTrue(map.updateValue(key, v -> v.set(ValueLayout.JAVA_LONG_UNALIGNED, 0,
                    v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1)));
            assertEquals(101, map.readValue(key, v -> v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), -1));
            assertTrue(map.removeBytes(key));
            assertEquals(-1, map.getBytes(key, target));
            assertEquals(-5, map.readValue(key, v -> 0, -5));
            assertFalse(map.updateValue(key, v -> { }));
            // The (segment, offset, length) forms: key and value inside larger buffers.
            final MemorySegment buffer = arena.allocate(64);
            buffer.asSlice(10, 5).copyFrom(utf8("price"));
            buffer.asSlice(20, 3).copyFrom(utf8("abc"));
            assertTrue(map.putBytes(buffer, 10, 5, buffer, 20, 3));
            assertEquals("abc", map.get("price"));
            assertTrue(map.containsKeyBytes(buffer, 10, 5));
            final MemorySegment out = arena.allocate(16);
            assertEquals(3, map.getBytes(buffer, 10, 5, out, 13));
            assertEquals((byte) 'c', out.get(ValueLayout.JAVA_BYTE, 15));
            assertEquals(3, map.getBytes(buffer, 10, 5, out, 14), "does not fit: length only");
            assertThrows(IndexOutOfBoundsException.class, () -> map.getBytes(buffer, 60, 5, out, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> map.putBytes(buffer, 10, 5, buffer, 62, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> map.getBytes(buffer, 10, 5, out, 17));
            assertTrue(map.removeBytes(buffer, 10, 5));
            assertFalse(map.containsKey("price"));
        }
    }

    @Test
    void growsAndShrinksKeepingEveryEntry() {
        assumeFalse(Hashing.colliding(), "16 hash values cannot show a shrink");
        try (LineMap<String, String> map = strings()) {
            final int n = 100_000;
            for (int i = 0; i < n; i++) {
                map.put("key-" + i, "value-" + i + "-" + "x".repeat(i % 50));
            }
            assertEquals(n, map.size());
            final LineMapStats grown = map.stats();
            assertTrue(grown.completedMigrations() > 5, grown.toString());
            for (int i = 0; i < n; i++) {
                assertEquals("value-" + i + "-" + "x".repeat(i % 50), map.get("key-" + i), "key-" + i);
            }
            for (int i = 0; i < n - 10; i++) {
                assertEquals("value-" + i + "-" + "x".repeat(i % 50), map.remove("key-" + i));
            }
            for (int i = 0; i < 1000; i++) {
                map.get("key-" + (n - 1));   // reads do not move migrations; a few writes do
                map.put("extra", "e" + i);
            }
            map.remove("extra");
            final LineMapStats shrunk = map.stats();
            assertTrue(shrunk.bucketCount() < grown.bucketCount() / 8, shrunk + " after " + grown);
            assertTrue(shrunk.offHeapBytes() < grown.offHeapBytes() / 8, shrunk + " after " + grown);
            for (int i = n - 10; i < n; i++) {
                assertEquals("value-" + i + "-" + "x".repeat(i % 50), map.get("key-" + i));
            }
        }
    }

    @Test
    void aKeySegmentOfAClosedArenaIsTheCallersErrorNotAnEndlessRetry() {
        try (LineMap<String, String> map = strings()) {
            map.put("k", "v");
            final Arena arena = Arena.ofShared();
            final MemorySegment key = arena.allocate(1);
            key.copyFrom(utf8("k"));
            final MemorySegment value = arena.allocate(1);
            arena.close();
            assertThrows(IllegalStateException.class, () -> map.getBytes(key, MemorySegment.ofArray(new byte[8])));
            assertThrows(IllegalStateException.class, () -> map.putBytes(key, utf8("x")));
            assertThrows(IllegalStateException.class, () -> map.putBytes(utf8("k"), value));
            assertThrows(IllegalStateException.class, () -> map.removeBytes(key));
            assertEquals("v", map.get("k"), "nothing changed");
            // A native value of the same size class as the stored one (the in-place case) and of
            // another: the stored value survives, the bucket is not left locked.
            final Arena other = Arena.ofShared();
            final MemorySegment same = other.allocate(1);
            final MemorySegment longer = other.allocate(300);
            other.close();
            assertThrows(IllegalStateException.class, () -> map.putBytes(utf8("k"), same));
            assertThrows(IllegalStateException.class, () -> map.putBytes(utf8("k"), longer));
            assertEquals("v", map.get("k"));
            assertThrows(ArithmeticException.class, () -> map.updateValue(utf8("k"), v -> {
                v.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 'w');
                throw new ArithmeticException("half way");
            }));
            assertEquals("w", map.get("k"), "an updater's bytes stay; the bucket is unlocked");
            map.put("k", "v2");
            assertEquals("v2", map.get("k"));
        }
    }

    @Test
    void closeFreesAndLaterUseThrows() {
        final LineMap<String, String> map = strings();
        map.put("a", "b");
        map.close();
        map.close();
        assertTrue(map.isClosed());
        assertThrows(IllegalStateException.class, () -> map.get("a"));
        assertThrows(IllegalStateException.class, () -> map.put("a", "c"));
        assertThrows(IllegalStateException.class, map::size);
        assertThrows(IllegalStateException.class, () -> map.getBytes(utf8("a"), MemorySegment.ofArray(new byte[8])));
    }
}
