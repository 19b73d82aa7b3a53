package dev.linemap.bench.harness;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Latency of every single put while one writer grows a map from empty to {@code n} entries, with one
 * reader thread doing random gets of already-inserted keys at the same time (concurrent maps only).
 *
 * <p>Each put is timed with two {@code System.nanoTime()} calls and recorded in an HdrHistogram (3
 * significant digits). The run is cut into windows of {@code n / windows} puts; each window keeps its max
 * and p99, which is the latency-over-time series: a whole-table rehash shows up as one tall window.
 * Checkpoints keep the running max and p99.99 when the map passes given sizes (for example 10M inside a
 * 16M run: growing to 16M passes through the same states as growing to 10M). Garbage-collector pauses
 * of on-heap maps fall inside the measured puts, as they would for a user.
 *
 * <p>Before measuring, the same procedure runs once on a smaller map that is then discarded, so the
 * measured run sees compiled code. The reader checks every value it reads; a wrong or missing value is
 * counted as {@code readerErrors} (a correctness signal, not a latency).
 */
public final class GrowthLatency {
    /** Highest latency the histograms track: 10 minutes. */
    private static final long HIGHEST_NS = 600_000_000_000L;
    /** The writer publishes its progress to the reader every this many puts. */
    private static final int PUBLISH_EVERY = 256;

    private GrowthLatency() {
    }

    /**
     * One window of the latency-over-time series.
     *
     * @param ops puts done at the end of the window
     * @param elapsedMs time since the first put
     * @param maxNs longest put in the window
     * @param p99Ns 99th percentile in the window
     * @param growths growths the map has completed by the end of the window (-1: not reported)
     */
    public record Window(long ops, double elapsedMs, long maxNs, long p99Ns, long growths) {
    }

    /**
     * Writer latency so far when the map passed a given size.
     *
     * @param ops puts done
     * @param maxNs longest put so far
     * @param p9999Ns 99.99th percentile so far
     */
    public record Checkpoint(long ops, long maxNs, long p9999Ns) {
    }

    /**
     * Everything one run measured.
     *
     * @param impl map id
     * @param label map name
     * @param n entries inserted
     * @param withReader whether a reader thread ran
     * @param totalMs time of the whole fill
     * @param writer put latencies
     * @param reader get latencies of the reader thread (null without reader)
     * @param readerErrors reads that returned a wrong value for a key known to be inserted
     * @param gcCount garbage collections during the run
     * @param gcMs total collection time reported by the collectors
     * @param windows the latency-over-time series
     * @param checkpoints running writer stats at given sizes
     */
    public record Result(String impl, String label, long n, boolean withReader, double totalMs,
                         LatencyStats writer, LatencyStats reader, long readerErrors, long gcCount, long gcMs,
                         List<Window> windows, List<Checkpoint> checkpoints) {
    }

    /**
     * Runs warm-up, then the measured growth.
     *
     * @param kind the map
     * @param n entries to insert
     * @param windowCount windows in the latency-over-time series
     * @param withReader run a reader thread (ignored for single-threaded maps)
     * @param checkpointSizes sizes at which to keep running stats
     * @return the measurements
     */
    public static Result run(MapKind kind, int n, int windowCount, boolean withReader, long[] checkpointSizes) {
        boolean reader = withReader && kind.concurrent();
        long[] keys = Keys.random(n, Keys.KEY_SEED);
        int warm = Math.max(1, Math.min(n, 2_000_000));
        measure(kind, keys, warm, Math.max(1, windowCount / 8), reader, new long[0]);
        System.gc();
        return measure(kind, keys, n, windowCount, reader, checkpointSizes);
    }

    private static Result measure(MapKind kind, long[] keys, int n, int windowCount, boolean withReader,
                                  long[] checkpointSizes) {
        Histogram all = new Histogram(HIGHEST_NS, 3);
        Histogram window = new Histogram(HIGHEST_NS, 3);
        Histogram readHist = new Histogram(HIGHEST_NS, 3);
        List<Window> windows = new ArrayList<>(windowCount + 1);
        List<Checkpoint> checkpoints = new ArrayList<>();
        int per = Math.max(1, n / windowCount);
        AtomicLong published = new AtomicLong();
        long[] readerErrors = new long[1];
        long gcCount0 = gcCount();
        long gcMs0 = gcMillis();
        try (BenchMap map = kind.create(n)) {
            Thread reader = null;
            if (withReader) {
                reader = new Thread(() -> readLoop(map, keys, published, readHist, readerErrors, n), "reader");
                reader.setDaemon(true);
                reader.start();
            }
            int nextCheckpoint = 0;
            long start = System.nanoTime();
            long end = start;
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                map.put(keys[i], Keys.valueFor(i));
                long t1 = System.nanoTime();
                long d = t1 - t0;
                all.recordValue(d);
                window.recordValue(d);
                int done = i + 1;
                if (done % PUBLISH_EVERY == 0) {
                    published.setRelease(done);
                }
                if (done % per == 0 || done == n) {
                    windows.add(new Window(done, (t1 - start) / 1e6, window.getMaxValue(),
                            window.getValueAtPercentile(99), map.completedGrowths()));
                    window.reset();
                }
                while (nextCheckpoint < checkpointSizes.length && done == checkpointSizes[nextCheckpoint]) {
                    checkpoints.add(new Checkpoint(done, all.getMaxValue(), all.getValueAtPercentile(99.99)));
                    nextCheckpoint++;
                }
                end = t1;
            }
            published.setRelease(-1);
            if (reader != null) {
                reader.join();
            }
            if (map.size() != n) {
                throw new IllegalStateException(kind.id() + ": size " + map.size() + " after inserting " + n);
            }
            return new Result(kind.id(), kind.label(), n, withReader, (end - start) / 1e6, LatencyStats.of(all),
                    withReader ? LatencyStats.of(readHist) : null, readerErrors[0],
                    gcCount() - gcCount0, gcMillis() - gcMs0, windows, checkpoints);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Random gets of keys the writer has published; stops when the writer publishes -1. */
    private static void readLoop(BenchMap map, long[] keys, AtomicLong published, Histogram h, long[] errors,
                                 int n) {
        SplittableRandom r = new SplittableRandom(Keys.ORDER_SEED);
        long bad = 0;
        while (true) {
            long p = published.getAcquire();
            if (p < 0) {
                break;
            }
            if (p == 0) {
                Thread.onSpinWait();
                continue;
            }
            int idx = r.nextInt((int) Math.min(p, n));
            long k = keys[idx];
            long t0 = System.nanoTime();
            long v = map.get(k);
            long t1 = System.nanoTime();
            h.recordValue(t1 - t0);
            if (v != Keys.valueFor(idx)) {
                bad++;
            }
        }
        errors[0] = bad;
    }

    private static long gcCount() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionCount());
        }
        return c;
    }

    private static long gcMillis() {
        long c = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            c += Math.max(0, b.getCollectionTime());
        }
        return c;
    }
}
