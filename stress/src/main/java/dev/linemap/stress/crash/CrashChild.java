package dev.linemap.stress.crash;

import dev.linemap.MigrationKind;
import dev.linemap.MigrationListener;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The process the crash loop kills: opens the map file, runs writer threads on disjoint keys, and
 * reports every operation on standard output <em>before</em> it starts it, in one {@code write}
 * system call per operation (a line below {@code PIPE_BUF}, so lines of several threads never
 * mix): {@code "t seq kind key value"} says that thread {@code t} finished everything it reported
 * before and now starts {@code kind} ({@code P} put, {@code D} remove, {@code N} nothing) on
 * {@code key}. A write reaches the pipe before the operation can take effect, and survives the
 * process: so the parent knows every completed operation, and for each thread at most one that
 * may or may not have happened.
 *
 * <p>It works in rounds: open, run the threads for a while (bursts of inserts of new keys, then
 * bursts of removes, so the map grows and shrinks and migrations are often under way), sometimes
 * {@code sync()}, sometimes {@code clear()} (reported as {@code X} before and {@code Y} after),
 * close, and again, until it is killed. With {@code --syncs true} (the power-loss loop) every round
 * syncs once its writers are done, and its close syncs too: each reported {@code S} before, and
 * {@code T} (or the close's {@code C}) after. Some rounds end with {@code Runtime.halt}
 * in the middle of the writes instead (an abrupt exit the JVM does not clean up after).
 */
final class CrashChild {

    private final String shape;
    private final Path file;
    private final long seed;
    private final int threads;
    private final long keys;
    /** Power-loss mode: a sync every round, reported as {@code S} before and {@code T} after. */
    private final boolean syncs;
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);

    private CrashChild(final String shape, final Path file, final long seed, final int threads, final long keys,
                       final boolean syncs) {
        this.shape = shape;
        this.file = file;
        this.seed = seed;
        this.threads = threads;
        this.keys = keys;
        this.syncs = syncs;
    }

    /**
     * Runs until killed.
     *
     * @param args {@code --map long|line --file F --seed S --threads T --keys K [--syncs true]}
     * @return never normally; 2 on a failure (the parent treats any exit it did not cause as one)
     * @throws Exception never expected
     */
    static int run(final String[] args) throws Exception {
        String shape = "long";
        boolean hold = false;
        boolean syncs = false;
        Path file = null;
        long seed = 1;
        int threads = 2;
        long keys = 400_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--map" -> shape = args[i + 1];
                case "--file" -> file = Path.of(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--keys" -> keys = Long.parseLong(args[i + 1]);
                case "--hold" -> hold = Boolean.parseBoolean(args[i + 1]);
                case "--syncs" -> syncs = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("--file is required");
        }
        if (hold) {
            // Opens the map and keeps it open until killed: the parent checks that a second
            // process is refused, and that the kill releases the file.
            final CrashMap map = CrashMap.open(shape, file, true);
            new CrashChild(shape, file, seed, threads, keys, false).report("R " + map.size() + "\n");
            Thread.sleep(Long.MAX_VALUE);
        }
        new CrashChild(shape, file, seed, threads, keys, syncs).loop();
        return 2;
    }

    private void report(final String line) {
        final byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
            try {
                out.write(bytes);
            } catch (final IOException e) {
                Runtime.getRuntime().halt(4);   // the report file is gone
            }
        }
    }

    private void loop() throws InterruptedException {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; ; round++) {
            // Mostly without the helper thread: migrations then advance only with writes and last longer,
            // so more kills land inside one.
            // Each migration start is reported ("M"): the parent aims some kills just after one.
            final CrashMap map = CrashMap.open(shape, file, random.nextInt(4) == 0, new MigrationListener() {
                @Override
                public void migrationStarted(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
                    report("M " + kind + " " + fromBuckets + " " + toBuckets + "\n");
                }
            });
            report("R " + map.size() + "\n");
            final List<List<Long>> present = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                present.add(new ArrayList<>());
            }
            map.forEach((k, v) -> present.get((int) Math.floorMod(k, (long) threads)).add(k));
            final boolean halt = random.nextInt(40) == 0;
            final Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                final int id = t;
                final long workerSeed = random.nextLong();
                workers[t] = new Thread(() -> work(map, id, present.get(id), new SplittableRandom(workerSeed), halt),
                        "crash-writer-" + t);
                workers[t].start();
            }
            for (final Thread w : workers) {
                w.join();
            }
            if (syncs) {
                // Every writer has finished: the sync's image is the map as reported so far.
                report("S\n");
                map.sync();
                report("T\n");
            } else if (random.nextInt(20) == 0) {
                map.sync();
            }
            if (random.nextInt(8) == 0) {
                // A clear: reported before ("X") and after ("Y"); in between, the file may hold the
                // map before or after it, nothing else.
                report("X\n");
                map.clear();
                report("Y\n");
            }
            if (syncs) {
                report("S\n");   // close() syncs a map that has an image; "C" ends it
            }
            map.close();
            report("C " + round + "\n");
        }
    }

    private void work(final CrashMap map, final int t, final List<Long> present, final SplittableRandom random,
                      final boolean halt) {
        final int ops = 2_000 + random.nextInt(60_000);
        final int haltAt = halt ? random.nextInt(ops) : -1;
        long seq = 0;
        boolean growing = random.nextBoolean();
        int burst = 0;
        for (int i = 0; i < ops; i++) {
            if (i == haltAt) {
                Runtime.getRuntime().halt(3);
            }
            if (burst-- <= 0) {
                growing = present.isEmpty() || !growing;
                burst = 500 + random.nextInt(growing ? 40_000 : 80_000);
            }
            if (growing || present.isEmpty()) {
                final long key = random.nextLong(keys / threads) * threads + t;
                final long value = random.nextLong();
                report(t + " " + seq++ + " P " + key + " " + value + "\n");
                map.put(key, value);
                present.add(key);   // may repeat a key: a remove of a missing key is fine
            } else {
                final int at = random.nextInt(present.size());
                final long key = present.get(at);
                present.set(at, present.get(present.size() - 1));
                present.remove(present.size() - 1);
                report(t + " " + seq++ + " D " + key + " 0\n");
                map.remove(key);
            }
        }
        report(t + " " + seq + " N 0 0\n");
    }
}
