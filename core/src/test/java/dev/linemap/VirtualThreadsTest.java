package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map used from virtual threads while tables are retired under them. HotSpot unwinds a thread
 * out of a closing arena with an asynchronous exception; for a platform thread it also sets the
 * interrupt status, which {@link RetiredTableRace} restores. A virtual thread runs on a carrier, so
 * this checks the user-visible contract there too: no operation fails, no virtual thread comes back
 * interrupted, and the counts balance (what {@code addAndGet} added minus what {@code remove}
 * returned is what the map holds).
 *
 * <p>It also guards {@link Backoff}: when waiters only yielded, a holder unmounted while holding a
 * bucket (blocked on the table's monitor for a new overflow chunk) never got a carrier back, and
 * this test hung until its timeout in 6 runs out of 8.
 */
class VirtualThreadsTest {

    private static final int WRITERS = 4;
    private static final int READERS = 2;
    private static final int OPS = 120_000;
    private static final int KEYS = 60_000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void writersAndReadersOnVirtualThreadsRacingGrowthShrinkAndRetirement() throws InterruptedException {
        for (long seed = 1; seed <= 12; seed++) {
            runRound(seed);
        }
    }

    private static void runRound(final long seed) throws InterruptedException {
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong added = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        try (LongLongMap map = LongLongMap.builder().build()) {
            final AtomicBoolean writing = new AtomicBoolean(true);
            final AtomicLong writersLeft = new AtomicLong(WRITERS);
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                final long threadSeed = seed * 31 + t;
                threads.add(Thread.ofVirtual().name("writer-" + t).start(() -> {
                    final SplittableRandom random = new SplittableRandom(threadSeed);
                    long add = 0;
                    long rem = 0;
                    for (int i = 0; i < OPS && failure.get() == null; i++) {
                        final long key = random.nextInt(KEYS) * 0x9E3779B97F4A7C15L;
                        // Phases of 20,000 ops: few removes (the table grows), then mostly removes (it shrinks).
                        final boolean draining = (i / 20_000) % 2 == 1;
                        try {
                            if (random.nextInt(100) < (draining ? 90 : 2)) {
                                rem += map.remove(key);
                            } else {
                                map.addAndGet(key, 1);
                                add++;
                            }
                        } catch (final RuntimeException e) {
                            failure.compareAndSet(null, "writer seed " + threadSeed + " op " + i + ": " + e);
                        }
                        afterOp("writer seed " + threadSeed, i, failure);
                    }
                    added.addAndGet(add);
                    removed.addAndGet(rem);
                    if (writersLeft.decrementAndGet() == 0) {
                        writing.set(false);
                    }
                }));
            }
            for (int t = 0; t < READERS; t++) {
                final long threadSeed = ~seed * 17 + t;
                threads.add(Thread.ofVirtual().name("reader-" + t).start(() -> {
                    final SplittableRandom random = new SplittableRandom(threadSeed);
                    for (long i = 0; writing.get() && failure.get() == null; i++) {
                        try {
                            if (map.get(random.nextInt(KEYS) * 0x9E3779B97F4A7C15L) < 0) {
                                failure.compareAndSet(null, "reader saw a negative count");
                            }
                        } catch (final RuntimeException e) {
                            failure.compareAndSet(null, "reader seed " + threadSeed + " op " + i + ": " + e);
                        }
                        afterOp("reader seed " + threadSeed, i, failure);
                    }
                }));
            }
            for (final Thread thread : threads) {
                thread.join();
            }
            final long growths = map.stats().completedMigrations();
            final long[] inMap = new long[1];
            map.forEach((k, v) -> inMap[0] += v);
            assertNull(failure.get(), "seed " + seed);
            assertEquals(added.get() - removed.get(), inMap[0], "seed " + seed + ": added " + added.get()
                    + " - removed " + removed.get() + " must be what the map holds");
            assertTrue(growths > 5, "seed " + seed + ": the round must have retired tables, saw "
                    + growths + " completed growths");
        }
    }

    /**
     * After each operation: the thread must not have come back interrupted. Every 1024 operations
     * it blocks briefly, as a virtual thread doing I/O would: one that never blocks keeps its carrier
     * ({@code Thread.yield} does not reliably hand it over), and two such loops starve the rest.
     */
    private static void afterOp(final String who, final long op, final AtomicReference<String> failure) {
        if (Thread.currentThread().isInterrupted()) {
            failure.compareAndSet(null, who + " op " + op + ": came back interrupted");
        }
        if ((op & 1023) == 0) {
            LockSupport.parkNanos(10_000);
        }
    }
}
