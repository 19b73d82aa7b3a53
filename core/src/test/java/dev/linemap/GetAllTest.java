package dev.linemap;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LongLongMap#getAll}: the same answers as {@code get}, key by key, in every map state. */
class GetAllTest {

    private static long[] expected(final LongLongMap map, final long[] keys) {
        final long[] out = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = map.get(keys[i]);
        }
        return out;
    }

    @Test
    void getAllAnswersLikeGetForHitsMissesAndChainedKeys() {
        final SplittableRandom random = new SplittableRandom(11);
        try (LongLongMap map = LongLongMap.builder().missingValue(-7).seed(11).build()) {
            for (int i = 0; i < 50_000; i++) {
                map.put(random.nextLong(1_000_000), random.nextLong());
            }
            assertTrue(map.stats().overflowLineCount() > 0, "some keys should be chained");
            final long[] keys = new long[1003];   // not a multiple of the batch
            for (int i = 0; i < keys.length; i++) {
                keys[i] = random.nextLong(1_200_000);
            }
            final long[] values = new long[keys.length + 2];
            values[keys.length] = 42;
            values[keys.length + 1] = 43;
            map.getAll(keys, values);
            final long[] want = expected(map, keys);
            for (int i = 0; i < keys.length; i++) {
                assertEquals(want[i], values[i], "key " + keys[i] + " at " + i);
            }
            assertEquals(42, values[keys.length], "values past keys.length are untouched");
            assertEquals(43, values[keys.length + 1], "values past keys.length are untouched");
        }
    }

    @Test
    void getAllAnswersLikeGetInTheMiddleOfAMigration() {
        try (LongLongMap map = LongLongMap.builder().seed(5).backgroundMigration(false).build()) {
            long k = 0;
            while (!map.stats().growing() || map.stats().oldBucketCount() < 1024) {
                map.put(k, ~k);
                k++;
            }
            final long[] keys = new long[(int) k + 100];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i;
            }
            final long[] values = new long[keys.length];
            map.getAll(keys, values);
            assertTrue(map.stats().growing(), "the migration should still run");
            assertArrayEquals(expected(map, keys), values);
            for (int i = 0; i < k; i++) {
                assertEquals(~i, values[i], "key " + i);
            }
        }
    }

    /**
     * A batch loads its lines before it reads them. In checked mode a table that a migration
     * retires between the two throws {@link IllegalStateException} at the next access; the batch
     * must take that as "read again", as {@code get} does, and never pass it to the caller of an
     * open map. Small tables grow and shrink many times a second here, so that retirements land
     * inside batches.
     */
    @Test
    void getAllAnswersWhileAnotherThreadGrowsAndShrinksTheMap() throws Exception {
        try (LongLongMap map = LongLongMap.builder().seed(9).build()) {
            final long[] keys = new long[64];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i;
                map.put(i, ~i);
            }
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final java.util.concurrent.atomic.AtomicLong retirements = new java.util.concurrent.atomic.AtomicLong();
            final Thread churn = Thread.ofPlatform().start(() -> {
                long k = 1_000;
                while (!stop.get()) {
                    final long low = k;
                    for (int i = 0; i < 3_000; i++) {
                        map.put(k++, 1);
                    }
                    for (long j = low; j < k; j++) {
                        map.remove(j);
                    }
                    retirements.incrementAndGet();
                }
            });
            final long[] values = new long[keys.length];
            final long end = System.nanoTime() + 1_000_000_000L;
            long batches = 0;
            try {
                while (System.nanoTime() < end) {
                    map.getAll(keys, values);
                    for (int i = 0; i < keys.length; i++) {
                        if (values[i] != ~i) {
                            assertEquals(~i, values[i], "key " + i + " after " + batches + " batches");
                        }
                    }
                    batches++;
                }
            } finally {
                stop.set(true);
                churn.join();
            }
            assertTrue(retirements.get() > 10, "the map should have grown and shrunk many times: "
                    + retirements.get());
        }
    }

    @Test
    void getAllRejectsAShortValuesArrayNamingBothLengths() {
        try (LongLongMap map = LongLongMap.builder().build()) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> map.getAll(new long[5], new long[4]));
            assertTrue(e.getMessage().contains("values.length=4") && e.getMessage().contains("keys.length=5"),
                    e.getMessage());
        }
    }

    @Test
    void getAllOnAClosedMapThrowsIllegalStateException() {
        final LongLongMap map = LongLongMap.builder().build();
        map.put(1, 2);
        map.close();
        assertThrows(IllegalStateException.class, () -> map.getAll(new long[] {1}, new long[1]));
    }
}
