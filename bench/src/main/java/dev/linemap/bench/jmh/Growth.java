package dev.linemap.bench.jmh;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Insert {@code size} random keys into an empty map, growth included, as one single-shot measurement
 * (milliseconds per whole fill; the report divides by {@code size}). Chronicle Map is created for
 * {@code size} entries, as it must be.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(1)
@State(Scope.Thread)
public class Growth {
    /** Which map. */
    @Param({"linemap", "chm", "nbhml", "chronicle", "agrona", "fastutil"})
    public String impl;

    /** Entries inserted per fill. */
    @Param({"16777216"})
    public int size;

    private long[] keys;
    private BenchMap map;

    /** Created by JMH, one per benchmark thread. */
    public Growth() {
    }

    /** Generates the keys once. */
    @Setup(Level.Trial)
    public void keys() {
        keys = Keys.random(size, Keys.KEY_SEED);
    }

    /** A fresh empty map per fill. */
    @Setup(Level.Iteration)
    public void create() {
        map = MapKind.of(impl).create(size);
    }

    /** Frees the filled map and checks it holds what was inserted. */
    @TearDown(Level.Iteration)
    public void close() {
        long n = map.size();
        map.close();
        map = null;
        if (n != size) {
            throw new IllegalStateException(impl + ": size " + n + " after inserting " + size + " keys");
        }
    }

    /**
     * The fill.
     *
     * @return the map size (consumed by JMH)
     */
    @Benchmark
    public long fill() {
        final BenchMap m = map;
        final long[] k = keys;
        for (int i = 0; i < k.length; i++) {
            m.put(k[i], Keys.valueFor(i));
        }
        return m.size();
    }
}
