package dev.linemap.engine;

import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.SlotLocation;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryHeapTest {

    private final Table table = new Table(4, 1, new MemoryBudget(Long.MAX_VALUE), false,
            MemorySource.anonymous(false, false));

    @AfterEach
    void retire() {
        table.retire();
    }

    @Test
    void sizeClassesAreTightUpToOneKibAndWasteAtMostAQuarterAbove() {
        for (long bytes = 8; bytes <= 4L << 20; bytes += 8) {
            final int c = EntryHeap.classOf(bytes);
            final long size = EntryHeap.classBytes(c);
            assertTrue(size >= bytes, bytes + " in class " + c + " of " + size);
            if (c > 0) {
                assertTrue(EntryHeap.classBytes(c - 1) < bytes, bytes + ": class " + c + " is not the smallest");
            }
            if (bytes <= 1024) {
                assertEquals(bytes, size);
            } else {
                assertTrue(size - bytes <= bytes / 4, bytes + " wastes " + (size - bytes));
            }
        }
        assertEquals(EntryHeap.MAX_CHUNK_BYTES, EntryHeap.classBytes(EntryHeap.CLASSES - 1));
    }

    @Test
    void aFreedBlockIsReusedByTheNextAllocationOfItsClass() {
        final EntryHeap heap = table.entries;
        final long a = heap.allocate(48);
        final long b = heap.allocate(48);
        heap.allocate(200);
        assertEquals(48 + 48 + 200, heap.liveBytes());
        heap.free(b, 48);
        assertEquals(b, heap.allocate(48), "same class: the freed block comes back");
        heap.free(a, 48);
        assertFalse(heap.allocate(56) == a, "another class does not take it");
        assertEquals(a, heap.allocate(48));
        final long big = heap.allocate(EntryHeap.DEDICATED_ABOVE + 8);
        heap.free(big, EntryHeap.DEDICATED_ABOVE + 8);
        assertEquals(big, heap.allocate(EntryHeap.DEDICATED_ABOVE + 16), "a big block is reused within its class");
        assertTrue(heap.chunkBytes() >= heap.liveBytes());
    }

    @Test
    void atItsLimitAHeapSplitsFreeBlocksOfALargerClassRatherThanFail() {
        final Table limited = new Table(4, 1, new MemoryBudget(1L << 20), false, MemorySource.anonymous(false, false));
        try {
            final EntryHeap heap = limited.entries;
            final List<Long> big = new ArrayList<>();
            try {
                for (;;) {
                    big.add(heap.allocate(200));
                }
            } catch (final OutOfMemoryError limit) {
                // the budget is spent: no chunk fits any more
            }
            assertTrue(big.size() > 1000, "1 MiB holds " + big.size() + " blocks of 200 bytes");
            for (final long ref : big) {
                heap.free(ref, 200);
            }
            // Every block of 48 bytes now comes from a 200-byte block cut down (or the last chunk's
            // tail): without the split, the first allocation past the tail fails.
            final Set<Long> small = new HashSet<>();
            try {
                for (;;) {
                    assertTrue(small.add(heap.allocate(48)), "a block handed out twice");
                }
            } catch (final OutOfMemoryError limit) {
                // all free bytes used
            }
            assertTrue(small.size() * 48L >= big.size() * 200L * 9 / 10, small.size() + " blocks of 48 bytes from "
                    + big.size() + " freed blocks of 200");
            final EntryHeap.Directory d = heap.directory();
            for (final long ref : small) {
                assertTrue(d.holds(ref), "reference 0x" + Long.toHexString(ref));
            }
        } finally {
            limited.retire();
        }
    }

    @Test
    void concurrentAllocateAndFreeNeverHandOutALiveBlockTwice() throws InterruptedException {
        final EntryHeap heap = table.entries;
        final Set<Long> live = ConcurrentHashMap.newKeySet();
        final List<Thread> threads = new ArrayList<>();
        final Throwable[] failure = new Throwable[1];
        for (int t = 0; t < 2; t++) {
            final long seed = t + 17;
            threads.add(Thread.ofPlatform().start(() -> {
                final SplittableRandom random = new SplittableRandom(seed);
                final List<long[]> mine = new ArrayList<>();
                try {
                    for (int i = 0; i < 100_000; i++) {
                        if (mine.isEmpty() || random.nextInt(3) != 0) {
                            final long bytes = 16 + 8L * random.nextInt(4);
                            final long ref = heap.allocate(bytes);
                            if (!live.add(ref)) {
                                throw new AssertionError("seed " + seed + ": block " + ref + " handed out twice");
                            }
                            mine.add(new long[] {ref, bytes});
                        } else {
                            final long[] block = mine.remove(random.nextInt(mine.size()));
                            live.remove(block[0]);
                            heap.free(block[0], block[1]);
                        }
                    }
                } catch (final Throwable e) {
                    failure[0] = e;
                }
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        assertNull(failure[0], String.valueOf(failure[0]));
    }

    /**
     * What a reader that raced a writer may hold: any word as a reference, any ints as lengths.
     * The directory and the value bounds reject every one that does not lie inside a chunk, so
     * the read retries instead of touching memory outside the table's entry memory.
     */
    @Test
    void tornReferencesAndLengthsAreRejectedBeforeAnyAccess() {
        final EntryHeap heap = table.entries;
        final long ref = heap.allocate(EntryDescriptor.recordBytes(3, 5));
        final EntryHeap.Directory d = heap.directory();
        EntryDescriptor.setHeaderPlain(d.segment(ref), d.entry(ref), 0, 3, 5);
        assertTrue(d.holds(ref));
        assertTrue(EntryFormat.valueStart(d, ref, EntryDescriptor.headerPlain(d.segment(ref), d.entry(ref))) >= 0);
        assertFalse(d.holds(-1L), "high bits set");
        assertFalse(d.holds(1L << 40), "beyond the reference bits");
        assertFalse(d.holds((long) d.count << EntryHeap.GRANULE_BITS), "no such chunk");
        assertFalse(d.holds(EntryHeap.REF_MASK), "offset beyond the chunk");
        final long[] words = {-1L, EntryDescriptor.header(0, EntryDescriptor.MAX_KEY_LENGTH, 0),
            EntryDescriptor.header(5, 0, EntryDescriptor.MAX_VALUE_LENGTH), EntryDescriptor.header(0, 8192, 8192)};
        for (final long word : words) {
            EntryDescriptor.setFreeLinkOpaque(d.segment(ref), d.entry(ref), word);   // any header word
            assertEquals(-1, EntryFormat.valueStart(d, ref, EntryDescriptor.headerPlain(d.segment(ref), d.entry(ref))),
                    "header " + Long.toHexString(word));
        }
        // A lookup whose slot holds the key's hash but a torn record: a mismatch, not a fault.
        table.ensureChunkOf(0);
        final MemorySegment bucket = table.bucketSegment(0);
        final long line = table.bucketLine(0);
        dev.linemap.layout.BucketDescriptor.setSlotPlain(bucket, line, 0, 42L, ref);
        final long ctrl = CtrlWord.of(0, false, CtrlWord.NORMAL, 1);
        EntryDescriptor.setHeaderPlain(d.segment(ref), d.entry(ref), 0, (int) EntryDescriptor.MAX_KEY_LENGTH, 0);
        final MemorySegment key = MemorySegment.ofArray(new byte[(int) EntryDescriptor.MAX_KEY_LENGTH]);
        assertEquals(SlotLocation.NOT_FOUND, EntryFormat.find(table, d, bucket, line, ctrl, 42L, key, 0,
                key.byteSize()));
        dev.linemap.layout.BucketDescriptor.setSlotPlain(bucket, line, 0, 42L, -1L);
        assertEquals(SlotLocation.NOT_FOUND, EntryFormat.find(table, d, bucket, line, ctrl, 42L, key, 0, 3));
    }

    @Test
    void referencesOfManyChunksStayDistinct() {
        final EntryHeap heap = table.entries;
        final Set<Long> refs = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            assertTrue(refs.add(heap.allocate(256)));
        }
        assertTrue(heap.directory().count > 3, "several chunks: " + heap.directory().count);
        assertEquals(20_000L * 256, heap.liveBytes());
    }

    /**
     * A reopen's gaps (EntryHeap.adoptGaps) are linked by whichever allocations find their class
     * empty, on any thread: each gap must be linked once, so no block is handed out twice. The
     * gaps here are single 48-byte blocks; four threads start together and take them all (a gap
     * claimed by two threads, as a plain read-and-write of the cursor does, shows up as a
     * duplicate reference).
     */
    @Test
    void gapsFoundByRecoveryAreHandedOutOnceToConcurrentAllocations() throws Exception {
        final EntryHeap heap = table.entries;
        for (int round = 0; round < 50; round++) {
            final int n = 4_000;
            final GapList gaps = new GapList();
            for (int i = 0; i < n; i++) {
                final long ref = heap.allocate(48);
                gaps.add((int) (ref >>> EntryHeap.GRANULE_BITS), (ref & ((1L << EntryHeap.GRANULE_BITS) - 1)) << 3, 48);
            }
            heap.adoptGaps(gaps);
            final int threads = 4;
            final long[][] got = new long[threads][n / threads];
            final java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            final List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final long[] mine = got[t];
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < mine.length; i++) {
                        mine[i] = heap.allocate(48);
                    }
                }));
            }
            for (final Thread t : ts) {
                t.join();
            }
            final Set<Long> seen = new HashSet<>();
            for (final long[] mine : got) {
                for (final long ref : mine) {
                    assertTrue(seen.add(ref), "round " + round + ": block 0x" + Long.toHexString(ref) + " twice");
                }
            }
        }
    }
}
