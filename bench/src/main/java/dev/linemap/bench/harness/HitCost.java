package dev.linemap.bench.harness;

import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.bench.Keys;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.agrona.collections.Long2LongHashMap;

/**
 * What a {@code get} hit costs depending on where the key lives: in its bucket's home line (one
 * cache line) or in the bucket's overflow chain (a second line, whose address is only known once
 * the home line has arrived). Agrona's {@code Long2LongHashMap} and {@code ConcurrentHashMap<Long,
 * Long>} are timed on all keys in the same JVM as the peers of the two get targets; one
 * pass of each map after the other, five times, so a slow phase of the machine hits all of them.
 *
 * <p>The map is filled with a fixed seed, and this harness recomputes each key's bucket with the
 * engine's hash function (MurmurHash3's finaliser of {@code key ^ seed}, see {@code
 * dev.linemap.Hashing}). The keys are only ever inserted, so the first three keys to reach a bucket
 * are its inline ones and the rest sit in its chain. That classification is checked before anything
 * is timed: the overflow lines it predicts must equal {@code stats().overflowLineCount()}, or the
 * run fails (the hash or the placement rule changed and this copy must follow).
 */
public final class HitCost {
    private static final long SEED = 42L;
    private static final int SLOTS = 3;
    private static final int REPEATS = 5;

    /** Keeps the timed sums alive, so the JIT cannot drop the gets. */
    private static volatile long blackhole;

    private HitCost() {
    }

    /**
     * One measurement; times are medians over {@link #REPEATS} passes.
     *
     * @param n entries
     * @param bucketCount buckets of the filled map
     * @param inlineKeys keys in a home line
     * @param overflowKeys keys in an overflow chain
     * @param inlineNs ns per get over inline keys only
     * @param overflowNs ns per get over overflow keys only
     * @param allNs ns per get over all keys
     * @param agronaNs ns per get over all keys, Agrona's {@code Long2LongHashMap}
     * @param chmNs ns per get over all keys, {@code ConcurrentHashMap<Long, Long>}
     */
    public record Result(long n, long bucketCount, long inlineKeys, long overflowKeys, double inlineNs,
                         double overflowNs, double allNs, double agronaNs, double chmNs) {
    }

    /**
     * Fills a map with {@code n} random keys and times gets over its inline keys, its overflow keys
     * and all keys, and over all keys in Agrona's map and in {@code ConcurrentHashMap}.
     *
     * @param n entries
     * @param ops gets per timed pass
     * @return the measurement
     */
    public static Result run(final int n, final long ops) {
        final long[] keys = Keys.random(n, Keys.KEY_SEED);
        try (LongLongMap map = LongLongMap.builder().seed(SEED).build()) {
            for (int i = 0; i < n; i++) {
                map.put(keys[i], i + 1);
            }
            // The helper thread may still be finishing the last growth; the classification needs the
            // final table.
            MapStats stats = map.stats();
            for (final long deadline = System.nanoTime() + 30_000_000_000L; stats.growing(); stats = map.stats()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a migration is still running 30 s after the fill: " + stats);
                }
                LockSupport.parkNanos(1_000_000);
            }
            final long mask = stats.bucketCount() - 1;
            final int[] perBucket = new int[Math.toIntExact(stats.bucketCount())];
            final long[] inline = new long[n];
            final long[] overflow = new long[n];
            int inlineCount = 0;
            int overflowCount = 0;
            for (final long key : keys) {
                final int bucket = (int) (hash(key) & mask);
                if (perBucket[bucket]++ < SLOTS) {
                    inline[inlineCount++] = key;
                } else {
                    overflow[overflowCount++] = key;
                }
            }
            long predictedLines = 0;
            for (final int count : perBucket) {
                predictedLines += (Math.max(0, count - SLOTS) + SLOTS - 1) / SLOTS;   // 3 entries per line
            }
            if (predictedLines != stats.overflowLineCount()) {
                throw new IllegalStateException("the bucket classification does not match the engine: predicted "
                        + predictedLines + " overflow lines, the map has " + stats.overflowLineCount());
            }
            final SplittableRandom random = new SplittableRandom(Keys.ORDER_SEED);
            final long[] inlineOrder = shuffled(Arrays.copyOf(inline, inlineCount), random);
            final long[] overflowOrder = shuffled(Arrays.copyOf(overflow, overflowCount), random);
            final long[] allOrder = shuffled(keys.clone(), random);
            final Long2LongHashMap agrona = new Long2LongHashMap(0L);
            for (int i = 0; i < n; i++) {
                agrona.put(keys[i], i + 1);
            }
            final ConcurrentHashMap<Long, Long> chm = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                chm.put(keys[i], i + 1L);
            }
            final double[] inlineNs = new double[REPEATS];
            final double[] overflowNs = new double[REPEATS];
            final double[] allNs = new double[REPEATS];
            final double[] agronaNs = new double[REPEATS];
            final double[] chmNs = new double[REPEATS];
            long sink = 0;
            for (int r = 0; r < REPEATS; r++) {
                long t0 = System.nanoTime();
                sink += GetLoops.gets(map, inlineOrder, ops);
                long t1 = System.nanoTime();
                sink += GetLoops.gets(map, overflowOrder, ops);
                long t2 = System.nanoTime();
                sink += GetLoops.gets(map, allOrder, ops);
                long t3 = System.nanoTime();
                sink += GetLoops.gets(agrona, allOrder, ops);
                long t4 = System.nanoTime();
                sink += GetLoops.gets(chm, allOrder, ops);
                long t5 = System.nanoTime();
                inlineNs[r] = (t1 - t0) / (double) ops;
                overflowNs[r] = (t2 - t1) / (double) ops;
                allNs[r] = (t3 - t2) / (double) ops;
                agronaNs[r] = (t4 - t3) / (double) ops;
                chmNs[r] = (t5 - t4) / (double) ops;
            }
            blackhole = sink;
            return new Result(n, stats.bucketCount(), inlineCount, overflowCount, Medians.of(inlineNs),
                    Medians.of(overflowNs), Medians.of(allNs), Medians.of(agronaNs), Medians.of(chmNs));
        }
    }

    /** The engine's hash: MurmurHash3's 64-bit finaliser of {@code key ^ seed}. */
    private static long hash(final long key) {
        long z = key ^ SEED;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static long[] shuffled(final long[] a, final SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

}
