package dev.linemap;

import dev.linemap.ClearDuringMigrationTest.Calls;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readers, writers and an iteration racing a clear that abandons a half-done growth
 * ({@code backgroundMigration(false)}: only writes move it; {@link ClearDuringMigrationTest} has the
 * single-threaded cases), on {@code LongLongMap} and {@code LineMap}, in the access mode of the
 * surefire execution. No operation
 * fails or leaves its thread interrupted, no read returns a value that was never stored, nothing that
 * begins after clear() returned sees an entry from before it, every write that completed before the
 * clear began is gone, every write that began after it returned is kept, and the size agrees.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClearRacingReadersAndWritersTest {

    /** Old entries are stored until a growth from this many buckets starts; the clear should abandon it. */
    private static final long OLD_BUCKETS = 16_384;
    private static final int WRITERS = 2;
    private static final int READERS = 2;
    private static final long PUTS_PER_WRITER = 4000;
    /**
     * Puts each writer makes before it waits for the clearing thread to be about to clear: at most 3
     * units each, far from the growth's 16,384, so the clear nearly always finds it running. When the
     * scheduler lets the writers finish it first, the round checks everything but the abandonment
     * and runs again (at most {@value #ATTEMPTS} rounds).
     */
    private static final long PUTS_BEFORE_CLEAR = 300;
    private static final int ATTEMPTS = 5;

    /** What the race needs of a map, whatever its shape. */
    private interface RacedMap extends AutoCloseable {
        /** Stores old key {@code k}. */
        void putOld(long k);

        /** Whether old key {@code k} is mapped; fails if it is mapped to a value it never had. */
        boolean getOld(long k);

        /** Writer {@code w}'s {@code i}th put. */
        void putNew(int w, long i);

        /** Whether that put's key is mapped; fails if it is mapped to a value it never had. */
        boolean getNew(int w, long i);

        /** A forEach; fails on a value an entry never had, and on an old entry if {@code noOld}. */
        void iterate(boolean noOld);

        void clear();

        long size();

        long bucketCount();

        boolean migrating();

        @Override
        void close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void longLongMapReadersWritersAndAnIterationRacingAClearThatAbandonsAGrowth(final long seed)
            throws InterruptedException {
        raceUntilAbandoned(seed, calls -> longLongMap(LongLongMap.builder().seed(seed).backgroundMigration(false)
                .missingValue(Long.MIN_VALUE).migrationListener(calls).build()));
    }

    private static RacedMap longLongMap(final LongLongMap map) {
        return new RacedMap() {
            @Override
            public void putOld(final long k) {
                map.put(k, 2 * k + 1);
            }

            @Override
            public boolean getOld(final long k) {
                final long v = map.get(k);
                if (v != Long.MIN_VALUE && v != 2 * k + 1) {
                    fail("old key " + k + " read as " + v);
                }
                return v != Long.MIN_VALUE;
            }

            @Override
            public void putNew(final int w, final long i) {
                map.put(newKey(w, i), i);
            }

            @Override
            public boolean getNew(final int w, final long i) {
                final long v = map.get(newKey(w, i));
                if (v != Long.MIN_VALUE && v != i) {
                    fail("writer " + w + "'s key " + i + " read as " + v);
                }
                return v != Long.MIN_VALUE;
            }

            private long newKey(final int w, final long i) {
                return (long) (w + 1) << 40 | i;
            }

            @Override
            public void iterate(final boolean noOld) {
                map.forEach((k, v) -> {
                    final boolean old = k < 1L << 40;
                    if (old ? v != 2 * k + 1 : v != (k & ((1L << 40) - 1))) {
                        fail("forEach reported " + k + " -> " + v);
                    }
                    if (old && noOld) {
                        fail("a forEach begun after clear() returned reported old key " + k);
                    }
                });
            }

            @Override
            public void clear() {
                map.clear();
            }

            @Override
            public long size() {
                return map.size();
            }

            @Override
            public long bucketCount() {
                return map.stats().bucketCount();
            }

            @Override
            public boolean migrating() {
                return map.stats().growing();
            }

            @Override
            public void close() {
                map.close();
            }
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void lineMapReadersWritersAndAnIterationRacingAClearThatAbandonsAGrowth(final long seed)
            throws InterruptedException {
        raceUntilAbandoned(seed, calls -> lineMap(LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed)
                .backgroundMigration(false).migrationListener(calls).build()));
    }

    private static RacedMap lineMap(final LineMap<String, String> map) {
        return new RacedMap() {
            @Override
            public void putOld(final long k) {
                map.put("old " + k, "old value " + k);
            }

            @Override
            public boolean getOld(final long k) {
                final String v = map.get("old " + k);
                if (v != null && !v.equals("old value " + k)) {
                    fail("old key " + k + " read as " + v);
                }
                return v != null;
            }

            @Override
            public void putNew(final int w, final long i) {
                map.put("new " + w + " " + i, "value " + i);
            }

            @Override
            public boolean getNew(final int w, final long i) {
                final String v = map.get("new " + w + " " + i);
                if (v != null && !v.equals("value " + i)) {
                    fail("writer " + w + "'s key " + i + " read as " + v);
                }
                return v != null;
            }

            @Override
            public void iterate(final boolean noOld) {
                map.forEach((k, v) -> {
                    final boolean old = k.startsWith("old ");
                    final String expected = old ? "old value " + k.substring(4) : "value " + k.split(" ")[2];
                    if (!v.equals(expected)) {
                        fail("forEach reported " + k + " -> " + v);
                    }
                    if (old && noOld) {
                        fail("a forEach begun after clear() returned reported " + k);
                    }
                });
            }

            @Override
            public void clear() {
                map.clear();
            }

            @Override
            public long size() {
                return map.longSize();
            }

            @Override
            public long bucketCount() {
                return map.stats().bucketCount();
            }

            @Override
            public boolean migrating() {
                return map.stats().migrating();
            }

            @Override
            public void close() {
                map.close();
            }
        };
    }

    /**
     * Runs {@link #race} on fresh maps until a clear abandoned the growth (every round checks all
     * the rest), at most {@value #ATTEMPTS} times.
     */
    private static void raceUntilAbandoned(final long seed, final Function<Calls, RacedMap> newMap)
            throws InterruptedException {
        final List<String> notAbandoned = new ArrayList<>();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            final Calls calls = new Calls();
            final String outcome = race(newMap.apply(calls), calls, seed + 1000L * attempt);
            if (outcome == null) {
                return;
            }
            notAbandoned.add(outcome);
            System.out.println("ClearDuringMigrationTest: the growth completed before the clear, round again: "
                    + outcome);
        }
        fail("set-up: in " + ATTEMPTS + " rounds the growth was never still running when the clear came: "
                + notAbandoned);
    }

    /**
     * Stores old entries until a growth from {@value #OLD_BUCKETS} buckets starts, then races the
     * writers (each raises {@code started} before a put and {@code completed} after it), the
     * readers, one iterating thread and, once every writer has made {@value #PUTS_BEFORE_CLEAR}
     * puts (they wait there until the clearing thread is about to call clear(), then race it), the
     * clear; then checks what the class comment promises.
     *
     * @return {@code null} if the clear abandoned the growth, else what happened instead
     */
    private static String race(final RacedMap map, final Calls calls, final long seed) throws InterruptedException {
        try (map) {
            long old = 0;
            while (!(map.migrating() && map.bucketCount() == 2 * OLD_BUCKETS)) {
                map.putOld(old++);
            }
            final long oldKeys = old;
            final AtomicLong[] started = new AtomicLong[WRITERS];
            final AtomicLong[] completed = new AtomicLong[WRITERS];
            final long[] before = new long[WRITERS];
            final long[] after = new long[WRITERS];
            final AtomicInteger readyForClear = new AtomicInteger();
            final AtomicInteger writersDone = new AtomicInteger();
            final AtomicBoolean clearing = new AtomicBoolean();
            final AtomicBoolean cleared = new AtomicBoolean();
            final List<Runnable> bodies = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                started[w] = new AtomicLong(-1);
                completed[w] = new AtomicLong(-1);
                final int writer = w;
                bodies.add(() -> {
                    try {
                        for (long i = 0; i < PUTS_PER_WRITER; i++) {
                            started[writer].set(i);
                            map.putNew(writer, i);
                            completed[writer].set(i);
                            assertNotInterrupted("writer " + writer + ", put " + i);
                            if (i == PUTS_BEFORE_CLEAR) {
                                readyForClear.incrementAndGet();
                                while (!clearing.get()) {
                                    Thread.onSpinWait();
                                }
                            }
                        }
                    } finally {
                        writersDone.incrementAndGet();
                    }
                });
            }
            bodies.add(() -> {
                while (readyForClear.get() < WRITERS) {
                    Thread.onSpinWait();
                }
                for (int w = 0; w < WRITERS; w++) {
                    before[w] = completed[w].get();
                }
                clearing.set(true);
                map.clear();
                cleared.set(true);
                for (int w = 0; w < WRITERS; w++) {
                    after[w] = started[w].get();
                }
                assertNotInterrupted("clearing thread");
            });
            for (int r = 0; r < READERS; r++) {
                final SplittableRandom random = new SplittableRandom(seed * 31 + r);
                bodies.add(() -> {
                    for (long n = 0; writersDone.get() < WRITERS && n < 50_000_000; n++) {
                        final boolean afterClear = cleared.get();
                        final long k = random.nextLong(oldKeys);
                        if (map.getOld(k) && afterClear) {
                            fail("old key " + k + " read after clear() returned");
                        }
                        final int w = random.nextInt(WRITERS);
                        final long done = completed[w].get();
                        if (done >= 0) {
                            map.getNew(w, random.nextLong(done + 1));
                        }
                        assertNotInterrupted("reader");
                    }
                });
            }
            bodies.add(() -> {
                while (writersDone.get() < WRITERS) {
                    map.iterate(cleared.get());
                    assertNotInterrupted("iterating thread");
                }
            });
            runAll(bodies);

            final String where = "seed " + seed + ", " + oldKeys + " old keys, clear after writers' puts "
                    + before[0] + " / " + before[1] + ", before their puts " + after[0] + " / " + after[1];
            assertTrue(calls.contains("completed CLEAR " + 2 * OLD_BUCKETS + " -> 1"), where + ": " + calls.calls);
            for (long k = 0; k < oldKeys; k++) {
                assertFalse(map.getOld(k), where + ": old key " + k + " survived the clear");
            }
            long present = 0;
            for (int w = 0; w < WRITERS; w++) {
                for (long i = 0; i < PUTS_PER_WRITER; i++) {
                    final boolean has = map.getNew(w, i);
                    present += has ? 1 : 0;
                    if (i <= before[w]) {
                        assertFalse(has, where + ": writer " + w + "'s put " + i + " completed before clear() began,"
                                + " but survived");
                    } else if (i > after[w]) {
                        assertTrue(has, where + ": writer " + w + "'s put " + i + " began after clear() returned,"
                                + " but is lost");
                    }
                }
            }
            assertEquals(present, map.size(), where + ": size");
            // Abandoned: the growth never completed (a growth of the new table to as many buckets
            // would need more entries than the writers put).
            return calls.contains("completed GROW " + OLD_BUCKETS + " -> " + 2 * OLD_BUCKETS) ? where : null;
        }
    }

    /** Runs the bodies on threads of their own; rethrows the first failure. */
    private static void runAll(final List<Runnable> bodies) throws InterruptedException {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            final Runnable body = bodies.get(i);
            final Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (final Throwable e) {
                    if (!failure.compareAndSet(null, e)) {
                        failure.get().addSuppressed(e);
                    }
                }
            }, "clear-race-" + i);
            t.start();
            threads.add(t);
        }
        for (final Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(2));
            assertFalse(t.isAlive(), t.getName() + " did not finish (deadlock or lost wake-up?)");
        }
        if (failure.get() instanceof AssertionError a) {
            throw a;
        } else if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** A map operation must not leave its thread interrupted (see RetirementInterruptTest). */
    private static void assertNotInterrupted(final String where) {
        if (Thread.interrupted()) {
            fail(where + ": a map operation left the calling thread's interrupt flag set");
        }
    }
}
