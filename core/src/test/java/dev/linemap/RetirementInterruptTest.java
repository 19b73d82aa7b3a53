package dev.linemap;

import dev.linemap.engine.Table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A map operation must not leave the calling thread interrupted. When a migration completes,
 * {@code Table.retire} closes the old table's shared arena while other threads may be inside it;
 * HotSpot unwinds such a thread with an asynchronous exception, and installing an asynchronous
 * exception also interrupts the target ({@code JavaThread::install_async_exception}: "Interrupt
 * thread so it will wake up from a potential wait()/sleep()/park()"). Before {@code RetiredTableRace}
 * the engine caught the {@link IllegalStateException}, retried, and left the flag set (this test
 * failed in the first round of every run); the caller's next {@code sleep}, {@code take} or
 * {@code join} then failed with a spurious {@link InterruptedException}. Many short-lived maps in
 * a fresh JVM, so that the engine runs in the interpreter and C1, where the race is hit most.
 */
class RetirementInterruptTest {

    /** A put of a {@code long} key and value, whatever the map makes of them. */
    private interface Put {
        void put(long key, long value);
    }

    /** One map's put, get and close, for both map shapes. */
    private record Ops(Put put, LongConsumer get, Runnable closer) implements AutoCloseable {
        @Override
        public void close() {
            closer.run();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void mapOperationsRacingTableRetirementNeverLeaveTheCallerInterrupted() throws InterruptedException {
        race("LongLongMap", 40, 150_000, () -> {
            final LongLongMap map = LongLongMap.builder().build();
            return new Ops(map::put, map::get, map::close);
        });
    }

    /**
     * The same for {@code LineMap}'s reads and writes ({@code EntryStore}'s loops). It fails, like
     * the test above, when {@code RetiredTableRace.recover} does nothing. The writes' touch of the
     * home line ({@code EntryStore.touchHome}) catches the same exception, but its window is one
     * load long and this test did not hit it when its recovery was removed; a closed map's case is
     * {@code LineMapLifecycleTest}'s.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void lineMapOperationsRacingTableRetirementNeverLeaveTheCallerInterrupted() throws InterruptedException {
        race("LineMap", 20, 100_000, () -> {
            final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build();
            return new Ops((key, value) -> map.put(Long.toString(key), Long.toString(value)),
                    key -> map.get(Long.toString(key)), map::close);
        });
    }

    private static void race(final String name, final int rounds, final int keys,
                             final Supplier<Ops> newMap) throws InterruptedException {
        final long seed = 0x1A7E;
        final AtomicLong interrupted = new AtomicLong();
        final AtomicLong operations = new AtomicLong();
        final AtomicReference<String> first = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < rounds && interrupted.get() == 0; round++) {
            final int r = round;
            try (Ops map = newMap.get()) {
                final AtomicBoolean writing = new AtomicBoolean(true);
                final Thread writer = new Thread(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(seed + r);
                        for (int i = 0; i < keys; i++) {
                            map.put().put(random.nextLong(keys), i);
                            check("writer", r, i, interrupted, first);
                        }
                    } catch (final Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        writing.set(false);
                    }
                });
                final Thread reader = new Thread(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(~seed - r);
                        long n = 0;
                        while (writing.get()) {
                            map.get().accept(random.nextLong(keys));
                            check("reader", r, n++, interrupted, first);
                        }
                        operations.addAndGet(n);
                    } catch (final Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                });
                writer.start();
                reader.start();
                writer.join();
                reader.join();
                operations.addAndGet(keys);
            }
        }
        assertNull(failure.get(), name + ", seed " + seed);
        System.out.println("RetirementInterruptTest, " + name + ": " + operations.get() + " operations, "
                + interrupted.get() + " came back interrupted"
                + (first.get() == null ? "" : "; first: " + first.get()));
        assertEquals(0, interrupted.get(), name + ", seed " + seed
                + ": map operations left the calling thread interrupted; first: " + first.get());
    }

    private static void check(final String who, final int round, final long op, final AtomicLong interrupted,
                              final AtomicReference<String> first) {
        if (Thread.interrupted()) {
            interrupted.incrementAndGet();
            first.compareAndSet(null, who + " op " + op + " of round " + round);
        }
    }
}
