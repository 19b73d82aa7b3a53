package dev.linemap.bench.jmh;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A map filled with {@code size} random keys (value of key i = i + 1), grown from empty the way a user who
 * does not pre-size it would get it, plus the keys in a shuffled lookup order and as many absent keys.
 */
@State(Scope.Benchmark)
public class FilledMap {
    /** Which map ({@link MapKind} id). */
    @Param({"linemap", "chm", "nbhml", "chronicle", "agrona", "fastutil"})
    public String impl;

    /** Entries: 1K fits in L1/L2, 100K (~3 MB) in the LLC, 16M is far beyond a 32 MB LLC. */
    @Param({"1000", "100000", "16777216"})
    public int size;

    /** The map. */
    public BenchMap map;
    /** Stored keys in random lookup order. */
    public long[] hits;
    /** Keys that are not stored (only for {@code getMiss}). */
    public long[] misses;

    /** Created by JMH, one per benchmark, shared by its threads. */
    public FilledMap() {
    }

    /**
     * Fills the map.
     *
     * @param params to refuse running a single-threaded map with several threads
     */
    @Setup(Level.Trial)
    public void fill(BenchmarkParams params) {
        MapKind kind = MapKind.of(impl);
        if (params.getThreads() > 1 && !kind.concurrent()) {
            throw new IllegalArgumentException(impl + " is not thread-safe; run it with one thread");
        }
        long t0 = System.nanoTime();
        long[] keys = Keys.random(size, Keys.KEY_SEED);
        map = kind.create(size);
        for (int i = 0; i < size; i++) {
            map.put(keys[i], Keys.valueFor(i));
        }
        hits = Keys.shuffled(keys, Keys.ORDER_SEED);
        // Only getMiss reads absent keys: at 16M entries the array costs 128 MB and setup time.
        misses = params.getBenchmark().endsWith("getMiss") ? Keys.random(size, Keys.MISS_SEED) : null;
        if (map.size() != size) {
            throw new IllegalStateException(impl + ": size " + map.size() + " after inserting " + size + " keys");
        }
        keys = null;
        // The fill's garbage (resized tables, boxes) must not be collected inside a measurement iteration.
        System.gc();
        System.out.printf("%n[setup] %s size=%d filled in %d ms%n", impl, size, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Frees the map. */
    @TearDown(Level.Trial)
    public void close() {
        map.close();
    }
}
