package dev.linemap.stress.hammer;

import dev.linemap.LongLongMap;
import dev.linemap.stress.Watchdog;
import dev.linemap.stress.hammer.Worker.HammerControl;

import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Command {@code hammer}: threads run a random mix of every operation for a fixed time while the
 * map grows, shrinks and is cleared again and again; at every checkpoint (threads paused) and at
 * the end the whole map is compared with the model.
 *
 * <p>Prints a progress line per checkpoint (operations, operations per second, size, buckets,
 * growths) and a verdict. Any mismatch prints the seed and the first differing key and exits 1.
 */
public final class Hammer {

    private final HammerOptions options;
    private final KeySpace space;
    private final HammerMap map;
    private final HammerControl control;
    private final Worker[] workers;
    private long bucketRises;
    private long bucketFalls;
    private long lastBuckets;
    private long minBuckets = Long.MAX_VALUE;
    private long maxBuckets;
    private long maxSize;
    private long clears;
    private long lastCompletedMigrations;

    private Hammer(final HammerOptions options) {
        this.options = options;
        this.space = new KeySpace(options.keys(), options.sharedKeys(), options.threads());
        this.map = options.lineMap() ? new LineHammerMap(options.seed(), options.missingValue())
                : new LongHammerMap(LongLongMap.builder().initialCapacity(0).missingValue(options.missingValue())
                        .seed(options.seed()).build());
        this.control = new HammerControl(options.threads());
        this.workers = new Worker[options.threads()];
        for (int t = 0; t < workers.length; t++) {
            workers[t] = new Worker(t, map, space, options.seed(), control);
        }
    }

    /**
     * Runs the hammer.
     *
     * @param args see {@link HammerOptions#parse(String[])}
     * @return 0 if the map always agreed with the model, 1 otherwise
     * @throws InterruptedException if interrupted
     */
    public static int run(final String[] args) throws InterruptedException {
        final HammerOptions options = HammerOptions.parse(args);
        System.out.println("hammer: map=" + (options.lineMap() ? "LineMap<String, String>" : "LongLongMap")
                + " threads=" + options.threads() + (options.virtualThreads() ? " (virtual)" : "")
                + " duration=" + options.duration()
                + " keys=" + options.keys() + " shared=" + options.sharedKeys() + " seed=" + options.seed()
                + " check-every=" + options.checkEvery() + " clear-every=" + options.clearEvery()
                + " canary=" + System.getProperty("linemap.canary", "off")
                + " access=" + dev.linemap.engine.AccessMode.name());
        // A checkpoint waits for the workers and a clear() or a final check can take a while on a big
        // map, but nothing legitimate takes minutes beyond the planned duration.
        Watchdog.arm(options.duration().plus(options.checkEvery()).plusMinutes(3),
                "hammer seed=" + options.seed() + " threads=" + options.threads() + " keys=" + options.keys());
        final Hammer hammer = new Hammer(options);
        try {
            return hammer.execute();
        } finally {
            hammer.map.close();
        }
    }

    private int execute() throws InterruptedException {
        final Thread[] threads = new Thread[workers.length];
        for (int t = 0; t < workers.length; t++) {
            // Virtual threads are always daemons; they are started below like the platform ones.
            threads[t] = options.virtualThreads()
                    ? Thread.ofVirtual().name("hammer-" + t).unstarted(workers[t])
                    : Thread.ofPlatform().name("hammer-" + t).daemon().unstarted(workers[t]);
        }
        final long start = System.nanoTime();
        final long end = start + options.duration().toNanos();
        final long checkNanos = Math.max(1, options.checkEvery().toNanos());
        long nextCheck = start + checkNanos;
        for (final Thread t : threads) {
            t.start();
        }
        int checkpoints = 0;
        long lastOps = 0;
        long lastTime = start;
        while (control.failure.get() == null) {
            final long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            sampleStats();
            if (now >= nextCheck) {
                checkpoints++;
                if (!checkpoint(checkpoints, start, lastOps, lastTime)) {
                    break;
                }
                lastOps = totalOps();
                lastTime = System.nanoTime();
                nextCheck = lastTime + checkNanos;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        control.stop = true;
        for (final Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(1));
        }
        final long seconds = Math.max(1, (System.nanoTime() - start) / 1_000_000L);
        if (control.failure.get() == null) {
            final Mismatch m = verify();
            if (m != null) {
                control.failure.compareAndSet(null, m);
            }
        }
        final Mismatch failure = control.failure.get();
        final long ops = totalOps();
        final HammerMap.Shape stats = failure == null ? map.shape() : null;
        System.out.printf(Locale.ROOT, "hammer: %,d ops in %.1f s = %,.0f ops/s; completed migrations %d"
                        + " (bucket count rose %d times, fell %d times, range %d..%d buckets, max size %,d);"
                        + " clears %d; checkpoints %d%n",
                ops, seconds / 1000.0, ops * 1000.0 / seconds, completedMigrations(stats), bucketRises, bucketFalls,
                minBuckets, maxBuckets, maxSize, clears, checkpoints);
        if (failure != null) {
            System.out.println(failure.describe(options.seed()));
            System.out.println("HAMMER VERDICT: FAIL (seed=" + options.seed() + ")");
            return 1;
        }
        System.out.println("HAMMER VERDICT: PASS (seed=" + options.seed() + ", final size " + stats.size() + ")");
        return 0;
    }

    private long completedMigrations(final HammerMap.Shape stats) {
        return stats == null ? lastCompletedMigrations : stats.completedMigrations();
    }

    private long totalOps() {
        long n = 0;
        for (final Worker w : workers) {
            n += w.ops;
        }
        return n;
    }

    private void sampleStats() {
        final HammerMap.Shape s = map.shape();
        final long b = s.buckets();
        if (lastBuckets != 0 && b > lastBuckets) {
            bucketRises++;
        } else if (lastBuckets != 0 && b < lastBuckets) {
            bucketFalls++;
        }
        lastBuckets = b;
        minBuckets = Math.min(minBuckets, b);
        maxBuckets = Math.max(maxBuckets, b);
        maxSize = Math.max(maxSize, s.size());
        lastCompletedMigrations = s.completedMigrations();
    }

    /** Pauses the workers, compares map and model, maybe clears, resumes. */
    private boolean checkpoint(final int n, final long start, final long lastOps, final long lastTime) {
        control.pause = true;
        try {
            control.barrier.await(5, TimeUnit.MINUTES);
        } catch (final Exception e) {
            if (control.failure.get() == null) {
                control.fail(new Mismatch("checkpoint " + n, "pausing the workers", 0, "all paused", e.toString()));
            }
            return false; // a worker failed (the failure is recorded) or the run is wedged
        }
        final long now = System.nanoTime();
        final long ops = totalOps();
        final HammerMap.Shape s = map.shape();
        final Mismatch m = verify();
        String action = "";
        if (m == null && options.clearEvery() > 0 && n % options.clearEvery() == 0) {
            map.clear();
            for (final Worker w : workers) {
                w.model.clear();
                java.util.Arrays.fill(w.sharedSum, 0);
                java.util.Arrays.fill(w.sharedTouched, false);
            }
            final long after = map.size();
            if (after != 0) {
                control.fail(new Mismatch("checkpoint " + n, "size() after clear()", 0, "0", Long.toString(after)));
                return false;
            }
            clears++;
            action = " (then cleared)";
        }
        long cycles = 0;
        for (final Worker w : workers) {
            cycles += w.cycles;
        }
        System.out.printf(Locale.ROOT, "[%7.1f s] ops=%,d  ops/s=%,.0f  size=%,d  buckets=%,d  overflowLines=%,d"
                        + "  growing=%s  completedMigrations=%d  fill/drain cycles=%d  check %d %s%s%n",
                (now - start) / 1e9, ops, (ops - lastOps) * 1e9 / Math.max(1, now - lastTime), s.size(),
                s.buckets(), s.overflowLines(), s.growing(), s.completedMigrations(),
                cycles, n, m == null ? "ok" : "MISMATCH", action);
        if (m != null) {
            control.fail(m);
            return false;
        }
        control.pause = false;
        try {
            control.barrier.await(5, TimeUnit.MINUTES);
        } catch (final Exception e) {
            if (control.failure.get() == null) {
                control.fail(new Mismatch("checkpoint " + n, "resuming the workers", 0, "all resumed", e.toString()));
            }
            return false;
        }
        return true;
    }

    /** Full comparison of the quiescent map with the model; the first difference, or null. */
    private Mismatch verify() {
        long expectedSize = 0;
        for (final Worker w : workers) {
            final OwnedModel model = w.model;
            for (int i = 0; i < model.presentCount(); i++) {
                final int local = model.presentAt(i);
                final long key = space.ownedKey(w.id, local);
                final long v = map.get(key);
                if (v != model.values[local] || !map.containsKey(key)) {
                    return new Mismatch("verify", "get(k) of thread " + w.id + "'s key", key,
                            Long.toString(model.values[local]), Long.toString(v));
                }
            }
            expectedSize += model.presentCount();
        }
        for (int s = 0; s < space.shared; s++) {
            long sum = 0;
            boolean touched = false;
            for (final Worker w : workers) {
                sum += w.sharedSum[s];
                touched |= w.sharedTouched[s];
            }
            final long key = space.sharedKey(s);
            if (touched) {
                expectedSize++;
                final long v = map.get(key);
                if (v != sum) {
                    return new Mismatch("verify", "get(k) of shared key #" + s + " (sum of addAndGet/merge deltas)",
                            key, Long.toString(sum), Long.toString(v));
                }
            } else if (map.containsKey(key)) {
                return new Mismatch("verify", "containsKey(k) of untouched shared key #" + s, key, "false", "true");
            }
        }
        final long size = map.size();
        if (size != expectedSize) {
            return new Mismatch("verify", "size()", 0, Long.toString(expectedSize), Long.toString(size));
        }
        final BitSet seen = new BitSet();
        final long[] reported = new long[1];
        final Mismatch[] first = new Mismatch[1];
        map.forEach((key, value) -> {
            reported[0]++;
            if (first[0] != null) {
                return;
            }
            final long index = space.indexOf(key);
            if (index < 0) {
                first[0] = new Mismatch("verify", "forEach reported a key outside the key space", key, "none",
                        Long.toString(value));
                return;
            }
            if (seen.get((int) index)) {
                first[0] = new Mismatch("verify", "forEach reported a key twice", key, "once", "twice");
                return;
            }
            seen.set((int) index);
            if (index < space.shared) {
                return; // value checked above
            }
            final int owner = (int) ((index - space.shared) % space.threads);
            final int local = (int) ((index - space.shared) / space.threads);
            final OwnedModel model = workers[owner].model;
            if (!model.present(local) || model.values[local] != value) {
                first[0] = new Mismatch("verify", "forEach entry of thread " + owner + "'s key", key,
                        model.present(local) ? Long.toString(model.values[local]) : "absent", Long.toString(value));
            }
        });
        if (first[0] != null) {
            return first[0];
        }
        if (reported[0] != expectedSize) {
            return new Mismatch("verify", "forEach entry count", 0, Long.toString(expectedSize),
                    Long.toString(reported[0]));
        }
        return null;
    }
}
