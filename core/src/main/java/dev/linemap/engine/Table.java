package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * One table: {@code 2^log2} buckets plus the overflow area their chains draw lines from, all in
 * one {@link MemorySource.Region} so that retiring the table frees it with one release.
 *
 * <p>Buckets live in chunks of {@value #CHUNK_LOG2}-bit count (1 MiB) so that a new table can be
 * allocated and zeroed piece by piece, just ahead of the evacuations that fill it, instead of all
 * at once inside one caller's operation. Overflow lines live in chunks of 64 KiB, allocated on
 * demand; free lines form a tagged lock-free stack linked through their {@code next} word.
 *
 * <p>Thread safety: all methods may be called by any thread. Retirement ({@link #retire()})
 * releases the region (for anonymous memory: closes its shared arena): the JDK then guarantees that
 * no access to the table's memory succeeds afterwards; a
 * racing access throws {@link IllegalStateException} (see {@code docs/design.md}, "Reclamation").
 */
public final class Table {

    /** log2 of the buckets in one chunk: 16384 buckets, 1 MiB. */
    static final int CHUNK_LOG2 = 14;

    /** log2 of the lines in one overflow chunk: 1024 lines, 64 KiB. */
    static final int OVERFLOW_CHUNK_LOG2 = 10;

    private static final long OVERFLOW_CHUNK_LINES = 1L << OVERFLOW_CHUNK_LOG2;

    private static final VarHandle VH_CHUNK = MethodHandles.arrayElementVarHandle(MemorySegment[].class);
    private static final VarHandle VH_FREE_HEAD;
    private static final VarHandle VH_OVERFLOW_NEXT;
    private static final VarHandle VH_RETIRED;
    private static final VarHandle VH_RELEASED;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            VH_FREE_HEAD = lookup.findVarHandle(Table.class, "freeHead", long.class);
            VH_OVERFLOW_NEXT = lookup.findVarHandle(Table.class, "overflowNext", long.class);
            VH_RETIRED = lookup.findVarHandle(Table.class, "retired", boolean.class);
            VH_RELEASED = lookup.findVarHandle(Table.class, "released", boolean.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Number of buckets, a power of two. */
    public final long bucketCount;
    /** {@code bucketCount - 1}. */
    public final long mask;
    /** {@code log2(bucketCount)}. */
    public final int log2;
    /** Hash seed of this table; a migration keeps it, except a clear, which draws a new one. */
    public final long seed;

    private final MemorySource.Region region;
    private final MemoryBudget budget;
    private final int chunkShift;
    private final long chunkMask;
    private final long chunkLines;
    /**
     * Checked mode: bucket chunks; an element is written once, with release, under {@code this}
     * lock. Fast mode: unused (the bucket array is one mapping at {@link #bucketBase}).
     */
    private final MemorySegment[] chunks;
    /** Fast mode: address of bucket 0; the whole bucket array is one reserved mapping. */
    private final long bucketBase;
    /**
     * Fast mode: address of the reserved overflow area, whose first {@link #overflowReservedChunks}
     * chunks are slices of one mapping (contiguous, so huge pages can back them), 0 in checked mode.
     */
    private final long overflowReserve;
    /** Fast mode: how many overflow chunks {@link #overflowReserve} holds; later chunks are mappings of their own. */
    private final long overflowReservedChunks;

    /**
     * Overflow chunk directory; replaced by a larger copy under {@code this} lock. Checked mode:
     * the chunks' segments. Fast mode: {@link #overflowBases} instead.
     */
    private volatile MemorySegment[] overflowChunks = new MemorySegment[4];
    /**
     * Fast mode: the addresses of the overflow chunks past the reserved area (entry {@code i} for
     * chunk {@code overflowReservedChunks + i}), 0 for none; replaced like {@link #overflowChunks}.
     * A chunk of the reserved area needs no entry: {@link #overflowLine} computes its lines.
     */
    private volatile long[] overflowBases = new long[4];
    /** Lines available in the overflow chunks; raised after the directory that covers them. */
    private volatile long overflowCapacity;
    /** Bump pointer: next never-used overflow line. */
    private volatile long overflowNext;
    /** Free-list head: tag (high 32 bits, defeats ABA) and link = index + 1 (low 32 bits). */
    private volatile long freeHead;
    private volatile boolean retired;
    /** Whether the region went back (once): {@link #markRetired()} sets {@link #retired} earlier. */
    private volatile boolean released;
    /** Native bytes this table holds; changed under {@code this} lock, read by retire. */
    private long bytes;

    /** Overflow lines in use (allocated and not freed). */
    public final LongAdder overflowInUse = new LongAdder();

    /**
     * The table's entry memory (variable-length shapes only; a {@code long -> long} table never
     * allocates a chunk of it). Same region as the buckets: retired with them.
     */
    public final EntryHeap entries;

    /**
     * Creates a table and reserves its whole bucket array in the budget; the chunks themselves are
     * allocated later, just ahead of the evacuations that fill them. Reserving up front means a
     * migration, once started, never stalls on the map's memory limit: if the table does not fit,
     * the migration does not start (and the map keeps its current table, with longer chains).
     *
     * @param log2 log2 of the bucket count
     * @param seed hash seed
     * @param budget the map's memory accounting
     * @param overLimit whether the reservation may pass the limit (the small target of a clear)
     * @param source where the table's memory comes from
     * @throws OutOfMemoryError if the bucket array does not fit in the budget; nothing is held
     */
    Table(final int log2, final long seed, final MemoryBudget budget, final boolean overLimit,
          final MemorySource source) {
        this(log2, seed, budget, overLimit, source.newRegion());
    }

    /**
     * Creates a table in {@code region}: a new one, or (a reopened file region, whose
     * {@link MemorySource.Region#pieces()} are not empty) the table those pieces hold, with its
     * overflow lines all in use until {@link Recovery} hands back the free ones.
     *
     * @param log2 log2 of the bucket count
     * @param seed hash seed
     * @param budget the map's memory accounting
     * @param overLimit whether the reservation may pass the limit
     * @param region the table's memory
     * @throws OutOfMemoryError if the bucket array does not fit in the budget; nothing is held
     */
    Table(final int log2, final long seed, final MemoryBudget budget, final boolean overLimit,
          final MemorySource.Region region) {
        this.log2 = log2;
        this.bucketCount = 1L << log2;
        this.mask = bucketCount - 1;
        this.seed = seed;
        this.budget = budget;
        this.chunkShift = Math.min(log2, CHUNK_LOG2);
        this.chunkLines = 1L << chunkShift;
        this.chunkMask = chunkLines - 1;
        this.chunks = new MemorySegment[AccessMode.FAST ? 0 : (int) (bucketCount >>> chunkShift)];
        final long bucketBytes = BucketDescriptor.lineOffset(bucketCount);
        if (overLimit) {
            budget.reserveOverLimit(bucketBytes);
        } else {
            budget.reserve(bucketBytes);
        }
        this.bytes = bucketBytes;
        this.region = region;
        this.entries = new EntryHeap(region, budget);
        if (region.persistent()) {
            // A file: the bucket array is one piece in both access modes (a file written in one
            // mode opens in the other), checked mode slicing its chunks from it; overflow chunks
            // are pieces of their own, taken one by one (no reservation: the file's size follows
            // what the table uses).
            final MemorySegment buckets;
            try {
                buckets = bucketPiece(region);
            } catch (final RuntimeException | Error e) {
                budget.release(bucketBytes);
                throw e;
            }
            if (AccessMode.FAST) {
                this.bucketBase = buckets.address();
                final Runnable unmapper = region.unmapper();
                if (unmapper != null) {
                    MmapSource.CLEANER.register(this, unmapper);
                }
            } else {
                this.bucketBase = 0;
                for (int c = 0; c < chunks.length; c++) {
                    chunks[c] = buckets.asSlice(BucketDescriptor.lineOffset((long) c << chunkShift),
                            BucketDescriptor.lineOffset(chunkLines));
                }
            }
            this.overflowReserve = 0;
            this.overflowReservedChunks = 0;
            adoptPieces(region);
        } else if (AccessMode.FAST) {
            // One reserved mapping for all buckets: its pages are committed (zeroed by the kernel)
            // on first touch, by the evacuations that fill them, so nothing is touched here.
            try {
                this.bucketBase = region.allocateLines(MemorySource.Use.BUCKETS, 0, bucketCount).address();
            } catch (final RuntimeException | Error e) {
                budget.release(bucketBytes);
                throw e;
            }
            final Runnable unmapper = region.unmapper();
            if (unmapper != null) {
                // The address range goes once no thread can reach this table (see MmapSource).
                MmapSource.CLEANER.register(this, unmapper);
            }
            // The overflow area: reserved as one mapping the size of the bucket array (a line for
            // every bucket: far beyond what random keys need at the growth load, about 7 % of the
            // buckets), committed chunk by chunk on first touch. One mapping instead of a mapping
            // per 64 KiB chunk lets huge pages back the chains too: a chained get then misses the
            // TLB once, not twice. Colliding keys beyond it get chunks of their own.
            final long reservedChunks = Math.max(1, bucketCount >>> OVERFLOW_CHUNK_LOG2);
            try {
                this.overflowReserve = region.reserveLines(reservedChunks << OVERFLOW_CHUNK_LOG2).address();
            } catch (final RuntimeException | Error e) {
                budget.release(bucketBytes);   // the bucket mapping goes with this object (the Cleaner)
                throw e;
            }
            this.overflowReservedChunks = reservedChunks;
        } else {
            this.bucketBase = 0;
            this.overflowReserve = 0;
            this.overflowReservedChunks = 0;
        }
    }

    /** The bucket array of a file region: the piece it holds, or a new one. */
    private MemorySegment bucketPiece(final MemorySource.Region region) {
        for (final MemorySource.Piece p : region.pieces()) {
            if (p.use() == MemorySource.Use.BUCKETS) {
                if (p.index() != 0 || p.segment().byteSize() != BucketDescriptor.lineOffset(bucketCount)) {
                    throw new IllegalArgumentException("bucket piece " + p.index() + " of "
                            + (p.segment().byteSize() >>> BucketDescriptor.BYTES_SHIFT) + " lines, expected 0 of "
                            + bucketCount);
                }
                return p.segment();
            }
        }
        if (!region.pieces().isEmpty()) {
            throw new IllegalArgumentException("no bucket piece among " + region.pieces().size() + " pieces");
        }
        return region.allocateLines(MemorySource.Use.BUCKETS, 0, bucketCount);
    }

    /**
     * A reopened file region: its overflow chunks (numbered 0 .. n-1, each of
     * {@value #OVERFLOW_CHUNK_LOG2}-bit line count) become the overflow area, every line counted
     * in use; its entry chunks go to {@link #entries}.
     */
    private void adoptPieces(final MemorySource.Region region) {
        final java.util.TreeMap<Long, MemorySegment> overflow = new java.util.TreeMap<>();
        for (final MemorySource.Piece p : region.pieces()) {
            if (p.use() == MemorySource.Use.OVERFLOW) {
                if (p.segment().byteSize() != BucketDescriptor.lineOffset(OVERFLOW_CHUNK_LINES)
                        || overflow.put(p.index(), p.segment()) != null) {
                    throw new IllegalArgumentException("overflow piece " + p.index() + " of "
                            + (p.segment().byteSize() >>> BucketDescriptor.BYTES_SHIFT) + " lines (or twice)");
                }
            }
        }
        final int n = overflow.size();
        if (n > 0 && (overflow.firstKey() != 0 || overflow.lastKey() != n - 1)) {
            throw new IllegalArgumentException("overflow pieces are not numbered 0 .. " + (n - 1) + ": "
                    + overflow.keySet());
        }
        final int capacity = Math.max(4, Integer.highestOneBit(Math.max(1, n)) << 1);
        final long[] bases = new long[capacity];
        final MemorySegment[] directory = new MemorySegment[capacity];
        for (int c = 0; c < n; c++) {
            if (AccessMode.FAST) {
                bases[c] = overflow.get((long) c).address();
            } else {
                directory[c] = overflow.get((long) c);
            }
        }
        final long size = BucketDescriptor.lineOffset(OVERFLOW_CHUNK_LINES) * n;
        budget.reserveOverLimit(size);
        synchronized (this) {
            bytes += size;
        }
        overflowBases = bases;
        overflowChunks = directory;
        overflowNext = n * OVERFLOW_CHUNK_LINES;
        overflowCapacity = n * OVERFLOW_CHUNK_LINES;
        overflowInUse.add(n * OVERFLOW_CHUNK_LINES);
        entries.adoptPieces(region.pieces());
    }

    /**
     * Recovery: the overflow lines not in {@code used} are free (no chain reaches them). Called
     * once, on a reopened table no other thread can reach yet.
     *
     * @param used the lines the chains reach
     */
    void adoptFreeLines(final java.util.BitSet used) {
        // Pushed from the top, so that the lowest lines are handed out first.
        for (long i = overflowCapacity - 1; i >= 0; i--) {
            if (!used.get((int) i)) {
                freeLine(i);
            }
        }
    }

    /**
     * Returns the lines of the overflow area (used or free).
     *
     * @return the lines of the overflow area
     */
    long overflowCapacity() {
        return overflowCapacity;
    }

    /**
     * Returns the table's memory region.
     *
     * @return the table's memory region
     */
    MemorySource.Region region() {
        return region;
    }

    /**
     * Returns the key's home bucket in this table: the hash's low bits.
     *
     * @param hash a key's 64-bit hash under this table's {@link #seed}
     * @return the key's home bucket in this table: the hash's low bits
     */
    public long bucket(final long hash) {
        return hash & mask;
    }

    /**
     * Segment of bucket {@code b}. A plain read of the chunk array is enough: every path that
     * reaches a bucket (the table was published, or an EVACUATED source / the watermark was read
     * with acquire) happens-after the release that stored the chunk.
     *
     * @param b bucket index
     * @return the chunk holding it
     */
    public MemorySegment bucketSegment(final long b) {
        return AccessMode.FAST ? AccessMode.ALL : chunks[(int) (b >>> chunkShift)];
    }

    /**
     * Returns byte offset of bucket {@code b} inside {@link #bucketSegment(long)}.
     *
     * @param b bucket index
     * @return byte offset of bucket {@code b} inside {@link #bucketSegment(long)}
     */
    public long bucketLine(final long b) {
        return AccessMode.FAST
                ? bucketBase + BucketDescriptor.lineOffset(b)
                : BucketDescriptor.lineOffset(b & chunkMask);
    }

    /**
     * Makes sure the chunk holding bucket {@code b} exists (allocated and zeroed).
     *
     * @param b bucket index
     * @throws OutOfMemoryError if native memory (or the map's limit) is exhausted
     */
    void ensureChunkOf(final long b) {
        if (AccessMode.FAST) {
            return;   // mapped whole at construction
        }
        final int c = (int) (b >>> chunkShift);
        if (VH_CHUNK.getAcquire(chunks, c) == null) {
            allocateChunk(c);
        }
    }

    /** Allocates every bucket chunk now: for the first table and for the target of a clear. */
    void allocateAllChunks() {
        if (AccessMode.FAST) {
            return;
        }
        for (int c = 0; c < chunks.length; c++) {
            if (VH_CHUNK.getAcquire(chunks, c) == null) {
                allocateChunk(c);
            }
        }
    }

    private synchronized void allocateChunk(final int c) {
        if (chunks[c] != null) {
            return;
        }
        // Its bytes were reserved with the table.
        final MemorySegment segment =
                region.allocateLines(MemorySource.Use.BUCKETS, (long) c << chunkShift, chunkLines);
        // Release: the zeroed chunk is complete before any thread can see the reference.
        VH_CHUNK.setRelease(chunks, c, segment);
    }

    // ------------------------------------------------------------------------ overflow lines

    /**
     * Segment of overflow line {@code index}, or {@code null} if {@code index} is not an allocated
     * line. Readers may hold a stale link; they get {@code null} (or a valid but reused line) and
     * their seqlock re-check discards the read.
     *
     * @param index overflow line index
     * @return the chunk holding it, or {@code null}
     */
    public MemorySegment overflowSegment(final long index) {
        final long c = index >>> OVERFLOW_CHUNK_LOG2;
        if (AccessMode.FAST) {
            // A line of the reserved area needs no directory: the area is mapped for the table's
            // whole life, so even a line not handed out yet (a stale link in a racing read
            // section) reads as zeros, never a fault.
            if (c < overflowReservedChunks) {
                return AccessMode.ALL;   // (index >= 0 follows: c is an unsigned shift of it)
            }
            final long[] bases = overflowBases;
            final long i = c - overflowReservedChunks;
            return index >= 0 && i < bases.length && bases[(int) i] != 0 ? AccessMode.ALL : null;
        }
        final MemorySegment[] directory = overflowChunks;
        return index >= 0 && c < directory.length ? directory[(int) c] : null;
    }

    /**
     * Returns byte offset of the line inside {@link #overflowSegment(long)}.
     *
     * @param index overflow line index
     * @return byte offset of the line inside {@link #overflowSegment(long)}
     */
    public long overflowLine(final long index) {
        if (AccessMode.FAST) {
            // The reserved area by arithmetic on two final fields: no load of the chunk directory
            // on a chained key's path. In the bare read section over the engine's lines, the
            // directory load cost a chained get at 16Mi 40-50 ns (fast-path.md, "Chained keys:
            // the cost found").
            final long c = index >>> OVERFLOW_CHUNK_LOG2;
            return c < overflowReservedChunks ? overflowReserve + BucketDescriptor.lineOffset(index)
                    : overflowBases[(int) (c - overflowReservedChunks)]
                            + BucketDescriptor.lineOffset(index & (OVERFLOW_CHUNK_LINES - 1));
        }
        return BucketDescriptor.lineOffset(index & (OVERFLOW_CHUNK_LINES - 1));
    }

    /**
     * Takes a line from the free list or the bump pointer. Called only by a thread that holds the
     * lock of the bucket the line will join (or owns an unpublished destination bucket).
     *
     * @return the line's index
     * @throws OutOfMemoryError if a new overflow chunk cannot be allocated
     */
    long allocateLine() {
        for (;;) {
            // Acquire (volatile) read of the head pairs with the volatile CAS of free(): the
            // freeing thread's store of the line's next word is visible here.
            final long head = freeHead;
            final long index = MetaWord.link(head);
            if (index == MetaWord.NONE) {
                break;
            }
            final long next = MetaWord.link(
                    OverflowLineDescriptor.nextOpaque(overflowSegment(index), overflowLine(index)));
            final long nextHead = ((head >>> 32) + 1) << 32 | ((next + 1) & MetaWord.LINK_MASK);
            if (VH_FREE_HEAD.compareAndSet(this, head, nextHead)) {
                overflowInUse.increment();
                return index;
            }
        }
        for (;;) {
            final long next = overflowNext;
            if (next < overflowCapacity) {
                if (VH_OVERFLOW_NEXT.compareAndSet(this, next, next + 1)) {
                    overflowInUse.increment();
                    return next;
                }
            } else {
                growOverflow(next);
            }
        }
    }

    /**
     * Returns a line to the free list. Called by the holder of the lock of the bucket the line was
     * unlinked from; readers still walking the old chain may read it and will fail validation.
     *
     * @param index the line's index
     */
    void freeLine(final long index) {
        final MemorySegment segment = overflowSegment(index);
        final long line = overflowLine(index);
        // Store-store: the unlink that freed the line is in memory before its next word becomes a
        // free-list link (a map file would otherwise hold a chain running into the free list).
        VarHandle.storeStoreFence();
        for (;;) {
            final long head = freeHead;
            OverflowLineDescriptor.setNextOpaque(segment, line, head & MetaWord.LINK_MASK);
            // Volatile CAS: the next store above is visible before the line can be popped.
            if (VH_FREE_HEAD.compareAndSet(this, head,
                    ((head >>> 32) + 1) << 32 | ((index + 1) & MetaWord.LINK_MASK))) {
                overflowInUse.decrement();
                return;
            }
        }
    }

    private synchronized void growOverflow(final long seen) {
        if (overflowCapacity > seen) {
            return;
        }
        final long capacity = overflowCapacity;
        if (capacity + OVERFLOW_CHUNK_LINES > MetaWord.MAX_INDEX + 1) {
            throw new IllegalStateException("overflow area of a table with " + bucketCount
                    + " buckets is full (" + capacity + " lines); keys are colliding far beyond chance:"
                    + " use a random seed (do not set a fixed seed on the builder) for untrusted keys");
        }
        final long size = BucketDescriptor.lineOffset(OVERFLOW_CHUNK_LINES);
        final int c = (int) (capacity >>> OVERFLOW_CHUNK_LOG2);
        budget.reserve(size);
        final MemorySegment segment;
        try {
            // Fast mode: a slice of the reserved area while it lasts (no system call; its pages are
            // zero until first touched), else a mapping of its own.
            segment = c < overflowReservedChunks ? null
                    : region.allocateLines(MemorySource.Use.OVERFLOW, c, OVERFLOW_CHUNK_LINES);
        } catch (final RuntimeException | Error e) {
            budget.release(size);
            throw e;
        }
        bytes += size;
        if (AccessMode.FAST) {
            if (segment == null) {
                region.commit(overflowReserve + c * size, size);   // found by arithmetic, no directory entry
            } else {
                final int i = (int) (c - overflowReservedChunks);
                long[] bases = overflowBases;
                if (i >= bases.length) {
                    bases = java.util.Arrays.copyOf(bases, bases.length * 2);
                }
                bases[i] = segment.address();
                overflowBases = bases;            // volatile: publishes the chunk ...
            }
        } else {
            MemorySegment[] directory = overflowChunks;
            if (c >= directory.length) {
                directory = java.util.Arrays.copyOf(directory, directory.length * 2);
            }
            directory[c] = segment;
            overflowChunks = directory;           // volatile: publishes the chunk ...
        }
        overflowCapacity = capacity + OVERFLOW_CHUNK_LINES; // ... before its lines can be handed out
    }

    // ----------------------------------------------------------------------------- lifecycle

    /**
     * Gives all memory of this table back, once. Checked mode: any later access to it throws
     * {@link IllegalStateException} in the accessing thread. Fast mode: a later access reads zero
     * pages, and every engine path re-checks {@link #isRetired()} before it trusts what it read
     * or wrote there; the address range is unmapped once this object is unreachable. Never a crash.
     *
     * <p>{@link #retired} is set before the memory goes (a volatile CAS, then the release): a
     * thread that saw a zeroed page, or took a lock in one, and then reads {@link #retired} sees
     * {@code true}.
     */
    void retire() {
        retire(false);
    }

    /**
     * Retires the table at the map's close: like {@link #retire()}, but a file keeps what the
     * table holds ({@link MemorySource.Region#detach()}).
     */
    void detach() {
        retire(true);
    }

    /**
     * Sets {@link #isRetired()} without giving the memory back yet: the close of a map file in
     * fast mode, which then waits for every writer that locked a bucket before this store (a writer
     * that locks one after it reads the flag and gives the lock back without a write), and only
     * then cuts the table off the file ({@link #detach()}).
     */
    void markRetired() {
        retired = true;   // volatile: pairs with the volatile read after a writer's lock CAS
    }

    private void retire(final boolean keepContents) {
        retired = true;
        if (VH_RELEASED.compareAndSet(this, false, true)) {
            final Object event = JfrEvents.beginRetirement();   // JFR hook: times the release
            if (keepContents) {
                region.detach();
            } else {
                region.release();
            }
            final long released;
            synchronized (this) {
                // Entry chunks made after this point (a writer racing close()) are not counted back.
                released = bytes + entries.chunkBytes();
                budget.release(released);
                bytes = 0;
            }
            entries.releasePrepaid();   // a migration into this table that never completed
            JfrEvents.commitRetirement(event, this, released);
        }
    }

    /**
     * Returns whether {@link #retire()} ran (volatile read). The fast path's guard: call it after
     * the loads or the lock it vouches for.
     *
     * @return whether {@link #retire()} ran
     */
    public boolean isRetired() {
        return retired;
    }
}
