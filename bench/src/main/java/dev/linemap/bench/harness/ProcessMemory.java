package dev.linemap.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Heap after full GC, resident set size and its high-water mark (Linux {@code /proc/self/status}). */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Heap in use after full collections ({@code System.gc()} is a full GC with G1 unless disabled).
     *
     * @return bytes of live heap
     */
    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Resident set size.
     *
     * @return bytes, or -1 where {@code /proc} is not available
     */
    static long rss() {
        return status("VmRSS:");
    }

    /**
     * Peak resident set size since start or since {@link #resetPeak()}.
     *
     * @return bytes, or -1 where {@code /proc} is not available
     */
    static long peakRss() {
        return status("VmHWM:");
    }

    /** Resets the RSS high-water mark (Linux 4.0+: writing 5 to clear_refs) and the heap pool peaks. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // Not Linux or not permitted: the peak then counts from process start, which the report says.
        }
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    /**
     * Sum of the heap pools' peak usage since {@link #resetPeak()}: includes garbage not yet collected.
     *
     * @return bytes
     */
    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
