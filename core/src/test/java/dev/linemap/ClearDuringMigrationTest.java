package dev.linemap;

import dev.linemap.engine.Hashing;
import dev.linemap.engine.LongLongFormat;
import dev.linemap.engine.Migration;
import dev.linemap.engine.Table;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A clear() that finds a grow, shrink or compaction half done abandons it rather than finish it
 * (finishing needs memory that a map at its limit does not have: {@code LifecycleTest} and
 * {@code LineMapLifecycleTest} prove that part). With {@code backgroundMigration(false)}, so that the
 * migration is still running when the clear comes: (a) for each kind, the clear retires both of the
 * migration's tables, reports one CLEAR and no completion of the abandoned migration, gives back all
 * memory but a first table, and the map works again (also a map file: what it holds when reopened);
 * (b) a writer holding a bucket of either table across the clear's start is waited out before the
 * tables are retired, and its write completes.
 * Readers and writers racing such a clear: {@link ClearRacingReadersAndWritersTest}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClearDuringMigrationTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------- (a)

    @ParameterizedTest
    @EnumSource(value = MigrationKind.class, names = {"GROW", "SHRINK", "COMPACT"})
    void aHalfDoneMigrationIsAbandonedByClearWhichRetiresBothOfItsTables(final MigrationKind kind) {
        assumeFalse(Hashing.colliding());   // the compaction picks keys of one bucket by their real hash
        final long seed = 0xAB4D;
        final Calls calls = new Calls();
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false)
                .initialCapacity(kind == MigrationKind.COMPACT ? 160 : 0).migrationListener(calls).build()) {
            final MapStats empty = map.stats();
            final List<Long> keys = new ArrayList<>();
            final Migration m = switch (kind) {
                case GROW -> halfDoneGrowth(map, keys);
                case SHRINK -> halfDoneShrink(map, keys);
                default -> halfDoneCompaction(map, seed, keys);
            };
            final String where = kind + ", seed " + seed + ", " + map.stats();
            assertEquals(kind.ordinal(), m.kind, where + ": set-up");
            assertTrue(m.evacuatedBuckets.get() > 0 && m.evacuatedBuckets.get() < m.from.bucketCount,
                    where + ": set-up: the migration should be half done");
            final long completedBefore = map.stats().completedMigrations();
            calls.calls.clear();

            map.clear();

            final MapStats after = map.stats();
            assertTrue(m.from.isRetired(), where + ": the old table of the abandoned migration was not retired");
            assertTrue(m.to.isRetired(), where + ": the new table of the abandoned migration was not retired");
            assertNull(map.currentGeneration().migration(), where);
            assertEquals(completedBefore + 1, after.completedMigrations(),
                    where + ": the clear counts as a completed migration, the abandoned one does not");
            assertEquals(List.of("started CLEAR " + m.to.bucketCount + " -> " + empty.bucketCount(),
                    "completed CLEAR " + m.to.bucketCount + " -> " + empty.bucketCount()), calls.calls, where);
            assertEquals(0, after.size(), where + ": after " + after);
            assertFalse(after.growing(), where + ": after " + after);
            assertEquals(empty.bucketCount(), after.bucketCount(), where + ": after " + after);
            assertEquals(0, after.overflowLineCount(), where + ": after " + after);
            assertEquals(empty.offHeapBytes(), after.offHeapBytes(), where + ": after " + after);
            for (final long k : keys) {
                assertFalse(map.containsKey(k), where + ": key " + k + " survived the clear");
            }
            for (long k = 0; k < 5000; k++) {
                map.put(k, -k);
            }
            assertEquals(5000, map.size(), where);
            for (long k = 0; k < 5000; k++) {
                assertEquals(-k, map.get(k), where + ": key " + k + " put after the clear");
            }
        }
    }

    /**
     * The same on a map kept in a file, where every Generation change writes the file's root: the
     * abandoning clear's root names only its new table, so the reopened file holds exactly what was
     * put after the clear. Two keys only: a migration after the clear would write the root again.
     */
    @ParameterizedTest
    @EnumSource(value = MigrationKind.class, names = {"GROW", "SHRINK"})
    void aMapFileClearedMidMigrationReopensWithOnlyWhatWasPutAfterTheClear(final MigrationKind kind) {
        final Path file = dir.resolve("cleared-" + kind + ".map");
        final long seed = 0xF11E;
        final List<Long> keys = new ArrayList<>();
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).persistTo(file).build()) {
            final Migration m = kind == MigrationKind.GROW ? halfDoneGrowth(map, keys) : halfDoneShrink(map, keys);
            assertEquals(kind.ordinal(), m.kind, "set-up");
            map.clear();
            assertTrue(m.from.isRetired() && m.to.isRetired(), kind + ": " + map.stats());
            assertEquals(0, map.size());
            map.put(-1, 1);
            map.put(-2, 2);
            assertEquals(1, map.stats().bucketCount(), "set-up: no migration after the clear");
            assertFalse(map.stats().growing(), "set-up: no migration after the clear");
        }
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).persistTo(file).build()) {
            assertEquals(2, map.size(), kind + ": size after reopening " + map.stats());
            assertEquals(1, map.get(-1), kind + ": key -1, put after the clear");
            assertEquals(2, map.get(-2), kind + ": key -2, put after the clear");
            for (final long k : keys) {
                assertFalse(map.containsKey(k), kind + ": key " + k + " from before the clear came back");
            }
        }
    }

    /** Puts keys 0, 1, ... until a growth from at least 1,024 buckets runs, then 20 more. */
    private static Migration halfDoneGrowth(final LongLongMap map, final List<Long> keys) {
        long k = 0;
        while (!running(map, Migration.GROW, 1024)) {
            put(map, k++, keys);
        }
        for (int i = 0; i < 20; i++) {
            put(map, k++, keys);
        }
        return map.currentGeneration().migration();
    }

    /** Puts 10,000 keys, lets the growths finish, removes keys until a shrink from 2,048 buckets runs. */
    private static Migration halfDoneShrink(final LongLongMap map, final List<Long> keys) {
        for (long k = 0; k < 10_000; k++) {
            put(map, k, keys);
        }
        while (map.currentGeneration().migration() != null) {
            map.put(0L, 0L);   // only writes move a migration here
        }
        while (!running(map, Migration.SHRINK, 2048)) {
            map.remove(keys.removeLast());
        }
        for (int i = 0; i < 20; i++) {
            map.remove(keys.removeLast());
        }
        return map.currentGeneration().migration();
    }

    /**
     * Fills one bucket of a 64-bucket table with a long chain: its overflow lines pass half the
     * bucket count long before the load calls for a growth, which starts a compaction. Then 5 more.
     */
    private static Migration halfDoneCompaction(final LongLongMap map, final long seed, final List<Long> keys) {
        final long mask = map.stats().bucketCount() - 1;
        assertEquals(63, mask, "set-up: a 64-bucket table");
        long k = 0;
        int after = -1;
        while (after < 5) {
            k++;
            if ((LongLongFormat.hash(k, seed) & mask) != 0) {
                continue;
            }
            put(map, k, keys);
            if (after >= 0 || running(map, Migration.COMPACT, 64)) {
                after++;
            }
        }
        return map.currentGeneration().migration();
    }

    private static void put(final LongLongMap map, final long k, final List<Long> keys) {
        map.put(k, k);
        keys.add(k);
    }

    private static boolean running(final LongLongMap map, final int kind, final long fromBuckets) {
        final Migration m = map.currentGeneration().migration();
        return m != null && m.kind == kind && m.from.bucketCount >= fromBuckets;
    }

    /** Records a map's listener calls (also for {@link ClearRacingReadersAndWritersTest}). */
    static final class Calls implements MigrationListener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void migrationStarted(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
            calls.add("started " + kind + " " + fromBuckets + " -> " + toBuckets);
        }

        boolean contains(final String call) {
            return calls.contains(call);
        }

        @Override
        public void migrationCompleted(final MigrationKind kind, final long fromBuckets, final long toBuckets,
                                       final long nanos) {
            calls.add("completed " + kind + " " + fromBuckets + " -> " + toBuckets);
        }
    }

    // ------------------------------------------------------------------------------- (b)

    /** Where a writer holds a bucket's lock while a clear abandons the growth. */
    enum Held {
        /** In the growth's old table: the write began before the growth started. */
        OLD_TABLE,
        /** In the growth's new table: the key's unit had been evacuated. */
        NEW_TABLE
    }

    /**
     * A writer (a merge whose function waits) holds a bucket of one of the growth's tables across the
     * clear's publication of its new table: the clear must wait for it before it retires the table
     * (or, in checked mode, the writer's locked section would meet a closed arena; in fast mode, write
     * into decommitted pages), and the merge completes normally, before the clear.
     */
    @ParameterizedTest
    @EnumSource(Held.class)
    void theClearWaitsOutAWriterThatHoldsABucketOfTheAbandonedTables(final Held held) throws InterruptedException {
        assumeFalse(Hashing.colliding());   // keys are picked by their real hash
        final long seed = 0x5EED;
        final long trigger = putsBeforeGrowthFrom(seed, 1024);
        final CountDownLatch clearStarted = new CountDownLatch(1);
        final MigrationListener listener = new MigrationListener() {
            @Override
            public void migrationStarted(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
                if (kind == MigrationKind.CLEAR) {
                    clearStarted.countDown();
                }
            }
        };
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).migrationListener(listener)
                .build()) {
            for (long k = 0; k < trigger; k++) {
                map.put(k, k);
            }
            final String where = held + ", seed " + seed + ", growth started by put " + trigger;
            final Table before = map.currentGeneration().table();
            assertNull(map.currentGeneration().migration(), where + ": set-up");
            final long[] merged = new long[1];
            final long[] mergeReturned = new long[1];
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch entered = new CountDownLatch(1);
            final long key;
            final Thread holder;
            if (held == Held.OLD_TABLE) {
                // Any key but one in the bucket of the put that starts the growth (which must not wait).
                final long triggerBucket = before.bucket(LongLongFormat.hash(trigger, before.seed));
                key = firstKey(trigger, k -> before.bucket(LongLongFormat.hash(k, before.seed)) != triggerBucket);
                holder = mergeHolding(map, key, entered, clearStarted, merged, mergeReturned, failure);
                assertTrue(entered.await(30, TimeUnit.SECONDS), where + ": the merge never ran its function");
                map.put(trigger, trigger);
            } else {
                map.put(trigger, trigger);
                for (long k = trigger + 1; k < trigger + 20; k++) {
                    map.put(k, k);
                }
                final Migration m = map.currentGeneration().migration();
                key = firstKey(trigger, k -> m.isUnitEvacuated(unitOf(m, k)));
                holder = mergeHolding(map, key, entered, clearStarted, merged, mergeReturned, failure);
                assertTrue(entered.await(30, TimeUnit.SECONDS), where + ": the merge never ran its function");
            }
            final Migration m = map.currentGeneration().migration();
            assertTrue(m != null && m.kind == Migration.GROW && m.from == before, where + ": set-up: the growth");
            assertEquals(held == Held.NEW_TABLE, m.isUnitEvacuated(unitOf(m, key)), where + ": set-up: key " + key);

            final long[] clearReturned = new long[1];
            final Thread clearer = new Thread(() -> {
                try {
                    map.clear();
                    clearReturned[0] = System.nanoTime();
                } catch (final Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "clearer");
            clearer.start();
            holder.join(TimeUnit.MINUTES.toMillis(1));
            clearer.join(TimeUnit.MINUTES.toMillis(1));
            assertFalse(holder.isAlive() || clearer.isAlive(), where + ": deadlock");
            if (failure.get() != null) {
                throw new AssertionError(where + ": " + failure.get(), failure.get());
            }
            assertEquals(key + 1, merged[0], where + ": the merge's result");
            assertTrue(clearReturned[0] > mergeReturned[0],
                    where + ": clear() returned before the writer holding a bucket of an abandoned table let go");
            assertTrue(m.from.isRetired() && m.to.isRetired(), where);
            assertEquals(0, map.size(), where);
            assertFalse(map.containsKey(key), where + ": the merge, linearized before the clear, survived it");
        }
    }

    /**
     * A thread that merges {@code key} (present, mapped to itself) with a function that holds the
     * bucket until the clear has started and 50 ms more; {@code returned[0]}: when it let go.
     */
    private static Thread mergeHolding(final LongLongMap map, final long key, final CountDownLatch entered,
                                       final CountDownLatch clearStarted, final long[] merged, final long[] returned,
                                       final AtomicReference<Throwable> failure) {
        final Thread t = new Thread(() -> {
            try {
                merged[0] = map.merge(key, 1, (old, delta) -> {
                    entered.countDown();
                    try {
                        if (!clearStarted.await(30, TimeUnit.SECONDS)) {
                            failure.compareAndSet(null, new AssertionError("the clear never started"));
                        }
                        Thread.sleep(50);
                    } catch (final InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    returned[0] = System.nanoTime();
                    return old + delta;
                });
            } catch (final Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "bucket-holder");
        t.start();
        return t;
    }

    private static long unitOf(final Migration m, final long key) {
        return m.unitOf(m.from.bucket(LongLongFormat.hash(key, m.from.seed)));
    }

    private static long firstKey(final long below, final LongPredicate wanted) {
        for (long k = 0; k < below; k++) {
            if (wanted.test(k)) {
                return k;
            }
        }
        throw new AssertionError("set-up: no key below " + below + " fits");
    }

    /**
     * Returns how many puts of keys {@code 0, 1, ...} a map with this seed and no background
     * migration takes before the put that starts its growth from {@code buckets} buckets, measured
     * on a twin: only writes move its migrations, so two such maps agree.
     */
    private static long putsBeforeGrowthFrom(final long seed, final long buckets) {
        try (LongLongMap twin = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
            for (long k = 0; k < 10_000_000; k++) {
                twin.put(k, k);
                if (running(twin, Migration.GROW, buckets)) {
                    return k;
                }
            }
            throw new AssertionError("seed " + seed + ": no growth from " + buckets + " buckets");
        }
    }
}
