package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Closing, memory accounting and running out of memory: after {@code close()} every use throws
 * {@link IllegalStateException} (also for threads racing the close, never a crash); memory goes back
 * to the baseline after clear and after shrinking; a map that hits its {@code maxOffHeapBytes} limit
 * loses nothing and stays usable.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LifecycleTest {

    /** The table size the deterministic case of the clear-at-the-limit test is growing to when it meets the limit. */
    private static final long GROWN_BUCKETS = 1L << 15;

    private static Map<String, Consumer<LongLongMap>> primitiveUses() {
        final Map<String, Consumer<LongLongMap>> uses = new LinkedHashMap<>();
        uses.put("get", m -> m.get(1L));
        uses.put("getOrDefault", m -> m.getOrDefault(1L, 2L));
        uses.put("containsKey", m -> m.containsKey(1L));
        uses.put("put", m -> m.put(1L, 2L));
        uses.put("putIfAbsent", m -> m.putIfAbsent(3L, 2L));
        uses.put("remove", m -> m.remove(1L));
        uses.put("remove(k, v)", m -> m.remove(1L, 2L));
        uses.put("replace(k, e, n)", m -> m.replace(1L, 2L, 3L));
        uses.put("replace(k, v)", m -> m.replace(1L, 2L));
        uses.put("merge", m -> m.merge(1L, 2L, Long::sum));
        uses.put("addAndGet", m -> m.addAndGet(1L, 2L));
        uses.put("size", LongLongMap::size);
        uses.put("isEmpty", LongLongMap::isEmpty);
        uses.put("clear", LongLongMap::clear);
        uses.put("forEach", m -> m.forEach((k, v) -> fail("forEach on a closed map called its action")));
        uses.put("stats", LongLongMap::stats);
        return uses;
    }

    private static Map<String, Consumer<ConcurrentMap<Long, Long>>> viewUses() {
        final Map<String, Consumer<ConcurrentMap<Long, Long>>> uses = new LinkedHashMap<>();
        uses.put("view.get", v -> v.get(1L));
        uses.put("view.getOrDefault", v -> v.getOrDefault(1L, 2L));
        uses.put("view.containsKey", v -> v.containsKey(1L));
        uses.put("view.containsValue", v -> v.containsValue(1L));
        uses.put("view.put", v -> v.put(1L, 2L));
        uses.put("view.putIfAbsent", v -> v.putIfAbsent(1L, 2L));
        uses.put("view.remove", v -> v.remove(1L));
        uses.put("view.remove(k, v)", v -> v.remove(1L, 2L));
        uses.put("view.replace", v -> v.replace(1L, 2L));
        uses.put("view.replace(k, e, n)", v -> v.replace(1L, 2L, 3L));
        uses.put("view.compute", v -> v.compute(1L, (k, x) -> 1L));
        uses.put("view.computeIfAbsent", v -> v.computeIfAbsent(1L, k -> 1L));
        uses.put("view.computeIfPresent", v -> v.computeIfPresent(1L, (k, x) -> 1L));
        uses.put("view.merge", v -> v.merge(1L, 1L, Long::sum));
        uses.put("view.size", ConcurrentMap::size);
        uses.put("view.isEmpty", ConcurrentMap::isEmpty);
        uses.put("view.clear", ConcurrentMap::clear);
        uses.put("view.forEach", v -> v.forEach((k, x) -> fail("forEach on a closed map called its action")));
        uses.put("view.keySet().iterator().hasNext()", v -> v.keySet().iterator().hasNext());
        uses.put("view.values().iterator().hasNext()", v -> v.values().iterator().hasNext());
        uses.put("view.entrySet().iterator().hasNext()", v -> v.entrySet().iterator().hasNext());
        uses.put("view.entrySet().size()", v -> v.entrySet().size());
        uses.put("view.keySet().contains", v -> v.keySet().contains(1L));
        uses.put("view.equals", v -> v.equals(new HashMap<Long, Long>()));
        uses.put("view.hashCode", ConcurrentMap::hashCode);
        uses.put("view.toString", ConcurrentMap::toString);
        return uses;
    }

    private static void assertThrowsClosed(final String what, final Runnable use) {
        try {
            use.run();
        } catch (final IllegalStateException e) {
            assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("closed"),
                    what + ": message " + e.getMessage());
            return;
        } catch (final Throwable t) {
            throw new AssertionError(what + " after close threw " + t + " instead of IllegalStateException", t);
        }
        fail(what + " after close did not throw");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyUseAfterCloseThrowsIllegalStateException(final boolean midMigration) {
        final LongLongMap map = LongLongMap.builder().backgroundMigration(false).build();
        for (long k = 0; k < 5000
                && !(midMigration && map.stats().growing() && map.stats().evacuatedBuckets() > 10); k++) {
            map.put(k, k);
        }
        assertEquals(midMigration, map.stats().growing(), "set-up");
        final ConcurrentMap<Long, Long> viewBefore = map.asConcurrentMap();
        map.close();
        assertTrue(map.isClosed());
        primitiveUses().forEach((what, use) -> assertThrowsClosed(what, () -> use.accept(map)));
        viewUses().forEach((what, use) -> assertThrowsClosed(what + " (view taken before close)",
                () -> use.accept(viewBefore)));
        assertThrowsClosed("asConcurrentMap (a view cannot be taken after close)", map::asConcurrentMap);
        assertEquals("LongLongMap[closed]", map.toString());
    }

    /**
     * The class javadoc promises that after {@code close()} "every method throws
     * IllegalStateException"; these two returned normally until core 3681e59.
     */
    @Test
    void asConcurrentMapAndMissingValueAfterCloseThrowAsTheJavadocPromises() {
        final LongLongMap map = LongLongMap.builder().build();
        map.close();
        assertThrowsClosed("asConcurrentMap", map::asConcurrentMap);
        assertThrowsClosed("missingValue", map::missingValue);
    }

    @Test
    void closeIsIdempotent() {
        final LongLongMap map = LongLongMap.builder().build();
        map.put(1L, 1L);
        map.close();
        map.close();
        try (LongLongMap same = map) {
            assertTrue(same.isClosed());
        }
        assertTrue(map.isClosed());
        assertThrowsClosed("get", () -> map.get(1L));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1000})
    void offHeapBytesReturnToTheBaselineAfterClearAndAfterShrinking(final long initialCapacity) {
        try (LongLongMap map = LongLongMap.builder().initialCapacity(initialCapacity).build()) {
            final MapStats empty = map.stats();
            final long baseline = empty.offHeapBytes();
            assertEquals(empty.bucketCount() * 64, baseline, "a fresh map holds exactly its buckets");
            for (long k = 0; k < 200_000; k++) {
                map.put(k * 0x9E37_79B9L, k);
            }
            assertTrue(map.stats().offHeapBytes() > 100 * baseline, map.stats().toString());
            map.clear();
            assertEquals(baseline, map.stats().offHeapBytes(), "after clear: " + map.stats());
            assertEquals(empty.bucketCount(), map.stats().bucketCount());
            for (long k = 0; k < 200_000; k++) {
                map.put(k, k);
            }
            GrowthTest.awaitQuiescent(map);
            final MapStats full = map.stats();
            for (long k = 0; k < 200_000; k++) {
                assertEquals(k, map.remove(k), "key " + k);
            }
            // Shrinks chain until the table is back at its minimum; the helper threads run them. Bounded
            // wait (10 s), no timing assertion: between two chained shrinks the map is briefly not growing.
            for (int i = 0; i < 10_000
                    && (map.stats().growing() || map.stats().bucketCount() > empty.bucketCount()); i++) {
                try {
                    Thread.sleep(1);
                } catch (final InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            final MapStats after = map.stats();
            assertEquals(0, after.size(), after.toString());
            assertEquals(empty.bucketCount(), after.bucketCount(), "after removing everything: " + after);
            assertEquals(0, after.overflowLineCount(), after.toString());
            assertTrue(after.offHeapBytes() < full.offHeapBytes() / 16,
                    "after removing everything: " + after + ", full " + full);
            if (initialCapacity == 0) {
                // Shrinking all the way to one bucket retires every table that ever had overflow lines.
                assertEquals(baseline, after.offHeapBytes(), "after removing everything: " + after);
            }
            // A table at the minimum size is never retired by a shrink, so it keeps the overflow chunks it
            // once needed (reserved capacity, counted in offHeapBytes); a clear gives them back.
            map.clear();
            assertEquals(baseline, map.stats().offHeapBytes(), "after removing everything and a clear: " + map.stats());
        }
    }

    @Test
    void threadsRacingACloseOnlyEverSeeIllegalStateException() throws InterruptedException {
        final long seed = 0xC105E;
        final AtomicReference<Throwable> uncaught = new AtomicReference<>();
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        // the migrator thread too
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.compareAndSet(null, e));
        try {
            for (int round = 0; round < 30; round++) {
                final LongLongMap map = LongLongMap.builder().build();
                final AtomicLong ops = new AtomicLong();
                final java.util.concurrent.CountDownLatch closeReturned = new java.util.concurrent.CountDownLatch(1);
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    final long threadSeed = seed + round * 16L + t;
                    final int role = t;
                    threads.add(new Thread(() -> {
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        try {
                            for (long i = 0; ; i++) {
                                final long k = random.nextLong(100_000);
                                switch (role) {
                                    case 0 -> map.put(k, k);
                                    case 1 -> {
                                        final long v = map.get(k);
                                        if (v != 0 && v != k) {
                                            throw new AssertionError("key " + k + " read as " + v);
                                        }
                                    }
                                    default -> {
                                        if (i % 3 == 0) {
                                            map.remove(k);
                                        } else {
                                            map.addAndGet(k, 0);
                                        }
                                    }
                                }
                                ops.incrementAndGet();
                                SpuriousInterrupts.clearAndCount();
                            }
                        } catch (final IllegalStateException expected) {
                            SpuriousInterrupts.clearAndCount();
                            // The first exception must be because of the close, and it must stick.
                            if (!map.isClosed()) {
                                failure.compareAndSet(null, new AssertionError("seed " + threadSeed
                                        + ": IllegalStateException while the map was open", expected));
                            }
                            try {
                                // A call racing close() may complete; one that starts after close() returned may not.
                                closeReturned.await();
                                map.get(1L);
                                failure.compareAndSet(null,
                                        new AssertionError("seed " + threadSeed + ": get after close returned"));
                            } catch (final IllegalStateException again) {
                                // as promised
                            } catch (final Throwable other) {
                                failure.compareAndSet(null, other);
                            }
                        } catch (final Throwable other) {
                            failure.compareAndSet(null, new AssertionError("seed " + threadSeed + ": " + other, other));
                        }
                    }, "racer-" + t));
                }
                threads.forEach(Thread::start);
                final long closeAfter = 20_000 + round * 5_000L;   // growth is in progress at most of these points
                while (ops.get() < closeAfter && threads.stream().allMatch(Thread::isAlive)) {
                    Thread.onSpinWait();
                }
                map.close();
                closeReturned.countDown();
                for (final Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(60));
                    assertFalse(t.isAlive(), "round " + round + ": " + t.getName() + " still running after close");
                }
                assertNull(failure.get(), "round " + round);
                assertTrue(map.isClosed());
            }
            assertNull(uncaught.get(), "an engine thread died with an uncaught exception");
            System.out.println("LifecycleTest: interrupt flags found set (and cleared) on threads racing close(): "
                    + SpuriousInterrupts.count());
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reachingMaxOffHeapBytesLosesNothingAndLeavesTheMapUsable(final boolean backgroundMigration) {
        final long limit = 4L << 20;
        final long seed = 0x0FF_4EAF;
        try (LongLongMap map = LongLongMap.builder().maxOffHeapBytes(limit).backgroundMigration(backgroundMigration)
                .seed(seed).build()) {
            long stored = 0;
            OutOfMemoryError oom = null;
            for (; stored < 10_000_000; stored++) {
                try {
                    map.put(stored, ~stored);
                } catch (final OutOfMemoryError e) {
                    oom = e;
                    break;
                }
            }
            final String where = "seed " + seed + ", background " + backgroundMigration + ", " + stored + " stored, "
                    + map.stats();
            assertNotNull(oom, where + ": the limit was never reached");
            assertTrue(oom.getMessage().contains(Long.toString(limit)),
                    where + ": message does not name the limit: " + oom.getMessage());
            assertTrue(map.stats().offHeapBytes() <= limit, where);
            assertFalse(map.containsKey(stored), where + ": the failed put stored its key");
            assertEquals(stored, map.size(), where);
            for (long k = 0; k < stored; k++) {
                assertEquals(~k, map.get(k), where + ": key " + k + " lost");
            }
            // Still usable: overwrite existing keys, remove some, overwrite again; nothing of that needs memory.
            final List<String> failures = new ArrayList<>();
            for (long k = 0; k < stored; k += 7) {
                try {
                    assertEquals(~k, map.put(k, k), where + ": put into existing key " + k);
                } catch (final OutOfMemoryError e) {
                    failures.add("put(" + k + ") into an existing key: " + e.getMessage());
                }
            }
            for (long k = 1; k < stored; k += 7) {
                try {
                    assertEquals(~k, map.remove(k), where + ": remove " + k);
                } catch (final OutOfMemoryError e) {
                    failures.add("remove(" + k + "): " + e.getMessage());
                }
            }
            assertTrue(failures.isEmpty(), where + ": " + failures.size() + " operations that need no memory failed"
                    + " with OutOfMemoryError, first: " + (failures.isEmpty() ? "" : failures.get(0)));
            for (long k = 0; k < stored; k++) {
                final long expected = k % 7 == 0 ? k : ~k;
                if (k % 7 == 1) {
                    assertFalse(map.containsKey(k), where + ": removed key " + k);
                } else {
                    assertEquals(expected, map.get(k), where + ": key " + k);
                }
            }
        }
    }

    /**
     * The way out the limit's message suggests ("remove entries") must exist: a clear after hitting
     * the limit empties the map, gives the memory back and lets it be filled again, also when the
     * limit was reached while a growth was half done. Such a growth needs overflow lines in its new
     * table for the evacuations still to come, which the limit refuses: clear() used to finish it
     * first, and threw OutOfMemoryError.
     *
     * <p>Without background migration only writes move a growth, so the map is deterministic: the
     * limit is set 32 KiB (half an overflow chunk) above what the map holds once its growth to
     * 32,768 buckets has started, found on an unlimited twin fed the same keys, and
     * the set-up check below proves the growth is still half done when a put fails. With the helper
     * thread on, how far it got is up to the scheduler (the original report: it failed sometimes).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void clearAfterReachingMaxOffHeapBytesEmptiesTheMapEvenMidGrowthAndItCanBeFilledAgain(
            final boolean backgroundMigration) {
        final long seed = 0x0FF_C1EA;
        final long limit = backgroundMigration ? 4L << 20 : bytesOnceGrowthStarts(seed, GROWN_BUCKETS) + (32L << 10);
        try (LongLongMap map = LongLongMap.builder().maxOffHeapBytes(limit).seed(seed)
                .backgroundMigration(backgroundMigration).build()) {
            final MapStats empty = map.stats();
            final long baseline = empty.offHeapBytes();
            long stored = 0;
            try {
                for (; stored < 10_000_000; stored++) {
                    map.put(stored, stored);
                }
                fail("seed " + seed + ": the limit was never reached");
            } catch (final OutOfMemoryError expected) {
                // the limit
            }
            final MapStats atLimit = map.stats();
            final String where = "seed " + seed + ", background " + backgroundMigration + ", limit " + limit + ", "
                    + stored + " stored, at the limit " + atLimit;
            if (!backgroundMigration) {
                assertTrue(atLimit.growing() && atLimit.bucketCount() == GROWN_BUCKETS
                                && atLimit.evacuatedBuckets() < atLimit.oldBucketCount(),
                        where + ": set-up: the limit should be reached while a growth is half done");
            }
            try {
                map.clear();
            } catch (final OutOfMemoryError e) {
                // Not rethrown as such: JUnit treats an OutOfMemoryError as fatal and ends the fork.
                throw new AssertionError(where + ": clear() after reaching the limit failed: " + e.getMessage(), e);
            }
            final MapStats cleared = map.stats();
            assertEquals(0, cleared.size(), where + ": after clear " + cleared);
            assertFalse(cleared.growing(), where + ": after clear " + cleared);
            assertEquals(empty.bucketCount(), cleared.bucketCount(), where + ": after clear " + cleared);
            assertEquals(baseline, cleared.offHeapBytes(), where + ": after clear " + cleared);
            for (long k = 0; k < stored; k += 97) {
                assertFalse(map.containsKey(k), where + ": key " + k + " survived the clear");
            }
            // A quarter of what reached the limit: a growth holds its old and new tables at once (1.5x
            // the new table's buckets), so a refill to half of it can meet the limit again mid-growth,
            // depending on how far the helper thread has got (it did, once on a loaded CI machine).
            final long refill = stored / 4;
            try {
                for (long k = 0; k < refill; k++) {
                    map.put(k, -k);
                }
            } catch (final OutOfMemoryError e) {
                throw new AssertionError(where + ": refilling " + refill + " keys after clear() failed: "
                        + e.getMessage() + "; " + map.stats(), e);
            }
            assertEquals(refill, map.size(), where);
            for (long k = 0; k < refill; k += 31) {
                assertEquals(-k, map.get(k), where + ": key " + k + " after the refill");
            }
        }
    }

    /**
     * Returns what a map with this seed and no background migration holds right after its growth to
     * {@code buckets} starts (the new table's buckets reserved), measured on an unlimited twin fed
     * keys {@code 0, 1, 2, ...}: only writes move its migrations, so two such maps agree up to there.
     */
    private static long bytesOnceGrowthStarts(final long seed, final long buckets) {
        try (LongLongMap twin = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
            for (long k = 0; k < 10_000_000; k++) {
                twin.put(k, k);
                final MapStats stats = twin.stats();
                if (stats.growing() && stats.bucketCount() == buckets) {
                    return stats.offHeapBytes();
                }
            }
            throw new AssertionError("seed " + seed + ": no growth to " + buckets + " buckets");
        }
    }
}
