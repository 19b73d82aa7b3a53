package dev.linemap;

import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Generation;
import dev.linemap.engine.Hashing;
import dev.linemap.engine.LongLongFormat;
import dev.linemap.engine.Seqlock;
import dev.linemap.engine.Table;
import dev.linemap.layout.SlotLocation;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast mode's reclamation: a thread that still holds a retired table reads zero pages, never a
 * fault, because the mapping stays until the table is unreachable; and the engine's re-check of
 * {@link Table#isRetired()} turns such a read into a retry.
 */
class RetiredTableReadFastModeTest {

    @BeforeAll
    static void fastMode() {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
    }

    @Test
    void aReaderParkedInsideATableAcrossItsRetirementAndAGcReadsZerosAndIsToldToRetry() throws Exception {
        try (LongLongMap map = LongLongMap.builder().seed(3).build()) {
            for (long k = 0; k < 1000; k++) {
                map.put(k, k + 1);
            }
            // The reader's state in the middle of a get: the generation, the table, the open section.
            final Generation g = map.currentGeneration();
            final Table table = g.table();
            final long key = 77;
            final long bucket = table.bucket(Hashing.hash(key, table.seed));
            final MemorySegment segment = table.bucketSegment(bucket);
            final long line = table.bucketLine(bucket);
            final long stamp = Seqlock.tryOptimisticRead(segment, line);
            assertTrue(Seqlock.isUnlockedNormal(stamp) && stamp != 0, "a live bucket before the growth");

            // "Parked": meanwhile the map grows several times, retiring this table, and GCs run.
            final Thread writer = Thread.ofPlatform().start(() -> {
                for (long k = 1000; k < 200_000; k++) {
                    map.put(k, k + 1);
                }
            });
            writer.join();
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(table.isRetired(), "the table should be retired by the growths");

            // The reader resumes: its memory is still mapped (we hold the table), decommitted to zeros.
            final long now = Seqlock.tryOptimisticRead(segment, line);
            assertEquals(0, now, "a retired table's pages read as zero");
            final long loc = LongLongFormat.find(table, segment, line, now, key);
            assertEquals(SlotLocation.NOT_FOUND, loc, "nothing is found in zero pages");
            assertTrue(Seqlock.validate(segment, line, now) && table.isRetired(),
                    "a section over zero pages validates: only the isRetired re-check catches it");
            assertEquals(key + 1, map.get(key), "the public get starts over and finds the key");
            Reference.reachabilityFence(g);
        }
    }
}
