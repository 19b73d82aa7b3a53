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
    public static final long MAX_INITIAL_CAPACITY = TableGeometry.maxCapacity(TableGeometry.DEFAULT_LOAD_PERMILLE);

    final Codec<K> keyCodec;
    final Codec<V> valueCodec;
    long initialCapacity;
    long seed;
    boolean seedSet;
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
     * Builds the map and allocates its first table.
     *
     * @return the map
     * @throws OutOfMemoryError if the first table does not fit
     */
    public LineMap<K, V> build() {
        return new LineMap<>(this);
    }
}
