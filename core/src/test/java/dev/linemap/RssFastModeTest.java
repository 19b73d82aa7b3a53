package dev.linemap;

import dev.linemap.engine.AccessMode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory the operating system gets back, checked where users see it: the process's RSS follows
 * the map's {@code offHeapBytes} while it grows, after a mass removal and its shrinks, and after
 * {@code close()} (fast mode: tables are mappings, decommitted when retired).
 */
class RssFastModeTest {

    private static final long MIB = 1L << 20;
    private static final long ENTRIES = 2_000_000;

    private static String mib(final long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    private static void awaitQuiescent(final LongLongMap map) throws InterruptedException {
        for (int i = 0; i < 2000 && map.stats().growing(); i++) {
            Thread.sleep(5);
        }
    }

    @Test
    void rssFollowsOffHeapBytesThroughGrowthRemovalShrinkAndClose() throws InterruptedException {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        // Warm up the code paths (JIT, class loading) so that they do not count as the map's.
        try (LongLongMap warm = LongLongMap.builder().build()) {
            for (long k = 0; k < 300_000; k++) {
                warm.put(k, k);
            }
            for (long k = 0; k < 300_000; k++) {
                warm.remove(k);
            }
        }
        System.gc();
        final long baseline = ProcessRss.bytes();
        final LongLongMap map = LongLongMap.builder().build();
        for (long k = 0; k < ENTRIES; k++) {
            map.put(k, k);
        }
        awaitQuiescent(map);
        final long full = map.stats().offHeapBytes();
        final long grown = ProcessRss.bytes() - baseline;
        final String afterFill = "after " + ENTRIES + " puts: RSS +" + mib(grown) + ", offHeapBytes " + mib(full);
        assertTrue(grown <= 1.1 * full + 16 * MIB, afterFill);

        for (long k = 0; k < ENTRIES; k++) {
            if (k % 10 != 0) {
                map.remove(k);
            }
        }
        awaitQuiescent(map);
        final long sparse = map.stats().offHeapBytes();
        final long shrunk = ProcessRss.bytes() - baseline;
        final String afterRemove = afterFill + "; after removing 90 %: RSS +" + mib(shrunk) + ", offHeapBytes "
                + mib(sparse) + ", " + map.stats();
        assertTrue(sparse < full / 4, afterRemove + ": the map should have shrunk");
        assertTrue(shrunk <= 1.1 * sparse + 16 * MIB, afterRemove);

        map.close();
        final long closed = ProcessRss.bytes() - baseline;
        assertTrue(closed <= 16 * MIB, afterRemove + "; after close: RSS +" + mib(closed));
    }
}
