package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

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

    /** The memory of one table: allocated piece by piece, released as a whole. */
    interface Region {

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
