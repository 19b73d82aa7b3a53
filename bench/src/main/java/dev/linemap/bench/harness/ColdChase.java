package dev.linemap.bench.harness;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Cold lookups against the physical limit. The map holds {@code n} keys whose values form one random
 * cycle (the value of a key is the next key), so {@code k = map.get(k)} is a chain of dependent lookups:
 * the CPU cannot start a lookup before the previous one finished, and with a table far larger than the
 * LLC every lookup pays its full memory latency.
 *
 * <p>Beside it, in the same JVM, a plain pointer chase over native memory of {@code chaseBytes} bytes, one
 * node per 64-byte line in one random cycle: each step is exactly one dependent cache miss (DRAM plus TLB,
 * with the same 4 KiB pages the map uses). The ratio lookup / chase says how many DRAM misses one lookup
 * costs.
 */
public final class ColdChase {
    private static final int LINE = 64;
    private static final int REPEATS = 3;

    private ColdChase() {
    }

    /**
     * One measurement.
     *
     * @param impl map id
     * @param label map name
     * @param n entries in the map
     * @param steps dependent lookups per repeat
     * @param lookupNs median ns per dependent lookup
     * @param chaseBytes size of the pointer-chase region
     * @param chaseNs median ns per pointer-chase step
     * @param ratio lookupNs / chaseNs
     */
    public record Result(String impl, String label, long n, long steps, double lookupNs, long chaseBytes,
                         double chaseNs, double ratio) {
    }

    /**
     * Builds the map, chases it, then chases plain memory.
     *
     * @param kind the map
     * @param n entries
     * @param steps dependent steps per repeat
     * @param chaseBytes pointer-chase region size (the report uses n × 32, linemap's table size)
     * @return the measurement
     */
    public static Result run(MapKind kind, int n, long steps, long chaseBytes) {
        long[] keys = Keys.random(n, Keys.KEY_SEED);
        int[] next = cycle(n, Keys.ORDER_SEED);
        double lookupNs;
        try (BenchMap map = kind.create(n)) {
            for (int i = 0; i < n; i++) {
                map.put(keys[i], keys[next[i]]);
            }
            long start = keys[0];
            next = null;
            keys = null;
            chaseMap(map, start, Math.min(steps, 1_000_000));
            double[] t = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                t[r] = chaseMap(map, start, steps);
            }
            lookupNs = Medians.of(t);
        }
        double chaseNs;
        long lines = Math.max(2, chaseBytes / LINE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(lines * LINE, LINE);
            int[] order = cycle((int) lines, Keys.MISS_SEED);
            for (int i = 0; i < lines; i++) {
                seg.set(ValueLayout.JAVA_LONG, (long) i * LINE, order[i]);
            }
            order = null;
            chaseMemory(seg, Math.min(steps, 1_000_000));
            double[] t = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                t[r] = chaseMemory(seg, steps);
            }
            chaseNs = Medians.of(t);
        }
        return new Result(kind.id(), kind.label(), n, steps, lookupNs, lines * LINE, chaseNs, lookupNs / chaseNs);
    }

    /** ns per dependent lookup; fails if the chain breaks (a lost key). */
    private static double chaseMap(BenchMap map, long start, long steps) {
        long k = start;
        long t0 = System.nanoTime();
        for (long s = 0; s < steps; s++) {
            k = map.get(k);
        }
        long t1 = System.nanoTime();
        if (k == 0) {
            throw new IllegalStateException("dependent chain broke: a key in the cycle was not found");
        }
        return (double) (t1 - t0) / steps;
    }

    /** ns per pointer-chase step. */
    private static double chaseMemory(MemorySegment seg, long steps) {
        long idx = 0;
        long t0 = System.nanoTime();
        for (long s = 0; s < steps; s++) {
            idx = seg.get(ValueLayout.JAVA_LONG, idx * LINE);
        }
        long t1 = System.nanoTime();
        if (idx < 0) {
            throw new IllegalStateException("unreachable: " + idx);
        }
        return (double) (t1 - t0) / steps;
    }

    /** Sattolo's algorithm: a random permutation that is one single cycle through all n elements. */
    static int[] cycle(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

}
