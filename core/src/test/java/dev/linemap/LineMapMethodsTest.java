package dev.linemap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public method of {@link LineMap} and {@link LineMapBuilder} on its own, with the result a
 * {@code ConcurrentHashMap} would give (the random histories are in {@link LineMapContractTest}):
 * the single-key operations and their return values, the bulk ones, the views, and equality of
 * keys and values by their encodings ({@code byte[]} keys and values compare by content).
 */
class LineMapMethodsTest {

    private LineMap<String, String> map;

    @BeforeEach
    void open() {
        map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(3).build();
    }

    @AfterEach
    void close() {
        map.close();
    }

    @Test
    void singleKeyReadsAndWritesReturnWhatConcurrentHashMapReturns() {
        assertNull(map.get("a"));
        assertEquals("d", map.getOrDefault("a", "d"));
        assertFalse(map.containsKey("a"));
        assertNull(map.put("a", "1"));
        assertEquals("1", map.put("a", "22"), "put returns the previous value");
        assertEquals("22", map.get("a"));
        assertEquals("22", map.getOrDefault("a", "d"));
        assertTrue(map.containsKey("a"));
        assertTrue(map.containsValue("22"));
        assertFalse(map.containsValue("1"));
        assertEquals("22", map.putIfAbsent("a", "3"), "present: the existing value, no change");
        assertEquals("22", map.get("a"));
        assertNull(map.putIfAbsent("b", "3"));
        assertEquals("3", map.get("b"));
        assertNull(map.replace("c", "x"), "replace of an absent key");
        assertFalse(map.containsKey("c"), "replace does not insert");
        assertEquals("3", map.replace("b", "44"));
        assertFalse(map.replace("b", "3", "5"), "replace with a wrong expected value");
        assertEquals("44", map.get("b"));
        assertTrue(map.replace("b", "44", "5"));
        assertEquals("5", map.get("b"));
        assertFalse(map.replace("c", "5", "6"), "replace(k, e, n) of an absent key");
        assertFalse(map.remove("b", "4"), "remove with a wrong value");
        assertTrue(map.remove("b", "5"));
        assertFalse(map.containsKey("b"));
        assertFalse(map.remove("b", "5"), "already removed");
        assertEquals("22", map.remove("a"));
        assertNull(map.remove("a"));
        assertTrue(map.isEmpty());
        assertEquals(0, map.size());
    }

    @Test
    void computeFamilyAndMergeFollowTheMapContract() {
        assertEquals("k1", map.compute("k", (k, v) -> v == null ? k + "1" : v + "+"));
        assertEquals("k1+", map.compute("k", (k, v) -> v == null ? k + "1" : v + "+"));
        assertNull(map.compute("k", (k, v) -> null), "null removes");
        assertFalse(map.containsKey("k"));
        assertNull(map.compute("k", (k, v) -> null), "absent and null: nothing inserted");
        assertFalse(map.containsKey("k"));
        assertEquals("x", map.computeIfAbsent("k", k -> "x"));
        assertEquals("x", map.computeIfAbsent("k", k -> "y"), "present: the existing value");
        final AtomicInteger calls = new AtomicInteger();
        map.computeIfAbsent("k", k -> {
            calls.incrementAndGet();
            return "z";
        });
        assertEquals(0, calls.get(), "computeIfAbsent does not call the function for a present key");
        assertNull(map.computeIfAbsent("n", k -> null), "null: nothing inserted");
        assertFalse(map.containsKey("n"));
        assertEquals("x!", map.computeIfPresent("k", (k, v) -> v + "!"));
        assertNull(map.computeIfPresent("n", (k, v) -> "never"), "absent: not applied");
        assertFalse(map.containsKey("n"));
        assertNull(map.computeIfPresent("k", (k, v) -> null), "null removes");
        assertFalse(map.containsKey("k"));
        assertEquals("m", map.merge("m", "m", (a, b) -> a + b), "absent: the value itself");
        assertEquals("mn", map.merge("m", "n", (a, b) -> a + b), "old first, then the given value");
        assertNull(map.merge("m", "o", (a, b) -> null), "null removes");
        assertFalse(map.containsKey("m"));
        map.put("t", "1");
        assertThrows(ArithmeticException.class, () -> map.compute("t", (k, v) -> String.valueOf(1 / 0)));
        assertThrows(ArithmeticException.class, () -> map.merge("t", "2", (a, b) -> String.valueOf(1 / 0)));
        assertThrows(ArithmeticException.class, () -> map.computeIfAbsent("u", k -> String.valueOf(1 / 0)));
        assertThrows(ArithmeticException.class, () -> map.computeIfPresent("t", (k, v) -> String.valueOf(1 / 0)));
        assertEquals("1", map.get("t"), "a throwing function changes nothing");
        assertFalse(map.containsKey("u"));
        assertEquals("12", map.compute("t", (k, v) -> v + "2"), "the bucket was unlocked after the throw");
        assertEquals(Map.of("t", "12"), new HashMap<>(map));
    }

    @Test
    void bulkOperationsVisitAndChangeEveryEntry() {
        final Map<String, String> reference = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            reference.put("key-" + i, "v".repeat(i % 40));
        }
        map.putAll(reference);
        assertEquals(reference.size(), map.size());
        final Map<String, String> seen = new HashMap<>();
        map.forEach((k, v) -> assertNull(seen.put(k, v), "forEach repeated " + k));
        assertEquals(reference, seen);
        map.replaceAll((k, v) -> k + "=" + v.length());
        reference.replaceAll((k, v) -> k + "=" + v.length());
        assertEquals(reference, map);
        assertEquals(map, reference);
        map.clear();
        assertTrue(map.isEmpty());
        assertEquals(0, map.size());
        assertNull(map.get("key-1"));
        assertNull(map.put("key-1", "again"), "usable after clear");
        assertEquals(1, map.size());
    }

    @Test
    void viewsReadAndWriteThroughAndTheirIteratorsRemove() {
        for (int i = 0; i < 50; i++) {
            map.put("k" + i, "v" + i);
        }
        assertEquals(50, map.keySet().size());
        assertEquals(50, map.values().size());
        assertEquals(50, map.entrySet().size());
        assertTrue(map.keySet().contains("k7"));
        assertFalse(map.keySet().contains("k70"));
        assertTrue(map.values().contains("v7"));
        assertTrue(map.entrySet().contains(Map.entry("k7", "v7")));
        assertFalse(map.entrySet().contains(Map.entry("k7", "v8")));
        for (final Iterator<?> it : List.of(map.keySet().iterator(), map.values().iterator(),
                map.entrySet().iterator())) {
            assertThrows(IllegalStateException.class, it::remove, "remove before next");
        }
        final Iterator<String> keys = map.keySet().iterator();
        final String first = keys.next();
        keys.remove();
        assertFalse(map.containsKey(first), "keySet iterator remove writes through");
        assertThrows(IllegalStateException.class, keys::remove, "twice for one next");
        final Iterator<String> values = map.values().iterator();
        values.next();
        values.remove();
        final Iterator<Map.Entry<String, String>> entries = map.entrySet().iterator();
        final Map.Entry<String, String> e = entries.next();
        entries.remove();
        assertFalse(map.containsKey(e.getKey()));
        assertEquals(47, map.size());
        final Map.Entry<String, String> live = map.entrySet().iterator().next();
        final String oldValue = live.getValue();
        assertEquals(oldValue, live.setValue("set"), "setValue returns the previous value");
        assertEquals("set", map.get(live.getKey()), "setValue writes through");
        assertEquals(live.getKey() + "=set", live.toString());
        assertEquals(Map.entry(live.getKey(), "set"), live);
        assertEquals(Map.entry(live.getKey(), "set").hashCode(), live.hashCode());
        assertTrue(map.keySet().remove("k49") || !map.containsKey("k49"));
        assertFalse(map.keySet().remove("k49"));
        assertTrue(map.values().removeIf(v -> v.endsWith("3")));
        assertTrue(map.entrySet().removeIf(x -> x.getKey().endsWith("4")));
        map.keySet().forEach(k -> assertFalse(k.endsWith("4"), k));
        map.values().forEach(v -> assertFalse(v.endsWith("3"), v));
        final List<String> left = new ArrayList<>(map.keySet());
        map.keySet().retainAll(left.subList(0, 5));
        assertEquals(Set.copyOf(left.subList(0, 5)), map.keySet());
        map.values().clear();
        assertTrue(map.isEmpty());
    }

    @Test
    void equalsHashCodeAndToStringAreThoseOfAbstractMap() {
        assertEquals("{}", map.toString());
        assertEquals(Map.of(), map);
        assertEquals(0, map.hashCode());
        map.put("a", "b");
        assertEquals("{a=b}", map.toString());
        map.put("c", "d");
        final String s = map.toString();
        assertTrue(s.equals("{a=b, c=d}") || s.equals("{c=d, a=b}"), s);
        final Map<String, String> reference = Map.of("a", "b", "c", "d");
        assertEquals(reference, map);
        assertEquals(map, reference);
        assertEquals(reference.hashCode(), map.hashCode());
        assertEquals(reference.keySet(), map.keySet());
        assertEquals(reference.entrySet(), map.entrySet());
        assertNotEquals(Map.of("a", "b"), map);
        assertNotEquals(map, Map.of("a", "b", "c", "e"));
        assertNotEquals(map, Map.of(1, 2, 3, 4), "other types: unequal, and no exception");
        assertFalse(map.equals(null));
        try (LineMap<String, String> other = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(99).build()) {
            other.put("c", "d");
            other.put("a", "b");
            assertEquals(map, other, "two LineMaps of the same content, other seeds");
            assertEquals(map.hashCode(), other.hashCode());
        }
    }

    @Test
    void byteArrayKeysAndValuesCompareByTheirBytes() {
        try (LineMap<byte[], byte[]> bytes = LineMap.builder(Codecs.bytes(), Codecs.bytes()).build()) {
            final byte[] key = {1, 2, 3};
            assertNull(bytes.put(key, new byte[] {9}));
            assertArrayEquals(new byte[] {9}, bytes.get(new byte[] {1, 2, 3}), "another array, same bytes");
            assertTrue(bytes.containsKey(new byte[] {1, 2, 3}));
            assertFalse(bytes.containsKey(new byte[] {1, 2}));
            assertTrue(bytes.containsValue(new byte[] {9}), "values compare by their encodings");
            assertTrue(bytes.replace(new byte[] {1, 2, 3}, new byte[] {9}, new byte[] {8}));
            assertFalse(bytes.remove(new byte[] {1, 2, 3}, new byte[] {9}));
            assertTrue(bytes.remove(new byte[] {1, 2, 3}, new byte[] {8}));
            assertTrue(bytes.isEmpty());
            final byte[] returned = bytes.computeIfAbsent(key, k -> new byte[] {5});
            returned[0] = 6;
            assertArrayEquals(new byte[] {5}, bytes.get(key), "a returned array is a copy: writing it changes nothing");
            key[0] = 7;
            assertNull(bytes.get(key), "the map keeps the key's bytes, not the array");
            assertArrayEquals(new byte[] {5}, bytes.get(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void int64ValuesDecodeToTheSameLongs() {
        try (LineMap<Long, Long> longs = LineMap.builder(Codecs.int64(), Codecs.int64()).initialCapacity(0).build()) {
            for (long k = -1000; k < 1000; k++) {
                longs.put(k * 0x9E37_79B9_7F4A_7C15L, k);
            }
            longs.put(Long.MIN_VALUE, Long.MAX_VALUE);
            for (long k = -1000; k < 1000; k++) {
                assertEquals(k, longs.get(k * 0x9E37_79B9_7F4A_7C15L));
            }
            assertEquals(Long.MAX_VALUE, longs.get(Long.MIN_VALUE));
            assertEquals(2001, longs.size());
            assertEquals(3L, longs.merge(0L, 3L, Long::sum), "key 0 held 0");
        }
    }

    @Test
    void theBuilderValidatesItsArgumentsAndInitialCapacityIsNeverALimit() {
        assertThrows(NullPointerException.class, () -> LineMap.builder(null, Codecs.utf8()));
        assertThrows(NullPointerException.class, () -> LineMap.builder(Codecs.utf8(), null));
        final LineMapBuilder<String, String> builder = LineMap.builder(Codecs.utf8(), Codecs.utf8());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.initialCapacity(-1));
        assertTrue(String.valueOf(e.getMessage()).contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> builder.initialCapacity(LineMapBuilder.MAX_INITIAL_CAPACITY + 1));
        assertThrows(IllegalArgumentException.class, () -> builder.maxOffHeapBytes(0));
        assertThrows(IllegalArgumentException.class, () -> builder.maxOffHeapBytes(-5));
        assertSame(builder, builder.initialCapacity(1).seed(5).backgroundMigration(false)
                .migrationListener(new MigrationListener() { }).maxOffHeapBytes(1L << 30), "the setters chain");
        try (LineMap<String, String> small = builder.build()) {
            for (int i = 0; i < 20_000; i++) {
                assertNull(small.put("key " + i, "value " + i));
            }
            assertEquals(20_000, small.size(), "a capacity of 1 is a hint, not a limit");
            for (int i = 0; i < 20_000; i++) {
                assertEquals("value " + i, small.get("key " + i));
            }
            assertEquals(20_000, small.stats().size());
            assertEquals(20_000L, small.longSize());
            assertTrue(small.stats().bucketCount() > 1, "it grew: " + small.stats());
        }
        try (LineMap<String, String> a = builder.build(); LineMap<String, String> b = builder.build()) {
            a.put("x", "1");
            assertFalse(b.containsKey("x"), "each build() is a new, independent map");
        }
    }
}
