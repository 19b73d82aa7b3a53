package dev.linemap.engine;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Where a table's memory comes from and how it goes back: the one place to change for another
 * kind of memory (a mapped file, mappings that are unmapped on release). The engine never
 * allocates native memory itself; it asks a {@link Region} per table and releases the region when
 * the table is retired.
 *
 * <p>Every segment a region hands out must be line-aligned (64 bytes), a whole number of lines,
 * zeroed, and accessible from any thread until {@link Region#release()}. After the release, an
 * access through any of its segments must fail with {@link IllegalStateException}, never crash
 * (the engine's reclamation relies on it; see {@link Table#retire()}).
 */
public interface MemorySource {

    /**
     * Returns a new region for one table.
     *
     * @return a new region for one table
     */
    Region newRegion();

    /** What a piece of a table's memory holds: a map file records it, to find the piece again. */
    enum Use {
        /** Bucket lines; the index is the first bucket. */
        BUCKETS,
        /** An overflow chunk; the index is the chunk number. */
        OVERFLOW,
        /** An entry chunk; the index is the chunk number. */
        ENTRIES
    }

    /**
     * A piece a reopened region already holds.
     *
     * @param use what it holds
     * @param index which piece
     * @param segment its lines
     */
    record Piece(Use use, long index, MemorySegment segment) {
    }

    /** The memory of one table: allocated piece by piece, released as a whole. */
    interface Region {

        /**
         * Returns a zeroed, 64-byte-aligned segment of that many lines for the piece named by
         * {@code use} and {@code index}. Anonymous memory ignores the name; a file records it.
         *
         * @param use what the piece holds
         * @param index which piece
         * @param lines number of 64-byte lines
         * @return a zeroed, 64-byte-aligned segment of that many lines
         * @throws OutOfMemoryError if the memory cannot be had
         */
        default MemorySegment allocateLines(final Use use, final long index, final long lines) {
            return allocateLines(lines);
        }

        /**
         * Returns whether the region's memory outlives the process (a map file): then the table
         * keeps its bucket array in one piece and takes overflow chunks one by one, never a
         * {@link #reserveLines reservation}, and what it holds is found again by {@link #pieces()}.
         *
         * @return whether the region's memory outlives the process
         */
        default boolean persistent() {
            return false;
        }

        /**
         * Returns the pieces a reopened region holds (empty for a new one).
         *
         * @return the pieces a reopened region holds
         */
        default List<Piece> pieces() {
            return List.of();
        }

        /**
         * The map is closed: gives up the region's mappings like {@link #release()}, but a file
         * keeps its contents (the table is still the map's). Anonymous memory: the same as
         * {@link #release()}.
         */
        default void detach() {
            release();
        }

        /** Forces the region's pages to storage (a file); nothing for anonymous memory. */
        default void sync() {
        }

        /**
         * Returns a zeroed, 64-byte-aligned segment of that many lines.
         *
         * @param lines number of 64-byte lines
         * @return a zeroed, 64-byte-aligned segment of that many lines
         * @throws OutOfMemoryError if the memory cannot be had
         */
        MemorySegment allocateLines(long lines);

        /**
         * Returns address space for that many lines, to be used piece by piece: like
         * {@link #allocateLines}, except that a source that pre-faults its memory does not pre-fault
         * this; the user calls {@link #commit} on each piece it starts to use.
         *
         * @param lines number of 64-byte lines
         * @return a zeroed, 64-byte-aligned segment of that many lines
         * @throws OutOfMemoryError if the address space cannot be had
         */
        default MemorySegment reserveLines(final long lines) {
            return allocateLines(lines);
        }

        /**
         * A piece of a {@link #reserveLines reservation} comes into use: a source that pre-faults
         * its memory faults it in now.
         *
         * @param address the piece's address
         * @param bytes its length
         */
        default void commit(final long address, final long bytes) {
        }

        /**
         * Gives the region's memory back, at the table's retirement. Called once. Checked mode:
         * closes the arena (a later access through its segments throws). Fast mode: decommits the
         * pages (a later access reads zeros); the address range itself goes at {@link #unmapper()}.
         */
        void release();

        /**
         * Returns what unmaps the region once its table is unreachable (run by a {@code Cleaner};
         * it must not reference the table), or {@code null} if {@link #release()} frees it all.
         *
         * @return the deferred unmap, or {@code null}
         */
        default Runnable unmapper() {
            return null;
        }
    }

    /**
     * Returns anonymous native memory: {@code mmap} in fast mode, one shared arena per table in
     * checked mode ({@link AccessMode}).
     *
     * @param hugePages fast mode: ask for transparent huge pages on each mapping of 2 MiB or more
     *        ({@code madvise(MADV_HUGEPAGE)}; the kernel may still decline). Ignored in checked mode
     * @param preTouch fast mode: commit every page of a mapping when it is made
     *        ({@code madvise(MADV_POPULATE_WRITE)}), so no access pays a page fault later. Checked
     *        mode always touches its pages (the arena zeroes them)
     * @return the memory source of this JVM's access mode
     */
    static MemorySource anonymous(final boolean hugePages, final boolean preTouch) {
        return AccessMode.FAST ? new MmapSource(hugePages, preTouch) : SharedArenaRegion::new;
    }
}
