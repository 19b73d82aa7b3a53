package dev.linemap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The builder's load factor: where tables grow and shrink, how the first table is sized, bad values.
 * The engine looks at the load only when an insert fills a bucket's last inline slot (or takes an
 * overflow slot) and when a remove empties a bucket, so a migration starts at the first such write
 * past the threshold: the tests allow a few entries of lag, never a start before the threshold.
 */
class LoadFactorTest {

    /** Puts keys until the first growth is due; returns how many entries the first table took. */
    private static long entriesBeforeFirstGrowth(final LongLongMap map) {
        final long buckets = map.stats().bucketCount();
        long k = 0;
        while (map.stats().bucketCount() == buckets && !map.stats().growing()) {
            map.put(k, k);
            k++;
        }
        return k - 1;
    }

    @Test
    void aTableGrowsExactlyPastItsLoadFactor() {
        for (final double load : new double[] {0.5, 1.5, 2.5, 3.0}) {
            // A fixed seed: how far past the threshold the first "last slot filled" insert comes
            // depends on where the keys land (a random seed once made it 36 entries at load 0.5).
            try (LongLongMap map = LongLongMap.builder().initialCapacity(1000).loadFactor(load).seed(7)
                    .backgroundMigration(false).build()) {
                final long buckets = map.stats().bucketCount();
                final long threshold = (long) Math.floor(buckets * load);
                final long entries = entriesBeforeFirstGrowth(map);
                assertTrue(entries >= threshold && entries <= threshold + threshold / 50 + 8,
                        "load " + load + ", " + buckets + " buckets: grew after " + entries + " entries, threshold "
                                + threshold);
            }
        }
    }

    @Test
    void theFirstTableHoldsTheInitialCapacityAtTheLoadFactor() {
        try (LongLongMap dense = LongLongMap.builder().initialCapacity(100_000).build();
             LongLongMap sparse = LongLongMap.builder().initialCapacity(100_000).loadFactor(1.25).build()) {
            assertEquals(65_536, dense.stats().bucketCount());    // 100,000 / 2.5 = 40,000 -> 2^16
            assertEquals(131_072, sparse.stats().bucketCount());  // 100,000 / 1.25 = 80,000 -> 2^17
        }
    }

    @Test
    void aLowerLoadFactorChainsFewerKeys() {
        try (LongLongMap dense = LongLongMap.builder().seed(1).build();
             LongLongMap sparse = LongLongMap.builder().seed(1).loadFactor(1.0).build()) {
            for (long k = 0; k < 300_000; k++) {
                dense.put(k * 0x9E3779B97F4A7C15L, k);
                sparse.put(k * 0x9E3779B97F4A7C15L, k);
            }
            final MapStats d = dense.stats();
            final MapStats s = sparse.stats();
            assertTrue(s.bucketCount() > d.bucketCount(), d + " / " + s);
            assertTrue(s.overflowLineCount() * 4 < d.overflowLineCount(), d + " / " + s);
        }
    }

    @Test
    void shrinksBelowAQuarterOfTheLoadFactor() {
        try (LongLongMap map = LongLongMap.builder().loadFactor(1.0).backgroundMigration(false).build()) {
            for (long k = 0; k < 4096; k++) {
                map.put(k, k);
            }
            while (map.stats().growing()) {
                map.put(0, 0);
            }
            final long buckets = map.stats().bucketCount();
            long k = 4095;
            // Remove until a shrink starts: it must start just below buckets / 4 entries.
            while (!map.stats().growing() && map.stats().bucketCount() == buckets) {
                map.remove(k--);
            }
            final long threshold = buckets / 4 - 1;   // the most entries below a quarter of the load (1.0)
            assertTrue(map.size() <= threshold && map.size() >= threshold - threshold / 50 - 8,
                    "the shrink of " + buckets + " buckets started at " + map.size() + " entries, threshold "
                            + threshold);
        }
    }

    @Test
    void badValuesAreRejectedWithTheValueInTheMessage() {
        for (final double bad : new double[] {0.49, 3.01, Double.NaN, -1, Double.POSITIVE_INFINITY}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LongLongMap.builder().loadFactor(bad));
            assertTrue(e.getMessage().contains("loadFactor=" + bad), e.getMessage());
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LongLongMap.builder().initialCapacity(LongLongMapBuilder.MAX_INITIAL_CAPACITY).loadFactor(1.0));
        assertTrue(e.getMessage().contains("exceeds the largest table"), e.getMessage());
    }
}
