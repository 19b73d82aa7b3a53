package dev.linemap;

import dev.linemap.engine.Hashing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once iteration of a {@link LineMap} across growths and removals. Also runs in the
 * surefire execution {@code colliding-hash}, where every key's hash keeps 4 bits: hundreds of
 * string keys then share each 64-bit hash, and their order (the order of their bytes) must not
 * change when a record moves, nor when a key is removed and put back.
 */
class LineMapIterationTest {

    @Test
    void anIteratorStoppedMidwaySurvivesGrowthsAndRemovalsAndReportsEveryKeyOnce() {
        for (long seed = 1; seed <= 12; seed++) {
            final SplittableRandom random = new SplittableRandom(seed);
            try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).seed(seed)
                    .backgroundMigration(false).build()) {
                final Map<String, String> model = new HashMap<>();
                for (int k = 0; k < 300; k++) {
                    final String key = "key" + k;
                    final String value = "v".repeat(random.nextInt(30)) + k;
                    model.put(key, value);
                    map.put(key, value);
                }
                final Set<String> throughout = new HashSet<>(model.keySet());
                final Set<String> seen = new HashSet<>();
                final Iterator<Map.Entry<String, String>> it = map.entrySet().iterator();
                final int stopAfter = 1 + random.nextInt(60);
                for (int i = 0; i < stopAfter && it.hasNext(); i++) {
                    final Map.Entry<String, String> e = it.next();
                    assertTrue(seen.add(e.getKey()), "seed " + seed + ": " + e.getKey() + " seen twice");
                }
                for (int k = 0; k < 300; k++) {
                    final String key = "key" + k;
                    if (!seen.contains(key) && random.nextInt(3) == 0) {
                        map.remove(key);
                        model.remove(key);
                        throughout.remove(key);
                    } else if (random.nextInt(4) == 0) {
                        final String value = "w".repeat(random.nextInt(300));   // other size classes
                        map.put(key, value);
                        model.put(key, value);
                    }
                }
                final long bucketsBefore = map.stats().bucketCount();
                for (int k = 1000; k < 4000; k++) {
                    model.put("key" + k, "n" + k);
                    map.put("key" + k, "n" + k);
                }
                assertTrue(map.stats().bucketCount() >= 8 * bucketsBefore, "seed " + seed + ": no growth "
                        + map.stats());
                while (it.hasNext()) {
                    final Map.Entry<String, String> e = it.next();
                    assertTrue(seen.add(e.getKey()), "seed " + seed + ": " + e.getKey() + " seen twice");
                    final String expected = model.get(e.getKey());
                    assertNotNull(expected, "seed " + seed + ": " + e.getKey() + " reported but not mapped");
                    assertEquals(expected, e.getValue(), "seed " + seed + ": value of " + e.getKey());
                }
                for (final String key : throughout) {
                    assertTrue(seen.contains(key), "seed " + seed + ": " + key + " present throughout, never seen");
                }
                // And the map agrees with the model after all those moves.
                assertEquals(model, map, "seed " + seed);
            }
        }
    }

    /**
     * A key the iterator has reported is removed and put back, between steps, while the map grows
     * and shrinks under it (the put-back lands in whichever table is current). It must not be
     * reported again: its place among keys of its hash depends on the key alone, not on when or
     * where it was inserted. Under the colliding hash this failed in every seed: the put-back
     * record got a new tie word, one more than the largest in its chain, which put it after the
     * cursor (the cause of the rare "reported twice" of
     * {@code LineMapIterationAcrossGrowthTest.concurrentIterations...}).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aReportedKeyRemovedAndPutBackIsNotReportedAgainAcrossGrowthsAndShrinks(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).seed(seed)
                .initialCapacity(0).backgroundMigration(false).build()) {
            final Map<String, String> model = new HashMap<>();
            for (int k = 0; k < 300; k++) {
                model.put("a" + k, "v" + k);
                map.put("a" + k, "v" + k);
            }
            final Set<String> throughout = new HashSet<>(model.keySet());
            final List<String> seen = new ArrayList<>();
            final Set<String> seenOnce = new HashSet<>();
            final Iterator<String> it = map.keySet().iterator();
            int step = 0;
            int grown = 0;
            int shrunk = 0;
            while (it.hasNext()) {
                final String key = it.next();
                step++;
                assertTrue(seenOnce.add(key), "seed " + seed + ", step " + step + ": " + key + " reported twice");
                seen.add(key);
                // The key just reported and one reported earlier go out and come back, with values
                // of other sizes (a new record each time); then 20 inserts (steps 1-60) or removes.
                for (final String back : List.of(key, seen.get(random.nextInt(seen.size())))) {
                    map.remove(back);
                    final String value = "w".repeat(random.nextInt(200));
                    map.put(back, value);
                    model.put(back, value);
                    throughout.remove(back);
                }
                for (int j = 0; j < 20; j++) {
                    if (step <= 60) {
                        model.put("b" + grown, "n");
                        map.put("b" + grown++, "n");
                    } else if (shrunk < grown) {
                        model.remove("b" + shrunk);
                        map.remove("b" + shrunk++);
                    }
                }
            }
            for (final String key : throughout) {
                assertTrue(seenOnce.contains(key), "seed " + seed + ": " + key + " present throughout, never seen");
            }
            assertTrue(grown == 1200 && shrunk == grown, "seed " + seed + ": grown " + grown + ", shrunk " + shrunk);
            assertEquals(model, map, "seed " + seed);
        }
    }

    @Test
    void keysSharingAHashAreAllFoundAndIteratedOnce() {
        try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).seed(3).build()) {
            for (int k = 0; k < 3000; k++) {
                map.put("k" + k, "v" + k);
            }
            for (int k = 0; k < 3000; k += 3) {
                map.remove("k" + k);
            }
            final Map<String, Integer> seen = new HashMap<>();
            map.forEach((k, v) -> {
                assertEquals("v" + k.substring(1), v);
                seen.merge(k, 1, Integer::sum);
            });
            assertEquals(2000, seen.size());
            seen.forEach((k, n) -> assertEquals(1, n, k + " seen " + n + " times"));
            if (Hashing.colliding()) {
                assertTrue(map.stats().overflowLineCount() > 100, "keys should pile up in 16 chains: " + map.stats());
            }
        }
    }
}
