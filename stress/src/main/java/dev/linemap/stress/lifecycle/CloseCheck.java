package dev.linemap.stress.lifecycle;

import dev.linemap.LongLongMap;
import dev.linemap.stress.Watchdog;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Command {@code close-check}: closes a map while other threads are still calling it, round after
 * round. Every caller must end with {@link IllegalStateException} (never another exception, never
 * a JVM crash), and native memory must return to its baseline after each close: checked with the
 * map's own accounting ({@code stats().offHeapBytes()} must be what NMT saw allocated) and with
 * Native Memory Tracking, so run it in a JVM started with {@code -XX:NativeMemoryTracking=summary}.
 */
public final class CloseCheck {

    private CloseCheck() {
    }

    /**
     * Runs the check.
     *
     * @param args {@code [--threads N] [--rounds N] [--entries N]}
     * @return 0 if every round behaved, 1 otherwise
     * @throws InterruptedException if interrupted
     */
    public static int run(final String[] args) throws InterruptedException {
        int threads = 2;
        int rounds = 5;
        int entries = 400_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--entries" -> entries = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException(
                        "unknown option " + args[i] + " (known: --threads --rounds --entries)");
            }
        }
        Watchdog.arm(java.time.Duration.ofMinutes(2L + rounds), "close-check threads=" + threads + " rounds=" + rounds);
        final boolean nmt = NativeMemory.otherCommittedBytes() >= 0;
        if (!nmt) {
            System.out.println("close-check: NMT is off; only the map's own accounting is checked"
                    + " (run with -XX:NativeMemoryTracking=summary for the full check)");
        }
        final long baseline = NativeMemory.otherCommittedBytes();
        System.out.println("close-check: threads=" + threads + " rounds=" + rounds + " entries=" + entries
                + (nmt ? " NMT Other committed baseline=" + baseline / 1024 + " KB" : ""));
        int failures = 0;
        for (int round = 1; round <= rounds; round++) {
            failures += round(round, threads, entries, baseline, nmt) ? 0 : 1;
        }
        System.out.println(failures == 0
                ? "CLOSE-CHECK VERDICT: PASS" : "CLOSE-CHECK VERDICT: FAIL (" + failures + " rounds)");
        return failures == 0 ? 0 : 1;
    }

    private static boolean round(final int round, final int threads, final int entries, final long baseline,
                                 final boolean nmt) throws InterruptedException {
        boolean ok = true;
        final LongLongMap map = LongLongMap.builder().initialCapacity(0).seed(round).build();
        // Different sizes per round, so the callers' inserts catch the map at different points
        // of its growth cycle when close() arrives.
        final long fill = entries / 2 + (long) entries * (round % 4) / 4;
        for (long k = 0; k < fill; k++) {
            map.put(k * 0x9E3779B97F4A7C15L, k);
        }
        final long offHeap = map.stats().offHeapBytes();
        final long loaded = NativeMemory.otherCommittedBytes();
        final AtomicLong illegalState = new AtomicLong();
        final AtomicReference<Throwable> other = new AtomicReference<>();
        final CountDownLatch running = new CountDownLatch(threads);
        final Thread[] callers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final long seed = round * 1000L + t;
            callers[t] = new Thread(() -> hammerUntilClosed(map, seed, entries, running, illegalState, other),
                    "caller-" + t);
            callers[t].start();
        }
        running.await();
        TimeUnit.MILLISECONDS.sleep(50); // let the callers get deep into operations
        // Close in the middle of a migration when one comes within 3 s: the hardest moment (two
        // generations, a helper thread, old tables being retired).
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        boolean migratingAtClose;
        while (!(migratingAtClose = map.stats().growing()) && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        map.close();
        for (final Thread t : callers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                System.out.println("  round " + round + ": " + t.getName() + " still running 30 s after close");
                ok = false;
            }
        }
        if (other.get() != null) {
            System.out.println("  round " + round
                    + ": a caller failed with something other than IllegalStateException:");
            other.get().printStackTrace(System.out);
            ok = false;
        }
        if (illegalState.get() != threads) {
            System.out.println("  round " + round + ": " + illegalState.get() + " of " + threads
                    + " callers ended with IllegalStateException");
            ok = false;
        }
        try {
            map.get(1);
            System.out.println("  round " + round + ": get() after close() did not throw");
            ok = false;
        } catch (final IllegalStateException expected) {
            // the contract
        }
        final long after = NativeMemory.otherCommittedBytes();
        final StringBuilder line = new StringBuilder("  round " + round + ": offHeapBytes=" + offHeap / 1024 + " KB");
        if (nmt) {
            final long allocated = loaded - baseline;
            final long leftover = after - baseline;
            // NMT counts malloc headers and rounds to KB; the map's own count must explain what NMT saw.
            final long slack = Math.max(1 << 20, offHeap / 20);
            line.append(", NMT Other: +").append(allocated / 1024).append(" KB loaded, ")
                    .append(leftover >= 0 ? "+" : "").append(leftover / 1024).append(" KB after close");
            if (Math.abs(allocated - offHeap) > slack) {
                line.append("  <- NMT growth does not match offHeapBytes");
                ok = false;
            }
            if (leftover > slack) {
                line.append("  <- native memory not returned");
                ok = false;
            }
        }
        line.append(", migration in progress at close: ").append(migratingAtClose);
        line.append(", callers ended with IllegalStateException: ").append(illegalState.get())
                .append('/').append(threads).append(ok ? "  ok" : "  FAILED");
        System.out.println(line);
        return ok;
    }

    private static void hammerUntilClosed(final LongLongMap map, final long seed, final int entries,
                                          final CountDownLatch running, final AtomicLong illegalState,
                                          final AtomicReference<Throwable> other) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        running.countDown();
        try {
            while (true) {
                final long key = rnd.nextLong(entries * 2L) * 0x9E3779B97F4A7C15L;
                switch (rnd.nextInt(8)) {
                    case 0 -> map.put(key, seed);
                    case 1 -> map.remove(key);
                    case 2 -> map.addAndGet(key, 1);
                    case 3 -> map.putIfAbsent(key, seed);
                    case 4 -> map.containsKey(key);
                    case 5 -> map.size();
                    case 6 -> {
                        final long[] n = new long[1];
                        if (rnd.nextInt(1000) == 0) {
                            map.forEach((k, v) -> n[0]++);
                        }
                    }
                    default -> map.get(key);
                }
            }
        } catch (final IllegalStateException expected) {
            illegalState.incrementAndGet();
        } catch (final Throwable t) {
            other.compareAndSet(null, t);
        }
    }
}
