package dev.linemap;

import dev.linemap.engine.Seqlock;
import dev.linemap.engine.Table;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With {@code -Dlinemap.counters=true} (the {@code protocol-counters} surefire execution), each
 * protocol counter counts exactly the event it names: a failed seqlock re-check, the three phases of
 * waiting for a held bucket, and migration units by writers and by the helper thread. Every case is
 * made deterministic by construction (a held lock, a migration only writes move, a migration nobody
 * writes during). Counters are process-wide, so each test works with differences of snapshots.
 */
class ProtocolCountersOnTest {

    @BeforeEach
    void countersAreOn() {
        assumeTrue(ProtocolCounters.enabled(), "runs in the protocol-counters execution (-Dlinemap.counters=true)");
    }

    @Test
    void aReadSectionThatAWriterInvalidatedCountsOneRetry() {
        try (LongLongMap map = LongLongMap.builder().build()) {   // one bucket: every key lives in it
            final Table table = map.currentGeneration().table();
            final MemorySegment segment = table.bucketSegment(0);
            final long line = table.bucketLine(0);
            final ProtocolCounters before = ProtocolCounters.snapshot();
            final long stamp = Seqlock.tryOptimisticRead(segment, line);
            assertTrue(Seqlock.validate(segment, line, stamp));
            map.put(1, 1);                                          // the bucket's ctrl changes
            assertFalse(Seqlock.validate(segment, line, stamp));
            assertEquals(1, ProtocolCounters.snapshot().minus(before).seqlockRetries());
        }
    }

    @Test
    void aReaderWaitingForAHeldBucketSpinsThenYieldsThenParks() throws InterruptedException {
        try (LongLongMap map = LongLongMap.builder().build()) {
            map.put(7, 70);
            final Table table = map.currentGeneration().table();
            final MemorySegment segment = table.bucketSegment(0);
            final long line = table.bucketLine(0);
            final ProtocolCounters before = ProtocolCounters.snapshot();
            final long word = Seqlock.lock(segment, line);
            final AtomicLong read = new AtomicLong();
            final Thread reader = Thread.ofPlatform().start(() -> read.set(map.get(7)));
            while (ProtocolCounters.snapshot().minus(before).parkWaits() == 0) {
                Thread.sleep(1);                                    // until the reader reached its parks
            }
            Seqlock.unlock(segment, line, word);                    // nothing changed: the same word back
            reader.join();
            assertEquals(70, read.get());
            final ProtocolCounters waited = ProtocolCounters.snapshot().minus(before);
            assertTrue(waited.spinWaits() > 0 && waited.yieldWaits() > 0 && waited.parkWaits() > 0, waited.toString());
            assertEquals(0, waited.seqlockRetries(), "a wait is not a retry: the reader validated once, after");
        }
    }

    @Test
    void unitsAreCountedForWritersWhenOnlyWritesMoveMigrations() {
        final AtomicLong units = new AtomicLong();
        final MigrationListener listener = new MigrationListener() {
            @Override
            public void migrationCompleted(final MigrationKind kind, final long from, final long to, final long n) {
                units.addAndGet(from);   // GROW: one unit per old bucket
            }
        };
        final ProtocolCounters before = ProtocolCounters.snapshot();
        try (LongLongMap map = LongLongMap.builder().seed(1).backgroundMigration(false).migrationListener(listener)
                .build()) {
            for (long k = 0; k < 20_000; k++) {
                map.put(k, k);
            }
            while (map.stats().growing()) {
                map.put(0, 0);   // only writes finish a migration here
            }
            final ProtocolCounters delta = ProtocolCounters.snapshot().minus(before);
            assertTrue(units.get() > 4000, "several growths: " + units);
            assertEquals(units.get(), delta.unitsByWriters(), delta.toString());
            assertEquals(0, delta.unitsByHelper(), delta.toString());
        }
    }

    @Test
    void unitsAreCountedForTheHelperWhenNobodyWritesDuringAMigration() throws InterruptedException {
        try (LongLongMap map = LongLongMap.builder().initialCapacity(5120).build()) {   // 2048 buckets
            final long buckets = map.stats().bucketCount();
            // Before the writes: the helper may start evacuating before the loop below sees the growth.
            final ProtocolCounters before = ProtocolCounters.snapshot();
            long key = 0;
            while (!map.stats().growing()) {
                map.put(key++, 0);   // no migration before this growth; the write starting it evacuates nothing
            }
            while (map.stats().growing()) {
                Thread.sleep(1);     // a growth above 1,024 units has a helper thread
            }
            final ProtocolCounters delta = ProtocolCounters.snapshot().minus(before);
            assertEquals(buckets, delta.unitsByHelper(), delta.toString());
            assertEquals(0, delta.unitsByWriters(), delta.toString());
        }
    }
}
