package dev.linemap;

import dev.linemap.engine.Migration;
import dev.linemap.engine.IterationCursor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The iteration guarantee across migrations, single-threaded and deterministic (only writes move a
 * migration: {@code backgroundMigration(false)}), one cursor step at a time interleaved with writes:
 * every key present for the whole iteration is seen exactly once; no key is seen twice; a key is
 * reported only while it is mapped, with its current value (so a key removed before the cursor
 * reaches it is not seen).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IterationAcrossGrowthTest {

    /** A map, its model, and one iteration over it, checked at every step. */
    private static final class Walk {
        final LongLongMap map;
        final Map<Long, Long> model;
        final String seedText;
        final IterationCursor cursor;
        final Set<Long> seen = new HashSet<>();
        /** Keys present when the walk started and not removed since. */
        final Set<Long> throughout;
        boolean ended;
        int steps;

        Walk(final LongLongMap map, final Map<Long, Long> model, final long seed) {
            this.map = map;
            this.model = model;
            this.seedText = "seed " + seed;
            this.cursor = IterationCursor.over(map);
            this.throughout = new HashSet<>(model.keySet());
        }

        String where() {
            return seedText + ", step " + steps + ", seen " + seen.size() + ", " + map.stats();
        }

        /** One cursor step; returns false at the end. */
        boolean step() {
            assertFalse(ended, where() + ": stepped after the end");
            steps++;
            if (!cursor.advance()) {
                ended = true;
                return false;
            }
            final long key = cursor.key;
            assertTrue(seen.add(key), where() + ": key " + key + " seen twice");
            final Long expected = model.get(key);
            assertNotNull(expected,
                    where() + ": key " + key + " reported but it is not mapped (removed before reached?)");
            assertEquals(expected.longValue(), cursor.value, where() + ": key " + key + " reported with a stale value");
            return true;
        }

        void put(final long key, final long value) {
            model.put(key, value);
            map.put(key, value);
        }

        void remove(final long key) {
            assertEquals(model.remove(key), map.containsKey(key) ? Long.valueOf(map.remove(key)) : null,
                    where() + " remove " + key);
            throughout.remove(key);
        }

        void clear() {
            model.clear();
            map.clear();
            throughout.clear();
        }

        void finish() {
            while (!ended && step()) {
                // walk to the end
            }
            for (final Long key : throughout) {
                assertTrue(seen.contains(key), where() + ": key " + key + " present throughout but never seen");
            }
        }
    }

    private static LongLongMap stepped(final long seed) {
        return LongLongMap.builder().seed(seed).backgroundMigration(false).build();
    }

    private static Map<Long, Long> fill(final LongLongMap map, final SplittableRandom random, final int n) {
        final Map<Long, Long> model = new HashMap<>();
        while (model.size() < n) {
            final long k = random.nextLong();
            final long v = random.nextLong();
            model.put(k, v);
            map.put(k, v);
        }
        return model;
    }

    @Test
    void iterationStartedBeforeGrowthAndFinishedAfterSeveralSeesEveryOriginalKeyOnce() {
        final long seed = 101;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Walk walk = new Walk(map, fill(map, random, 200), seed);
            final long growthsBefore = map.stats().completedMigrations();
            final long bucketsBefore = map.stats().bucketCount();
            int inserted = 0;
            while (inserted < 6000 && walk.step()) {
                for (int i = 0; i < 8; i++, inserted++) {
                    walk.put(random.nextLong(), random.nextLong());
                }
            }
            walk.finish();
            assertTrue(map.stats().completedMigrations() - growthsBefore >= 4,
                    walk.where() + ": the walk was meant to span several growths");
            assertTrue(map.stats().bucketCount() >= 16 * bucketsBefore, walk.where());
        }
    }

    @Test
    void iterationStartedInTheMiddleOfAMigrationSeesEveryKeyOnce() {
        final long seed = 202;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Map<Long, Long> model = fill(map, random, 3000);
            while (map.currentGeneration().migration() == null) {
                final long k = random.nextLong();
                model.put(k, 1L);
                map.put(k, 1L);
            }
            for (int i = 0; i < 40; i++) {   // part of the way, not to the end
                final long k = random.nextLong();
                model.put(k, 2L);
                map.put(k, 2L);
            }
            final Migration m = map.currentGeneration().migration();
            assertNotNull(m, "seed " + seed + ": migration finished too early for this test");
            assertTrue(m.watermarkAcquire() > 0 && m.watermarkAcquire() < m.units,
                    "seed " + seed + ": watermark " + m.watermarkAcquire());
            final Walk walk = new Walk(map, model, seed);
            final List<Long> keys = new ArrayList<>(model.keySet());
            while (walk.step()) {
                // Mixed writes: they move the migration on, and some remove keys not reached yet.
                walk.put(random.nextLong(), random.nextLong());
                final long k = keys.get(random.nextInt(keys.size()));
                if (random.nextInt(4) == 0 && model.containsKey(k)) {
                    walk.remove(k);
                } else if (model.containsKey(k)) {
                    walk.put(k, random.nextLong());
                }
            }
            walk.finish();
            assertTrue(m.from.isRetired(), walk.where() + ": the migration should have completed during the walk");
        }
    }

    @Test
    void shrinkDuringIterationSeesEveryRemainingKeyOnce() {
        final long seed = 303;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Map<Long, Long> model = fill(map, random, 8000);
            final long bucketsBefore = map.stats().bucketCount();
            final List<Long> victims = new ArrayList<>(model.keySet());
            final Walk walk = new Walk(map, model, seed);
            int next = 0;
            while (walk.step()) {
                for (int i = 0; i < 6 && next < victims.size() - 200; i++) {
                    walk.remove(victims.get(next++));
                }
                // Writes that change nothing for the walk but move the migrations on.
                for (int i = 0; i < 3; i++) {
                    walk.put(-1L - i, 0L);
                    walk.remove(-1L - i);
                }
            }
            walk.finish();
            assertTrue(map.stats().bucketCount() <= bucketsBefore / 8,
                    walk.where() + ": the walk was meant to span several shrinks, buckets " + bucketsBefore + " -> "
                            + map.stats().bucketCount());
        }
    }

    @Test
    void clearDuringIterationEndsItWithoutDuplicates() {
        final long seed = 404;
        final SplittableRandom random = new SplittableRandom(seed);
        // random seed: a clear reseeds
        try (LongLongMap map = LongLongMap.builder().backgroundMigration(false).build()) {
            final Walk walk = new Walk(map, fill(map, random, 2000), seed);
            for (int i = 0; i < 500; i++) {
                assertTrue(walk.step(), walk.where());
            }
            walk.clear();
            for (int i = 0; i < 300; i++) {
                walk.put(random.nextLong(), i);   // new keys after the clear
            }
            assertFalse(walk.step(), walk.where() + ": the walk should end after a clear");
            walk.finish();
            assertEquals(500, walk.seen.size(), walk.where());
        }
    }

    @Test
    void clearInTheMiddleOfAMigrationDuringIterationEndsItWithoutDuplicates() {
        final long seed = 405;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = LongLongMap.builder().backgroundMigration(false).build()) {
            final Map<Long, Long> model = fill(map, random, 2000);
            final Walk walk = new Walk(map, model, seed);
            for (int i = 0; i < 300 || map.currentGeneration().migration() == null; i++) {
                assertTrue(walk.step(), walk.where());
                walk.put(random.nextLong(), i);
            }
            walk.clear();
            assertFalse(walk.step(), walk.where() + ": the walk should end after a clear");
        }
    }

    @Test
    void clearWithFixedSeedDuringIterationReportsNoKeyTwiceAndOnlyLiveKeys() {
        // With a fixed seed the cleared table has the same order: the walk may go on into new keys,
        // but it never goes back.
        final long seed = 406;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Map<Long, Long> model = fill(map, random, 2000);
            final List<Long> original = new ArrayList<>(model.keySet());
            final Walk walk = new Walk(map, model, seed);
            for (int i = 0; i < 700; i++) {
                assertTrue(walk.step(), walk.where());
            }
            walk.clear();
            for (final Long k : original) {
                walk.put(k, -k);   // the same keys again, new values: only those not reached yet may come back
            }
            walk.finish();   // each step checked: never a key twice, only mapped keys, current values
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24})
    void randomInterleavingOfStepsAndWritesKeepsTheIterationGuarantee(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false)
                .initialCapacity(random.nextInt(3) == 0 ? 1000 : 0).build()) {
            final Map<Long, Long> model = fill(map, random, random.nextInt(3000));
            final long keySpace = 1 + random.nextInt(50_000);
            final Walk walk = new Walk(map, model, seed);
            final int writesPerStep = 1 + random.nextInt(16);
            final int insertBias = random.nextInt(10);   // 0..9 of 10: grow-heavy or shrink-heavy walks
            long migrationsBefore = map.stats().completedMigrations();
            do {
                if (walk.steps > 20_000) {
                    break;   // writes may feed the walk new keys; stop feeding and finish below
                }
                for (int i = random.nextInt(writesPerStep + 1); i > 0; i--) {
                    final long k = random.nextLong(keySpace);
                    if (random.nextInt(10) < insertBias) {
                        walk.put(k, random.nextLong());
                    } else if (model.containsKey(k) || random.nextBoolean()) {
                        walk.remove(k);
                    } else if (!model.isEmpty()) {
                        walk.remove(model.keySet().iterator().next());
                    }
                }
            } while (walk.step());
            walk.finish();
            System.out.println("IterationAcrossGrowthTest seed " + seed + ": " + walk.steps + " steps, "
                    + (map.stats().completedMigrations() - migrationsBefore) + " migrations during the walk");
        }
    }

    @Test
    void forEachWhoseActionInsertsAcrossGrowthsVisitsEveryOriginalKeyOnce() {
        final long seed = 505;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Map<Long, Long> model = fill(map, random, 300);
            final Set<Long> original = new HashSet<>(model.keySet());
            final Set<Long> seen = new HashSet<>();
            final long before = map.stats().completedMigrations();
            map.forEach((k, v) -> {
                assertTrue(seen.add(k), "seed " + seed + ": key " + k + " seen twice");
                assertEquals(model.get(k).longValue(), v, "seed " + seed + ": key " + k);
                if (model.size() < 5000) {
                    for (int i = 0; i < 10; i++) {
                        final long nk = random.nextLong();
                        model.put(nk, nk);
                        map.put(nk, nk);
                    }
                }
            });
            assertTrue(seen.containsAll(original), "seed " + seed + ": missed " + (original.size()
                    - original.stream().filter(seen::contains).count()) + " original keys");
            assertTrue(map.stats().completedMigrations() - before >= 3, "seed " + seed + ": " + map.stats());
        }
    }

    @Test
    void boxedIteratorRemoveDuringShrinkRemovesExactlyTheReturnedKeys() {
        final long seed = 606;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = stepped(seed)) {
            final Map<Long, Long> model = fill(map, random, 6000);
            final long bucketsBefore = map.stats().bucketCount();
            final Set<Long> seen = new HashSet<>();
            final Iterator<Long> it = map.asConcurrentMap().keySet().iterator();
            int kept = 0;
            while (it.hasNext()) {
                final Long k = it.next();
                assertTrue(seen.add(k), "seed " + seed + ": key " + k + " seen twice");
                assertTrue(model.containsKey(k), "seed " + seed + ": key " + k + " not mapped");
                if (random.nextInt(20) == 0) {
                    kept++;
                } else {
                    it.remove();
                    model.remove(k);
                    assertFalse(map.containsKey(k), "seed " + seed + ": iterator.remove left key " + k);
                    assertThrows(IllegalStateException.class, it::remove, "seed " + seed + ": second remove");
                }
            }
            assertEquals(6000, seen.size(), "seed " + seed);
            assertEquals(kept, map.size(), "seed " + seed);
            assertEquals(model.size(), map.size(), "seed " + seed);
            assertTrue(map.stats().bucketCount() < bucketsBefore,
                    "seed " + seed + ": no shrink happened: " + map.stats());
            model.forEach((k, v) -> assertEquals(v.longValue(), map.get(k), "seed " + seed + ": key " + k));
        }
    }
}
