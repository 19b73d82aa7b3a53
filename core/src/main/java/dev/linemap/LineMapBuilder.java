package dev.linemap;

import dev.linemap.layout.TableGeometry;

import java.util.Objects;

/**
 * Configures a {@link LineMap}. Every argument is validated when it is set, with the offending
 * value in the message.
 *
 * <p>Not thread-safe; build the map in one thread, then share it.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class LineMapBuilder<K, V> {

    /** The largest initial capacity accepted. */
    public static final long MAX_INITIAL_CAPACITY = TableGeometry.maxCapacity(TableGeometry.DENSE_LOAD_PERMILLE);

    final Codec<K> keyCodec;
    final Codec<V> valueCodec;
    long initialCapacity;
    long seed;
    boolean seedSet;
    java.nio.file.Path file;
    boolean backgroundMigration = true;
    long maxOffHeapBytes = Long.MAX_VALUE;
    MigrationListener migrationListener;

    LineMapBuilder(final Codec<K> keyCodec, final Codec<V> valueCodec) {
        this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
        this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
    }

    /**
     * Sets the number of entries expected: the first table is sized for it. A hint, never a limit.
     *
     * @param expectedEntries expected entries, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException if negative or above {@link #MAX_INITIAL_CAPACITY}
     */
    public LineMapBuilder<K, V> initialCapacity(final long expectedEntries) {
        if (expectedEntries < 0) {
            throw new IllegalArgumentException("initialCapacity=" + expectedEntries + " must be >= 0");
        }
        if (expectedEntries > MAX_INITIAL_CAPACITY) {
            throw new IllegalArgumentException("initialCapacity=" + expectedEntries
                    + " exceeds maximum " + MAX_INITIAL_CAPACITY);
        }
        this.initialCapacity = expectedEntries;
        return this;
    }

    /**
     * Fixes the hash seed (reproducible layouts for tests and teaching). By default each map draws
     * a random seed, which keeps crafted colliding keys no worse than random ones: do not fix it
     * for untrusted keys.
     *
     * @param seed the seed
     * @return this builder
     */
    public LineMapBuilder<K, V> seed(final long seed) {
        this.seed = seed;
        this.seedSet = true;
        return this;
    }

    /**
     * Limits the native memory the map may hold (buckets, overflow areas, entry memory). A write
     * that needs more fails with {@link OutOfMemoryError} and changes nothing.
     *
     * @param bytes the limit, {@code > 0}
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public LineMapBuilder<K, V> maxOffHeapBytes(final long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxOffHeapBytes=" + bytes + " must be > 0");
        }
        this.maxOffHeapBytes = bytes;
        return this;
    }

    /**
     * Whether a helper thread finishes migrations that writers start (default {@code true}). With
     * {@code false}, writers alone move a migration forward (deterministic for tests).
     *
     * @param enabled whether to use a helper thread
     * @return this builder
     */
    public LineMapBuilder<K, V> backgroundMigration(final boolean enabled) {
        this.backgroundMigration = enabled;
        return this;
    }

    /**
     * Sets an observer of migrations (called in the thread that starts or completes one).
     *
     * @param listener the observer, or {@code null} for none
     * @return this builder
     */
    public LineMapBuilder<K, V> migrationListener(final MigrationListener listener) {
        this.migrationListener = listener;
        return this;
    }

    /**
     * Keeps the map in a file: {@link #build()} creates {@code file} if it does not exist (or is
     * empty), else opens the map it holds. Tables, overflow lines and entry records live in the file, mapped
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
     * (in this or another process) gets {@link StoreFileException}. The codecs must be the ones the
     * file was created with (their ids are recorded in it).
     *
     * @param file the map file
     * @return this builder
     */
    public LineMapBuilder<K, V> persistTo(final java.nio.file.Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file=null: pass the path of the map file");
        }
        this.file = file;
        return this;
    }

    /**
     * Builds the map and allocates its first table.
     *
     * @return the map
     * @throws OutOfMemoryError if the first table does not fit
     */
    public LineMap<K, V> build() {
        return new LineMap<>(this);
    }
}
