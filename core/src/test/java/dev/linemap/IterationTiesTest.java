package dev.linemap;

import dev.linemap.engine.Hashing;
import dev.linemap.engine.IterationCursor;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Iteration when keys share a 64-bit hash, as variable-length keys can. Runs only in the surefire
 * execution {@code colliding-hash}, where {@code -Dlinemap.test.hash=collide} leaves the hash 16
 * distinct values, so hundreds of keys share each rank (the execution also runs
 * {@link IterationAcrossGrowthTest} in that mode).
 */
class IterationTiesTest {

    private static long rank(final long key, final long seed) {
        return Long.reverse(Hashing.hash(key, seed));
    }

    @Test
    void theCollidingHashIsInForceAndKeysReallyShareRanks() {
        assertTrue(Hashing.colliding(), "run with -Dlinemap.test.hash=collide (surefire execution colliding-hash)");
        final Set<Long> ranks = new HashSet<>();
        for (long k = 0; k < 1000; k++) {
            ranks.add(rank(k, 7));
        }
        assertTrue(ranks.size() <= 16, "1000 keys should share at most 16 ranks, got " + ranks.size());
    }

    @Test
    void forEachReportsEveryKeyOfATieExactlyOnce() {
        try (LongLongMap map = LongLongMap.builder().seed(7).build()) {
            for (long k = 0; k < 2000; k++) {
                map.put(k, k * 3);
            }
            final Map<Long, Integer> seen = new HashMap<>();
            map.forEach((k, v) -> {
                assertEquals(k * 3, v, "value of key " + k);
                seen.merge(k, 1, Integer::sum);
            });
            assertEquals(2000, seen.size(), "keys seen");
            seen.forEach((k, n) -> assertEquals(1, n, "key " + k + " seen " + n + " times"));
        }
    }

    /**
     * The cursor stops in the middle of a tie group; then the map grows several times, keys of
     * other groups and of the stopped-in one are removed, new ones are added. Every key present
     * throughout is still reported exactly once, and a reported key is mapped, with its current
     * value: a removed key is never reported.
     */
    @Test
    void aCursorStoppedInsideATieGroupSurvivesGrowthsAndRemovals() {
        int removals = 0;
        for (long seed = 1; seed <= 20; seed++) {
            final SplittableRandom random = new SplittableRandom(seed);
            try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
                final Map<Long, Long> model = new HashMap<>();
                for (long k = 0; k < 300; k++) {
                    model.put(k, random.nextLong());
                    map.put(k, model.get(k));
                }
                final Set<Long> throughout = new HashSet<>(model.keySet());
                final Set<Long> seen = new HashSet<>();
                final IterationCursor cursor = IterationCursor.over(map);
                final int stopAfter = 1 + random.nextInt(40);
                long stopRank = 0;
                for (int i = 0; i < stopAfter && cursor.advance(); i++) {
                    stopRank = rank(cursor.key, seed);
                    assertTrue(seen.add(cursor.key), "seed " + seed + ": key " + cursor.key + " seen twice");
                }
                // Remove unseen keys, of the stopped-in group and of others; then grow the map.
                int groupRemovals = 0;
                for (long k = 0; k < 300; k++) {
                    if (!seen.contains(k) && random.nextInt(3) == 0) {
                        if (rank(k, seed) == stopRank) {
                            groupRemovals++;
                        }
                        map.remove(k);
                        model.remove(k);
                        throughout.remove(k);
                    }
                }
                final long bucketsBefore = map.stats().bucketCount();
                for (long k = 1000; k < 4000; k++) {
                    model.put(k, k);
                    map.put(k, k);
                }
                assertTrue(map.stats().bucketCount() >= 8 * bucketsBefore, "seed " + seed + ": no growth "
                        + map.stats());
                while (cursor.advance()) {
                    final long key = cursor.key;
                    assertTrue(seen.add(key), "seed " + seed + ": key " + key + " seen twice");
                    final Long expected = model.get(key);
                    assertNotNull(expected, "seed " + seed + ": key " + key + " reported but not mapped");
                    assertEquals(expected.longValue(), cursor.value, "seed " + seed + ": value of key " + key);
                }
                removals += groupRemovals;
                for (final long key : throughout) {
                    assertTrue(seen.contains(key), "seed " + seed + ": key " + key + " (rank "
                            + Long.toHexString(rank(key, seed)) + ", stopped at rank " + Long.toHexString(stopRank)
                            + ") present throughout but never seen");
                }
            }
        }
        assertTrue(removals > 0, "no run removed a member of the group the cursor stopped in");
    }
}
