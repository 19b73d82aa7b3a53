package dev.linemap;

import dev.linemap.engine.Hashing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The test, in the map: keys crafted to collide under {@code String.hashCode} (every
 * combination of "Aa"/"BB" blocks) cost no more than twice what random keys of the same length
 * cost. Cost is measured as chain length: the overflow lines the chains need, in tables of the same
 * size (no timers). Under {@code String.hashCode} all 16 384 keys would share one chain of 5 461
 * overflow lines.
 */
class LineMapCollidingKeysTest {

    @Test
    void keysCollidingUnderStringHashCodeMakeChainsNoLongerThanTwiceRandomKeys() {
        assumeFalse(Hashing.colliding());
        final int blocks = 14;
        final List<String> crafted = new ArrayList<>();
        for (int bits = 0; bits < 1 << blocks; bits++) {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < blocks; i++) {
                sb.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            crafted.add(sb.toString());
        }
        assertEquals(1, crafted.stream().mapToInt(String::hashCode).distinct().count());
        final SplittableRandom random = new SplittableRandom(5);
        final List<String> randomKeys = new ArrayList<>();
        for (int i = 0; i < crafted.size(); i++) {
            final StringBuilder sb = new StringBuilder();
            for (int c = 0; c < 2 * blocks; c++) {
                sb.append((char) ('A' + random.nextInt(26)));
            }
            randomKeys.add(sb.toString());
        }
        for (long seed = 1; seed <= 5; seed++) {
            final LineMapStats craftedStats = load(crafted, seed);
            final LineMapStats randomStats = load(randomKeys, seed);
            assertEquals(randomStats.bucketCount(), craftedStats.bucketCount(), "seed " + seed);
            assertTrue(craftedStats.overflowLineCount() <= 2 * randomStats.overflowLineCount() + 16,
                    "seed " + seed + ": crafted keys " + craftedStats + ", random keys " + randomStats);
        }
    }

    private static LineMapStats load(final List<String> keys, final long seed) {
        try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).seed(seed)
                .backgroundMigration(false).build()) {
            for (final String key : keys) {
                map.put(key, "v");
            }
            while (map.stats().migrating()) {
                map.put(keys.get(0), "v");   // writes finish a migration without a helper
            }
            assertEquals(keys.size(), map.size());
            return map.stats();
        }
    }
}
