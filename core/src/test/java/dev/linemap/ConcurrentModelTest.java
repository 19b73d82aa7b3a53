package dev.linemap;

import dev.linemap.engine.Hashing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several threads against one map while it grows and shrinks under them (initial capacity 0, helper
 * thread on), each run bounded by a number of operations, never by time:
 * (a) threads on disjoint key ranges check every return value against their own model, and the final
 * map equals the union of the models; (b) threads adding to shared counters lose no delta;
 * (c) readers never miss a key that is never removed, and never see its value go back, and a
 * concurrent forEach reports each of those keys exactly once; (d) a clear racing writers drops every
 * write that completed before it began and keeps every write that began after it returned. No
 * operation may leave its thread interrupted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcurrentModelTest {

    private static final long MISSING = Long.MIN_VALUE + 7;

    /** Runs the bodies on their own threads; rethrows the first failure of any of them. */
    private static void runAll(final List<ThrowingRunnable> bodies) throws InterruptedException {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            final ThrowingRunnable body = bodies.get(i);
            final Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (final Throwable e) {
                    if (!failure.compareAndSet(null, e)) {
                        failure.get().addSuppressed(e);
                    }
                }
            }, "model-" + i);
            t.start();
            threads.add(t);
        }
        for (final Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(4));
            assertFalse(t.isAlive(), t.getName() + " did not finish (deadlock or lost wake-up?)");
        }
        if (failure.get() != null) {
            if (failure.get() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(failure.get());
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * A map operation must not leave the caller interrupted (retiring a table closes an arena under
     * racing threads, and HotSpot may interrupt them: see RetirementInterruptTest).
     */
    private static void assertNotInterrupted(final String where) {
        if (Thread.interrupted()) {
            fail(where + ": a map operation left the calling thread's interrupt flag set");
        }
    }

    // ------------------------------------------------------------------------------- (a)

    @Test
    void disjointKeyRangesWithEveryOperationMatchTheirModelsWhileTheMapGrowsAndShrinks() throws InterruptedException {
        final long seed = 0xD15C01L;
        final int threads = 3;
        final int keysPerThread = 3000;
        final int phases = 12;
        final int opsPerPhase = 15_000;
        final List<Long> bucketCounts = new ArrayList<>();
        try (LongLongMap map = LongLongMap.builder().missingValue(MISSING).build()) {
            // A Phaser, not a CyclicBarrier: a thread that fails deregisters and the others go on.
            final Phaser barrier = new Phaser(threads) {
                @Override
                protected boolean onAdvance(final int phase, final int parties) {
                    bucketCounts.add(map.stats().bucketCount());
                    return parties == 0;
                }
            };
            final List<Map<Long, Long>> models = new ArrayList<>();
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final Map<Long, Long> model = new HashMap<>();
                models.add(model);
                final long threadSeed = seed + t;
                final long base = (long) t << 40;
                bodies.add(() -> {
                    try {
                        runModelThread(map, model, new SplittableRandom(threadSeed), "seed " + threadSeed,
                                base, keysPerThread, phases, opsPerPhase, barrier);
                    } catch (final Throwable e) {
                        barrier.arriveAndDeregister();
                        throw e;
                    }
                });
            }
            runAll(bodies);
            GrowthTest.awaitQuiescent(map);
            final Map<Long, Long> union = new HashMap<>();
            models.forEach(union::putAll);
            final String where = "seed " + seed + ", " + map.stats() + ", bucket counts at phase ends " + bucketCounts;
            assertEquals(union.size(), map.size(), where + ": size");
            union.forEach((k, v) -> assertEquals(v.longValue(), map.get(k), where + ": key " + k));
            final Map<Long, Long> iterated = new HashMap<>();
            map.forEach((k, v) -> assertEquals(null, iterated.put(k, v), where + ": forEach repeated key " + k));
            assertEquals(union, iterated, where + ": forEach content");
            assertTrue(shrankAfterGrowing(bucketCounts),
                    where + ": the run should have seen the table grow and shrink");
        }
    }

    private static boolean shrankAfterGrowing(final List<Long> counts) {
        long max = 0;
        for (final long c : counts) {
            if (c < max) {
                return true;
            }
            max = Math.max(max, c);
        }
        return false;
    }

    private static void runModelThread(final LongLongMap map, final Map<Long, Long> model,
                                       final SplittableRandom random, final String seedText, final long base,
                                       final int keys, final int phases, final int opsPerPhase, final Phaser barrier) {
        for (int phase = 0; phase < phases; phase++) {
            final boolean filling = phase % 2 == 0;
            for (int i = 0; i < opsPerPhase; i++) {
                final long k = base + random.nextInt(keys);
                final Long old = model.get(k);
                final long oldOrMissing = old == null ? MISSING : old;
                final long v = random.nextLong();
                final String where = seedText + ", phase " + phase + ", op " + i + ", key " + k;
                final int op = random.nextInt(16);
                // Filling phases mostly insert, draining phases mostly remove.
                final boolean insertish = filling ? random.nextInt(10) < 8 : random.nextInt(50) == 0;
                if (insertish) {
                    switch (op % 5) {
                        case 0 -> {
                            assertEquals(oldOrMissing, map.put(k, v), where + " put");
                            model.put(k, v);
                        }
                        case 1 -> {
                            assertEquals(oldOrMissing, map.putIfAbsent(k, v), where + " putIfAbsent");
                            model.putIfAbsent(k, v);
                        }
                        case 2 -> {
                            final long expected = old == null ? v : old + v;
                            assertEquals(expected, map.merge(k, v, Long::sum), where + " merge");
                            model.put(k, expected);
                        }
                        case 3 -> {
                            final long delta = random.nextInt(100) - 50;
                            final long expected = (old == null ? 0 : old) + delta;
                            assertEquals(expected, map.addAndGet(k, delta), where + " addAndGet");
                            model.put(k, expected);
                        }
                        default -> {
                            final long expected = old == null ? v : old ^ v;
                            assertEquals(expected, map.merge(k, v, (a, b) -> a ^ b), where + " merge xor");
                            model.put(k, expected);
                        }
                    }
                } else {
                    switch (op % 10) {
                        case 0, 1, 2, 3, 4, 5 -> {
                            assertEquals(oldOrMissing, map.remove(k), where + " remove");
                            model.remove(k);
                        }
                        case 6 -> {
                            final long expected = old != null && random.nextBoolean() ? old : v;
                            final boolean hit = old != null && old == expected;
                            assertEquals(hit, map.remove(k, expected), where + " remove(k, v)");
                            if (hit) {
                                model.remove(k);
                            }
                        }
                        case 7 -> {
                            assertEquals(oldOrMissing, map.replace(k, v), where + " replace");
                            if (old != null) {
                                model.put(k, v);
                            }
                        }
                        case 8 -> {
                            final long expected = old != null && random.nextBoolean() ? old : v;
                            final boolean hit = old != null && old == expected;
                            assertEquals(hit, map.replace(k, expected, v + 1), where + " replace(k, e, n)");
                            if (hit) {
                                model.put(k, v + 1);
                            }
                        }
                        default -> {
                            switch (random.nextInt(3)) {
                                case 0 -> assertEquals(oldOrMissing, map.get(k), where + " get");
                                case 1 -> assertEquals(old != null, map.containsKey(k), where + " containsKey");
                                default -> assertEquals(old == null ? v : old, map.getOrDefault(k, v),
                                        where + " getOrDefault");
                            }
                        }
                    }
                }
                assertNotInterrupted(where);
            }
            barrier.arriveAndAwaitAdvance();
        }
    }

    // ------------------------------------------------------------------------------- (b)

    @Test
    void sharedCountersUpdatedByAllThreadsLoseNoDeltaWhileTheMapGrowsAndShrinks() throws InterruptedException {
        final long seed = 0x5A4ED;
        final int threads = 3;
        final int keys = 4096;
        final int ops = 250_000;
        try (LongLongMap map = LongLongMap.builder().build()) {   // missing value 0: an absent key removes as 0
            final long[][] added = new long[threads][keys];
            final long[][] removed = new long[threads][keys];
            final AtomicLong maxBuckets = new AtomicLong();
            final AtomicLong shrinksSeen = new AtomicLong();
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                final long threadSeed = seed + t;
                bodies.add(() -> {
                    final SplittableRandom random = new SplittableRandom(threadSeed);
                    for (int i = 0; i < ops; i++) {
                        final int k = random.nextInt(keys);
                        final long key = keyOfCounter(k);
                        // Phases of 25,000 ops: few removes (the table grows), then mostly removes (it shrinks).
                        final boolean draining = (i / 25_000) % 2 == 1;
                        final int dice = random.nextInt(100);
                        if (dice < (draining ? 90 : 2)) {
                            removed[thread][k] += map.remove(key);
                        } else {
                            final long delta = random.nextLong();
                            added[thread][k] += delta;
                            if (dice % 2 == 0) {
                                map.addAndGet(key, delta);
                            } else {
                                map.merge(key, delta, Long::sum);
                            }
                        }
                        assertNotInterrupted("seed " + threadSeed + ", op " + i);
                        if ((i & 1023) == 0) {
                            final long buckets = map.stats().bucketCount();
                            if (buckets < maxBuckets.get()) {
                                shrinksSeen.incrementAndGet();
                            }
                            maxBuckets.accumulateAndGet(buckets, Math::max);
                        }
                    }
                });
            }
            runAll(bodies);
            GrowthTest.awaitQuiescent(map);
            final String where = "seed " + seed + ", " + map.stats();
            long present = 0;
            for (int k = 0; k < keys; k++) {
                long totalAdded = 0;
                long totalRemoved = 0;
                for (int t = 0; t < threads; t++) {
                    totalAdded += added[t][k];
                    totalRemoved += removed[t][k];
                }
                final long key = keyOfCounter(k);
                present += map.containsKey(key) ? 1 : 0;
                assertEquals(totalAdded, map.get(key) + totalRemoved,
                        where + ": counter " + k + ": added deltas != final value + removed values");
            }
            assertEquals(present, map.size(), where + ": size");
            assertTrue(maxBuckets.get() >= 1024,
                    where + ": the table should have grown, max buckets " + maxBuckets.get());
            assertTrue(shrinksSeen.get() > 0, where + ": the table should have shrunk while the threads ran");
        }
    }

    private static long keyOfCounter(final int k) {
        return k * 0x9E37_79B9_7F4A_7C15L;
    }

    // ------------------------------------------------------------------------------- (c)

    /** Tag of a key: the high 32 bits of every value it ever has. */
    private static long tag(final long key) {
        return Hashing.hash(key, 0x7A6) >>> 32;
    }

    @Test
    void readersNeverMissAStableKeyNorSeeItsVersionGoBackWhileWritersGrowAndShrinkTheMap() throws InterruptedException {
        final long seed = 0x2EAD;
        final int stable = 2000;
        final int churn = 20_000;
        final int writerOps = 400_000;
        final int writers = 2;
        final int readers = 2;
        try (LongLongMap map = LongLongMap.builder().missingValue(MISSING).build()) {
            for (long k = 0; k < stable; k++) {
                map.put(k, tag(k) << 32);
            }
            final AtomicLong writersLeft = new AtomicLong(writers);
            final AtomicLong reads = new AtomicLong();
            final AtomicLong iterations = new AtomicLong();
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final long threadSeed = seed + w;
                final long churnBase = (1L << 40) * (w + 1);
                bodies.add(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        for (int i = 0; i < writerOps; i++) {
                            // Phases of 40,000 ops: fill the churn range, then drain it (grow, then shrink).
                            final boolean filling = (i / 40_000) % 2 == 0;
                            final long c = churnBase + random.nextInt(churn);
                            switch (random.nextInt(8)) {
                                case 0 -> map.addAndGet(random.nextInt(stable), 1);   // version + 1
                                case 1, 2, 3 -> {
                                    if (filling) {
                                        map.put(c, tag(c) << 32 | (i & 0xffff));
                                    } else {
                                        map.remove(c);
                                    }
                                }
                                case 4 -> map.remove(c);
                                default -> map.putIfAbsent(c, tag(c) << 32);
                            }
                            assertNotInterrupted("writer seed " + threadSeed + ", op " + i);
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                });
            }
            for (int r = 0; r < readers; r++) {
                final long threadSeed = seed + 100 + r;
                final boolean iterating = r == 0;
                bodies.add(() -> {
                    final SplittableRandom random = new SplittableRandom(threadSeed);
                    final long[] lastVersion = new long[stable];
                    final var view = map.asConcurrentMap();
                    final String seedText = "reader seed " + threadSeed;
                    long n = 0;
                    while (writersLeft.get() > 0) {
                        n++;
                        final int k = random.nextInt(stable);
                        final long v;
                        switch (random.nextInt(4)) {
                            case 0 -> v = map.get(k);
                            case 1 -> v = map.getOrDefault(k, MISSING);
                            case 2 -> {
                                final Long boxed = view.get((long) k);
                                v = boxed == null ? MISSING : boxed;
                            }
                            default -> {
                                if (!map.containsKey(k)) {
                                    fail(seedText + ": stable key " + k + " missing (containsKey) at read " + n
                                            + ", " + map.stats());
                                }
                                continue;
                            }
                        }
                        if (v == MISSING || (v >>> 32) != tag(k)) {
                            fail(seedText + ": stable key " + k + " read as 0x" + Long.toHexString(v) + " at read " + n
                                    + ", " + map.stats());
                        }
                        final long version = v & 0xffff_ffffL;
                        if (version < lastVersion[k]) {
                            fail(seedText + ": stable key " + k + " went back from version " + lastVersion[k]
                                    + " to " + version);
                        }
                        lastVersion[k] = version;
                        assertNotInterrupted(seedText + ", read " + n);
                        if (iterating && n % 20_000 == 0) {
                            checkOneIteration(map, stable, seedText + ", iteration " + iterations.incrementAndGet());
                        }
                    }
                    reads.addAndGet(n);
                });
            }
            runAll(bodies);
            GrowthTest.awaitQuiescent(map);
            final String where = "seed " + seed + ", " + map.stats() + ", reads " + reads.get()
                    + ", iterations " + iterations.get();
            assertTrue(reads.get() > 0, where);
            for (long k = 0; k < stable; k++) {
                final long v = map.get(k);
                assertEquals(tag(k), v >>> 32, where + ": stable key " + k);
            }
            assertTrue(map.stats().completedMigrations() >= 10,
                    where + ": the writers should have caused many migrations");
        }
    }

    // ------------------------------------------------------------------------------- (d)

    @Test
    void clearRacingWritersDropsEveryEarlierWriteAndKeepsEveryLaterOne() throws InterruptedException {
        final long seed = 0xC1EA2;
        final int writers = 2;
        final int rounds = 12;
        try (LongLongMap map = LongLongMap.builder().missingValue(MISSING).build()) {
            for (int round = 0; round < rounds; round++) {
                // Writer w puts keys (w << 40) | i for i = 0, 1, 2, ...; started[w] is raised before a put
                // begins, completed[w] after it returns.
                final AtomicLong[] started = new AtomicLong[writers];
                final AtomicLong[] completed = new AtomicLong[writers];
                final AtomicLong go = new AtomicLong();
                final long perWriter = 60_000;
                final List<ThrowingRunnable> bodies = new ArrayList<>();
                final long[] before = new long[writers];
                final long[] after = new long[writers];
                for (int w = 0; w < writers; w++) {
                    started[w] = new AtomicLong(-1);
                    completed[w] = new AtomicLong(-1);
                    final int writer = w;
                    bodies.add(() -> {
                        for (long i = 0; i < perWriter; i++) {
                            started[writer].set(i);
                            map.put((long) writer << 40 | i, i);
                            completed[writer].set(i);
                            assertNotInterrupted("writer " + writer + " put " + i);
                            if (i == perWriter / 3) {
                                go.incrementAndGet();
                            }
                        }
                    });
                }
                final int r = round;
                bodies.add(() -> {
                    while (go.get() < writers) {
                        Thread.onSpinWait();   // both writers are a third of the way (the map is growing)
                    }
                    for (int w = 0; w < writers; w++) {
                        before[w] = completed[w].get();
                    }
                    map.clear();
                    for (int w = 0; w < writers; w++) {
                        after[w] = started[w].get();
                    }
                    assertNotInterrupted("clearing thread, round " + r);
                });
                runAll(bodies);
                GrowthTest.awaitQuiescent(map);
                final String where = "seed " + seed + ", round " + round + ", " + map.stats();
                long present = 0;
                for (int w = 0; w < writers; w++) {
                    for (long i = 0; i < perWriter; i++) {
                        final long key = (long) w << 40 | i;
                        final boolean has = map.containsKey(key);
                        present += has ? 1 : 0;
                        if (i <= before[w]) {
                            assertFalse(has, where + ": writer " + w + " put " + i
                                    + " completed before clear() began, but survived");
                        } else if (i > after[w]) {
                            assertTrue(has, where + ": writer " + w + " put " + i
                                    + " began after clear() returned, but is lost");
                            assertEquals(i, map.get(key), where);
                        }
                    }
                }
                assertEquals(present, map.size(), where + ": size after a racing clear");
                map.clear();
                assertEquals(0, map.size(), where);
            }
        }
    }

    /** A forEach during the churn: every stable key exactly once, every value tagged by its key, no key twice. */
    private static void checkOneIteration(final LongLongMap map, final int stable, final String where) {
        final BitSet stableSeen = new BitSet(stable);
        final Set<Long> churnSeen = new HashSet<>();
        map.forEach((k, v) -> {
            if ((v >>> 32) != tag(k)) {
                fail(where + ": key " + k + " reported with value 0x" + Long.toHexString(v));
            }
            if (k >= 0 && k < stable) {
                if (stableSeen.get((int) k)) {
                    fail(where + ": stable key " + k + " reported twice");
                }
                stableSeen.set((int) k);
            } else if (!churnSeen.add(k)) {
                fail(where + ": churn key " + k + " reported twice");
            }
        });
        if (stableSeen.cardinality() != stable) {
            fail(where + ": stable keys missed: " + (stable - stableSeen.cardinality())
                    + ", first " + stableSeen.nextClearBit(0));
        }
    }
}
