package dev.linemap;

import dev.linemap.engine.AccessMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Round trip of ten million entries through a map file: written (growing from empty), closed,
 * reopened, every key read back; then reopened once more after removing half, so the file also
 * shrinks. The reopen times go to standard output (the bench measures them; a unit test does not
 * assert on time).
 */
class PersistedTenMillionTest {

    private static final int N = 10_000_000;

    @TempDir
    Path dir;

    /** Bytes of disk the file takes ({@code stat %b * %B}). */
    private static long allocatedBytes(final Path file) throws Exception {
        final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        final String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertEquals(0, stat.waitFor(), "stat " + file);
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    private static long valueOf(final long key) {
        return Long.rotateLeft(key * 0x9e37_79b9_7f4a_7c15L, 17);
    }

    /** Distinct keys without a model: a bijection of 0 .. N-1. */
    private static long keyOf(final long i) {
        return i * 0xbf58_476d_1ce4_e5b9L;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void tenMillionEntriesSurviveCloseAndReopenAndTheFileShrinksWithTheMap() throws Exception {
        final Path file = dir.resolve("ten-million.map");
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).persistTo(file).build()) {
            for (long i = 0; i < N; i++) {
                map.put(keyOf(i), valueOf(keyOf(i)));
            }
            assertEquals(N, map.size());
        }
        final long full = Files.size(file);
        long t0 = System.nanoTime();
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).persistTo(file).build()) {
            System.out.printf("reopen of %,d entries (%,d bytes): %.0f ms%n", N, full, (System.nanoTime() - t0) / 1e6);
            assertEquals(N, map.size());
            for (long i = 0; i < N; i++) {
                final long got = map.get(keyOf(i));
                if (got != valueOf(keyOf(i))) {
                    assertEquals(valueOf(keyOf(i)), got, "key #" + i);
                }
            }
            for (long i = 0; i < N; i += 2) {
                map.remove(keyOf(i));
            }
        }
        t0 = System.nanoTime();
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).persistTo(file).build()) {
            System.out.printf("reopen of %,d entries: %.0f ms%n", N / 2, (System.nanoTime() - t0) / 1e6);
            assertEquals(N / 2, map.size());
            for (long i = 0; i < N; i++) {
                final long got = map.get(keyOf(i));
                final long want = (i & 1) == 0 ? -1L : valueOf(keyOf(i));
                if (got != want) {
                    assertEquals(want, got, "key #" + i);
                }
            }
            for (long i = 1; i < N; i += 2) {
                if (i % 10 != 1) {
                    map.remove(keyOf(i));
                }
            }
        }
        try (LongLongMap map = LongLongMap.builder().missingValue(-1L).persistTo(file).build()) {
            assertEquals(N / 10, map.size());
        }
        final long shrunk = allocatedBytes(file);
        System.out.printf("file: %,d bytes at %,d entries; %,d bytes on disk (%,d apparent) at %,d%n", full, N,
                shrunk, Files.size(file), N / 10);
        if (AccessMode.FAST) {
            // A tenth of the entries: the file must have given most of its disk space back (the
            // fast path punches holes into freed extents; the end of the file is cut off).
            if (shrunk > full / 4) {
                throw new AssertionError("file kept " + shrunk + " of " + full + " bytes on disk after the map"
                        + " shrank to a tenth");
            }
        } else if (Files.size(file) > full) {
            // Checked path: no native calls, so no holes; freed extents are reused, never added to.
            throw new AssertionError("file grew from " + full + " to " + Files.size(file) + " bytes while shrinking");
        }
    }
}
