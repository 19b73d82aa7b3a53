package dev.linemap.engine;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;
import dev.linemap.layout.TableGeometry;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files in the states a process leaves when it dies at a given instant ({@code docs/spec/file.md},
 * sections 7 to 9), and what the next open makes of them. A state is made with the engine's own
 * steps up to that instant (the stores of a locked section in the order the code makes them), then
 * the process "dies" ({@code Engine.simulateCrash}: the tables cut off the file as they are, no
 * wait for the section's holder as {@code close()} would, no clean word). No helper
 * thread runs ({@code backgroundMigration(false)}), so nothing moves between the steps.
 */
class FileCrashStatesTest {

    private static final long SEED = 0x5EED_F11EL;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ the file and its root

    @Test
    void aCreatorThatDiedBeforeTheFirstRootLeavesAFileThatOpensAsAnEmptyMap() {
        final Path file = dir.resolve("created.map");
        // The creator wrote the header page and its first table's bucket piece, then died.
        final FileStore store = FileStore.open(file, new FileStore.Identity(FileStore.SHAPE_LONG_LONG,
                TableGeometry.DEFAULT_LOAD_PERMILLE, "", ""));
        store.allocate(ExtentDescriptor.BUCKETS, store.newSerial(), 0, 64);
        store.close();
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            assertEquals(0, map.size());
            map.put(1, 2);
        }
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            assertEquals(1, map.size());
            assertEquals(2, map.get(1));
        }
    }

    @Test
    void aCreatorThatDiedAfterMakingItsFirstTableButBeforeItsRootLeavesAFileThatOpensEmpty() {
        // As the builder makes it (Engine: the table, then its root), for both shapes; the open
        // must tell these never-written pieces from those of a map whose root records were damaged
        // (PersistenceDamageTest.aBrokenOnlyRootOfAMapThatNeverGrewIsCorruptNotAnEmptyMap).
        for (final int shape : new int[] {FileStore.SHAPE_LONG_LONG, FileStore.SHAPE_LINE}) {
            final boolean line = shape == FileStore.SHAPE_LINE;
            final Path file = dir.resolve("first-table-" + shape + ".map");
            final FileStore store = FileStore.open(file, new FileStore.Identity(shape,
                    line ? TableGeometry.DENSE_LOAD_PERMILLE : TableGeometry.DEFAULT_LOAD_PERMILLE,
                    line ? "utf8" : "", line ? "utf8" : ""));
            final Table table = new Table(10, SEED, new MemoryBudget(Long.MAX_VALUE), false, new FileSource(store));
            assertEquals(1024, table.bucketCount);
            store.close();
            if (line) {
                try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file)
                        .build()) {
                    assertEquals(0, map.size());
                    map.put("k", "v");
                }
                try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).persistTo(file)
                        .build()) {
                    assertEquals("v", map.get("k"));
                }
            } else {
                try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
                    assertEquals(0, map.size());
                    map.put(1, 2);
                }
                try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
                    assertEquals(2, map.get(1));
                }
            }
        }
    }

    // ------------------------------------------------------------------ locked sections

    @Test
    void aStaleLockOverAnInsertWhoseOccupancyBitWasNotSetLeavesTheKeyAbsent() {
        final Path file = dir.resolve("insert.map");
        try (LongLongMap map = longMap(file, 10_000)) {
            for (long k = 0; k < 100; k++) {
                map.put(k, k * 10);
            }
            final long key = 1_000;
            final Bucket b = Bucket.of(map.generation().table(), LongLongFormat.hash(key, SEED));
            final long ctrl = Seqlock.lock(b.segment, b.line);
            final int free = Integer.numberOfTrailingZeros(~CtrlWord.occupancy(ctrl));
            if (free < BucketDescriptor.SLOTS) {
                BucketDescriptor.setKeyOpaque(b.segment, b.line, free, key);
                BucketDescriptor.setValueOpaque(b.segment, b.line, free, 42);
            }
            // died before the unlock that sets the bit
            ((Engine) map).simulateCrash();   // the process dies here: no close(), the file let go
        }
        try (LongLongMap map = longMap(file, 10_000)) {
            assertEquals(100, map.size());
            assertFalse(map.containsKey(1_000));
            for (long k = 0; k < 100; k++) {
                assertEquals(k * 10, map.get(k), "key " + k);
            }
            map.put(1_000, 43);   // the bucket is unlocked again
            assertEquals(43, map.get(1_000));
        }
    }

    @Test
    void aLineMapRemoveThatDiedAfterDroppingItsSlotAndFreeingItsBlockLeavesTheKeyRemoved() {
        final Path file = dir.resolve("remove.map");
        try (LineMap<byte[], byte[]> map = lineMap(file)) {
            for (int k = 0; k < 200; k++) {
                map.put(key(k), value(k));
            }
            // The remove of key 7, as SlotWrites.removeAt makes it in a map file, up to its unlock.
            final Table table = map.generation().table();
            final MemorySegment key = MemorySegment.ofArray(key(7));
            final long hash = EntryFormat.hash(key, 0, key.byteSize(), table.seed);
            final Bucket b = Bucket.of(table, hash);
            final long ctrl = Seqlock.lock(b.segment, b.line);
            final long loc = EntryFormat.find(table, table.entries.directory(), b.segment, b.line, ctrl, hash,
                    key, 0, key.byteSize());
            final long ref = Chains.valueAt(EntryFormat.FORMAT, table, b.segment, b.line, loc);
            final EntryHeap.Directory d = table.entries.directory();
            final long bytes = EntryDescriptor.recordBytes(EntryDescriptor.keyLengthPlain(d.segment(ref), d.entry(ref)),
                    EntryDescriptor.valueLengthPlain(d.segment(ref), d.entry(ref)));
            if (SlotLocation.isHome(loc)) {
                BucketDescriptor.ctrlRelease(b.segment, b.line, CtrlWord.locked(CtrlWord.withOccupancy(ctrl,
                        CtrlWord.occupancy(ctrl) & ~(1 << SlotLocation.slot(loc)))));
            } else {
                final MemorySegment ls = table.overflowSegment(SlotLocation.lineIndex(loc));
                final long ll = table.overflowLine(SlotLocation.lineIndex(loc));
                OverflowLineDescriptor.setOccOpaque(ls, ll,
                        OverflowLineDescriptor.occOpaque(ls, ll) & ~(1L << SlotLocation.slot(loc)));
            }
            table.entries.free(ref, bytes);   // the block's header is a free-list link now
            // died before the unlock
            ((Engine) map).simulateCrash();   // the process dies here: no close(), the file let go
        }
        try (LineMap<byte[], byte[]> map = lineMap(file)) {
            assertEquals(199, map.size());
            assertNull(map.get(key(7)));
            final List<String> odd = new ArrayList<>();
            map.forEach((k, v) -> {
                final int n = Integer.parseInt(new String(k, StandardCharsets.UTF_8).substring(4));
                if (n == 7 || !java.util.Arrays.equals(value(n), v)) {
                    odd.add(new String(k, StandardCharsets.UTF_8));
                }
            });
            assertEquals(List.of(), odd, "entries that are not what was put");
            for (int k = 200; k < 400; k++) {   // the freed blocks are reused without harm
                map.put(key(k), value(k));
            }
            for (int k = 0; k < 400; k++) {
                if (k != 7) {
                    assertArrayEquals(value(k), map.get(key(k)), "key " + k);
                }
            }
        }
    }

    @Test
    void aRemoveThatDiedBetweenUnlinkingALineAndCountingItLeavesACountTheOpenCorrects() {
        final Path file = dir.resolve("unlink.map");
        final List<Long> keys = new ArrayList<>();
        try (LongLongMap map = longMap(file, 10_000)) {
            final Table table = map.generation().table();
            for (long k = 0; keys.size() < 9; k++) {   // nine keys of bucket 5: home, line A, line B
                if (table.bucket(LongLongFormat.hash(k, SEED)) == 5) {
                    keys.add(k);
                    map.put(k, -k);
                }
            }
            final Bucket b = Bucket.of(table, LongLongFormat.hash(keys.get(0), SEED));
            final long meta = BucketDescriptor.metaOpaque(b.segment, b.line);
            assertEquals(2, MetaWord.count(meta));
            // The chain is head B (keys 6..8) -> A (keys 3..5). Keys 3 and 4 go through the API.
            map.remove(keys.get(3));
            map.remove(keys.get(4));
            final long headB = MetaWord.link(meta);
            final long lineA = MetaWord.link(OverflowLineDescriptor.nextOpaque(table.overflowSegment(headB),
                    table.overflowLine(headB)));
            // The remove of key 5 empties A: occ, then B.next := A.next, then the count (died before).
            Seqlock.lock(b.segment, b.line);
            OverflowLineDescriptor.setOccOpaque(table.overflowSegment(lineA), table.overflowLine(lineA), 0);
            OverflowLineDescriptor.setNextOpaque(table.overflowSegment(headB), table.overflowLine(headB),
                    OverflowLineDescriptor.nextOpaque(table.overflowSegment(lineA), table.overflowLine(lineA)));
            ((Engine) map).simulateCrash();   // the process dies here: no close(), the file let go
        }
        try (LongLongMap map = longMap(file, 10_000)) {
            assertEquals(6, map.size());
            for (int i = 0; i < 9; i++) {
                if (i >= 3 && i <= 5) {
                    assertFalse(map.containsKey(keys.get(i)), "key " + i);
                } else {
                    assertEquals(-keys.get(i), map.get(keys.get(i)), "key " + i);
                }
            }
            final Table table = map.generation().table();
            final Bucket b = Bucket.of(table, LongLongFormat.hash(keys.get(0), SEED));
            assertEquals(1, MetaWord.count(BucketDescriptor.metaOpaque(b.segment, b.line)), "count corrected");
            assertEquals(1, table.overflowInUse.sum(), "line A went back to the free list");
        }
    }

    // ------------------------------------------------------------------ evacuations

    @Test
    void anEvacuationThatDiedWhileFillingItsDestinationsIsUndoneAndTheMigrationResumedByTheOpen() {
        final Path file = dir.resolve("grow.map");
        final long n;
        try (LongLongMap map = longMap(file, 0)) {
            long k = 0;
            while (map.generation().migration() == null) {
                map.put(k, ~k);
                k++;
            }
            n = k;
            final Migration m = map.generation().migration();
            assertEquals(Migration.GROW, m.kind);
            final long u = m.units - 1;   // the last unit: not evacuated by the few writes so far
            assertFalse(m.isUnitEvacuated(u));
            final MemorySegment s = m.from.bucketSegment(u);
            final long line = m.from.bucketLine(u);
            Seqlock.beginEvacuation(s, line);
            // A fill half done: a destination bucket with a slot no key of the map has.
            m.to.ensureChunkOf(u);
            BucketDescriptor.setSlotPlain(m.to.bucketSegment(u), m.to.bucketLine(u), 0, -1L, -1L);
            BucketDescriptor.setCtrlPlain(m.to.bucketSegment(u), m.to.bucketLine(u), Seqlock.freshWord(1));
            ((Engine) map).simulateCrash();   // the process dies here: no close(), the file let go
        }
        try (LongLongMap map = longMap(file, 0)) {
            final Migration resumed = map.generation().migration();
            assertNotNull(resumed, "the open resumed the migration (background migration is off here)");
            assertFalse(resumed.isUnitEvacuated(resumed.units - 1), "the unit whose fill died is to do again");
            assertEquals(n, map.size());
            assertFalse(map.containsKey(-1L));
            for (long k = 0; k < n; k++) {
                assertEquals(~k, map.get(k), "key " + k + ", read across both tables");
            }
            resumed.finish();
            assertNull(map.generation().migration(), "finished");
            assertFalse(map.containsKey(-1L), "the half-done fill's slot did not survive the evacuation done again");
            for (long k = 0; k < n; k++) {
                assertEquals(~k, map.get(k), "key " + k);
            }
        }
    }

    @Test
    void aHalvingThatDiedBetweenPublishingItsUpperAndItsLowerSourceIsCompletedByTheOpen() {
        final Path file = dir.resolve("shrink.map");
        final List<Long> kept = new ArrayList<>();
        try (LongLongMap map = longMap(file, 0)) {
            for (long k = 0; k < 20_000; k++) {
                map.put(k, k + 1);
            }
            finishMigration(map);
            long k = 0;
            while (map.generation().migration() == null || map.generation().migration().kind != Migration.SHRINK) {
                assertTrue(k < 20_000, "no shrink started");
                finishMigration(map);
                map.remove(k++);
            }
            for (long r = k; r < 20_000; r++) {
                kept.add(r);
            }
            final Migration m = map.generation().migration();
            long u = m.units - 1;
            while (m.isUnitEvacuated(u)) {
                u--;
            }
            final MemorySegment lower = m.from.bucketSegment(u);
            final long lowerLine = m.from.bucketLine(u);
            final long c0 = BucketDescriptor.ctrlAcquire(lower, lowerLine);
            m.evacuate(u);
            // Back to the instant after the upper source's publication: the lower one EVACUATING.
            BucketDescriptor.ctrlRelease(lower, lowerLine, CtrlWord.withState(c0, CtrlWord.EVACUATING));
            assertTrue(Seqlock.isEvacuated(m.from.bucketSegment(u + m.to.bucketCount),
                    m.from.bucketLine(u + m.to.bucketCount)));
            ((Engine) map).simulateCrash();   // the process dies here: no close(), the file let go
        }
        try (LongLongMap map = longMap(file, 0)) {
            assertEquals(kept.size(), map.size());
            for (final long k : kept) {
                assertEquals(k + 1, map.get(k), "key " + k);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A map whose first table holds {@code capacity} entries without growing. */
    private static LongLongMap longMap(final Path file, final long capacity) {
        return LongLongMap.builder().seed(SEED).backgroundMigration(false).initialCapacity(capacity)
                .persistTo(file).build();
    }

    private static void finishMigration(final LongLongMap map) {
        final Migration m = map.generation().migration();
        if (m != null) {
            m.finish();
        }
    }

    private static LineMap<byte[], byte[]> lineMap(final Path file) {
        return LineMap.builder(Codecs.bytes(), Codecs.bytes()).seed(SEED).backgroundMigration(false)
                .initialCapacity(1_000).persistTo(file).build();
    }

    private static byte[] key(final int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(final int k) {
        return ("value-" + k + "-" + "v".repeat(k % 50)).getBytes(StandardCharsets.UTF_8);
    }

    /** A bucket's memory. */
    private record Bucket(MemorySegment segment, long line) {
        static Bucket of(final Table table, final long hash) {
            final long b = table.bucket(hash);
            return new Bucket(table.bucketSegment(b), table.bucketLine(b));
        }
    }
}
