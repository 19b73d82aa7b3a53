package dev.linemap.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 90% get / 10% put (of stored keys) with one and with two threads, concurrent maps only. Every tenth
 * operation of a thread is a put, so the mix is exact, not sampled. Score = total operations per
 * microsecond over all threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Mixed {

    /** Created by JMH. */
    public Mixed() {
    }

    private static long step(FilledMap s, Cursor c) {
        long k = s.hits[c.next(s.size)];
        long t = c.tick();
        return t % 10 == 0 ? s.map.put(k, t) : s.map.get(k);
    }

    /**
     * One thread.
     *
     * @param s the map
     * @param c the cursor
     * @return the value read or replaced
     */
    @Benchmark
    @Threads(1)
    public long mixed1(FilledMap s, Cursor c) {
        return step(s, c);
    }

    /**
     * Two threads on the same map.
     *
     * @param s the map
     * @param c the cursor
     * @return the value read or replaced
     */
    @Benchmark
    @Threads(2)
    public long mixed2(FilledMap s, Cursor c) {
        return step(s, c);
    }
}
