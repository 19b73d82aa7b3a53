package dev.linemap;

import dev.linemap.engine.ByteHashing;
import dev.linemap.engine.Hashing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.linemap.LineMapValues.key;
import static dev.linemap.LineMapValues.value;
import static dev.linemap.LineMapValues.wellFormed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Iteration over a {@link LineMap} across growths and shrinks: weakly consistent and exactly once.
 * Single-threaded and deterministic ({@code backgroundMigration(false)}), an iterator stepped one
 * entry at a time between writes that grow and shrink the map reports every key present throughout
 * exactly once, no key twice, and a key only with a value it had while the iteration ran (weak
 * consistency allows a value that was replaced after the iterator read it, never one the key did not
 * have); with writers on other threads, every stable key once per iteration and only whole values.
 *
 * <p>Also runs in the surefire execution {@code colliding-hash} ({@code -Dlinemap.test.hash=collide}:
 * the byte hash keeps 16 values, so hundreds of keys share each hash and the iterator's position
 * inside a group of equal hashes must survive the migrations).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LineMapIterationAcrossGrowthTest {

    @Test
    void underTheCollidingSwitchStringKeysReallyShareHashes() {
        final Set<Long> hashes = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            final byte[] k = key("k", i).getBytes(StandardCharsets.UTF_8);
            hashes.add(ByteHashing.hash(MemorySegment.ofArray(k), 0, k.length, 7));
        }
        if (Hashing.colliding()) {
            assertTrue(hashes.size() <= 16, "1000 keys should share at most 16 hashes, got " + hashes.size());
        } else {
            assertEquals(1000, hashes.size(), "a 64-bit hash of 1000 distinct keys");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void anIteratorSteppedBetweenGrowthsAndShrinksReportsEveryStableKeyOnce(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final LineMapConcurrentModelTest.Migrations migrations = new LineMapConcurrentModelTest.Migrations();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0)
                .seed(seed).backgroundMigration(false).migrationListener(migrations).build()) {
            final Map<String, String> model = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                final String k = key("a", i);
                model.put(k, value(k, i));
                map.put(k, model.get(k));
            }
            final Set<String> throughout = new HashSet<>(model.keySet());
            // Every value each key had since the iteration began.
            final Map<String, Set<String>> history = new HashMap<>();
            model.forEach((k, v) -> history.computeIfAbsent(k, x -> new HashSet<>()).add(v));
            final Set<String> seen = new HashSet<>();
            final Iterator<Map.Entry<String, String>> it = map.entrySet().iterator();
            int steps = 0;
            int next = 0;
            int removedB = 0;
            while (it.hasNext()) {
                final Map.Entry<String, String> e = it.next();
                steps++;
                final String where = "seed " + seed + ", step " + steps + ", key " + e.getKey();
                assertTrue(seen.add(e.getKey()), where + ": seen twice");
                assertTrue(history.getOrDefault(e.getKey(), Set.of()).contains(e.getValue()),
                        where + ": reported with a value it never had during the iteration: " + e.getValue());
                // Between steps 1-40: grow (1,000 inserts); 41-80: change values; 81-120: remove the
                // inserted keys again (shrink) and some unseen original ones; then iterate to the end.
                final int phase = steps <= 40 ? 0 : steps <= 80 ? 1 : steps <= 120 ? 2 : 3;
                for (int j = 0; j < 25 && phase < 3; j++) {
                    if (phase == 0) {
                        final String k = key("b", next++);
                        model.put(k, value(k, next));
                        map.put(k, model.get(k));
                        history.computeIfAbsent(k, x -> new HashSet<>()).add(model.get(k));
                    } else if (phase == 1) {
                        final String k = key("a", random.nextInt(300));
                        if (model.containsKey(k)) {
                            model.put(k, value(k, random.nextInt(1000)));
                            map.put(k, model.get(k));
                            history.get(k).add(model.get(k));
                        }
                    } else {
                        if (removedB < next) {
                            final String k = key("b", removedB++);
                            model.remove(k);
                            map.remove(k);
                            throughout.remove(k);
                        }
                        final String a = key("a", random.nextInt(300));
                        if (j % 5 == 0 && !seen.contains(a)) {
                            model.remove(a);
                            map.remove(a);
                            throughout.remove(a);
                        }
                    }
                }
            }
            // A shrink is considered when a home bucket empties, which keys sharing 16 hashes never do.
            assertTrue(migrations.grows.get() > 0 && (migrations.shrinks.get() > 0 || Hashing.colliding()),
                    "seed " + seed + ": the iteration should have spanned growths and shrinks: " + migrations);
            for (final String k : throughout) {
                assertTrue(seen.contains(k), "seed " + seed + ": key " + k + " present throughout but never seen");
            }
            assertEquals(model, map, "seed " + seed);
        }
    }

    @Test
    void concurrentIterationsReportEveryStableKeyOnceWhileWritersGrowAndShrinkTheMap() throws InterruptedException {
        final long seed = 0x17E2;
        final int stable = 400;
        final LineMapConcurrentModelTest.Migrations migrations = new LineMapConcurrentModelTest.Migrations();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0)
                .migrationListener(migrations).build()) {
            for (int s = 0; s < stable; s++) {
                map.put(key("s", s), value(key("s", s), s));
            }
            final AtomicInteger writersLeft = new AtomicInteger(2);
            final AtomicInteger iterations = new AtomicInteger();
            final List<LineMapConcurrentModelTest.ThrowingRunnable> bodies = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                final long threadSeed = seed + w;
                final String range = "w" + w + ":";
                bodies.add(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        for (int i = 0; i < 50_000; i++) {
                            final String k = key(range, random.nextInt(4000));
                            if ((i / 12_500) % 2 == 0) {
                                map.put(k, value(k, i));
                            } else {
                                map.remove(k);
                            }
                            if (i % 32 == 0) {
                                final String s = key("s", random.nextInt(stable));
                                map.put(s, value(s, i));
                            }
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                });
            }
            bodies.add(() -> {
                int round = 0;
                while (writersLeft.get() > 0 || round < 3) {
                    checkOneIteration(map, stable, round++ % 3, "iteration " + round + ", " + migrations);
                    iterations.incrementAndGet();
                }
            });
            LineMapConcurrentModelTest.runAll(bodies);
            assertTrue(iterations.get() >= 3, "iterations " + iterations.get());
            assertTrue(migrations.grows.get() >= 3, migrations.toString());
        }
    }

    /** One iteration: every stable key exactly once, every value whole and its key's, no key twice. */
    private static void checkOneIteration(final LineMap<String, String> map, final int stable, final int how,
                                          final String where) {
        final Set<String> seen = new HashSet<>();
        final int[] stableSeen = new int[1];
        final java.util.function.BiConsumer<String, String> check = (k, v) -> {
            if (!seen.add(k)) {
                fail(where + ": key " + k + " reported twice");
            }
            if (v != null && !wellFormed(k, v)) {
                fail(where + ": key " + k + " reported with a value never written for it: " + v);
            }
            if (k.startsWith("s")) {
                stableSeen[0]++;
            }
        };
        switch (how) {
            case 0 -> map.forEach(check);
            case 1 -> map.entrySet().forEach(e -> check.accept(e.getKey(), e.getValue()));
            default -> {
                for (final Iterator<String> it = map.keySet().iterator(); it.hasNext(); ) {
                    final String k = it.next();
                    assertNotNull(k, where);
                    check.accept(k, null);
                }
            }
        }
        assertEquals(stable, stableSeen[0], where + ": stable keys reported (way " + how + ")");
    }
}
