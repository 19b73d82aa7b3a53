package dev.linemap.stress.retire;

import dev.linemap.LongLongMap;

import dev.linemap.engine.AccessMode;
import dev.linemap.stress.Watchdog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Command {@code release-race}: the regression check for "a writer's unlock reports failure after it
 * succeeded" (see {@code Seqlock.unlock} and {@code docs/design.md}, "Reclamation").
 *
 * <p>The race: a writer's release store completes, another thread evacuates the bucket, completes
 * the migration and retires the table while the writer is still inside the JDK's scoped access
 * method, and HotSpot throws "Already closed" into the writer. It needs a preemption at exactly that
 * point, which happens most in cold JVMs (interpreted and C1 code is slow inside that method), so
 * the parent runs many short-lived child JVMs. Each child has three writers add to and remove shared
 * counters while the map grows and shrinks, then checks the books: no operation may throw, no
 * thread may be left with an interrupt status nobody set, and the values in the map must equal
 * everything added minus everything {@code remove} returned (an operation that took effect but
 * reported failure, or was applied twice, breaks that sum).
 */
public final class ReleaseRace {

    private static final int THREADS = 3;
    private static final int KEYS = 4096;
    private static final int OPS = 250_000;

    private ReleaseRace() {
    }

    /**
     * Runs the check.
     *
     * @param args {@code [--forks N] [--access fast|checked]} (the children's access path; default
     *             checked), or {@code --child SEED ACCESS} inside a forked JVM
     * @return 0 if every child passed, 1 otherwise
     * @throws Exception if a child cannot be started
     */
    public static int run(final String[] args) throws Exception {
        if (args.length == 3 && "--child".equals(args[0])) {
            return child(Long.parseLong(args[1]), args[2]);
        }
        int forks = 20;
        String access = "checked";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--forks" -> forks = Integer.parseInt(args[i + 1]);
                case "--access" -> access = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --forks, --access)");
            }
        }
        if (!access.equals("fast") && !access.equals("checked")) {
            throw new IllegalArgumentException("--access " + access + ": must be fast or checked");
        }
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String jar = ReleaseRace.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        int failed = 0;
        final long start = System.nanoTime();
        for (int f = 1; f <= forks; f++) {
            // Native access enabled for the class path runs the engine's fast path; without it, the checked one.
            final List<String> command = List.of(java,
                    access.equals("fast") ? "--enable-native-access=ALL-UNNAMED" : "-Dlinemap.access=checked",
                    "-cp", jar, "dev.linemap.stress.Main", "release-race", "--child", Integer.toString(f), access);
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Read to the end (the child's own watchdog ends a hung child, so this returns), then reap.
            final String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (child.waitFor() != 0) {
                failed++;
                System.out.println("release-race: child " + f + " FAILED:\n" + output);
            }
        }
        System.out.printf("release-race: %d fresh JVMs (%s access) x %d writers x %d ops in %.0f s, %d failed%n",
                forks, access, THREADS, OPS, (System.nanoTime() - start) / 1e9, failed);
        System.out.println(failed == 0 ? "RELEASE-RACE VERDICT: PASS" : "RELEASE-RACE VERDICT: FAIL");
        return failed == 0 ? 0 : 1;
    }

    private static int child(final long seed, final String access) throws InterruptedException, IOException {
        Watchdog.arm(Duration.ofMinutes(2), "release-race child seed " + seed);
        if (!AccessMode.name().equals(access)) {
            System.out.println("release-race child: meant to run the " + access + " access path, runs "
                    + AccessMode.name());
            return 1;
        }
        final AtomicReference<String> failure = new AtomicReference<>();
        final AtomicLong added = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        try (LongLongMap map = LongLongMap.builder().build()) {
            final Thread[] writers = new Thread[THREADS];
            for (int t = 0; t < THREADS; t++) {
                final long threadSeed = seed * 31 + t;
                writers[t] = new Thread(() -> {
                    final SplittableRandom random = new SplittableRandom(threadSeed);
                    long add = 0;
                    long rem = 0;
                    for (int i = 0; i < OPS && failure.get() == null; i++) {
                        final long key = random.nextInt(KEYS) * 0x9E3779B97F4A7C15L;
                        // Phases of 25,000 ops: few removes (the table grows), then mostly removes (it shrinks).
                        final boolean draining = (i / 25_000) % 2 == 1;
                        try {
                            if (random.nextInt(100) < (draining ? 90 : 2)) {
                                rem += map.remove(key);
                            } else {
                                map.addAndGet(key, 1);
                                add++;
                            }
                        } catch (final RuntimeException e) {
                            failure.compareAndSet(null, "seed " + threadSeed + " op " + i + ": " + e);
                            e.printStackTrace(System.out);
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            failure.compareAndSet(null, "seed " + threadSeed + " op " + i + ": spurious interrupt");
                        }
                    }
                    added.addAndGet(add);
                    removed.addAndGet(rem);
                }, "writer-" + t);
                writers[t].start();
            }
            for (final Thread writer : writers) {
                writer.join();
            }
            final long[] inMap = new long[1];
            map.forEach((k, v) -> inMap[0] += v);
            if (failure.get() == null && inMap[0] != added.get() - removed.get()) {
                failure.set("books do not balance: map holds " + inMap[0] + ", added " + added.get()
                        + " - removed " + removed.get() + " = " + (added.get() - removed.get()));
            }
        }
        System.out.println(failure.get() == null ? "ok" : "FAIL " + failure.get());
        return failure.get() == null ? 0 : 1;
    }
}
