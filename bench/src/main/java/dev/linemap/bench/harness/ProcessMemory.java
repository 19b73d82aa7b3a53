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

    /**
     * Resident file-backed pages (mapped files, the JVM's own code), {@code RssFile}.
     *
     * @return bytes, or -1 where {@code /proc} is not available
     */
    static long rssFile() {
        return status("RssFile:");
    }

    /**
     * Resident anonymous memory (heap, native allocations, anonymous mappings), {@code RssAnon}.
     *
     * @return bytes, or -1 where {@code /proc} is not available
     */
    static long rssAnon() {
        return status("RssAnon:");
    }

    /**
     * A size field of another process's {@code /proc/PID/status}, for example {@code "VmRSS:"}.
     *
     * @param pid the process
     * @param field the field name with its colon
     * @return bytes, or -1 if the process or the field is not there
     */
    static long statusOf(long pid, String field) {
        return status(Path.of("/proc", Long.toString(pid), "status"), field);
    }

    private static long status(String field) {
        return status(Path.of("/proc/self/status"), field);
    }

    private static long status(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
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
