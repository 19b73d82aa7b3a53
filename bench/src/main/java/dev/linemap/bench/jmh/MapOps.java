package dev.linemap.bench.jmh;

import dev.linemap.bench.maps.BenchMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-key operations on a filled map, one thread: get hit, get miss, put updating an existing key,
 * addAndGet on an existing counter, and remove + re-insert churn (one op = the pair).
 * Throughput in operations per microsecond; run with {@code -prof gc} for bytes per operation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class MapOps {

    /** Created by JMH. */
    public MapOps() {
    }

    /**
     * Random get of a stored key.
     *
     * @param s the map
     * @param c the cursor
     * @return the value (consumed by JMH)
     */
    @Benchmark
    public long getHit(FilledMap s, Cursor c) {
        return s.map.get(s.hits[c.next(s.size)]);
    }

    /** Keys per batched get. */
    public static final int BATCH = 16;

    /** The scratch arrays of a batched get, per thread. */
    @State(Scope.Thread)
    public static class Batch {
        /** Creates the arrays. */
        public Batch() {
        }

        final long[] keys = new long[BATCH];
        final long[] values = new long[BATCH];
    }

    /**
     * Get hits in batches of {@value #BATCH} random keys: linemap's {@code getAll}, a loop of
     * {@code get} for the peers. Scored per key.
     *
     * @param s the map
     * @param c the cursor
     * @param b the scratch arrays
     * @return the last value (consumed by JMH)
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long getHitBatch(FilledMap s, Cursor c, Batch b) {
        System.arraycopy(s.hits, c.next(s.size / BATCH) * BATCH, b.keys, 0, BATCH);
        s.map.getAll(b.keys, b.values);
        return b.values[BATCH - 1];
    }

    /**
     * Random get of a key that is not stored.
     *
     * @param s the map
     * @param c the cursor
     * @return 0 (consumed by JMH)
     */
    @Benchmark
    public long getMiss(FilledMap s, Cursor c) {
        return s.map.get(s.misses[c.next(s.size)]);
    }

    /**
     * Put of a new value under a stored key (no insert, no growth).
     *
     * @param s the map
     * @param c the cursor
     * @return the previous value
     */
    @Benchmark
    public long put(FilledMap s, Cursor c) {
        return s.map.put(s.hits[c.next(s.size)], c.tick());
    }

    /**
     * Counter increment of a stored key.
     *
     * @param s the map
     * @param c the cursor
     * @return the new value
     */
    @Benchmark
    public long addAndGet(FilledMap s, Cursor c) {
        return s.map.addAndGet(s.hits[c.next(s.size)], 1);
    }

    /**
     * Remove a stored key and put it back: exercises slot reuse (and tombstones in open addressing).
     *
     * @param s the map
     * @param c the cursor
     * @return the value put back
     */
    @Benchmark
    public long removeReinsert(FilledMap s, Cursor c) {
        BenchMap m = s.map;
        long k = s.hits[c.next(s.size)];
        long v = m.remove(k);
        m.put(k, v);
        return v;
    }
}
