package dev.linemap;

import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.MapImage.Role;
import dev.linemap.MapImage.TableImage;
import dev.linemap.layout.CtrlWord;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inspector sees what the map holds: its totals equal {@code stats()} on a quiescent map, with
 * and without a migration in progress; its picture holds every entry exactly once, in a live bucket,
 * with its value; and the read path it reports is the one {@code get} takes.
 */
class MapInspectorTest {

    /** A map only writes move through migrations, filled with random keys; removals leave holes. */
    private static LongLongMap filled(final long seed, final int keys, final Map<Long, Long> model) {
        final LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < keys; i++) {
            final long key = random.nextLong();
            map.put(key, i);
            model.put(key, (long) i);
            if (i % 7 == 3) {
                final long gone = model.keySet().iterator().next();
                map.remove(gone);
                model.remove(gone);
            }
        }
        return map;
    }

    /** Fills until a migration is half done (only writes move it), checking nothing on the way. */
    private static void untilMidMigration(final LongLongMap map, final Map<Long, Long> model, final long seed) {
        final SplittableRandom random = new SplittableRandom(~seed);
        while (true) {
            final MapStats s = map.stats();
            if (s.growing() && s.evacuatedBuckets() > 0 && s.evacuatedBuckets() < s.oldBucketCount() / 2) {
                return;
            }
            final long key = random.nextLong();
            map.put(key, key);
            model.put(key, key);
        }
    }

    @Test
    void reportTotalsEqualStatsOnAQuiescentMapWithOverflowAndHoles() {
        for (final long seed : new long[] {1, 42, 20261130}) {
            final Map<Long, Long> model = new HashMap<>();
            try (LongLongMap map = filled(seed, 5000, model)) {
                while (map.stats().growing()) {
                    map.put(model.keySet().iterator().next(), 0);   // only writes finish a migration here
                }
                final MapReport report = MapInspector.of(map).report();
                final MapStats stats = map.stats();
                assertNull(report.migration(), "seed " + seed);
                assertEquals(stats.size(), report.entries(), "seed " + seed);
                assertEquals(model.size(), report.entries(), "seed " + seed);
                assertEquals(stats.overflowLineCount(), report.overflowLines(), "seed " + seed);
                assertTrue(report.overflowLines() > 0, "seed " + seed + ": the load should chain some lines");
                final MapReport.TableReport table = report.tables().getFirst();
                assertEquals(Role.CURRENT, table.role());
                assertEquals(stats.bucketCount(), table.liveBuckets());
                assertEquals(stats.bucketCount(), table.entriesPerBucket().stream().mapToLong(Long::longValue).sum());
                long weighted = 0;
                for (int n = 0; n < table.entriesPerBucket().size(); n++) {
                    weighted += n * table.entriesPerBucket().get(n);
                }
                assertEquals(report.entries(), weighted, "histogram of entries per bucket must add up");
                long lines = 0;
                for (int k = 0; k < table.overflowLinesPerBucket().size(); k++) {
                    lines += k * table.overflowLinesPerBucket().get(k);
                }
                assertEquals(report.overflowLines(), lines, "histogram of overflow lines must add up");
                assertEquals((double) stats.offHeapBytes() / stats.size(), report.bytesPerEntry(), 1e-9);
            }
        }
    }

    @Test
    void reportTotalsEqualStatsWhileAMigrationIsHalfDone() {
        for (final long seed : new long[] {3, 42}) {
            final Map<Long, Long> model = new HashMap<>();
            try (LongLongMap map = filled(seed, 3000, model)) {
                untilMidMigration(map, model, seed);
                final MapReport report = MapInspector.of(map).report();
                final MapStats stats = map.stats();
                assertNotNull(report.migration(), "seed " + seed);
                assertEquals(List.of(Role.OLD, Role.NEW), report.tables().stream().map(t -> t.role()).toList());
                assertEquals(stats.size(), report.entries(), "seed " + seed);
                assertEquals(stats.overflowLineCount(), report.overflowLines(), "seed " + seed);
                assertEquals(stats.evacuatedBuckets(), report.migration().evacuatedBuckets());
                // Every old bucket answers until evacuated; every evacuated one hands over to two new ones.
                final long evacuated = report.migration().evacuatedBuckets();
                assertEquals(stats.oldBucketCount() - evacuated, report.tables().get(0).liveBuckets());
                assertEquals(2 * evacuated, report.tables().get(1).liveBuckets());
                assertTrue(report.migration().watermark() <= evacuated);
                assertTrue(report.migration().cursor() >= report.migration().watermark());
            }
        }
    }

    @Test
    void imageHoldsEveryEntryOnceInALiveBucketOfItsHashWithItsValue() {
        final Map<Long, Long> model = new HashMap<>();
        try (LongLongMap map = filled(42, 2000, model)) {
            untilMidMigration(map, model, 42);
            final MapImage image = MapInspector.of(map).image();
            final Map<Long, Long> seen = new HashMap<>();
            for (final TableImage table : image.tables()) {
                assertEquals(table.bucketCount(), table.buckets().size());
                for (final BucketImage bucket : table.buckets()) {
                    if (!bucket.live()) {
                        continue;
                    }
                    for (final LineImage line : bucket.lines()) {
                        for (int s = 0; s < line.keys().size(); s++) {
                            if (line.isLive(s)) {
                                assertNull(seen.put(line.keys().get(s), line.values().get(s)),
                                        "key " + line.keys().get(s) + " seen twice");
                                final KeyPath path = MapInspector.of(map).locate(line.keys().get(s));
                                assertEquals(bucket.index(), path.answer().index(), "key in a bucket not its own");
                                assertEquals(table.role(), path.answer().role());
                            }
                        }
                    }
                }
            }
            assertEquals(model, seen);
            // The new table's buckets not filled yet are not read, and say so.
            final TableImage fresh = image.tables().get(1);
            assertTrue(fresh.buckets().stream().anyMatch(b -> !b.live() && b.lines().isEmpty()));
            // An evacuated old bucket is EVACUATED and answers for nothing.
            assertTrue(image.tables().getFirst().buckets().stream()
                    .anyMatch(b -> !b.live() && b.state() == CtrlWord.EVACUATED && b.entries() == 0));
        }
    }

    @Test
    void locateTakesTheReadPathOfGetThroughAMigration() {
        final Map<Long, Long> model = new HashMap<>();
        try (LongLongMap map = filled(7, 2500, model)) {
            untilMidMigration(map, model, 7);
            final MapInspector inspector = MapInspector.of(map);
            int viaEvacuated = 0;
            int belowWatermark = 0;
            int oldAnswers = 0;
            for (final Map.Entry<Long, Long> e : model.entrySet()) {
                final KeyPath path = inspector.locate(e.getKey());
                assertTrue(path.found(), "key " + e.getKey());
                assertEquals(map.get(e.getKey()), path.value());
                assertEquals(e.getValue(), path.foundLine().values().get(path.slot()));
                final long watermark = path.migration().watermark();
                if (path.unit() < watermark) {
                    belowWatermark++;
                    assertEquals(List.of(Role.NEW), path.probes().stream().map(KeyPath.Probe::role).toList());
                } else if (path.probes().size() == 2) {
                    viaEvacuated++;
                    assertEquals(CtrlWord.EVACUATED, path.probes().getFirst().bucket().state());
                    assertEquals(Role.NEW, path.answer().role());
                    // The split: old bucket i goes to new i or i + oldN, by the next hash bit.
                    final long oldMask = map.stats().oldBucketCount() - 1;
                    assertEquals(path.probes().getFirst().index(), path.answer().index() & oldMask);
                } else {
                    oldAnswers++;
                    assertEquals(Role.OLD, path.answer().role());
                }
            }
            assertTrue(viaEvacuated > 0 && oldAnswers > 0, "a half-done migration has both kinds: "
                    + viaEvacuated + ", " + oldAnswers + ", " + belowWatermark);
            final KeyPath absent = inspector.locate(0x5eed_5eedL);
            assertFalse(model.containsKey(0x5eed_5eedL));
            assertFalse(absent.found());
            assertEquals(-1, absent.line());
        }
    }

    @Test
    void aClosedMapCannotBeInspected() {
        final LongLongMap map = LongLongMap.builder().build();
        final MapInspector inspector = MapInspector.of(map);
        map.close();
        assertThrows(IllegalStateException.class, inspector::report);
        assertThrows(IllegalStateException.class, () -> inspector.locate(1));
        assertThrows(IllegalStateException.class, () -> MapInspector.of(map));
    }
}
