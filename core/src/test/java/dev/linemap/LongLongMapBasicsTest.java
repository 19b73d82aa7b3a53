package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every method of the primitive API, on edge keys and values, without growth. */
class LongLongMapBasicsTest {

    private static final long[] EDGES = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 42L, 0x8000_0000L, -0x8000_0000L};

    @Test
    void emptyMapAnswersMissingValueForEveryEdgeKey() {
        try (LongLongMap map = LongLongMap.builder().missingValue(-7L).build()) {
            for (long k : EDGES) {
                assertEquals(-7L, map.get(k));
                assertEquals(99L, map.getOrDefault(k, 99L));
                assertFalse(map.containsKey(k));
                assertEquals(-7L, map.remove(k));
                assertFalse(map.remove(k, 0L));
                assertFalse(map.replace(k, 0L, 1L));
                assertEquals(-7L, map.replace(k, 1L));
                assertFalse(map.containsKey(k), "replace must not insert");
            }
            assertEquals(0, map.size());
            assertTrue(map.isEmpty());
            assertEquals(-7L, map.missingValue());
        }
    }

    @Test
    void everyEdgeKeyStoresEveryEdgeValueIncludingTheMissingValue() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            for (long k : EDGES) {
                for (long v : EDGES) {
                    map.put(k, v);
                    assertEquals(v, map.get(k), "key " + k);
                    assertEquals(v, map.getOrDefault(k, v + 1), "key " + k);
                    assertTrue(map.containsKey(k), "key " + k + " with value " + v);
                }
            }
            assertEquals(EDGES.length, map.size());
            map.put(5L, 0L);   // value equal to the missing value: containsKey tells them apart
            assertEquals(0L, map.get(5L));
            assertTrue(map.containsKey(5L));
            assertEquals(0L, map.remove(5L));
            assertFalse(map.containsKey(5L));
        }
    }

    @Test
    void putReturnsPreviousValueOrMissing() {
        try (LongLongMap map = LongLongMap.builder().missingValue(Long.MIN_VALUE).build()) {
            assertEquals(Long.MIN_VALUE, map.put(1L, 10L));
            assertEquals(10L, map.put(1L, 11L));
            assertEquals(11L, map.get(1L));
            assertEquals(1, map.size());
        }
    }

    @Test
    void putIfAbsentKeepsExistingValue() {
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).build()) {
            assertEquals(-1L, map.putIfAbsent(3L, 30L));
            assertEquals(30L, map.putIfAbsent(3L, 31L));
            assertEquals(30L, map.get(3L));
        }
    }

    @Test
    void conditionalRemoveAndReplaceCompareValues() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            map.put(8L, 80L);
            assertFalse(map.remove(8L, 81L));
            assertTrue(map.containsKey(8L));
            assertFalse(map.replace(8L, 81L, 82L));
            assertEquals(80L, map.get(8L));
            assertTrue(map.replace(8L, 80L, 82L));
            assertEquals(82L, map.get(8L));
            assertEquals(82L, map.replace(8L, 83L));
            assertEquals(83L, map.get(8L));
            assertTrue(map.remove(8L, 83L));
            assertFalse(map.containsKey(8L));
            assertEquals(0, map.size());
        }
    }

    @Test
    void mergeInsertsThenCombines() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            assertEquals(5L, map.merge(1L, 5L, Long::sum));
            assertEquals(12L, map.merge(1L, 7L, Long::sum));
            assertEquals(12L, map.merge(1L, 3L, Math::max));
            assertEquals(12L, map.get(1L));
        }
    }

    @Test
    void mergeFunctionThatThrowsLeavesEntryAndBucketUsable() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            map.put(1L, 5L);
            assertThrows(ArithmeticException.class, () -> map.merge(1L, 0L, (a, b) -> a / b));
            assertEquals(5L, map.get(1L));
            map.put(1L, 6L);   // the lock was released
            assertEquals(6L, map.get(1L));
        }
    }

    @Test
    void addAndGetCountsFromZeroAndWraps() {
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).build()) {
            assertEquals(3L, map.addAndGet(9L, 3L));
            assertEquals(1L, map.addAndGet(9L, -2L));
            map.put(10L, Long.MAX_VALUE);
            assertEquals(Long.MIN_VALUE, map.addAndGet(10L, 1L));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, Long.MIN_VALUE})
    void builderRejectsNegativeCapacityWithTheValue(final long capacity) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LongLongMap.builder().initialCapacity(capacity));
        assertTrue(e.getMessage().contains("initialCapacity=" + capacity), e.getMessage());
    }

    @Test
    void builderRejectsHugeCapacityAndBadLimit() {
        final long tooBig = LongLongMapBuilder.MAX_INITIAL_CAPACITY + 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongLongMap.builder().initialCapacity(tooBig))
                .getMessage().contains(Long.toString(tooBig)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LongLongMap.builder().maxOffHeapBytes(0))
                .getMessage().contains("maxOffHeapBytes=0"));
    }

    @Test
    void initialCapacityZeroStartsWithOneBucket() {
        try (LongLongMap map = LongLongMap.builder().initialCapacity(0).build()) {
            assertEquals(1, map.stats().bucketCount());
            assertEquals(64, map.stats().offHeapBytes());
        }
    }

    @Test
    void initialCapacitySizesTableToHoldItWithoutGrowing() {
        try (LongLongMap map = LongLongMap.builder().initialCapacity(1000).backgroundMigration(false).build()) {
            final long buckets = map.stats().bucketCount();
            assertEquals(512, buckets);   // 1000 / 2.5 = 400 -> 512
            for (long k = 0; k < 1000; k++) {
                map.put(k, k);
            }
            assertEquals(0, map.stats().completedMigrations());
            assertEquals(buckets, map.stats().bucketCount());
        }
    }

    @Test
    void nullFunctionsAreRejected() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            assertThrows(NullPointerException.class, () -> map.merge(1L, 1L, null));
            assertThrows(NullPointerException.class, () -> map.forEach(null));
        }
    }
}
