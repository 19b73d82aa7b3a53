package dev.linemap;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Without {@code -Dlinemap.counters=true} (every execution but {@code protocol-counters}) the
 * counters are off, and a workload that retries, waits and migrates leaves them all at zero.
 */
class ProtocolCountersOffTest {

    @Test
    void countersAreOffByDefaultAndCountNothing() throws InterruptedException {
        assumeFalse(Boolean.getBoolean("linemap.counters"), "the protocol-counters execution turns them on");
        assertFalse(ProtocolCounters.enabled());
        try (LongLongMap map = LongLongMap.builder().build()) {
            final Thread writer = Thread.ofPlatform().start(() -> {
                for (long k = 0; k < 200_000; k++) {
                    map.put(k & 1023, k);   // a few hot buckets: readers retry and wait
                    map.put(k, k);          // growths, with a helper thread above 1,024 units
                }
            });
            while (writer.isAlive()) {
                map.get(ThreadLocalRandom.current().nextLong(1024));
            }
            writer.join();
        }
        assertEquals(new ProtocolCounters(0, 0, 0, 0, 0, 0), ProtocolCounters.snapshot());
    }
}
