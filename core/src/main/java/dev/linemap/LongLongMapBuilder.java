package dev.linemap;

import dev.linemap.layout.TableGeometry;

/**
 * Builds a {@link LongLongMap}. Every argument is validated when it is set, with the offending
 * value in the message. Not thread-safe; build on one thread, then share the map.
 */
public final class LongLongMapBuilder {

    /**
     * Largest accepted {@link #initialCapacity(long)}: what the largest table holds at the default
     * load factor (a lower {@link #loadFactor(double)} lowers it in proportion).
     */
    public static final long MAX_INITIAL_CAPACITY = TableGeometry.maxCapacity(TableGeometry.DEFAULT_LOAD_PERMILLE);

    long initialCapacity;
    int loadPermille = TableGeometry.DEFAULT_LOAD_PERMILLE;
    long missingValue;
    long seed;
    boolean seedSet;
    java.nio.file.Path file;
    boolean backgroundMigration = true;
    long maxOffHeapBytes = Long.MAX_VALUE;
    MigrationListener migrationListener;
    boolean hugePages;
    boolean preTouch;

    LongLongMapBuilder() {
    }

    /**
     * Expected number of entries: the first table is sized to hold them without growing, and the
     * map never shrinks below it. 0 is valid (one bucket); the map grows regardless.
     *
     * @param initialCapacity expected entries, {@code 0 <= initialCapacity <= MAX_INITIAL_CAPACITY}
     * @return this builder
     */
    public LongLongMapBuilder initialCapacity(final long initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity=" + initialCapacity + " must be >= 0");
        }
        if (initialCapacity > TableGeometry.maxCapacity(loadPermille)) {
            throw new IllegalArgumentException("initialCapacity=" + initialCapacity
                    + " exceeds maximum " + TableGeometry.maxCapacity(loadPermille) + " (at loadFactor "
                    + loadPermille / 1000.0 + ")");
        }
        this.initialCapacity = initialCapacity;
        return this;
    }

    /**
     * Entries per bucket at which a table grows (default 2.5; it shrinks below a quarter of it).
     * Each bucket is one 64-byte line with three inline slots; keys beyond them go to overflow
     * lines, which a get reaches with a second cache miss. A lower load factor keeps more keys in
     * their home line, at the cost of memory: at 16Mi entries, 2.5 leaves 11 % of keys chained
     * in 33 bytes per entry, 1.5 (a table twice as large) about 2 % in 64 bytes per entry
     * ({@code docs/notes/fast-path.md}). Applies to the whole life of the map.
     *
     * @param entriesPerBucket from 0.5 to 3.0, in steps of 0.001
     * @return this builder
     */
    public LongLongMapBuilder loadFactor(final double entriesPerBucket) {
        final long permille = Math.round(entriesPerBucket * 1000);
        if (!(entriesPerBucket >= TableGeometry.MIN_LOAD_PERMILLE / 1000.0
                && entriesPerBucket <= TableGeometry.MAX_LOAD_PERMILLE / 1000.0)) {
            throw new IllegalArgumentException("loadFactor=" + entriesPerBucket + " must be in ["
                    + TableGeometry.MIN_LOAD_PERMILLE / 1000.0 + ", " + TableGeometry.MAX_LOAD_PERMILLE / 1000.0
                    + "] entries per bucket");
        }
        if (initialCapacity > TableGeometry.maxCapacity((int) permille)) {
            throw new IllegalArgumentException("loadFactor=" + entriesPerBucket + " with initialCapacity="
                    + initialCapacity + " exceeds the largest table (" + TableGeometry.maxCapacity((int) permille)
                    + " entries at that load)");
        }
        this.loadPermille = (int) permille;
        return this;
    }

    /**
     * The value the primitive methods return for "no mapping". Any value; it stays storable
     * ({@link LongLongMap#containsKey} tells the two apart). Default 0, as in fastutil and Eclipse
     * Collections.
     *
     * @param missingValue the sentinel
     * @return this builder
     */
    public LongLongMapBuilder missingValue(final long missingValue) {
        this.missingValue = missingValue;
        return this;
    }

    /**
     * Fixes the hash seed, for reproducible layouts (teaching, tests). By default every map, and
     * every {@link LongLongMap#clear()}, draws a random seed: keep it that way for untrusted keys.
     *
     * @param seed any value
     * @return this builder
     */
    public LongLongMapBuilder seed(final long seed) {
        this.seed = seed;
        this.seedSet = true;
        return this;
    }

    /**
     * Whether a helper thread finishes each migration (default {@code true}). With {@code false},
     * only writes move a migration forward, so a read-only phase keeps two tables alive: meant for
     * deterministic, single-threaded tests and teaching.
     *
     * @param enabled whether to start helper threads
     * @return this builder
     */
    public LongLongMapBuilder backgroundMigration(final boolean enabled) {
        this.backgroundMigration = enabled;
        return this;
    }

    /**
     * Most native memory the map may hold. An operation that would need more fails with
     * {@link OutOfMemoryError} and changes nothing; entries already stored are kept.
     *
     * @param maxOffHeapBytes the limit in bytes, {@code > 0}
     * @return this builder
     */
    public LongLongMapBuilder maxOffHeapBytes(final long maxOffHeapBytes) {
        if (maxOffHeapBytes <= 0) {
            throw new IllegalArgumentException("maxOffHeapBytes=" + maxOffHeapBytes + " must be > 0");
        }
        this.maxOffHeapBytes = maxOffHeapBytes;
        return this;
    }

    /**
     * Observes migrations (start and completion of each grow, shrink, compaction and clear).
     *
     * @param listener the listener, or {@code null} for none
     * @return this builder
     */
    public LongLongMapBuilder migrationListener(final MigrationListener listener) {
        this.migrationListener = listener;
        return this;
    }

    /**
     * Whether table memory asks the kernel for transparent huge pages (default {@code false}). On
     * the fast access path (native access enabled for linemap) each mapping of 2 MiB or more gets
     * {@code madvise(MADV_HUGEPAGE)}. The kernel decides (Linux THP in {@code madvise} or
     * {@code always} mode; {@code never} declines). No effect on the checked path.
     *
     * <p>The trade, measured at 10-16Mi entries ({@code docs/notes/fast-path.md}): random gets on a
     * large map get 7-15 % faster (fewer TLB misses), but a put that first touches a new table's
     * 2 MiB page pays for zeroing it, and for the kernel's compaction when free huge pages are
     * short: the longest put while growing to 10Mi entries went from 8 ms to 35 ms. Off by default
     * for flat tail latency while a map grows; turn it on for read-mostly maps, ideally with
     * {@link #preTouch(boolean)} and a pre-sized {@link #initialCapacity(long)}.
     *
     * @param enabled whether to ask for huge pages
     * @return this builder
     */
    public LongLongMapBuilder hugePages(final boolean enabled) {
        this.hugePages = enabled;
        return this;
    }

    /**
     * Whether every page of a table is faulted in when the table is allocated (default
     * {@code false}), for users who cannot take a page fault on a get or put. The cost moves to
     * the allocation: the {@code put} that starts a growth (or {@link #build()}) commits the new
     * table's whole bucket array at once, and RSS is the table's full size from then on. On the
     * fast path this is {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14 or later; older kernels
     * ignore it); the checked path always touches its pages, as its arena zeroes them.
     *
     * @param enabled whether to pre-fault table memory
     * @return this builder
     */
    public LongLongMapBuilder preTouch(final boolean enabled) {
        this.preTouch = enabled;
        return this;
    }

    /**
     * Keeps the map in a file: {@link #build()} creates {@code file} if it does not exist (or is
     * empty), else opens the map it holds. Tables, overflow lines live in the file, mapped
     * shared: reads are as fast as in memory, and the file grows and shrinks with the map.
     *
     * <p><b>Crash safety.</b> If the process dies at any instant (kill -9, an uncaught error,
     * {@code Runtime.halt}), the next {@code build()} on the file recovers by itself: every
     * operation that returned before the crash is there with its latest value, no removed key comes
     * back, and an operation that was running may be there or not. A migration the crash
     * interrupted resumes where it stopped, as if it had just started ({@code build()} does not wait
     * for it).
     *
     * <p><b>Power loss.</b> A power loss, an OS crash or a reboot while the map is open takes the
     * page cache with it, and the disk holds the file's later pages in any order. So {@code sync()}
     * keeps a copy of the file as it was at that instant, beside it ({@code <file>.sync-image} and
     * {@code <file>.sync-log}), and the first {@code build()} after the machine restarted puts it
     * back: the map is then exactly what it held when the last {@code sync()} began (or the last
     * {@code close()}, which syncs a map that has a copy). Without any {@code sync()}, a file cut by
     * a power loss may open with entries missing or fail to open with {@link StoreFileException}.
     * The restart is told by Linux's boot id; elsewhere every open trusts the file as after a
     * process crash.
     *
     * <p>One process at a time: the file is locked while the map is open, and a second map on it
     * (in this or another process) gets {@link StoreFileException}. A file created with a
     * {@link #loadFactor(double) load factor} must be opened with the same one.
     *
     * @param file the map file
     * @return this builder
     */
    public LongLongMapBuilder persistTo(final java.nio.file.Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file=null: pass the path of the map file");
        }
        this.file = file;
        return this;
    }

    /**
     * Allocates the first table.
     *
     * @return a new, empty, open map
     * @throws OutOfMemoryError if the first table cannot be allocated
     */
    public LongLongMap build() {
        return new LongLongMap(this);
    }

}
