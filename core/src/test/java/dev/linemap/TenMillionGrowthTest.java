package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Growth from an empty map to ten million entries with the helper thread on: after every completed
 * migration every key inserted so far is read back (O(n log n) reads in total), then all of them once
 * more at the end. Keys are random (seeded); the expected size counts distinct keys (a put that
 * returns the missing value inserted one).
 */
class TenMillionGrowthTest {

    private static final int N = 10_000_000;

    /** Never negative, so never the map's missing value -1: a put that returns -1 inserted a new key. */
    private static long valueOf(final long key) {
        return (Long.rotateLeft(key, 17) ^ 0x9e37_79b9_7f4a_7c15L) >>> 1;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void growsFromEmptyToTenMillionEntriesWithEveryKeyCheckedAfterEachGrowth() {
        final long seed = 0x10_000_000L;
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] keys = new long[N];
        for (int i = 0; i < N; i++) {
            keys[i] = random.nextLong();
        }
        final String where = "seed " + seed;
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).build()) {
            long growths = 0;
            long distinct = 0;
            for (int i = 0; i < N; i++) {
                if (map.put(keys[i], valueOf(keys[i])) == -1L) {
                    distinct++;
                }
                final long completed = map.stats().completedMigrations();
                if (completed != growths) {
                    growths = completed;
                    for (int j = 0; j <= i; j++) {
                        final long got = map.get(keys[j]);
                        if (got != valueOf(keys[j])) {
                            assertEquals(valueOf(keys[j]), got, where + ": key #" + j + " (" + keys[j]
                                    + ") after growth " + growths + " with " + (i + 1) + " puts");
                        }
                    }
                }
            }
            GrowthTest.awaitQuiescent(map);
            for (int j = 0; j < N; j++) {
                final long got = map.get(keys[j]);
                if (got != valueOf(keys[j])) {
                    assertEquals(valueOf(keys[j]), got, where + ": key #" + j + " (" + keys[j] + ") at the end");
                }
            }
            final MapStats s = map.stats();
            assertEquals(distinct, map.size(), where + ": size");
            assertEquals(distinct, s.size(), where + ": stats size");
            assertTrue(distinct > N - 10, where + ": 64-bit random keys hardly ever repeat, distinct " + distinct);
            assertEquals(1L << 22, s.bucketCount(), where + ": 10M entries at <= 2.5 per bucket need 2^22 buckets");
            assertFalse(s.growing(), where + ": a migration is still running");
            assertEquals(0, s.oldBucketCount(), where + ": an old table is still alive");
            assertEquals(0, s.evacuatedBuckets(), where);
            assertTrue(growths >= 22, where + ": completed migrations " + growths);
            System.out.printf("TenMillionGrowthTest: %d entries, %d buckets, %d overflow lines, %d off-heap bytes,"
                            + " %.2f bytes/entry, %d migrations%n",
                    s.size(), s.bucketCount(), s.overflowLineCount(), s.offHeapBytes(), s.bytesPerEntry(),
                    s.completedMigrations());
        }
    }
}
