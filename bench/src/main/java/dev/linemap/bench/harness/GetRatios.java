package dev.linemap.bench.harness;

import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.bench.Keys;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import org.agrona.collections.Long2LongHashMap;
import org.jctools.maps.NonBlockingHashMapLong;

/**
 * The read targets of the fast-path issue, as ratios measured in one JVM: random get hits on
 * linemap with and without huge pages, batched gets ({@code getAll}), Agrona's
 * {@code Long2LongHashMap} and JCTools' {@code NonBlockingHashMapLong}. Each pass is short and the
 * maps take turns, many times over, so a noisy neighbour on a shared VM slows all of them alike;
 * the ratios are of medians over the passes.
 */
public final class GetRatios {
    private static final int BATCH = 16;

    /** Keeps the timed sums alive, so the JIT cannot drop the gets. */
    private static volatile long blackhole;

    private GetRatios() {
    }

    /**
     * Fills the maps with {@code n} random keys and prints the median ns per get of each, and the
     * ratios the targets are stated in.
     *
     * @param n entries
     * @param ops gets per timed pass
     * @param rounds passes per map
     * @param load linemap's load factor (entries per bucket at which a table grows)
     */
    public static void run(final int n, final long ops, final int rounds, final double load) {
        final long[] keys = Keys.random(n, Keys.KEY_SEED);
        try (LongLongMap huge = filled(keys, true, load); LongLongMap small = filled(keys, false, load)) {
            final Long2LongHashMap agrona = new Long2LongHashMap(0L);
            final NonBlockingHashMapLong<Long> nbhml = new NonBlockingHashMapLong<>();
            for (int i = 0; i < n; i++) {
                agrona.put(keys[i], i + 1);
                nbhml.put(keys[i], Long.valueOf(i + 1));
            }
            final long[] order = Keys.shuffled(keys, Keys.ORDER_SEED);
            final String[] names = {"linemap (huge pages)", "linemap (4 KiB pages)", "getAll (huge pages)",
                "Agrona", "NBHML"};
            final double[][] ns = new double[names.length][rounds];
            final long[] scratchKeys = new long[BATCH];
            final long[] scratchValues = new long[BATCH];
            long sink = 0;
            // Warm-up: every loop compiled by C2 before anything is timed.
            for (int r = 0; r < 5; r++) {
                sink += GetLoops.gets(huge, order, ops) + GetLoops.gets(small, order, ops)
                        + GetLoops.gets(agrona, order, ops) + GetLoops.gets(nbhml, order, ops)
                        + batches(huge, order, ops, scratchKeys, scratchValues);
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                sink += GetLoops.gets(huge, order, ops);
                long t1 = System.nanoTime();
                sink += GetLoops.gets(small, order, ops);
                long t2 = System.nanoTime();
                sink += batches(huge, order, ops, scratchKeys, scratchValues);
                long t3 = System.nanoTime();
                sink += GetLoops.gets(agrona, order, ops);
                long t4 = System.nanoTime();
                sink += GetLoops.gets(nbhml, order, ops);
                long t5 = System.nanoTime();
                ns[0][r] = (t1 - t0) / (double) ops;
                ns[1][r] = (t2 - t1) / (double) ops;
                ns[2][r] = (t3 - t2) / (double) ops;
                ns[3][r] = (t4 - t3) / (double) ops;
                ns[4][r] = (t5 - t4) / (double) ops;
            }
            blackhole = sink;
            final double[] median = new double[names.length];
            final MapStats stats = huge.stats();
            System.out.printf("get-ratios n=%d, load factor %.2f (%d buckets, %d overflow lines, %.1f bytes per entry),"
                    + " %d gets per pass, %d passes each; ns per get, median [min]%n", n, load, stats.bucketCount(),
                    stats.overflowLineCount(), stats.offHeapBytes() / (double) n, ops, rounds);
            for (int i = 0; i < names.length; i++) {
                median[i] = Medians.of(ns[i]);
                System.out.printf("  %-22s %7.2f [%6.2f]%n", names[i], median[i], Arrays.stream(ns[i]).min()
                        .orElseThrow());
            }
            System.out.printf("  get ÷ Agrona: %.2fx (huge pages), %.2fx (4 KiB pages); get ÷ NBHML: %.2fx;"
                    + " getAll per key ÷ Agrona's get: %.2fx%n", median[3] / median[0], median[3] / median[1],
                    median[4] / median[0], median[3] / median[2]);
        }
    }

    private static LongLongMap filled(final long[] keys, final boolean hugePages, final double load) {
        final LongLongMap map = LongLongMap.builder().hugePages(hugePages).loadFactor(load).build();
        for (int i = 0; i < keys.length; i++) {
            map.put(keys[i], i + 1);
        }
        MapStats stats = map.stats();
        for (final long deadline = System.nanoTime() + 30_000_000_000L; stats.growing(); stats = map.stats()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a migration is still running 30 s after the fill: " + stats);
            }
            LockSupport.parkNanos(1_000_000);
        }
        return map;
    }

    private static long batches(final LongLongMap map, final long[] order, final long ops, final long[] k,
                                final long[] v) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i += BATCH) {
            if (j + BATCH > order.length) {
                j = 0;
            }
            System.arraycopy(order, j, k, 0, BATCH);
            j += BATCH;
            map.getAll(k, v);
            sum += v[BATCH - 1];
        }
        return sum;
    }
}
