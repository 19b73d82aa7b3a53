package dev.linemap.bench.harness;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.bench.Keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * What {@code sync()} costs (issue 13's power-loss durability): a map file filled with {@code n}
 * entries, then
 * <ol>
 *   <li>the first sync (every page goes to the new sync image),</li>
 *   <li>a sync after puts of present keys to 0.1 %, 1 % and 10 % of the entries (random keys: the
 *       changed pages),</li>
 *   <li>a sync while one writer thread puts and one reader thread gets, nonstop: the sync's time,
 *       and the longest put and the longest get of the run beside the longest of a run as long
 *       without a sync (writers wait at the gate while the sync reads the file; readers never),</li>
 *   <li>{@code close()} (which syncs a map that has an image), the open after it, and the open as
 *       after a restart of the machine (another boot id: the image is checked and compared with
 *       the file page by page; nothing to rewrite here),</li>
 * </ol>
 * and the bytes of the file, the image and the applied log. {@code ll}: {@code LongLongMap} with
 * {@link Keys}; {@code lm}: {@code LineMap<String, String>} with {@link AsciiEntries} (seed 42).
 */
public final class SyncCost {

    private SyncCost() {
    }

    /**
     * Runs one map shape at one size and prints its lines.
     *
     * @param shape {@code ll} or {@code lm}
     * @param n entries
     * @param dir where the files go (deleted after)
     * @throws IOException if a file cannot be made
     * @throws InterruptedException if interrupted
     */
    public static void run(final String shape, final int n, final Path dir) throws IOException, InterruptedException {
        final Path work = Files.createTempDirectory(dir, "sync-cost-");
        final Path file = work.resolve(shape + ".map");
        try {
            final Subject s = shape.equals("ll") ? longs(n, file) : lines(n, file);
            System.out.printf(Locale.ROOT, "sync-cost %s n=%,d%n", shape, n);
            System.out.printf(Locale.ROOT, "  first sync (whole file to the image): %8.1f ms, file %,d bytes%n",
                    timeMs(s.sync()), Files.size(file));
            final SplittableRandom random = new SplittableRandom(11);
            for (final double share : new double[] {0.001, 0.01, 0.1}) {
                final int puts = (int) (n * share);
                for (int i = 0; i < puts; i++) {
                    s.putRandom().accept(random);
                }
                System.out.printf(Locale.ROOT, "  sync after puts to %5.1f %% of the entries: %8.1f ms%n",
                        share * 100, timeMs(s.sync()));
            }
            final long[] quiet = busy(s, false);
            final long[] synced = busy(s, true);
            System.out.printf(Locale.ROOT, "  sync with a writer and a reader running: %8.1f ms; longest put %.2f ms"
                    + " (%.2f ms in a run without sync), longest get %.3f ms (%.3f ms)%n", synced[0] / 1e6,
                    synced[1] / 1e6, quiet[1] / 1e6, synced[2] / 1e6, quiet[2] / 1e6);
            System.out.printf(Locale.ROOT, "  close (syncs): %8.1f ms%n", timeMs(s.close()));
            System.out.printf(Locale.ROOT, "  disk: file %,d, image %,d, applied log %,d bytes%n", Files.size(file),
                    Files.size(work.resolve(shape + ".map.sync-image")),
                    Files.size(work.resolve(shape + ".map.sync-log")));
            final Subject[] reopened = new Subject[1];
            System.out.printf(Locale.ROOT, "  open after close: %8.1f ms%n",
                    timeMs(() -> reopened[0] = s.reopen().apply(file)));
            reopened[0].close().run();   // syncs: nothing changed, a read of the file
            final String boot = System.getProperty("linemap.test.bootId");
            System.setProperty("linemap.test.bootId", "sync-cost-restart");
            try {
                System.out.printf(Locale.ROOT, "  open as after a restart of the machine (image checked, file"
                        + " compared): %8.1f ms%n", timeMs(() -> reopened[0] = s.reopen().apply(file)));
                reopened[0].close().run();
            } finally {
                if (boot == null) {
                    System.clearProperty("linemap.test.bootId");
                } else {
                    System.setProperty("linemap.test.bootId", boot);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * One second of a writer and a reader; with {@code sync}, a sync in its middle.
     *
     * @return the sync's nanoseconds (0 without), the longest put's and the longest get's
     */
    private static long[] busy(final Subject s, final boolean sync) throws InterruptedException {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong longestPut = new AtomicLong();
        final AtomicLong longestGet = new AtomicLong();
        final Thread writer = new Thread(() -> {
            final SplittableRandom random = new SplittableRandom(12);
            while (!stop.get()) {
                final long t0 = System.nanoTime();
                s.putRandom().accept(random);
                longestPut.accumulateAndGet(System.nanoTime() - t0, Math::max);
            }
        });
        final Thread reader = new Thread(() -> {
            final SplittableRandom random = new SplittableRandom(13);
            long sink = 0;
            while (!stop.get()) {
                final long t0 = System.nanoTime();
                sink += s.getRandom().applyAsLong(random);
                longestGet.accumulateAndGet(System.nanoTime() - t0, Math::max);
            }
            if (sink == 42) {
                System.out.print("");
            }
        });
        writer.start();
        reader.start();
        Thread.sleep(500);
        final long syncNs;
        if (sync) {
            final long t0 = System.nanoTime();
            s.sync().run();
            syncNs = System.nanoTime() - t0;
        } else {
            syncNs = 0;
        }
        Thread.sleep(500);
        stop.set(true);
        writer.join();
        reader.join();
        return new long[] {syncNs, longestPut.get(), longestGet.get()};
    }

    private static double timeMs(final Runnable r) {
        final long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * A filled map file, behind its operations.
     *
     * @param putRandom puts a random present key
     * @param getRandom gets a random present key (something of its value)
     * @param sync the map's sync
     * @param close the map's close
     * @param reopen opens the file again, on the same keys
     */
    private record Subject(Consumer<SplittableRandom> putRandom, ToLongFunction<SplittableRandom> getRandom,
                           Runnable sync, Runnable close, Function<Path, Subject> reopen) {
    }

    private static Subject longs(final int n, final Path file) {
        final long[] keys = Keys.random(n, Keys.KEY_SEED);
        final LongLongMap map = LongLongMap.builder().persistTo(file).build();
        for (int i = 0; i < n; i++) {
            map.put(keys[i], Keys.valueFor(i));
        }
        return longs(keys, map);
    }

    private static Subject longs(final long[] keys, final LongLongMap map) {
        return new Subject(r -> map.put(keys[r.nextInt(keys.length)], r.nextLong()),
                r -> map.get(keys[r.nextInt(keys.length)]), map::sync, map::close,
                f -> longs(keys, LongLongMap.builder().persistTo(f).build()));
    }

    private static Subject lines(final int n, final Path file) {
        final String[] keys = new String[n];
        final String[] values = new String[n];
        final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42).persistTo(file)
                .build();
        final AsciiEntries entries = new AsciiEntries(42);
        for (int i = 0; i < n; i++) {
            keys[i] = entries.nextKey();
            values[i] = entries.nextValue();
            map.put(keys[i], values[i]);
        }
        return lines(keys, values, map);
    }

    private static Subject lines(final String[] keys, final String[] values, final LineMap<String, String> map) {
        return new Subject(r -> map.put(keys[r.nextInt(keys.length)], values[r.nextInt(values.length)]),
                r -> map.get(keys[r.nextInt(keys.length)]).length(), map::sync, map::close,
                f -> lines(keys, values, LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42).persistTo(f).build()));
    }
}
