package dev.linemap.bench.harness;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the longest puts of a growth go: work or waiting. The same fill as {@link GrowthLatency}
 * (one writer from empty to {@code n}, optionally one reader), but every put is also timed with the
 * writer thread's CPU clock, and the {@code top} longest puts are kept with both times. A put whose
 * CPU time is close to its wall time did work (evacuation, allocating and first-touching a chunk);
 * one with little CPU time waited off the CPU (preempted, or blocked in the kernel).
 *
 * <p>A diagnostic, not a benchmark: reading the thread CPU clock costs a system call per put, so
 * the totals and percentiles here are not comparable with {@code latency}. One warm-up fill of
 * 2M entries runs first, as in {@code latency}.
 */
public final class PutStalls {

    /** Keeps the reader's sum alive, so the JIT cannot drop its gets. */
    private static volatile long blackhole;

    private PutStalls() {
    }

    /**
     * One of the longest puts.
     *
     * @param index which put (0-based)
     * @param atMs when it started, ms after the first put
     * @param wallNs its wall-clock time
     * @param cpuNs the writer thread's CPU time during it
     * @param growths growths completed when it ended (-1: not reported by the map)
     */
    public record Stall(long index, double atMs, long wallNs, long cpuNs, long growths) {
    }

    /**
     * One warm-up fill, then the measured fill of {@code n} entries.
     *
     * @param kind the map
     * @param n entries to insert
     * @param withReader whether a reader thread runs (concurrent maps only)
     * @param top how many of the longest puts to keep
     * @return the longest puts, longest first
     */
    public static List<Stall> run(final MapKind kind, final int n, final boolean withReader, final int top) {
        final long[] keys = Keys.random(n, Keys.KEY_SEED);
        fill(kind, keys, Math.min(n, 2_000_000), withReader, top);
        return fill(kind, keys, n, withReader, top);
    }

    private static List<Stall> fill(final MapKind kind, final long[] keys, final int n, final boolean withReader,
                                    final int top) {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final PriorityQueue<Stall> longest = new PriorityQueue<>(Comparator.comparingLong(Stall::wallNs));
        final boolean reader = withReader && kind.concurrent();
        final AtomicBoolean stop = new AtomicBoolean();
        try (BenchMap map = kind.create(n)) {
            final Thread readerThread = reader ? startReader(map, keys, stop) : null;
            final long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                final long c0 = threads.getCurrentThreadCpuTime();
                final long t0 = System.nanoTime();
                map.put(keys[i], Keys.valueFor(i));
                final long t1 = System.nanoTime();
                final long c1 = threads.getCurrentThreadCpuTime();
                if (longest.size() < top || t1 - t0 > longest.peek().wallNs()) {
                    longest.add(new Stall(i, (t0 - start) / 1e6, t1 - t0, c1 - c0, map.completedGrowths()));
                    if (longest.size() > top) {
                        longest.poll();
                    }
                }
            }
            stop.set(true);
            if (readerThread != null) {
                readerThread.join();
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        final List<Stall> out = new ArrayList<>(longest);
        out.sort(Comparator.comparingLong(Stall::wallNs).reversed());
        return out;
    }

    /** Random gets of the first million keys (present or not yet), until told to stop. */
    private static Thread startReader(final BenchMap map, final long[] keys, final AtomicBoolean stop) {
        final Thread t = new Thread(() -> {
            final SplittableRandom random = new SplittableRandom(Keys.ORDER_SEED);
            final int range = Math.min(keys.length, 1 << 20);
            long sum = 0;
            while (!stop.get()) {
                sum += map.get(keys[random.nextInt(range)]);
            }
            blackhole = sum;
        }, "reader");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
