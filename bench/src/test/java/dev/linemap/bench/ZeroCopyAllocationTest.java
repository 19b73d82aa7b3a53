package dev.linemap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.ValueReader;
import dev.linemap.ValueUpdater;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code LineMap}'s zero-copy methods allocate, read from the thread's allocation counter: the
 * README and {@code design.md} section 13 promise nothing for each of them. JMH's {@code -prof gc}
 * covers {@code getBytes} and {@code putBytes} ({@code LineMapOps}, {@code linemap-zc}); this test
 * covers all six, so that none of them regresses unseen. Keys and values live in native segments
 * made before the counting starts, and the reader and updater are made once, as a caller who keeps
 * records off-heap would.
 *
 * <p>{@code getBytes}, {@code containsKeyBytes}, {@code removeBytes} and {@code putBytes} create no
 * object at all, so they must allocate nothing. {@code readValue} and {@code updateValue} hand their
 * callback a view of the value, a 40-byte segment object, which costs nothing only where C2 inlines
 * the callback into the compiled map path and removes the view (escape analysis): in a JVM of their
 * own they reach 0 B after warm-up, but in this test's JVM {@code updateValue} kept 40 B per call in
 * some runs, and a call site that sees many callback classes keeps it always. For them the test
 * asserts the documented bound, at most that one view per call, which still fails if the value (64
 * bytes here) were copied.
 */
class ZeroCopyAllocationTest {

    private static final int KEYS = 1024;
    /** A fixed-size record, updated in place: larger than the view, so that a copy would show. */
    private static final int VALUE_BYTES = 64;
    /** A value's view for a callback: one {@code NativeMemorySegmentImpl}, padded to 8. */
    private static final int VIEW_BYTES = 48;
    /**
     * Rounds: the first half warms the JIT up; the fewest bytes of a round in the second half count,
     * so that a JIT still compiling under load does not fail the test.
     */
    private static final int ROUNDS = 200;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Sums the record's first long: reads the value where it is stored. */
    private static final ValueReader FIRST_LONG = value -> value.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    /** Adds one to the record's first long, in place. */
    private static final ValueUpdater INCREMENT = value ->
            value.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1);

    @Test
    void everyZeroCopyMethodAllocatesNothing() {
        try (Arena arena = Arena.ofConfined();
             LineMap<byte[], byte[]> map = LineMap.builder(Codecs.bytes(), Codecs.bytes()).build()) {
            final MemorySegment[] keys = new MemorySegment[KEYS];
            final MemorySegment value = arena.allocate(VALUE_BYTES);
            final MemorySegment target = arena.allocate(VALUE_BYTES);
            for (int i = 0; i < KEYS; i++) {
                final byte[] bytes = ("key-" + i + "-" + "k".repeat(i % 40)).getBytes(StandardCharsets.US_ASCII);
                keys[i] = arena.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, keys[i], ValueLayout.JAVA_BYTE, 0, bytes.length);
                map.putBytes(keys[i], value);
            }
            final long[] least = new long[6];
            java.util.Arrays.fill(least, Long.MAX_VALUE);
            long sum = 0;
            for (int round = 0; round < ROUNDS; round++) {
                final long[] bytes = new long[6];
                long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    sum += map.getBytes(keys[i], target);
                }
                bytes[0] = THREADS.getCurrentThreadAllocatedBytes() - before;
                before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    sum += map.containsKeyBytes(keys[i]) ? 1 : 0;
                }
                bytes[1] = THREADS.getCurrentThreadAllocatedBytes() - before;
                before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    sum += map.readValue(keys[i], FIRST_LONG, -1);
                }
                bytes[2] = THREADS.getCurrentThreadAllocatedBytes() - before;
                before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    sum += map.updateValue(keys[i], INCREMENT) ? 1 : 0;
                }
                bytes[3] = THREADS.getCurrentThreadAllocatedBytes() - before;
                // Each key removed and put back at once, so that the map keeps its size: emptying
                // it first would shrink and then grow the table every round, and a migration's new
                // table and its bookkeeping are allocations of the resize, not of the operation.
                value.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, round + 1);   // the first long counts the rounds
                long removing = 0;
                long inserting = 0;
                for (int i = 0; i < KEYS; i++) {
                    before = THREADS.getCurrentThreadAllocatedBytes();
                    sum += map.removeBytes(keys[i]) ? 1 : 0;
                    final long between = THREADS.getCurrentThreadAllocatedBytes();
                    sum += map.putBytes(keys[i], value) ? 1 : 0;
                    inserting += THREADS.getCurrentThreadAllocatedBytes() - between;
                    removing += between - before;
                }
                bytes[4] = removing;
                bytes[5] = inserting;
                if (round >= ROUNDS / 2) {
                    for (int m = 0; m < 6; m++) {
                        least[m] = Math.min(least[m], bytes[m]);
                    }
                }
            }
            // The maps did their work: each round's updates are visible to the next round's reads.
            assertEquals(KEYS, map.size());
            map.readValue(keys[0], v -> {
                assertEquals(ROUNDS, v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                return 0;
            }, -1);
            assertTrue(sum > 0);
            final String[] names = {"getBytes", "containsKeyBytes", "readValue", "updateValue", "removeBytes",
                "putBytes (insert)"};
            // 1,024 calls per round: even 1 B each would show. All six are reported at once.
            final StringBuilder allocating = new StringBuilder();
            for (int m = 0; m < 6; m++) {
                final boolean callback = m == 2 || m == 3;
                if (least[m] > (callback ? (long) VIEW_BYTES * KEYS : KEYS - 1)) {
                    allocating.append("; a round of ").append(KEYS).append(' ').append(names[m])
                            .append(" calls allocated ").append(least[m]).append(" B");
                }
            }
            assertTrue(allocating.isEmpty(), "zero-copy calls allocated" + allocating);
        }
    }
}
