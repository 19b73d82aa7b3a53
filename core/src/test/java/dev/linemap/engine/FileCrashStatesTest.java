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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files in the states a process leaves when it dies at a given instant ({@code docs/spec/file.md},
 * sections 7 to 9), and what the next open makes of them. A state is made with the engine's own
 * steps up to that instant (the stores of a locked section in the order the code makes them), then
 * the map is closed without finishing: {@code close()} cuts the tables off the file and leaves
 * their words as they are, which is what a crash leaves (the open trusts no clean flag). No helper
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

    // ------------------------------------------------------------------ locked sections

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
            final long ref = Chains.valueAt(table, b.segment, b.line, loc);
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

    // ------------------------------------------------------------------ evacuations

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
