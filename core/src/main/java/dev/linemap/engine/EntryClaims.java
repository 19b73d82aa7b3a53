package dev.linemap.engine;

import dev.linemap.layout.EntryDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
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
 * only {@link #add}s each reference with its slot's hash word (16 bytes of scratch memory per
 * entry, off the heap, released by {@link #finish}); {@link #finish} groups them by chunk (an
 * in-place counting sort), reads each chunk once from end to end (a sequential stream the
 * prefetchers follow), and then checks the chunk's records, which are now in the cache, and
 * hands its gaps to the free lists while their lines are still there.
 *
 * <p>Single-threaded (recovery runs before the map is published).
 */
final class EntryClaims {

    /** Pairs per block of scratch memory: 16 MiB. */
    private static final int BLOCK_BITS = 20;
    private static final int BLOCK_PAIRS = 1 << BLOCK_BITS;

    private final Table table;
    private final EntryHeap heap;
    private final EntryHeap.Directory directory;
    private final Arena arena = Arena.ofConfined();
    /** The (reference, slot hash word) pairs, in blocks of {@link #BLOCK_PAIRS}. */
    private final List<MemorySegment> blocks = new ArrayList<>();
    /** Pairs added. */
    private long pairs;
    /** Pairs per chunk. */
    private final long[] counts;
    /** Read by nothing: keeps the JIT from dropping the loads of {@link #stream}. */
    private long sink;

    EntryClaims(final Table table) {
        this.table = table;
        this.heap = table.entries;
        this.directory = heap.directory();
        this.counts = new long[directory.count + 1];
    }

    /**
     * Records a slot's reference, to be checked by {@link #finish}.
     *
     * @param bucket the slot's bucket (for the message)
     * @param ref the slot's value word
     * @param keyWord the slot's key word: the hash of the record's key
     * @throws Recovery.CorruptException if the reference is outside the chunks
     */
    void add(final long bucket, final long ref, final long keyWord) {
        if (!directory.holds(ref)) {
            throw new Recovery.CorruptException("bucket " + bucket + " references entry 0x" + Long.toHexString(ref)
                    + ", outside the table's " + directory.count + " entry chunks");
        }
        final int block = (int) (pairs >>> BLOCK_BITS);
        if (block == blocks.size()) {
            blocks.add(arena.allocate(16L * BLOCK_PAIRS, 8));
        }
        final MemorySegment b = blocks.get(block);
        final long at = (pairs & (BLOCK_PAIRS - 1)) << 4;
        b.set(ValueLayout.JAVA_LONG, at, ref);
        b.set(ValueLayout.JAVA_LONG, at + 8, keyWord);
        counts[(int) (ref >>> EntryHeap.GRANULE_BITS)]++;
        pairs++;
    }

    /**
     * Checks every record added, gives the rest of each chunk to the free lists, and releases the
     * scratch memory.
     *
     * @throws Recovery.CorruptException if a record runs past its chunk, overlaps another, or holds
     *         a key of another hash
     */
    void finish() {
        try {
            final int chunks = directory.count;
            final long[] starts = new long[chunks + 1];
            for (int c = 0; c < chunks; c++) {
                starts[c + 1] = starts[c] + counts[c];
            }
            groupByChunk(starts);
            final BitSet used = new BitSet();
            for (int c = 0; c < chunks; c++) {
                stream(c);
                used.clear();
                for (long i = starts[c]; i < starts[c + 1]; i++) {
                    claim(used, ref(i), keyWord(i));
                }
                release(c, used);
            }
        } finally {
            arena.close();
        }
    }

    /** In-place counting sort of the pairs by chunk: each pair is moved at most once to its place. */
    private void groupByChunk(final long[] starts) {
        final long[] next = starts.clone();
        for (int c = 0; c < directory.count; c++) {
            while (next[c] < starts[c + 1]) {
                long ref = ref(next[c]);
                long word = keyWord(next[c]);
                int home = (int) (ref >>> EntryHeap.GRANULE_BITS);
                while (home != c) {
                    // Swap the pair in hand into its chunk's next place; carry the one found there.
                    final long at = next[home]++;
                    final long r = ref(at);
                    final long w = keyWord(at);
                    put(at, ref, word);
                    ref = r;
                    word = w;
                    home = (int) (ref >>> EntryHeap.GRANULE_BITS);
                }
                put(next[c]++, ref, word);
            }
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
     * Claims the block of a record: it must lie in its chunk, in no other record's block, and hold
     * the key whose hash (under the table's seed) the slot's key word stores. The hash check was
     * added when the file fuzzer began to require that every key a map iterates reads back: a flip
     * in a record's key bytes, in the high bits of a slot's hash word (the low ones pick the
     * bucket), or in the root's seed passed every other check, and the map then iterated keys that
     * get() could not find.
     */
    private void claim(final BitSet used, final long ref, final long keyWord) {
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
        if (hash != keyWord) {
            throw new Recovery.CorruptException("entry 0x" + Long.toHexString(ref) + " of bucket "
                    + table.bucket(keyWord) + " holds a key of hash 0x" + Long.toHexString(hash) + ", its slot says 0x"
                    + Long.toHexString(keyWord));
        }
        final int from = (int) (offset >>> 3);
        final int to = (int) ((offset + block) >>> 3);
        final int clash = used.nextSetBit(from);
        if (clash >= 0 && clash < to) {
            throw new Recovery.CorruptException("entry 0x" + Long.toHexString(ref) + " of bucket "
                    + table.bucket(keyWord) + " overlaps another entry's block");
        }
        used.set(from, to);
    }

    private void release(final int c, final BitSet used) {
        final int granules = (int) (directory.sizes[c] >>> 3);
        for (int g = used.nextClearBit(0); g < granules; ) {
            final int set = used.nextSetBit(g);
            final int end = set < 0 || set > granules ? granules : set;
            heap.adoptGap(c, (long) g << 3, (long) (end - g) << 3);
            g = used.nextClearBit(end);
        }
    }

    private long ref(final long i) {
        return blocks.get((int) (i >>> BLOCK_BITS)).get(ValueLayout.JAVA_LONG, (i & (BLOCK_PAIRS - 1)) << 4);
    }

    private long keyWord(final long i) {
        return blocks.get((int) (i >>> BLOCK_BITS)).get(ValueLayout.JAVA_LONG, ((i & (BLOCK_PAIRS - 1)) << 4) + 8);
    }

    private void put(final long i, final long ref, final long keyWord) {
        final MemorySegment b = blocks.get((int) (i >>> BLOCK_BITS));
        final long at = (i & (BLOCK_PAIRS - 1)) << 4;
        b.set(ValueLayout.JAVA_LONG, at, ref);
        b.set(ValueLayout.JAVA_LONG, at + 8, keyWord);
    }
}
