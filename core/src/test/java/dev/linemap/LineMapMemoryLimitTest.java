package dev.linemap;

import dev.linemap.engine.Hashing;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The memory limit reached while writes and migrations need entry memory: the write that needed
 * it fails with OutOfMemoryError and changes nothing, an evacuation undone half-way gives back the
 * records it relocated (no entry bytes leak), and every entry stored before is still there.
 */
class LineMapMemoryLimitTest {

    @Test
    void reachingTheLimitLosesNothingAndLeaksNoEntryMemory() {
        assumeFalse(Hashing.colliding());
        for (long seed = 1; seed <= 3; seed++) {
            final SplittableRandom random = new SplittableRandom(seed);
            final Map<String, String> model = new HashMap<>();
            int failures = 0;
            try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8)
                    .maxOffHeapBytes(3L << 20).backgroundMigration(false).build()) {
                for (int i = 0; i < 30_000; i++) {
                    final String key = "key-" + random.nextInt(20_000);
                    // Small values first, then large ones: inserts during a migration use up the entry
                    // memory reserved for its relocations, so some evacuations fail and are undone.
                    final String value = "v".repeat(random.nextInt(i < 15_000 ? 100 : 900));
                    try {
                        map.put(key, value);
                        model.put(key, value);
                    } catch (final OutOfMemoryError e) {
                        failures++;
                        assertTrue(e.getMessage().contains("limit"), e.getMessage());
                    }
                }
                assertTrue(failures > 0, "seed " + seed + ": the limit was never reached " + map.stats());
                assertEquals(model.size(), map.size(), "seed " + seed);
                for (final Map.Entry<String, String> e : model.entrySet()) {
                    assertEquals(e.getValue(), map.get(e.getKey()), "seed " + seed + ": " + e.getKey());
                }
                // Every live record is accounted once: entry bytes are the records' blocks, no more.
                long expected = 0;
                for (final Map.Entry<String, String> e : model.entrySet()) {
                    expected += blockBytes(e.getKey().length(), e.getValue().length());
                }
                final LineMapStats stats = map.stats();
                if (!stats.migrating()) {
                    assertEquals(expected, stats.entryBytes(), "seed " + seed + ": " + stats);
                }
                assertTrue(stats.offHeapBytes() <= 3L << 20, stats.toString());
            }
        }
    }

    /** The block of a record: 8-byte header, key, value, to 8 (below 1 KiB: exact classes). */
    private static long blockBytes(final int keyLength, final int valueLength) {
        return (8 + keyLength + valueLength + 7) & -8L;
    }
}
