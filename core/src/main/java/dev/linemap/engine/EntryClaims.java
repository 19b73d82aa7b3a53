package dev.linemap.engine;

import dev.linemap.layout.EntryDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recovery's check of a reopened table's entry memory: every record a slot references lies in a
 * chunk, in no other record's block, and holds the key whose hash the slot stores; what no slot
 * references goes to the free lists.
 *
 * <p><b>Why chunk by chunk, not slot by slot.</b> The chain walk meets records in bucket order,
 * which is hash order, while the heap placed them in insertion order: checking each record as the
 * walk meets it is a random access over all of the entry memory, a cache miss and (on a virtual
 * machine with 4 KiB pages, a two-dimensional page walk) a TLB miss per entry. That was 260-450 ns
 * per entry, 2.6-4.5 s for 10M {@code String -> String} entries (2.2 GiB of chunks). So the walk
 * only {@link Collector#add}s each reference with its slot's tag to its chunk's list (16 bytes
 * of scratch memory per entry, off the heap, in blocks of 4 KiB chained per chunk, released by
 * {@link #finish}). {@link #finish} then reads each chunk once from end to end (a sequential
 * stream the prefetchers follow: without it the checks below miss the cache on every record even
 * within a 1 MiB chunk, 1.4 s instead of 0.4 s) and checks the chunk's records, which are now in
 * the cache. A large table's chunks are split between two threads, as its buckets are between two
 * chain walks, each with its own {@link Collector}.
 *
 * <p>Recovery runs before the map is published: each collector is filled by one thread, and
 * {@link #finish} runs after the walks ended.
 */
final class EntryClaims {

    /** Pairs per scratch block: 4 KiB. */
    private static final int BLOCK_PAIRS = 256;
    /** Scratch blocks per slab: 1 MiB. */
    private static final int SLAB_BLOCKS = 256;
    /**
     * Below this many records one thread checks them all (a thread costs more than it saves). Test
     * switch: {@code linemap.test.parallelRecoveryAbove} (the fast-mode test run sets 0, so the
     * file fuzzer's corruptions are found by both threads' code).
     */
    private static final long PARALLEL_ABOVE = Long.getLong("linemap.test.parallelRecoveryAbove", 1L << 20);

    private final Table table;
    private final EntryHeap heap;
    private final EntryHeap.Directory directory;
    /** One per chain walk ({@link ChainWalk}), each filled by its own thread. */
    private final List<Collector> collectors = new ArrayList<>();

    EntryClaims(final Table table) {
        this.table = table;
        this.heap = table.entries;
        this.directory = heap.directory();
    }

    /**
     * Returns a new collector for one chain walk.
     *
     * @return the collector
     */
    Collector collector() {
        final Collector c = new Collector();
        collectors.add(c);
        return c;
    }

    /**
     * The (reference, slot hash) pairs one chain walk found, per chunk: scratch blocks of
     * {@link #BLOCK_PAIRS} chained per chunk, in slabs of {@link #SLAB_BLOCKS} blocks of its own
     * arena (shared: the checks may run on another thread).
     */
    final class Collector {
        private final Arena arena = Arena.ofShared();
        private final List<MemorySegment> slabs = new ArrayList<>();
        /** Blocks handed out. */
        private int blocks;
        /** Per block: the next block of the same chunk, or -1. */
        private int[] nextBlock = new int[SLAB_BLOCKS];
        /** Per chunk: its first and last block (-1: none yet), and the pairs in its last one. */
        private final int[] firstBlock = new int[directory.count];
        private final int[] lastBlock = new int[directory.count];
        private final int[] lastFill = new int[directory.count];
        /** Pairs added. */
        private long added;

        Collector() {
            Arrays.fill(firstBlock, -1);
            Arrays.fill(lastBlock, -1);
        }

        /**
         * Records a slot's reference, to be checked by {@link #finish}.
         *
         * @param bucket the slot's bucket (for the message)
         * @param ref the slot's value word
         * @param keyWord the slot's key word: the tag (low 32 bits of the hash) of the record's key
         * @throws Recovery.CorruptException if the reference is outside the chunks
         */
        void add(final long bucket, final long ref, final long keyWord) {
            if (!directory.holds(ref)) {
                throw new Recovery.CorruptException("bucket " + bucket + " references entry 0x" + Long.toHexString(ref)
                        + ", outside the table's " + directory.count + " entry chunks");
            }
            final int c = (int) (ref >>> EntryHeap.GRANULE_BITS);
            int b = lastBlock[c];
            if (b < 0 || lastFill[c] == BLOCK_PAIRS) {
                final int fresh = newBlock();
                if (b < 0) {
                    firstBlock[c] = fresh;
                } else {
                    nextBlock[b] = fresh;
                }
                lastBlock[c] = fresh;
                lastFill[c] = 0;
                b = fresh;
            }
            final long at = pairOffset(b, lastFill[c]++);
            final MemorySegment slab = slabs.get(b / SLAB_BLOCKS);
            slab.set(ValueLayout.JAVA_LONG, at, ref);
            slab.set(ValueLayout.JAVA_LONG, at + 8, keyWord);
            added++;
        }

        private int newBlock() {
            final int b = blocks++;
            if (b % SLAB_BLOCKS == 0) {
                slabs.add(arena.allocate((long) SLAB_BLOCKS * BLOCK_PAIRS * 16, 64));
            }
            if (b == nextBlock.length) {
                nextBlock = Arrays.copyOf(nextBlock, 2 * b);
            }
            nextBlock[b] = -1;
            return b;
        }

        /** Pairs of chunk {@code c}. */
        long count(final int c) {
            long n = 0;
            for (int b = firstBlock[c]; b >= 0; b = nextBlock[b]) {
                n += b == lastBlock[c] ? lastFill[c] : BLOCK_PAIRS;
            }
            return n;
        }

        /** Checks this collector's records of chunk {@code c}. */
        void claimAll(final int c, final Checker checker) {
            for (int b = firstBlock[c]; b >= 0; b = nextBlock[b]) {
                final MemorySegment slab = slabs.get(b / SLAB_BLOCKS);
                final int n = b == lastBlock[c] ? lastFill[c] : BLOCK_PAIRS;
                for (int i = 0; i < n; i++) {
                    final long at = pairOffset(b, i);
                    checker.claim(slab.get(ValueLayout.JAVA_LONG, at), slab.get(ValueLayout.JAVA_LONG, at + 8));
                }
            }
        }
    }

    /** Byte offset of pair {@code i} of block {@code b} in its slab. */
    private static long pairOffset(final int b, final int i) {
        return ((long) (b % SLAB_BLOCKS) * BLOCK_PAIRS + i) << 4;
    }

    /**
     * Checks every record added, hands the rest of each chunk to the heap as free space
     * ({@link EntryHeap#adoptGaps}, in address order), and releases the scratch memory.
     *
     * @throws Recovery.CorruptException if a record runs past its chunk, overlaps another, or holds
     *         a key of another hash
     */
    void finish() {
        try {
            long pairs = 0;
            for (final Collector c : collectors) {
                pairs += c.added;
            }
            final int chunks = directory.count;
            int split = chunks;
            if (pairs > PARALLEL_ABOVE && Runtime.getRuntime().availableProcessors() > 1) {
                // The second thread takes the upper chunks holding about half of the records.
                long seen = 0;
                split = 0;
                while (split < chunks && seen < pairs / 2) {
                    for (final Collector c : collectors) {
                        seen += c.count(split);
                    }
                    split++;
                }
            }
            final Checker lower = new Checker(0, split);
            final Checker upper = new Checker(split, chunks);
            if (split < chunks) {
                Recovery.runBoth(lower::run, upper::run);
            } else {
                lower.run();
            }
            lower.gaps.addAll(upper.gaps);
            heap.adoptGaps(lower.gaps);
        } finally {
            abandon();
        }
    }

    /** Releases the scratch memory (after {@link #finish}, or instead of it when a walk failed). */
    void abandon() {
        for (final Collector c : collectors) {
            if (c.arena.scope().isAlive()) {
                c.arena.close();
            }
        }
    }

    /** Checks the chunks {@code [from, to)}; records their gaps, or the first corruption. */
    private final class Checker {
        private final int from;
        private final int to;
        /** Granules in use in the chunk being checked, a bit each. */
        private long[] used = new long[0];
        /** Gaps found, in address order. */
        private final GapList gaps = new GapList();
        /** Read by nothing: keeps the JIT from dropping the loads of {@link #stream}. */
        private long sink;

        Checker(final int from, final int to) {
            this.from = from;
            this.to = to;
        }

        /** Checks chunks {@code [from, to)} and records their gaps. */
        void run() {
            for (int c = from; c < to; c++) {
                final int words = (int) ((directory.sizes[c] >>> 3) + 63 >>> 6);
                if (used.length < words) {
                    used = new long[words];
                } else {
                    Arrays.fill(used, 0, words, 0L);
                }
                boolean any = false;
                for (final Collector k : collectors) {
                    any |= k.firstBlock[c] >= 0;
                }
                if (any) {
                    stream(c);
                }
                for (final Collector k : collectors) {
                    k.claimAll(c, this);
                }
                release(c);
            }
        }

        /** Reads a word of every cache line of chunk {@code c}, in address order. */
        private void stream(final int c) {
            final long ref = (long) c << EntryHeap.GRANULE_BITS;
            final MemorySegment segment = directory.segment(ref);
            final long base = directory.entry(ref);
            final long size = directory.sizes[c];
            long s = 0;
            for (long o = 0; o < size; o += 64) {
                s += segment.get(ValueLayout.JAVA_LONG, base + o);
            }
            sink += s;
        }

        /**
         * Claims the block of a record: it must lie in its chunk, in no other record's block, and
         * hold the key whose hash (under the table's seed) has the slot's tag as its low 32 bits.
         * The check was added when the file fuzzer began to require that every key a map iterates
         * reads back: a flip in a record's key bytes, in the bits of a slot's hash word above the
         * bucket index (a tag's, since the dense line), or in the root's seed passed every other
         * check, and the map then iterated keys that get() could not find.
         */
        void claim(final long ref, final long keyWord) {
            final MemorySegment segment = directory.segment(ref);
            final long entry = directory.entry(ref);
            final long header = EntryDescriptor.headerPlain(segment, entry);
            final long record = EntryDescriptor.recordBytes(EntryDescriptor.keyLength(header),
                    EntryDescriptor.valueLength(header));
            final long block = EntryHeap.blockBytes(record);
            final int chunk = (int) (ref >>> EntryHeap.GRANULE_BITS);
            final long offset = (ref & ((1L << EntryHeap.GRANULE_BITS) - 1)) << 3;
            if (offset + block > directory.sizes[chunk]) {
                throw new Recovery.CorruptException("entry 0x" + Long.toHexString(ref) + " of bucket "
                        + table.bucket(keyWord) + " (" + record + " bytes) runs past its chunk of "
                        + directory.sizes[chunk] + " bytes");
            }
            final long hash = EntryFormat.hash(segment, EntryDescriptor.keyOffset(entry),
                    EntryDescriptor.keyLength(header), table.seed);
            if (EntryFormat.tag(hash) != keyWord) {
                throw new Recovery.CorruptException("entry 0x" + Long.toHexString(ref) + " of bucket "
                        + table.bucket(keyWord) + " holds a key of hash 0x" + Long.toHexString(hash)
                        + ", its slot says 0x" + Long.toHexString(keyWord));
            }
            if (!markUsed((int) (offset >>> 3), (int) ((offset + block) >>> 3))) {
                throw new Recovery.CorruptException("entry 0x" + Long.toHexString(ref) + " of bucket "
                        + table.bucket(keyWord) + " overlaps another entry's block");
            }
        }

        /** Marks granules {@code [lo, hi)} used; false (nothing marked) if one already was. */
        private boolean markUsed(final int lo, final int hi) {
            final int first = lo >>> 6;
            final int last = (hi - 1) >>> 6;
            final long firstMask = -1L << lo;
            final long lastMask = -1L >>> -hi;
            if (first == last) {
                final long mask = firstMask & lastMask;
                if ((used[first] & mask) != 0) {
                    return false;
                }
                used[first] |= mask;
                return true;
            }
            if ((used[first] & firstMask) != 0 || (used[last] & lastMask) != 0) {
                return false;
            }
            for (int w = first + 1; w < last; w++) {
                if (used[w] != 0) {
                    return false;
                }
            }
            used[first] |= firstMask;
            for (int w = first + 1; w < last; w++) {
                used[w] = -1L;
            }
            used[last] |= lastMask;
            return true;
        }

        /** Records the runs of unused granules of chunk {@code c} as gaps. */
        private void release(final int c) {
            final int granules = (int) (directory.sizes[c] >>> 3);
            // A gap must start where a reference can name it (EntryHeap.GRANULE_BITS): only the
            // tail of a large chunk that a damaged file's records leave uncovered starts later.
            final int named = (int) Math.min(granules, EntryHeap.CHUNK_BYTES >>> 3);
            for (int g = next(0, granules, false); g < named; ) {
                final int end = next(g, granules, true);
                gaps.add(c, (long) g << 3, (long) (end - g) << 3);
                g = next(end, granules, false);
            }
        }

        /** The first granule at or after {@code g} whose bit is {@code set}, or {@code limit}. */
        private int next(final int g, final int limit, final boolean set) {
            if (g >= limit) {
                return limit;
            }
            int w = g >>> 6;
            long word = (set ? used[w] : ~used[w]) & -1L << g;
            while (word == 0) {
                if (++w << 6 >= limit) {
                    return limit;
                }
                word = set ? used[w] : ~used[w];
            }
            return Math.min(limit, (w << 6) + Long.numberOfTrailingZeros(word));
        }
    }
}
