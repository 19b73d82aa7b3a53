package dev.linemap.bench.harness;

import dev.linemap.bench.Keys;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bytes per entry. One map is filled from empty with random keys (generated on the fly, so no key array
 * sits on the heap) and measured whenever it reaches one of the checkpoint sizes:
 * <ul>
 *   <li>heap: used heap after full GC minus the same before the map was created;</li>
 *   <li>off-heap: what the map reports (linemap {@code stats().offHeapBytes()}, Chronicle Map
 *       {@code offHeapMemoryUsed()});</li>
 *   <li>RSS: resident set size minus the same before the map was created (everything the process
 *       really holds, allocator overhead and untouched pages included);</li>
 *   <li>peaks during growth: linemap's off-heap bytes sampled every {@value #SAMPLE_EVERY} puts, the RSS
 *       high-water mark, and the heap pools' peak (which includes garbage not yet collected).</li>
 * </ul>
 * Chronicle Map is sized at creation, so it is measured with one fresh map per size (run this harness
 * with a single checkpoint for it).
 */
public final class Footprint {
    private static final int SAMPLE_EVERY = 4096;

    private Footprint() {
    }

    /**
     * The footprint at one size.
     *
     * @param entries entries stored
     * @param heapBytes live heap the map holds
     * @param offHeapBytes native bytes the map reports (0 for on-heap maps)
     * @param rssBytes resident set growth since before the map existed
     * @param bytesPerEntry (heap + off-heap) / entries: the headline number
     * @param rssPerEntry RSS growth / entries
     * @param peakOffHeapBytes the largest sampled off-heap size so far
     * @param peakRssBytes RSS high-water mark so far minus the baseline
     * @param peakHeapBytes heap pools' peak so far minus the baseline (includes uncollected garbage)
     * @param detail map-specific facts, for example linemap's stats record
     */
    public record Point(long entries, long heapBytes, long offHeapBytes, long rssBytes, double bytesPerEntry,
                        double rssPerEntry, long peakOffHeapBytes, long peakRssBytes, long peakHeapBytes,
                        String detail) {
    }

    /**
     * All points of one map.
     *
     * @param impl map id
     * @param label map name
     * @param points one per checkpoint
     */
    public record Result(String impl, String label, List<Point> points) {
    }

    /**
     * Fills one map through all checkpoints.
     *
     * @param kind the map
     * @param sizes increasing checkpoint sizes
     * @return one point per size
     */
    public static Result run(MapKind kind, long[] sizes) {
        long max = sizes[sizes.length - 1];
        long heap0 = ProcessMemory.heapAfterGc();
        long rss0 = ProcessMemory.rss();
        ProcessMemory.resetPeak();
        List<Point> points = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(Keys.KEY_SEED);
        try (BenchMap map = kind.create(max)) {
            long peakOff = 0;
            long inserted = 0;
            for (long size : sizes) {
                while (inserted < size) {
                    map.put(r.nextLong(), Keys.valueFor(inserted));
                    inserted++;
                    if (inserted % SAMPLE_EVERY == 0) {
                        peakOff = Math.max(peakOff, map.offHeapBytes());
                    }
                }
                long off = Math.max(0, map.offHeapBytes());
                peakOff = Math.max(peakOff, off);
                long heap = ProcessMemory.heapAfterGc() - heap0;
                long rss = ProcessMemory.rss() - rss0;
                long entries = map.size();
                points.add(new Point(entries, heap, off, rss, (double) (Math.max(0, heap) + off) / entries,
                        (double) rss / entries, peakOff, ProcessMemory.peakRss() - rss0,
                        ProcessMemory.peakHeap() - heap0, map.detail()));
            }
        }
        return new Result(kind.id(), kind.label(), points);
    }
}
