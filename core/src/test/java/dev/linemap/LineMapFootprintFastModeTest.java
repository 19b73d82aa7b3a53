package dev.linemap;

import dev.linemap.engine.AccessMode;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12's footprint, checked where users see it: a million entries of the bench's shape (keys
 * of 16-64 bytes, values of 16-256) cost at most 32 native bytes per entry above their payload on
 * the dense line (measured 29.9; the 3-slot line needed 49.5, so this fails if a table goes back to
 * it), and the process's RSS grows by no more than those native bytes plus a tenth and 16 MiB
 * (fast mode: tables and entry chunks are mappings). The RSS bound is not the 40 bytes per
 * entry: the JVM's own native memory grows by 5-10 bytes per entry in such a run (its JIT arenas;
 * {@code docs/benchmarks-linemap.md}), which no map controls. {@code bench}'s
 * {@code linemap-footprint} is the measurement against the peers.
 */
class LineMapFootprintFastModeTest {

    private static final int ENTRIES = 1_000_000;
    private static final long MIB = 1L << 20;

    /**
     * The bench's data (LineMapFootprint): ASCII keys of 16..64 bytes, values of 16..256. Written
     * into one reused buffer and put through the zero-copy path, which allocates nothing: the test
     * JVM's heap is not pre-touched, and a million keys and values of garbage would grow its RSS by
     * tens of MiB that are not the map's.
     */
    private static long fill(final MemorySegment into, final SplittableRandom random, final int length,
                             final long id) {
        for (int i = 0; i < length; i++) {
            into.set(ValueLayout.JAVA_BYTE, i, (byte) ('a' + random.nextInt(26)));
        }
        for (int i = 0; i < 8 && i < length; i++) {
            into.set(ValueLayout.JAVA_BYTE, i, (byte) ('0' + (id >>> (4 * i) & 0xF)));   // distinct keys
        }
        return length;
    }

    private static long put(final LineMap<byte[], byte[]> map, final MemorySegment key, final MemorySegment value,
                            final SplittableRandom random, final long id) {
        final long k = fill(key, random, 16 + random.nextInt(49), id);
        final long v = fill(value, random, 16 + random.nextInt(241), id);
        map.putBytes(key, 0, k, value, 0, v);
        return k + v;
    }

    @Test
    void aMillionEntriesCostAtMost32NativeBytesAboveThePayloadAndRssFollows() {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        final MemorySegment key = Arena.ofAuto().allocate(64);
        final MemorySegment value = Arena.ofAuto().allocate(256);
        try (LineMap<byte[], byte[]> warm = LineMap.builder(Codecs.bytes(), Codecs.bytes()).build()) {
            final SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 200_000; i++) {
                put(warm, key, value, random, i);
            }
        }
        System.gc();
        final long baseline = ProcessRss.bytes();
        try (LineMap<byte[], byte[]> map = LineMap.builder(Codecs.bytes(), Codecs.bytes())
                .backgroundMigration(false).build()) {
            final SplittableRandom random = new SplittableRandom(42);
            long payload = 0;
            for (int i = 0; i < ENTRIES; i++) {
                payload += put(map, key, value, random, i);
            }
            final LineMapStats stats = map.stats();
            assertEquals(ENTRIES, stats.size());
            final double above = (double) (stats.offHeapBytes() - payload) / ENTRIES;
            final long grown = ProcessRss.bytes() - baseline;
            final String what = String.format(java.util.Locale.ROOT,
                    "%,d entries, payload %.1f B/entry: %.1f native bytes per entry above it, RSS +%.1f MiB for"
                            + " offHeapBytes %.1f MiB; %s", ENTRIES, (double) payload / ENTRIES, above,
                    grown / (double) MIB, stats.offHeapBytes() / (double) MIB, stats);
            assertTrue(above <= 32.0, what);
            assertTrue(grown <= 1.1 * stats.offHeapBytes() + 16 * MIB, what);
        }
    }
}
