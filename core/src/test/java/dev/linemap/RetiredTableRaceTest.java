package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers racing the retirement of old tables: they must never see a wrong value, and never come
 * back with an interrupt status nobody set (HotSpot may set it when it stops a thread that is
 * accessing an arena being closed; see RetiredTableRace).
 */
class RetiredTableRaceTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readersRacingRetirementNeverGetWrongValuesOrSpuriousInterrupts() throws InterruptedException {
        final int stable = 64;   // keys 0..63 are never removed: value = key * 3
        try (LongLongMap map = LongLongMap.builder().seed(9).build()) {
            for (long k = 0; k < stable; k++) {
                map.put(k, k * 3);
            }
            final AtomicReference<String> failure = new AtomicReference<>();
            final AtomicLong reads = new AtomicLong();
            final Thread[] readers = new Thread[2];
            final long retirementsWanted = 400;
            for (int r = 0; r < readers.length; r++) {
                readers[r] = new Thread(() -> {
                    long n = 0;
                    while (failure.get() == null && map.stats().completedMigrations() < retirementsWanted) {
                        for (long k = 0; k < stable; k++) {
                            final long v = map.get(k);
                            if (v != k * 3) {
                                failure.compareAndSet(null, "key " + k + " read " + v);
                            }
                            if (Thread.currentThread().isInterrupted()) {
                                failure.compareAndSet(null, "spurious interrupt after get(" + k + ") at read " + n);
                            }
                            n++;
                        }
                    }
                    reads.addAndGet(n);
                }, "race-reader-" + r);
                readers[r].start();
            }
            // Grow to 2^12 buckets and shrink back, over and over: every cycle retires ~20 tables.
            long k = stable;
            while (failure.get() == null && map.stats().completedMigrations() < retirementsWanted) {
                for (int i = 0; i < 12_000; i++) {
                    map.put(k + i, 1);
                }
                for (int i = 0; i < 12_000; i++) {
                    map.remove(k + i);
                }
                k += 12_000;
            }
            for (final Thread reader : readers) {
                reader.join();
            }
            assertNull(failure.get());
            assertTrue(reads.get() > 0);
            assertTrue(map.stats().completedMigrations() >= retirementsWanted);
            for (long key = 0; key < stable; key++) {
                assertEquals(key * 3, map.get(key));
            }
        }
    }
}
