package dev.linemap;

import dev.linemap.engine.Engine;
import dev.linemap.engine.EngineConfig;
import dev.linemap.engine.EngineStats;
import dev.linemap.engine.Generation;
import dev.linemap.engine.IterationCursor;
import dev.linemap.engine.LongLongFormat;
import dev.linemap.engine.LongLongStore;
import dev.linemap.engine.MemorySource;

import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongBinaryOperator;

/**
 * An off-heap, concurrent {@code long -> long} hash map. Entries live in native memory in 64-byte,
 * cache-line-aligned buckets; a lookup usually touches one cache line. The table grows and shrinks
 * incrementally: no operation ever waits for a whole-table rehash.
 *
 * <pre>{@code
 * try (LongLongMap map = LongLongMap.builder().initialCapacity(1_000_000).build()) {
 *     map.put(42L, 7L);
 *     long v = map.get(42L);              // 7
 *     map.addAndGet(42L, 1L);             // 8
 *     map.forEach((k, value) -> System.out.println(k + "=" + value));
 * }
 * }</pre>
 *
 * <h2>Threading contract</h2>
 * Every method may be called by any thread at any time, concurrently. Reads ({@code get},
 * {@code containsKey}, {@code getOrDefault}) are lock-free and never write shared memory. Writes
 * lock only the key's home bucket. Every single-key operation is linearizable; {@code merge},
 * {@code addAndGet}, {@code putIfAbsent}, {@code replace} and the two-argument {@code remove} are
 * atomic. {@link #size()} is exact when no write is in flight. {@link #forEach} and the iterators of
 * {@link #asConcurrentMap()} are weakly consistent: every key present for the whole iteration is
 * seen exactly once, even across growths; no key is seen twice; a key removed before the iteration
 * reaches it is not seen. {@link #clear()} is not atomic with respect to concurrent writes.
 * {@link #close()} frees all native memory; after it every method throws
 * {@link IllegalStateException} (a call racing the close either completes or throws it; it never
 * touches freed memory).
 *
 * <p>The primitive methods allocate nothing on the Java heap.
 */
// "exports": the superclass lives in the engine package, which is not exported. Users cannot name it
// and see none of its members (nothing in it is public, and this class is final).
@SuppressWarnings("exports")
public final class LongLongMap extends Engine implements AutoCloseable {

    /*
     * A thin API over the engine (package dev.linemap.engine; its Engine class has the Overview of
     * the whole design): LongLongStore runs every operation, Engine owns generations, migration,
     * lifecycle and counting, IterationCursor the iteration. This class validates arguments and
     * documents the contract; ConcurrentMapView is the boxed view. It extends Engine so that the
     * map object is the engine (one load to the current generation on every operation; see
     * Engine's class comment); Engine exposes nothing public.
     */

    /** What the primitive methods return for "no mapping"; package-private for the boxed view. */
    final long missingValue;

    LongLongMap(final LongLongMapBuilder builder) {
        super(new EngineConfig("LongLongMap", LongLongFormat.FORMAT,
                MemorySource.anonymous(builder.hugePages, builder.preTouch),
                builder.initialCapacity, builder.loadPermille, builder.seedSet ? builder.seed : null,
                builder.backgroundMigration, builder.maxOffHeapBytes, builder.migrationListener,
                builder.file, "", ""));
        this.missingValue = builder.missingValue;
    }

    /**
     * Returns a builder with the defaults: initial capacity 0, missing value 0, random seed.
     *
     * @return a builder with the defaults: initial capacity 0, missing value 0, random seed
     */
    public static LongLongMapBuilder builder() {
        return new LongLongMapBuilder();
    }

    // ================================================================================ reading

    /**
     * Returns the value of {@code key}, or {@link #missingValue()} if it is not mapped.
     *
     * @param key any key
     * @return its value, or {@link #missingValue()} if it is not mapped
     */
    public long get(final long key) {
        return getOrDefault(key, missingValue);
    }

    /**
     * Returns the value of {@code key}, or {@code defaultValue} if it is not mapped.
     *
     * @param key any key
     * @param defaultValue what to return if the key is not mapped
     * @return its value, or {@code defaultValue}
     */
    public long getOrDefault(final long key, final long defaultValue) {
        return LongLongStore.getOrDefault(this, key, defaultValue);
    }

    /**
     * Batched get: {@code values[i]} becomes {@code get(keys[i])} for every {@code i} of
     * {@code keys}. Each key is read linearizably on its own (the batch as a whole is not a
     * snapshot). Faster per key than single gets on a large map: the home lines of a group of keys
     * are loaded together, so their cache misses overlap. Allocates nothing.
     *
     * @param keys the keys
     * @param values receives the values, or {@link #missingValue()} for absent keys; at least
     *        {@code keys.length} long (the rest is untouched)
     * @throws IllegalArgumentException if {@code values} is shorter than {@code keys}
     */
    public void getAll(final long[] keys, final long[] values) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        if (values.length < keys.length) {
            throw new IllegalArgumentException("values.length=" + values.length + " is shorter than keys.length="
                    + keys.length);
        }
        checkOpen();
        LongLongStore.getAll(this, keys, values, missingValue);
    }

    /**
     * Returns whether {@code key} is mapped (tells a stored {@link #missingValue()} from an absent key).
     *
     * @param key any key
     * @return whether it is mapped (tells a stored {@link #missingValue()} from an absent key)
     */
    public boolean containsKey(final long key) {
        return LongLongStore.read(this, key, 0, LongLongStore.MODE_PRESENCE, null) != 0;
    }

    /** Boxed-view read: presence and value from one linearizable read. */
    boolean readEntry(final long key, final long[] value) {
        return LongLongStore.read(this, key, 0, LongLongStore.MODE_ENTRY, value) != 0;
    }

    // ================================================================================ writing

    /**
     * Returns the previous value, or {@link #missingValue()} if there was none.
     *
     * @param key any key
     * @param value any value
     * @return the previous value, or {@link #missingValue()} if there was none
     */
    public long put(final long key, final long value) {
        return LongLongStore.update(this, missingValue, LongLongStore.PUT, key, value, 0, null, null, null);
    }

    /**
     * Returns the existing value (and nothing is stored), or {@link #missingValue()} if the key was
     * absent and is now mapped to {@code value}.
     *
     * @param key any key
     * @param value any value
     * @return the existing value (and nothing is stored), or {@link #missingValue()} if the key was
     *         absent and is now mapped to {@code value}
     */
    public long putIfAbsent(final long key, final long value) {
        return LongLongStore.update(this, missingValue, LongLongStore.PUT_IF_ABSENT, key, value, 0, null, null, null);
    }

    /**
     * Returns the removed value, or {@link #missingValue()} if there was none.
     *
     * @param key any key
     * @return the removed value, or {@link #missingValue()} if there was none
     */
    public long remove(final long key) {
        return LongLongStore.update(this, missingValue, LongLongStore.REMOVE, key, 0, 0, null, null, null);
    }

    /**
     * Returns whether the key was mapped to {@code expectedValue} and is now removed.
     *
     * @param key any key
     * @param expectedValue the value the key must have
     * @return whether the key was mapped to {@code expectedValue} and is now removed
     */
    public boolean remove(final long key, final long expectedValue) {
        return LongLongStore.update(this, missingValue, LongLongStore.REMOVE_IF,
                key, expectedValue, 0, null, null, null) != 0;
    }

    /**
     * Returns whether the key was mapped to {@code expectedValue} and now maps to {@code newValue}.
     *
     * @param key any key
     * @param expectedValue the value the key must have
     * @param newValue the value to store
     * @return whether the key was mapped to {@code expectedValue} and now maps to {@code newValue}
     */
    public boolean replace(final long key, final long expectedValue, final long newValue) {
        return LongLongStore.update(this, missingValue, LongLongStore.REPLACE_IF,
                key, expectedValue, newValue, null, null, null) != 0;
    }

    /**
     * Replaces the value of a mapped key; does nothing for an absent key.
     *
     * @param key any key
     * @param value the new value
     * @return the previous value, or {@link #missingValue()} if the key was absent
     */
    public long replace(final long key, final long value) {
        return LongLongStore.update(this, missingValue, LongLongStore.REPLACE, key, value, 0, null, null, null);
    }

    /**
     * Atomically stores {@code value} if the key is absent, else {@code fn(oldValue, value)}. The
     * function runs under the bucket's lock: keep it short and do not touch this map from it.
     *
     * @param key any key
     * @param value the value to store or combine
     * @param fn combines the old value with {@code value}
     * @return the new value
     */
    public long merge(final long key, final long value, final LongBinaryOperator fn) {
        if (fn == null) {
            throw new NullPointerException("fn");
        }
        return LongLongStore.update(this, missingValue, LongLongStore.MERGE, key, value, 0, fn, null, null);
    }

    /**
     * Atomically adds {@code delta} to the key's value; an absent key counts as 0 (and is then
     * mapped to {@code delta}).
     *
     * @param key any key
     * @param delta the increment (wraps on overflow, like {@code long} arithmetic)
     * @return the new value
     */
    public long addAndGet(final long key, final long delta) {
        return LongLongStore.update(this, missingValue, LongLongStore.ADD, key, delta, 0, null, null, null);
    }

    // ============================================================================ whole map

    /**
     * Returns the number of entries; exact when no write is in flight.
     *
     * @return the number of entries; exact when no write is in flight
     */
    public long size() {
        return entryCount();
    }

    /**
     * Returns whether {@link #size()} is 0.
     *
     * @return whether {@link #size()} is 0
     */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Returns the value {@link #get} and the other primitive methods return for "no mapping".
     *
     * @return the value {@link #get} and the other primitive methods return for "no mapping"
     */
    public long missingValue() {
        checkOpen();
        return missingValue;
    }

    /**
     * Removes every entry: installs a fresh, small table (with a new random seed unless the seed
     * was fixed) and drops the old one bucket by bucket. Concurrent writes are not lost if they
     * land after the clear reaches their bucket. O(buckets) in the calling thread. A grow, shrink
     * or compaction in progress is abandoned, not finished, so a clear needs no memory but the small
     * table's, even on a map that has reached its {@code maxOffHeapBytes}.
     */
    public void clear() {
        clearEntries();
    }

    /**
     * Calls {@code action} for every entry, weakly consistently (see the class comment). Allocates
     * nothing after the first call on a thread. The action runs outside any lock and may use this
     * map.
     *
     * @param action called with each key and value
     */
    public void forEach(final LongLongConsumer action) {
        if (action == null) {
            throw new NullPointerException("action");
        }
        checkOpen();
        final IterationCursor cursor = IterationCursor.borrow(this);
        try {
            while (cursor.advance()) {
                action.accept(cursor.key, cursor.value);
            }
        } finally {
            cursor.giveBack();
        }
    }

    /**
     * Returns the current generation, for tests and tools inside the module.
     *
     * @return the descriptor every operation starts from
     */
    Generation currentGeneration() {
        return generation();
    }

    /**
     * Fails if the map is closed; for the inspector.
     *
     * @throws IllegalStateException if the map is closed
     */
    void ensureOpen() {
        checkOpen();
    }

    /**
     * What an engine loop does after an {@link IllegalStateException} from a table access; for the
     * inspector, whose loops read tables the way the engine's readers do.
     *
     * @param e the exception
     * @param interruptedBefore the interrupt status before the access
     * @throws IllegalStateException if the map is closed
     */
    void afterRetired(final IllegalStateException e, final boolean interruptedBefore) {
        afterRetiredTable(e, interruptedBefore);
    }

    /**
     * Returns a snapshot of shape and memory (see {@link MapStats}).
     *
     * @return a snapshot of shape and memory (see {@link MapStats})
     */
    public MapStats stats() {
        final EngineStats s = engineStats();
        return new MapStats(s.size(), s.bucketCount(), s.overflowLineCount(), s.offHeapBytes(), s.migrating(),
                s.evacuatedBuckets(), s.oldBucketCount(), s.completedMigrations());
    }

    /**
     * A boxed {@link ConcurrentMap} view backed by this map: the full contract, including views,
     * iterators with {@code remove}, {@code equals} and {@code hashCode}. Null keys and values are
     * rejected. Allocates per call (boxes); use the primitive methods on hot paths.
     *
     * @return the view
     */
    public ConcurrentMap<Long, Long> asConcurrentMap() {
        checkOpen();
        return new ConcurrentMapView(this);
    }

    /**
     * Frees all native memory. Idempotent. Afterwards every method throws
     * {@link IllegalStateException}. A map kept in a file that has a sync image (a {@link #sync()}
     * made one, now or in an earlier process) is synced first.
     */
    @Override
    public void close() {
        closeEngine();
    }

    /**
     * Makes what the map holds survive a power loss, for a map kept in a file ({@code persistTo}):
     * when it returns, every operation that completed before the call is on storage, and stays
     * there whatever happens to the writes after it (a process crash needs no sync: the file is
     * recovered on the next open either way). It copies the pages changed since the last sync to
     * the file's sync image: writers wait while it reads the file once (readers never wait), then
     * the copy is forced while they run. The first sync writes the whole file to the image. For a
     * map in memory it does nothing.
     *
     * <p>Do not call it from a function passed to {@code compute} or {@code merge}, nor write the
     * map from one while another thread syncs: the sync waits for the function's operation, and
     * gives up after 10 s with {@link IllegalStateException}.
     *
     * @throws IllegalStateException if the map is closed
     * @throws StoreFileException if the sync image cannot be written (the last image stays whole)
     */
    public void sync() {
        syncEngine();
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return engineClosed();
    }

    @Override
    public String toString() {
        if (engineClosed()) {
            return "LongLongMap[closed]";
        }
        final MapStats s = stats();
        return "LongLongMap[size=" + s.size() + ", buckets=" + s.bucketCount() + ", offHeapBytes="
                + s.offHeapBytes() + (s.growing() ? ", migrating" : "") + "]";
    }
}
