package dev.linemap;

import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Chains;
import dev.linemap.engine.LongLongFormat;
import dev.linemap.engine.Migration;
import dev.linemap.engine.Generation;
import dev.linemap.engine.Table;
import dev.linemap.engine.Hashing;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.linemap.layout.BucketDescriptor.ctrlAcquire;
import static dev.linemap.layout.BucketDescriptor.keyOpaque;
import static dev.linemap.layout.BucketDescriptor.metaOpaque;
import static dev.linemap.layout.BucketDescriptor.valueOpaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The growth invariants of the design brief, checked directly on the tables after every single
 * write of a migration that only writes move forward ({@code backgroundMigration(false)}):
 * <ol>
 *   <li>a new-table bucket is written only after its source old bucket(s) are EVACUATED (every word
 *       of a destination whose source is not EVACUATED is still zero), and an EVACUATED bucket is
 *       never written again;</li>
 *   <li>no migration starts while one is in progress (the Generation's migration keeps its identity
 *       until it completes, and each change of it is exactly one completion);</li>
 *   <li>every old unit below the watermark is EVACUATED;</li>
 *   <li value="6">every key present before a migration is present after it with its latest value,
 *       found by the public read and in the very bucket the routing rule names.</li>
 * </ol>
 * Also: starting a migration allocates nothing, and one write does a bounded amount of migration.
 */
class MigrationInvariantTest {

    /** Follows one map through its migrations and checks the invariants after every operation. */
    private static final class Checker {
        final LongLongMap map;
        final Map<Long, Long> model = new HashMap<>();
        final String seedText;
        /** EVACUATED words seen per old bucket, per migration: they must never change. */
        final Map<Migration, long[]> evacuatedWords = new IdentityHashMap<>();
        final List<Integer> kinds = new ArrayList<>();
        Migration current;
        long completed;
        long evacuatedBefore;
        long ops;

        Checker(final LongLongMap map, final long seed) {
            this.map = map;
            this.seedText = "seed " + seed;
            this.current = map.currentGeneration().migration();
            this.completed = map.stats().completedMigrations();
        }

        String where() {
            return seedText + ", op " + ops + ", " + map.stats();
        }

        void put(final long key, final long value) {
            final Long expected = model.put(key, value);
            assertEquals(expected == null ? map.missingValue() : expected, map.put(key, value),
                    where() + " put " + key);
            afterOp();
        }

        void remove(final long key) {
            final Long expected = model.remove(key);
            assertEquals(expected == null ? map.missingValue() : expected, map.remove(key), where() + " remove " + key);
            afterOp();
        }

        void add(final long key, final long delta) {
            final long expected = model.merge(key, delta, Long::sum);
            assertEquals(expected, map.addAndGet(key, delta), where() + " addAndGet " + key);
            afterOp();
        }

        void afterOp() {
            ops++;
            final Migration m = map.currentGeneration().migration();
            final long done = map.stats().completedMigrations();
            if (m != current) {
                // (2): the migration changed only because the one in progress completed.
                if (current != null) {
                    assertEquals(completed + 1, done, where() + ": migration replaced without exactly one completion");
                    assertEquals(current.units, current.watermarkAcquire(),
                            where() + ": replaced before its watermark reached the end");
                    assertTrue(current.from.isRetired(), where() + ": old table of a completed migration not retired");
                    evacuatedWords.remove(current);
                } else {
                    assertEquals(completed, done, where());
                }
                if (m != null) {
                    checkFreshStart(m);
                    kinds.add(m.kind);
                    evacuatedBefore = 0;
                }
                current = m;
                completed = done;
            } else {
                assertEquals(completed, done, where() + ": a migration completed but the Generation still names it");
            }
            if (m != null) {
                final long evacuated = m.evacuatedBuckets.get();
                // Bounded work: its own unit plus WRITER_CLAIM units, each one or two old buckets.
                assertTrue(evacuated - evacuatedBefore <= 2L * (1 + Migration.WRITER_CLAIM),
                        where() + ": one write evacuated " + (evacuated - evacuatedBefore) + " buckets");
                evacuatedBefore = evacuated;
                // Every write while the tables are small; every 5th on the larger ones (run time).
                if (m.from.bucketCount + m.to.bucketCount <= 3072 || ops % 5 == 0) {
                    checkTables(m);
                }
            }
            if (model.size() < 600 || ops % 41 == 0 || m != current) {
                checkKeys();
            }
        }

        /** Start is O(1): no destination memory yet, nothing evacuated, watermark 0. */
        void checkFreshStart(final Migration m) {
            if (m.kind == Migration.CLEAR) {
                return;   // a clear allocates its small target up front, by design
            }
            assertEquals(0, m.watermarkAcquire(), where());
            assertEquals(0, m.evacuatedBuckets.get(), where());
            for (long d = 0; d < m.to.bucketCount; d++) {
                if (AccessMode.FAST) {
                    // Fast mode reserves the whole table as one mapping at the start (no page is
                    // touched); what must not have happened is a write.
                    final MemorySegment segment = m.to.bucketSegment(d);
                    final long line = m.to.bucketLine(d);
                    assertEquals(0L, ctrlAcquire(segment, line) | metaOpaque(segment, line),
                            where() + ": destination bucket " + d + " written when the migration started");
                    continue;
                }
                assertNull(m.to.bucketSegment(d),
                        where() + ": destination bucket " + d + " allocated when the migration started");
            }
        }

        void checkTables(final Migration m) {
            final Table from = m.from;
            final Table to = m.to;
            final long watermark = m.watermarkAcquire();
            final long[] words = evacuatedWords.computeIfAbsent(m, k -> new long[(int) from.bucketCount]);
            // (3) every old unit below the watermark is EVACUATED (SHRINK: both of its sources).
            for (long u = 0; u < watermark; u++) {
                for (final long b : sources(m, u)) {
                    assertEquals(CtrlWord.EVACUATED, CtrlWord.state(ctrl(from, b)),
                            where() + ": old bucket " + b + " of unit " + u + " below watermark " + watermark + " is "
                                    + CtrlWord.toString(ctrl(from, b)));
                }
            }
            // (1b) an EVACUATED old bucket is never written again; it holds no live slot.
            for (long b = 0; b < from.bucketCount; b++) {
                final long c = ctrl(from, b);
                assertTrue(!CtrlWord.isLocked(c) && CtrlWord.state(c) != CtrlWord.EVACUATING,
                        where() + ": old bucket " + b + " left " + CtrlWord.toString(c) + " between operations");
                if (CtrlWord.state(c) == CtrlWord.EVACUATED) {
                    assertEquals(0, CtrlWord.occupancy(c), where() + ": EVACUATED bucket " + b + " with live slots");
                    if (words[(int) b] == 0) {
                        words[(int) b] = c;
                    } else {
                        assertEquals(words[(int) b], c, where() + ": EVACUATED old bucket " + b + " was written again");
                    }
                } else {
                    assertEquals(0, words[(int) b], where() + ": old bucket " + b + " went back from EVACUATED");
                }
            }
            if (m.kind == Migration.CLEAR) {
                return;   // a clear fills nothing: its target has another seed and takes writes at once
            }
            // (1) a destination is untouched (all eight words zero) until its source unit is EVACUATED.
            for (long d = 0; d < to.bucketCount; d++) {
                final MemorySegment segment = to.bucketSegment(d);
                final long u = m.kind == Migration.GROW ? d & from.mask : d;
                boolean sourcesEvacuated = true;
                for (final long b : sources(m, u)) {
                    sourcesEvacuated &= CtrlWord.state(ctrl(from, b)) == CtrlWord.EVACUATED;
                }
                if (sourcesEvacuated != m.isUnitEvacuated(u)) {
                    fail(where() + ": unit " + u + " half evacuated between operations");
                }
                if (sourcesEvacuated) {
                    assertTrue(segment != null, where() + ": destination " + d + " of an evacuated unit has no memory");
                    continue;
                }
                if (segment == null) {
                    continue;   // not even allocated: certainly unwritten
                }
                final long line = to.bucketLine(d);
                long or = ctrlAcquire(segment, line) | metaOpaque(segment, line);
                for (int s = 0; s < BucketDescriptor.SLOTS; s++) {
                    or |= keyOpaque(segment, line, s) | valueOpaque(segment, line, s);
                }
                assertEquals(0, or, where() + ": destination bucket " + d + " written before its source unit " + u
                        + " was EVACUATED: " + CtrlWord.toString(ctrlAcquire(segment, line)));
            }
        }

        /** (6) every key of the model, through the public API and in the bucket the routing names. */
        void checkKeys() {
            assertEquals(model.size(), map.size(), where() + ": size");
            final Generation g = map.currentGeneration();
            final Migration m = g.migration();
            for (final Map.Entry<Long, Long> e : model.entrySet()) {
                final long key = e.getKey();
                final long value = e.getValue();
                assertEquals(value, map.get(key), where() + ": key " + key);
                assertTrue(map.containsKey(key), where() + ": key " + key);
                Table table = g.table();
                if (m != null && !m.isUnitEvacuated(m.unitOf(m.from.bucket(Hashing.hash(key, m.from.seed))))) {
                    table = m.from;   // not evacuated yet: the old bucket is the truth
                }
                final long b = table.bucket(Hashing.hash(key, table.seed));
                final MemorySegment segment = table.bucketSegment(b);
                final long line = table.bucketLine(b);
                final long c = ctrlAcquire(segment, line);
                assertEquals(CtrlWord.NORMAL, CtrlWord.state(c), where() + ": key " + key
                        + " routed to a bucket that is " + CtrlWord.toString(c));
                final long loc = LongLongFormat.find(table, segment, line, c, key);
                assertNotEquals(Chains.NOT_FOUND, loc, where() + ": key " + key + " not in the bucket "
                        + (table == g.table() ? "new " : "old ") + b + " the routing names");
                assertEquals(value, Chains.valueAt(LongLongFormat.FORMAT, table, segment, line, loc),
                        where() + ": key " + key + " in bucket " + b);
            }
        }

        private static long ctrl(final Table table, final long b) {
            return ctrlAcquire(table.bucketSegment(b), table.bucketLine(b));
        }

        private static long[] sources(final Migration m, final long u) {
            return m.kind == Migration.SHRINK ? new long[] {u, u + m.to.bucketCount} : new long[] {u};
        }
    }

    @Test
    void growthStepByStepKeepsInvariantsAfterEveryWrite() {
        final long seed = 0xA11CE;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
            final Checker checker = new Checker(map, seed);
            while (checker.model.size() < 6000) {
                final long key = random.nextLong(40_000);
                if (random.nextInt(10) == 0) {
                    checker.put(random.nextLong(40_000), random.nextLong());   // maybe overwrite
                } else if (random.nextInt(10) == 0) {
                    checker.add(key, random.nextLong(1000));
                } else {
                    checker.put(key, random.nextLong());
                }
            }
            checker.checkKeys();
            final long growths = checker.kinds.stream().filter(k -> k == Migration.GROW).count();
            assertTrue(growths >= 11, checker.where() + ": grows observed " + growths + " " + checker.kinds);
        }
    }

    @Test
    void shrinkStepByStepKeepsInvariantsAfterEveryWriteAllTheWayBackToOneBucket() {
        final long seed = 0x5412;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
            final Checker checker = new Checker(map, seed);
            for (long k = 0; k < 5000; k++) {
                checker.put(k * 7919, k);
            }
            final long full = map.stats().bucketCount();
            final List<Long> keys = new ArrayList<>(checker.model.keySet());
            // Remove in random order; the table halves repeatedly while keys are still being updated.
            for (int i = keys.size() - 1; i > 0; i--) {
                final int j = random.nextInt(i + 1);
                final Long t = keys.get(i);
                keys.set(i, keys.get(j));
                keys.set(j, t);
            }
            for (int i = 0; i < keys.size(); i++) {
                checker.remove(keys.get(i));
                if (i % 5 == 0 && i + 1 < keys.size()) {
                    checker.add(keys.get(keys.size() - 1 - random.nextInt(keys.size() - i - 1)), 1);
                }
            }
            assertEquals(0, map.size(), checker.where());
            // Only writes move a migration here: churn one key until the shrinks have run their course.
            for (int i = 0; i < 100_000 && (map.stats().bucketCount() > 1 || map.stats().growing()); i++) {
                final long key = -1 - random.nextLong(1000);
                checker.put(key, i);
                checker.remove(key);
            }
            assertEquals(1, map.stats().bucketCount(), checker.where() + ": an empty map shrinks back to its minimum");
            assertTrue(!map.stats().growing(), checker.where());
            final long shrinks = checker.kinds.stream().filter(k -> k == Migration.SHRINK).count();
            assertEquals(Long.numberOfTrailingZeros(full), shrinks,
                    checker.where() + ": one shrink per halving from " + full + " buckets " + checker.kinds);
        }
    }

    /**
     * A clear during a growth abandons it (finishing it could need memory a map at its limit does
     * not have; ClearDuringMigrationTest): the growth's watermark stops short, both of its tables are
     * retired, one migration (the clear) is counted, and no other starts alongside.
     */
    @Test
    void clearDuringGrowthAbandonsTheGrowthAndStartsNoOtherAlongside() {
        final long seed = 0xC1EA;
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = LongLongMap.builder().backgroundMigration(false).build()) {
            final Checker checker = new Checker(map, seed);
            while (map.currentGeneration().migration() == null || map.stats().bucketCount() < 1024) {
                checker.put(random.nextLong(), 1L);
            }
            final Migration growing = map.currentGeneration().migration();
            assertSame(growing, checker.current);
            // Step part of the way.
            for (int i = 0; i < 50; i++) {
                checker.put(random.nextLong(), 2L);
            }
            assertSame(growing, map.currentGeneration().migration(),
                    checker.where() + ": growth completed too soon for this test");
            final long before = map.stats().completedMigrations();
            map.clear();
            assertEquals(before + 1, map.stats().completedMigrations(),
                    checker.where() + ": the clear completes, the abandoned growth does not");
            assertTrue(growing.watermarkAcquire() < growing.units, checker.where() + ": the growth was finished");
            assertTrue(growing.from.isRetired(), checker.where());
            assertNull(map.currentGeneration().migration(), checker.where());
            assertNotSame(growing.to, map.currentGeneration().table(), checker.where());
            assertTrue(growing.to.isRetired(), checker.where() + ": the grown table was dropped by the clear");
            assertEquals(0, map.size(), checker.where());
            checker.model.clear();
            checker.current = null;
            checker.completed = map.stats().completedMigrations();
            for (int i = 0; i < 3000; i++) {
                checker.put(random.nextLong(), i);
            }
            checker.checkKeys();
        }
    }
}
