package dev.linemap.bench.maps;

/**
 * The operations every benchmark, harness and peer shares, on primitive {@code long} keys and values.
 *
 * <p>Every adapter returns {@code 0} for "no mapping"; the benchmarks never store the value {@code 0}, so a
 * {@code 0} from {@link #get} always means a miss. Boxing peers box inside the adapter, exactly as a user of
 * those maps would, so their allocation shows up in {@code gc.alloc.rate.norm}.
 *
 * <p>Threading: an adapter is as thread-safe as the map it wraps ({@link MapKind#concurrent()}).
 */
public interface BenchMap extends AutoCloseable {

    /**
     * Looks a key up.
     *
     * @param key any key
     * @return the value, or 0 when absent
     */
    long get(long key);

    /**
     * Stores a mapping.
     *
     * @param key any key
     * @param value a non-zero value
     * @return the previous value, or 0
     */
    long put(long key, long value);

    /**
     * Adds to a counter; an absent key counts as 0.
     *
     * @param key any key
     * @param delta the increment
     * @return the new value
     */
    long addAndGet(long key, long delta);

    /**
     * Removes a mapping.
     *
     * @param key any key
     * @return the previous value, or 0
     */
    long remove(long key);

    /**
     * Number of mappings.
     *
     * @return the size
     */
    long size();

    /**
     * Native memory the map holds, for maps that report it.
     *
     * @return bytes, or -1 when the map lives on the Java heap
     */
    default long offHeapBytes() {
        return -1;
    }

    /**
     * Growths the map has completed, for maps that report it (marks growth on latency-over-time plots).
     *
     * @return the count, or -1 when the map does not report it
     */
    default long completedGrowths() {
        return -1;
    }

    /**
     * Map-specific facts for reports (linemap: its {@code stats()} record).
     *
     * @return a one-line description, empty by default
     */
    default String detail() {
        return "";
    }

    /**
     * Batched get: {@code values[i] = get(keys[i])}. Maps without a batched get loop over
     * {@link #get}, so a benchmark of it compares per-key costs fairly.
     *
     * @param keys the keys
     * @param values receives the values, at least as long as {@code keys}
     */
    default void getAll(long[] keys, long[] values) {
        for (int i = 0; i < keys.length; i++) {
            values[i] = get(keys[i]);
        }
    }

    /** Frees whatever the map holds outside the heap; a no-op for on-heap maps. */
    @Override
    default void close() {
    }
}
