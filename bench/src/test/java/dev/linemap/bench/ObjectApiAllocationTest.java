package dev.linemap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What {@code LineMap}'s object API allocates, read from the thread's allocation counter (JMH's
 * {@code -prof gc} measures the same in {@code LineMapOps}; this keeps it from regressing). A put
 * of a present key encodes key and value into per-thread buffers and copies the old value into a
 * third, so it allocates only the {@code String} it returns; a get only the one it returns; the
 * conditional writes, which return a {@code boolean}, nothing.
 */
class ObjectApiAllocationTest {

    private static final int KEYS = 1024;
    /**
     * Rounds of puts and gets: the first half warms the JIT up; the fewest bytes of a round in the
     * second half count, so that a JIT still compiling under load does not fail the test.
     */
    private static final int ROUNDS = 40;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final String[] keys = new String[KEYS];
    private final String[] values = new String[KEYS];

    ObjectApiAllocationTest() {
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i + "-" + "k".repeat(i % 40);
            values[i] = "value-" + i + "-" + "v".repeat(64 + i % 128);
        }
    }

    /** A map of {@code keys[i] -> values[i]}. */
    private LineMap<String, String> filledMap() {
        final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build();
        for (int i = 0; i < KEYS; i++) {
            map.put(keys[i], values[i]);
        }
        return map;
    }

    @Test
    void putAndGetOfPresentKeysAllocateOnlyTheValueTheyReturn() {
        try (LineMap<String, String> map = filledMap()) {
            long putBytes = Long.MAX_VALUE;
            long getBytes = Long.MAX_VALUE;
            long returned = 0;
            for (int round = 0; round < ROUNDS; round++) {
                returned = 0;
                long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    returned += map.put(keys[i], values[(i + round + 1) % KEYS]).length();
                }
                final long puts = THREADS.getCurrentThreadAllocatedBytes() - before;
                before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    returned += map.get(keys[i]).length();
                }
                final long gets = THREADS.getCurrentThreadAllocatedBytes() - before;
                if (round >= ROUNDS / 2) {
                    putBytes = Math.min(putBytes, puts);
                    getBytes = Math.min(getBytes, gets);
                }
            }
            // A returned Latin-1 String is its object (24 B) and its byte[] (16 B header, the
            // bytes, padding to 8): about 44 B plus its length. Before the buffers a put also
            // allocated the key's and the new value's encodings and a copy of the old value:
            // three times the value again (720 B/op in JMH).
            final long returnedPerOp = returned / (2L * KEYS);
            final long allowed = returnedPerOp + 64;
            assertTrue(putBytes / KEYS <= allowed,
                    "a put allocated " + putBytes / KEYS + " B, returning values of about " + returnedPerOp + " B");
            assertTrue(getBytes / KEYS <= allowed,
                    "a get allocated " + getBytes / KEYS + " B, returning values of about " + returnedPerOp + " B");
        }
    }

    @Test
    void conditionalWritesAllocateNothing() {
        try (LineMap<String, String> map = filledMap()) {
            long least = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                int changed = 0;
                final long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < KEYS; i++) {
                    // A replace that hits, one and a remove that miss (the value has changed),
                    // and a replace that puts the first value back and hits.
                    final String next = values[(i + 1) % KEYS];
                    changed += map.replace(keys[i], values[i], next) ? 1 : 0;
                    changed += map.replace(keys[i], values[i], next) ? 1 : 0;
                    changed += map.remove(keys[i], values[i]) ? 1 : 0;
                    changed += map.replace(keys[i], next, values[i]) ? 1 : 0;
                }
                final long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
                assertEquals(2 * KEYS, changed, "each key's two matching replaces, and nothing else, changed it");
                if (round >= ROUNDS / 2) {
                    least = Math.min(least, bytes);
                }
            }
            // 4,096 conditional writes per round: even 1 B each would show.
            assertTrue(least < 4L * KEYS, "a round of " + 4 * KEYS + " conditional writes allocated " + least + " B");
        }
    }
}
