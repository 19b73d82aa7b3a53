package dev.linemap.engine;

import dev.linemap.layout.EntryDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * One table's entry memory: the blocks that hold variable-length entry records
 * ({@link EntryDescriptor}), in chunks taken from the table's own {@link MemorySource.Region}, so
 * that retiring the table gives them back with its buckets (decommit and unmap in fast mode, arena
 * close in checked mode) and a shrink returns entry memory to the operating system.
 *
 * <p><b>References.</b> A block is named by a 32-bit reference, {@code chunk << 17 | offset / 8}:
 * at most {@value #MAX_CHUNKS} chunks, and a block starts in the first 1 MiB of its chunk. A regular
 * chunk is 1 MiB; a larger one holds one block at offset 0 (up to 128 MiB). A dense line's slot
 * holds the reference in its 4-byte word ({@code DenseLineDescriptor}), which is why it is 32 bits:
 * it was 40 ({@code chunk << 24}) when a slot had an 8-byte word for it. A reader
 * holds references it read without a lock, so {@link Directory} lets it check any 64-bit word
 * before it becomes an address: {@link Directory#entry} and {@link Directory#end} say where the
 * block and its chunk are, or that the word names no chunk.
 *
 * <p><b>Allocation.</b> Size classes: every multiple of 8 bytes up to 1 KiB (so a record wastes only
 * its padding to 8), then four classes per power of two (at most 25 % waste). Each class has a
 * lock-free free list (a Treiber stack linked through the block's first word, its head tagged with
 * a 24-bit counter against ABA, like {@link Table}'s overflow free list). A class with an empty
 * list bump-allocates from the current chunk; a block never crosses a chunk (the tail of a chunk
 * too short for the next block is left unused). Chunks grow from 8 KiB to 1 MiB, so a small map
 * stays small; a block above 256 KiB gets a chunk of its own. After a reopen, the free space the
 * recovery found is linked lazily: an allocation that finds its class empty first links a few of
 * those gaps ({@link #adoptGaps}).
 *
 * <p><b>Reuse and stale readers.</b> A freed block may be handed to a writer of another bucket
 * while a reader that loaded the old reference still reads it. That is safe because every free is
 * made by the holder of the lock of the bucket that referenced the block, after it unlinked it or
 * while that bucket is still locked: the reader's re-check of that bucket's {@code ctrl} then fails
 * (the lock changed the word), so whatever it read is thrown away. Its loads themselves stay in
 * bounds: they are checked against the chunk's end ({@link Directory#end}), never against lengths
 * read from the block alone.
 *
 * <p>Thread safety: {@link #allocate} and {@link #free} may be called by any thread concurrently;
 * chunk creation is serialised on {@code this}.
 */
public final class EntryHeap {

    /**
     * Bits of the offset field of a reference, in 8-byte granules: a block starts in the first
     * {@link #CHUNK_BYTES} of its chunk (a regular chunk is no larger; a larger chunk holds one
     * block, at offset 0).
     */
    static final int GRANULE_BITS = 17;
    /** Bits of the chunk field of a reference: the two fields fill a dense slot's 32-bit word. */
    static final int CHUNK_BITS = 32 - GRANULE_BITS;
    /** The most chunks one table's entry memory can have. */
    static final int MAX_CHUNKS = 1 << CHUNK_BITS;
    /** Mask of a whole reference. */
    static final long REF_MASK = (1L << (GRANULE_BITS + CHUNK_BITS)) - 1;
    /** Mask of a reference's offset field. */
    private static final long GRANULE_MASK = (1L << GRANULE_BITS) - 1;
    /**
     * Mask of a free-list link (a free block's header, the low bits of a list head): reference + 1,
     * 0 = none, so one bit more than a reference; the head's 24-bit ABA tag sits above bit 40.
     */
    private static final long LINK_MASK = (1L << 40) - 1;
    /** The largest chunk (and so the largest block): one block of the largest size class. */
    public static final long MAX_CHUNK_BYTES = 1L << 27;
    /** Size of a regular chunk once the table has a few: every offset in it has a reference. */
    static final long CHUNK_BYTES = 1L << (GRANULE_BITS + 3);
    /** Size of the first chunk. */
    static final long FIRST_CHUNK_BYTES = 8L << 10;
    /** Blocks above this get a chunk of their own. */
    static final long DEDICATED_ABOVE = CHUNK_BYTES / 4;
    /** Classes of exact multiples of 8 bytes: 8 (a header alone: empty key and value) .. 1024. */
    private static final int EXACT_CLASSES = 128;
    /** Number of size classes (up to {@link #MAX_CHUNK_BYTES}). */
    static final int CLASSES = EXACT_CLASSES + (27 - 10) * 4;

    private static final VarHandle VH_HEAD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle VH_BUMP;
    private static final VarHandle VH_NEXT_GAP;
    /** Gaps one allocation links at most: a bound on the write faults it may take (see {@link #adoptGaps}). */
    private static final int GAPS_PER_ALLOCATION = 8;

    static {
        try {
            VH_BUMP = MethodHandles.lookup().findVarHandle(EntryHeap.class, "bump", long.class);
            VH_NEXT_GAP = MethodHandles.lookup().findVarHandle(EntryHeap.class, "nextGap", int.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        if (classBytes(CLASSES - 1) != MAX_CHUNK_BYTES || classOf(1025) != EXACT_CLASSES) {
            throw new ExceptionInInitializerError("size classes must end at " + MAX_CHUNK_BYTES);
        }
    }

    private final MemorySource.Region region;
    private final MemoryBudget budget;
    /** Free-list heads per class: tag (high 24 bits) and reference + 1 (low 40 bits; 0 = empty). */
    private final long[] heads = new long[CLASSES];
    /** The chunks; replaced by a larger copy under {@code this} lock (volatile publication). */
    private volatile Directory directory = new Directory(new MemorySegment[0], new long[0], new long[0], 0);
    /** Bump pointer: chunk (high 32 bits) and byte offset in it; -1 before the first chunk. */
    private volatile long bump = -1L;
    /** Regular chunks so far (sets the next one's size). */
    private int regularChunks;
    /** Native bytes of all chunks; written under {@code this} lock. */
    private volatile long chunkBytes;
    /**
     * Bytes reserved in the budget ahead of need (a migration's relocations) and not yet used by
     * a chunk; written under {@code this} lock.
     */
    private long prepaid;
    /** Bytes of blocks handed out and not freed (class sizes). */
    private final LongAdder liveBytes = new LongAdder();
    /**
     * A reopened file's gaps ({@link #adoptGaps}) not yet on a free list; {@code null} once all
     * are linked. Set by recovery before the map is published; read by allocating threads.
     */
    private GapList gaps;
    /** The next gap to link; claimed by CAS ({@link #VH_NEXT_GAP}). */
    private volatile int nextGap;

    EntryHeap(final MemorySource.Region region, final MemoryBudget budget) {
        this.region = region;
        this.budget = budget;
    }

    /**
     * The chunk directory at one moment. Immutable once published: a new chunk publishes a new
     * directory (volatile store of {@link #directory}); a reference whose chunk is not in the
     * directory a reader sees was not published to it either, so it came from a torn read.
     */
    static final class Directory {
        /** Checked mode: each chunk's segment. */
        final MemorySegment[] segments;
        /** Fast mode: each chunk's address. */
        final long[] bases;
        /** Each chunk's size in bytes. */
        final long[] sizes;
        /** Number of chunks. */
        final int count;

        Directory(final MemorySegment[] segments, final long[] bases, final long[] sizes, final int count) {
            this.segments = segments;
            this.bases = bases;
            this.sizes = sizes;
            this.count = count;
        }

        /**
         * Returns whether {@code ref} (any word, read racily) names a block whose header lies
         * inside a chunk of this directory.
         */
        boolean holds(final long ref) {
            if ((ref & ~REF_MASK) != 0) {
                return false;
            }
            final int c = (int) (ref >>> GRANULE_BITS);
            return c < count && ((ref & ((1L << GRANULE_BITS) - 1)) << 3) + EntryDescriptor.HEADER_BYTES <= sizes[c];
        }

        /** The segment to access the block of a reference {@link #holds} accepted. */
        MemorySegment segment(final long ref) {
            return AccessMode.FAST ? AccessMode.ALL : segments[(int) (ref >>> GRANULE_BITS)];
        }

        /** The offset of the block in {@link #segment}. */
        long entry(final long ref) {
            final long offset = (ref & ((1L << GRANULE_BITS) - 1)) << 3;
            return AccessMode.FAST ? bases[(int) (ref >>> GRANULE_BITS)] + offset : offset;
        }

        /** The end of the block's chunk, in {@link #segment}'s offsets: no load may reach it. */
        long end(final long ref) {
            final int c = (int) (ref >>> GRANULE_BITS);
            return AccessMode.FAST ? bases[c] + sizes[c] : sizes[c];
        }
    }

    /**
     * Returns the current chunk directory (volatile read): every reference published before this
     * read is covered.
     *
     * @return the directory
     */
    Directory directory() {
        return directory;
    }

    // ----------------------------------------------------------------------- size classes

    /**
     * Returns the size class of a block of {@code bytes}.
     *
     * @param bytes a record size, a multiple of 8, {@code >= 8}
     * @return its class
     */
    static int classOf(final long bytes) {
        if (bytes <= 1024) {
            return (int) (bytes >>> 3) - 1;
        }
        final int e = 63 - Long.numberOfLeadingZeros(bytes - 1);   // 2^e < bytes <= 2^(e+1)
        final int sub = (int) ((bytes - 1 - (1L << e)) >>> (e - 2));
        return EXACT_CLASSES + (e - 10) * 4 + sub;
    }

    /**
     * Returns the block size of class {@code c}.
     *
     * @param c a class
     * @return its block size in bytes
     */
    static long classBytes(final int c) {
        if (c < EXACT_CLASSES) {
            return (c + 1L) << 3;
        }
        final int i = c - EXACT_CLASSES;
        final int e = 10 + i / 4;
        return (1L << e) + ((i % 4 + 1L) << (e - 2));
    }

    // ------------------------------------------------------------------------- allocation

    /**
     * Allocates a block for a record of {@code bytes}. Called by the holder of a bucket lock (or an
     * evacuator); the block is the caller's until it publishes a reference to it.
     *
     * @param bytes the record's size ({@link EntryDescriptor#recordBytes})
     * @return the block's reference
     * @throws OutOfMemoryError if a chunk is needed and the memory (or the map's limit) is exhausted
     */
    long allocate(final long bytes) {
        final int c = classOf(bytes);
        final long size = classBytes(c);
        long ref = pop(c);
        while (ref < 0 && gaps != null && linkGaps()) {
            // A batch, found its class or not. Racing allocations may pop what it pushed before
            // this one does: then another batch, so that no block is bump-allocated while a gap is
            // left (PersistenceBasicsTest, 4 writers, saw a new chunk).
            ref = pop(c);
        }
        if (ref < 0) {
            try {
                ref = size > DEDICATED_ABOVE ? newChunk(size, false) : bumpAllocate(size);
            } catch (final OutOfMemoryError e) {
                ref = splitLarger(c);
                if (ref < 0) {
                    throw e;
                }
            }
        }
        liveBytes.add(size);
        return ref;
    }

    /** Pops a block of class {@code c}, or returns -1 if its list is empty. */
    private long pop(final int c) {
        for (;;) {
            // Volatile read pairs with the volatile CAS of push(): the pusher's link store is visible.
            final long head = (long) VH_HEAD.getVolatile(heads, c);
            final long top = head & LINK_MASK;
            if (top == 0) {
                return -1;
            }
            final long ref = top - 1;
            final Directory d = directory;
            final long next = EntryDescriptor.freeLinkOpaque(d.segment(ref), d.entry(ref)) & LINK_MASK;
            // A stale `next` (the block was popped and reused meanwhile) cannot win: the tag changed.
            if (VH_HEAD.compareAndSet(heads, c, head, ((head >>> 40) + 1) << 40 | next)) {
                return ref;
            }
        }
    }

    /** A block of {@code size} from the current bump chunk, or from a new one. */
    private long bumpAllocate(final long size) {
        for (;;) {
            final long b = bump;
            if (b >= 0) {
                final int chunk = (int) (b >>> 32);
                final long offset = b & 0xFFFF_FFFFL;
                // The directory read after the bump word covers its chunk (published before it).
                if (offset + size <= directory.sizes[chunk]) {
                    if (VH_BUMP.compareAndSet(this, b, b + size)) {
                        return (long) chunk << GRANULE_BITS | offset >>> 3;
                    }
                    continue;
                }
            }
            newBumpChunk(b, size);
        }
    }

    /**
     * At the map's limit (no chunk fits): a block of the smallest larger class that has one, cut to
     * size, its rest back on the free lists. Without it a map emptied at its limit could not take
     * one small entry while its free memory sat in blocks of other sizes (LineMapLifecycleTest).
     *
     * @return the block's reference, or -1 if no larger class has a free block
     */
    private long splitLarger(final int c) {
        final long size = classBytes(c);
        for (int k = c + 1; k < CLASSES; k++) {
            final long ref = pop(k);
            if (ref >= 0) {
                carve(ref >>> GRANULE_BITS, ((ref & GRANULE_MASK) << 3) + size, classBytes(k) - size);
                return ref;
            }
        }
        return -1;
    }

    /**
     * Returns a block to its class's free list. Called by the holder of the lock of the bucket
     * that referenced it (see the class comment for why stale readers stay safe).
     *
     * @param ref the block's reference
     * @param bytes its record size as allocated, or any size of the same class
     */
    void free(final long ref, final long bytes) {
        final int c = classOf(bytes);
        // Store-store: the slot store that dropped the reference is in memory before the block's
        // header becomes a free-list link (a map file would otherwise reference a broken record).
        VarHandle.storeStoreFence();
        push(ref, c);
        liveBytes.add(-classBytes(c));
    }

    /** Pushes a block no slot references onto class {@code c}'s free list. */
    private void push(final long ref, final int c) {
        final Directory d = directory;
        final MemorySegment segment = d.segment(ref);
        final long entry = d.entry(ref);
        for (;;) {
            final long head = (long) VH_HEAD.getVolatile(heads, c);
            EntryDescriptor.setFreeLinkOpaque(segment, entry, head & LINK_MASK);
            // Volatile CAS: the link store above is visible before the block can be popped.
            if (VH_HEAD.compareAndSet(heads, c, head, ((head >>> 40) + 1) << 40 | (ref + 1))) {
                return;
            }
        }
    }

    private synchronized void newBumpChunk(final long seen, final long blockBytes) {
        if (bump != seen) {
            return;   // another thread made one
        }
        final long size = Math.min(CHUNK_BYTES, FIRST_CHUNK_BYTES << Math.min(regularChunks, 20));
        long ref;
        try {
            ref = newChunk(size, true);
        } catch (final OutOfMemoryError e) {
            // At the map's limit the next chunk of the growing sequence may not fit where a small
            // one does: a map emptied in the middle of a shrink has its free blocks in other classes
            // (or in the old table), and one small put must still fit (LineMapLifecycleTest).
            final long small = Math.max(FIRST_CHUNK_BYTES, blockBytes);
            if (small >= size) {
                throw e;
            }
            ref = newChunk(small, true);
        }
        regularChunks++;
        // Volatile: the directory holding the chunk was published before the bump word names it.
        bump = (ref >>> GRANULE_BITS) << 32;
    }

    /**
     * Adds a chunk of {@code size} bytes; returns the reference of its first byte.
     */
    private synchronized long newChunk(final long size, final boolean regular) {
        final Directory d = directory;
        if (d.count == MAX_CHUNKS) {
            throw new IllegalStateException("entry memory of one table is limited to " + MAX_CHUNKS
                    + " chunks and has them all (" + chunkBytes + " bytes); nothing stored was changed");
        }
        final long lineBytes = (size + 63) & -64;
        final long fromPrepaid = Math.min(prepaid, lineBytes);
        budget.reserve(lineBytes - fromPrepaid);
        prepaid -= fromPrepaid;
        final int c = d.count;
        final MemorySegment segment;
        try {
            segment = region.allocateLines(MemorySource.Use.ENTRIES, c, lineBytes >>> 6);
        } catch (final RuntimeException | Error e) {
            prepaid += fromPrepaid;
            budget.release(lineBytes - fromPrepaid);
            throw e;
        }
        chunkBytes += lineBytes;
        final int capacity = Math.max(4, Integer.highestOneBit(c) << 1);
        final MemorySegment[] segments = Arrays.copyOf(d.segments, AccessMode.FAST ? 0 : capacity);
        final long[] bases = Arrays.copyOf(d.bases, AccessMode.FAST ? capacity : 0);
        final long[] sizes = Arrays.copyOf(d.sizes, capacity);
        if (AccessMode.FAST) {
            bases[c] = segment.address();
        } else {
            segments[c] = segment;
        }
        sizes[c] = lineBytes;
        // Volatile: the chunk (zeroed) and its entries are complete before any reference names it.
        directory = new Directory(segments, bases, sizes, c + 1);
        return (long) c << GRANULE_BITS;
    }

    /**
     * A reopened file region: its entry chunks (numbered 0 .. n-1) become this heap's, every byte
     * counted as a live block until {@link #adoptGaps} hands back what no slot references. The bump
     * pointer starts at no chunk, so the next bump allocation opens a new one.
     *
     * @param pieces the region's pieces (those of other uses are ignored)
     * @throws IllegalArgumentException if the entry chunks are not numbered 0 .. n-1 or too many
     */
    synchronized void adoptPieces(final java.util.List<MemorySource.Piece> pieces) {
        final java.util.TreeMap<Long, MemorySegment> chunks = new java.util.TreeMap<>();
        for (final MemorySource.Piece p : pieces) {
            if (p.use() == MemorySource.Use.ENTRIES
                    && (p.segment().byteSize() > MAX_CHUNK_BYTES || chunks.put(p.index(), p.segment()) != null)) {
                throw new IllegalArgumentException("entry piece " + p.index() + " of " + p.segment().byteSize()
                        + " bytes (at most " + MAX_CHUNK_BYTES + "), or twice");
            }
        }
        final int n = chunks.size();
        if (n == 0) {
            return;
        }
        if (chunks.firstKey() != 0 || chunks.lastKey() != n - 1 || n > MAX_CHUNKS) {
            throw new IllegalArgumentException("entry pieces are not numbered 0 .. " + (n - 1) + ": "
                    + chunks.keySet());
        }
        final int capacity = Math.max(4, Integer.highestOneBit(n) << 1);
        final MemorySegment[] segments = new MemorySegment[AccessMode.FAST ? 0 : capacity];
        final long[] bases = new long[AccessMode.FAST ? capacity : 0];
        final long[] sizes = new long[capacity];
        long total = 0;
        for (int c = 0; c < n; c++) {
            final MemorySegment segment = chunks.get((long) c);
            if (AccessMode.FAST) {
                bases[c] = segment.address();
            } else {
                segments[c] = segment;
            }
            sizes[c] = segment.byteSize();
            total += sizes[c];
        }
        budget.reserveOverLimit(total);
        chunkBytes = total;
        regularChunks = n;
        liveBytes.add(total);
        directory = new Directory(segments, bases, sizes, n);
    }

    /**
     * Recovery: the gaps of this heap's chunks that hold no live record. They are recorded, not
     * yet linked: linking a block writes its first word, and the first write to a clean page of a
     * shared file mapping is a page fault (the kernel's {@code page_mkwrite}, 1-2 us here). A
     * reopened 10M-entry file had 336K gaps, one write fault each: 0.58 s of its open. So an
     * allocation that finds its class's free list empty links the next few gaps
     * ({@link #linkGaps}) before it bump-allocates, and a map that is only read after an open never
     * pays for them. Until linked, a gap is neither live nor reusable. Called once, before the map
     * is published.
     *
     * @param found the gaps, in address order
     */
    void adoptGaps(final GapList found) {
        long bytes = 0;
        for (int i = 0; i < found.count(); i++) {
            bytes += found.bytes(i);
        }
        liveBytes.add(-bytes);
        gaps = found.count() == 0 ? null : found;
    }

    /**
     * Links up to {@value #GAPS_PER_ALLOCATION} of the recorded gaps into the free lists, each cut
     * into blocks of the largest classes that fit.
     *
     * @return whether any gap was linked (false: none was left)
     */
    private boolean linkGaps() {
        final GapList recorded = gaps;
        if (recorded == null) {
            return false;   // another thread claimed the last one meanwhile
        }
        boolean any = false;
        for (int n = 0; n < GAPS_PER_ALLOCATION; n++) {
            final int i = (int) VH_NEXT_GAP.getAndAdd(this, 1);
            if (i >= recorded.count()) {
                gaps = null;   // all claimed; a racing reader that still holds the list is harmless
                return any;
            }
            any = true;
            final long ref = recorded.ref(i);
            carve(ref >>> GRANULE_BITS, (ref & GRANULE_MASK) << 3, recorded.bytes(i));
        }
        return any;
    }

    /**
     * Pushes {@code bytes} free bytes at byte {@code from} of chunk {@code chunk} onto the free lists,
     * cut into blocks of the largest classes that fit. No store-store fence as in free(): no slot
     * references these bytes (a recovered gap, or the rest of a block just split).
     */
    private void carve(final long chunk, final long from, final long bytes) {
        long at = from;
        long left = bytes;
        // A block must start where a reference can name it; past that (only the tail of a large
        // chunk) the bytes stay unused until the table is retired.
        while (left >= EntryDescriptor.HEADER_BYTES && at < CHUNK_BYTES) {
            int c = left >= MAX_CHUNK_BYTES ? CLASSES - 1 : classOf(left);
            if (classBytes(c) > left) {
                c--;   // classOf rounds up; the block must fit
            }
            final long size = classBytes(c);
            push(chunk << GRANULE_BITS | at >>> 3, c);
            at += size;
            left -= size;
        }
    }

    /**
     * Returns the block size a record of {@code recordBytes} was allocated with.
     *
     * @param recordBytes a record's size
     * @return its block's size
     */
    static long blockBytes(final long recordBytes) {
        return classBytes(classOf(recordBytes));
    }

    /**
     * Reserves {@code bytes} in the budget now, for chunks this heap will need later (the
     * relocations of a migration into this table).
     *
     * @param bytes bytes to reserve, {@code >= 0}
     * @throws OutOfMemoryError if they do not fit the map's limit; nothing is reserved then
     */
    synchronized void prepay(final long bytes) {
        budget.reserve(bytes);
        prepaid += bytes;
    }

    /**
     * Gives the unused part of {@link #prepay} back to the budget (the migration is complete, or
     * the table is retired).
     *
     * @return the bytes given back
     */
    synchronized long releasePrepaid() {
        final long unused = prepaid;
        prepaid = 0;
        budget.release(unused);
        return unused;
    }

    // ------------------------------------------------------------------------------ stats

    /**
     * Returns the native bytes of all chunks (also what retirement gives back to the budget).
     *
     * @return the native bytes of all chunks
     */
    long chunkBytes() {
        return chunkBytes;
    }

    /**
     * Returns the bytes of the blocks in use (class sizes; header and padding included).
     *
     * @return the bytes of the blocks in use
     */
    long liveBytes() {
        return liveBytes.sum();
    }
}
