package dev.linemap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A map kept in a file: round trips across close and reopen, through growths and shrinks. */
class PersistenceBasicsTest {

    @TempDir
    Path dir;

    @Test
    void longLongMapRoundTripsAcrossReopeningsWhileItGrowsAndShrinks() {
        final Path file = dir.resolve("ll.map");
        final Map<Long, Long> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        for (int r = 0; r < 6; r++) {
            final int round = r;
            try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
                assertEquals(model.size(), map.size(), "size after reopen, round " + round);
                model.forEach((k, v) -> assertEquals(v, map.get(k), "key " + k + " round " + round));
                final int n = round < 3 ? 40_000 : 0;
                for (int i = 0; i < n; i++) {
                    final long k = random.nextLong(200_000);
                    final long v = random.nextLong();
                    map.put(k, v);
                    model.put(k, v);
                }
                if (round >= 3) {
                    // Remove most keys: shrinks.
                    for (final Long k : model.keySet().toArray(new Long[0])) {
                        if (random.nextInt(10) < 8) {
                            map.remove(k);
                            model.remove(k);
                        }
                    }
                }
                assertEquals(model.size(), map.size());
            }
        }
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            assertEquals(model.size(), map.size());
            final long[] seen = new long[1];
            map.forEach((k, v) -> {
                assertEquals(model.get(k), v);
                seen[0]++;
            });
            assertEquals(model.size(), seen[0]);
        }
    }

    @Test
    void lineMapRoundTripsAcrossReopenings() {
        final Path file = dir.resolve("line.map");
        final Map<String, String> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 4; round++) {
            try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build()) {
                assertEquals(model.size(), map.size(), "round " + round);
                model.forEach((k, v) -> assertEquals(v, map.get(k), "key " + k));
                for (int i = 0; i < 20_000; i++) {
                    final String k = "key-" + random.nextInt(50_000);
                    if (random.nextInt(5) == 0) {
                        map.remove(k);
                        model.remove(k);
                    } else {
                        final String v = "v".repeat(random.nextInt(40)) + i;
                        map.put(k, v);
                        model.put(k, v);
                    }
                }
            }
        }
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build()) {
            assertEquals(model.size(), map.size());
            model.forEach((k, v) -> assertEquals(v, map.get(k)));
        }
    }

    /**
     * The free space a reopen finds (blocks no slot references) is not linked into the free lists
     * by the open, which would write a page of the file per gap, but by the allocations that need
     * it (EntryHeap.adoptGaps): the free bytes are the same after the reopen, and new records of the
     * removed ones' size go into the gaps instead of new chunks.
     */
    @Test
    void aReopenedLineMapReusesTheSpaceOfRemovedEntries() {
        final Path file = dir.resolve("gaps.map");
        final String value = "v".repeat(100);
        final LineMapStats before;
        // Sized up front: no growth relocates the records, so they lie in put order, and every
        // other one removed leaves gaps of exactly one record's block.
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(20_000)
                .persistTo(file).build()) {
            assertEquals(0, map.stats().completedMigrations());
            for (int i = 0; i < 20_000; i++) {
                map.put(String.format("k%06d", i), value);
            }
            for (int i = 0; i < 20_000; i += 2) {
                map.remove(String.format("k%06d", i));
            }
            before = map.stats();
            assertEquals(0, before.completedMigrations());
        }
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build()) {
            final LineMapStats reopened = map.stats();
            assertEquals(before.entryBytes(), reopened.entryBytes(), "live entry bytes");
            assertEquals(before.freeEntryBytes(), reopened.freeEntryBytes(), "free entry bytes");
            assertTrue(reopened.freeEntryBytes() > 10_000 * 100, "the removes left gaps: " + reopened);
            // 9,000: the removes left 10,000 gaps less a few at chunk ends (and a block is never split)
            for (int i = 0; i < 9_000; i++) {
                map.put(String.format("n%06d", i), value);
            }
            final LineMapStats after = map.stats();
            assertEquals(reopened.completedMigrations(), after.completedMigrations(), "no migration moved the records");
            assertEquals(reopened.entryBytes() + reopened.freeEntryBytes(), after.entryBytes() + after.freeEntryBytes(),
                    "the new records went into the gaps; no chunk was added: " + reopened + " -> " + after);
            for (int i = 1; i < 20_000; i += 2) {
                assertEquals(value, map.get(String.format("k%06d", i)));
            }
            for (int i = 0; i < 9_000; i++) {
                assertEquals(value, map.get(String.format("n%06d", i)));
            }
        }
    }

    /**
     * The reopen's gaps are linked by whichever allocations find their class empty, from any
     * thread: four writers filling the gaps of a reopened file at once, end to end (a gap linked
     * twice would hand one block to two records, and one key would read the other's value; the
     * race on the gap cursor itself is hammered in EntryHeapTest, which catches a non-atomic one).
     */
    @Test
    void writersOnManyThreadsFillTheReopenedGapsEachBlockOnce() throws Exception {
        final Path file = dir.resolve("gaps-threads.map");
        final String value = "v".repeat(100);
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(40_000)
                .persistTo(file).build()) {
            for (int i = 0; i < 40_000; i++) {
                map.put(String.format("k%06d", i), value);
            }
            for (int i = 0; i < 40_000; i += 2) {
                map.remove(String.format("k%06d", i));
            }
        }
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build()) {
            final LineMapStats reopened = map.stats();
            final int threads = 4;
            final int each = 4_500;
            final Thread[] writers = new Thread[threads];
            final Throwable[] failures = new Throwable[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                writers[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            final String k = String.format("t%d-%06d", id, i);
                            // Same length as the removed records: the same size class.
                            map.put(k, k + value.substring(k.length()));
                        }
                    } catch (final Throwable e) {
                        failures[id] = e;
                    }
                });
                writers[t].start();
            }
            for (final Thread w : writers) {
                w.join();
            }
            for (final Throwable f : failures) {
                if (f != null) {
                    throw new AssertionError(f);
                }
            }
            assertEquals(20_000 + threads * each, map.size());
            for (int i = 1; i < 40_000; i += 2) {
                assertEquals(value, map.get(String.format("k%06d", i)));
            }
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < each; i++) {
                    final String k = String.format("t%d-%06d", t, i);
                    assertEquals(k + value.substring(k.length()), map.get(k), k);
                }
            }
            final LineMapStats after = map.stats();
            assertEquals(reopened.completedMigrations(), after.completedMigrations(), "no migration moved the records");
            assertEquals(reopened.entryBytes() + reopened.freeEntryBytes(), after.entryBytes() + after.freeEntryBytes(),
                    "the new records went into the gaps: " + reopened + " -> " + after);
        }
    }

    @Test
    void aSecondMapOnAnOpenFileIsRefused() {
        final Path file = dir.resolve("locked.map");
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            map.put(1, 2);
            final StoreFileException e = assertThrows(StoreFileException.class,
                    () -> LongLongMap.builder().persistTo(file).build());
            assertEquals(StoreFileException.Reason.LOCKED, e.reason());
            assertEquals(2, map.get(1));
        }
    }

    @Test
    void aFileOfAnotherShapeOrNoMapFileIsRefused() throws Exception {
        final Path file = dir.resolve("shape.map");
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            map.put(1, 2);
        }
        final StoreFileException e = assertThrows(StoreFileException.class,
                () -> LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file).build());
        assertEquals(StoreFileException.Reason.SHAPE, e.reason());
        assertTrue(e.getMessage().contains("LongLongMap"), e.getMessage());
        final Path text = dir.resolve("text.txt");
        Files.writeString(text, "hello world ".repeat(1000));
        final StoreFileException e2 = assertThrows(StoreFileException.class,
                () -> LongLongMap.builder().persistTo(text).build());
        assertEquals(StoreFileException.Reason.NOT_A_MAP_FILE, e2.reason());
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            assertEquals(2, map.get(1));
        }
    }
}
