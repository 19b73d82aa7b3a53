package dev.linemap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident set, as the operating system reports it ({@code VmRSS}, Linux). */
final class ProcessRss {

    private ProcessRss() {
    }

    /**
     * Returns the resident set size of this process in bytes.
     *
     * @return {@code VmRSS} of {@code /proc/self/status}
     */
    static long bytes() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    final String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;   // kB
                }
            }
        } catch (final IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS line in /proc/self/status");
    }
}
