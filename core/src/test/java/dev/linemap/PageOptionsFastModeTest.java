package dev.linemap;

import dev.linemap.engine.AccessMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two page options of the builder, checked where the kernel reports them ({@code /proc}):
 * {@code preTouch} makes a new table's pages resident before any entry is written, and
 * {@code hugePages} backs a large table with transparent huge pages (when the kernel's THP mode
 * lets an application ask for them).
 */
class PageOptionsFastModeTest {

    private static final long MIB = 1L << 20;
    /** A 64 MiB first table: far above both the noise of RSS and one huge page. */
    private static final long CAPACITY = 1_800_000;

    @Test
    void preTouchCommitsTheTableWhenItIsAllocated() {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        final long lazy = rssGrowthOfAnEmptyMap(false);
        final long touched = rssGrowthOfAnEmptyMap(true);
        try (LongLongMap probe = LongLongMap.builder().initialCapacity(CAPACITY).build()) {
            final long table = probe.stats().offHeapBytes();
            assertTrue(lazy < table / 4, "without preTouch an empty table stays mostly unbacked: RSS +"
                    + lazy / MIB + " MiB for a " + table / MIB + " MiB table");
            assertTrue(touched >= table * 9 / 10, "with preTouch the table is resident at once: RSS +"
                    + touched / MIB + " MiB for a " + table / MIB + " MiB table");
        }
    }

    // No System.gc() here: G1 gives heap back concurrently after one, which would move RSS meanwhile.
    private static long rssGrowthOfAnEmptyMap(final boolean preTouch) {
        final long before = ProcessRss.bytes();
        try (LongLongMap map = LongLongMap.builder().initialCapacity(CAPACITY).preTouch(preTouch).hugePages(false)
                .build()) {
            assertEquals(0, map.size());
            return ProcessRss.bytes() - before;
        }
    }

    @Test
    void hugePagesBackALargeTableWhenTheKernelAllowsIt() throws IOException {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        final String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        Assumptions.assumeFalse(mode.contains("[never]"), "THP is off on this machine: " + mode.trim());
        final long without = hugeBytesOfAFilledMap(false);
        final long with = hugeBytesOfAFilledMap(true);
        assertTrue(with - without >= 16 * MIB, "a 64 MiB table asked for huge pages: AnonHugePages "
                + without / MIB + " MiB without the option, " + with / MIB + " MiB with it (THP " + mode.trim() + ")");
    }

    /** Fills a map's first table (no growth) and returns the process's AnonHugePages meanwhile. */
    private static long hugeBytesOfAFilledMap(final boolean hugePages) throws IOException {
        try (LongLongMap map = LongLongMap.builder().initialCapacity(CAPACITY).hugePages(hugePages).build()) {
            for (long k = 0; k < CAPACITY; k++) {
                map.put(k * 0x9E3779B97F4A7C15L, k);
            }
            return anonHugePages();
        }
    }

    private static long anonHugePages() throws IOException {
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
            }
        }
        throw new IllegalStateException("no AnonHugePages line in /proc/self/smaps_rollup");
    }
}
