package dev.linemap.bench.harness;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.bench.Fsync;
import dev.linemap.bench.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Issue 13's read target, "a persisted map is as fast to read as an in-memory one (get within 10 %
 * in the same run)", and its "get at least 2x Chronicle Map persisted", measured in one JVM: the
 * same keys in a linemap map in memory, in a map kept in a file and filled by this process
 * ({@code persistTo}, then an {@code fsync} of the file), in a second file filled the same way, closed and opened
 * again (its pages in the page cache, mapped by the open), and in Chronicle Map kept in a file
 * ({@code createPersistedTo}). Short passes of random get hits, then of puts of present keys, take
 * turns (the order reverses every other round), so a noisy neighbour slows all of them alike; the
 * ratios are of medians, of wall time and of the thread's CPU time (user + system: page faults
 * included). On an oversubscribed machine the wall time also counts the time the thread waited for
 * a core; the CPU time does not. Each pass also counts this process's minor page faults
 * ({@code /proc/self/stat}); at the end the reopened file's mappings are summed from
 * {@code /proc/self/smaps}. {@code ll}: {@code LongLongMap} and {@code ChronicleMap<Long, Long>}
 * with {@link Keys}; {@code lm}: {@code LineMap<String, String>} and
 * {@code ChronicleMap<CharSequence, CharSequence>} with {@link AsciiEntries} (seed 42), a put
 * writes another entry's value.
 */
public final class PersistRatios {

    /** Keeps the timed sums alive, so the JIT cannot drop the operations. */
    private static volatile long blackhole;

    private static final List<String> NAMES = List.of("linemap, in memory", "linemap, file filled here",
            "linemap, file reopened", "Chronicle Map, file");

    private static final int POOL = 1 << 16;

    private PersistRatios() {
    }

    /**
     * Measures one shape and prints, for get and for put, ns per operation, faults per pass and
     * the ratios.
     *
     * @param shape {@code ll} or {@code lm}
     * @param n entries
     * @param ops operations per timed pass
     * @param rounds passes per map
     * @param dir where the files go (deleted after)
     * @throws IOException if a file cannot be made or removed
     */
    public static void run(final String shape, final int n, final long ops, final int rounds, final Path dir)
            throws IOException {
        final Path work = Files.createTempDirectory(dir, "persist-ratios-");
        try {
            if (shape.equals("ll")) {
                longs(n, ops, rounds, work);
            } else {
                strings(n, ops, rounds, work);
            }
        } finally {
            try (Stream<Path> s = Files.list(work)) {
                for (final Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(work);
        }
    }

    private static void longs(final int n, final long ops, final int rounds, final Path work) throws IOException {
        final long[] keys = Keys.random(n, Keys.KEY_SEED);
        final long[] order = Keys.shuffled(keys, Keys.ORDER_SEED);
        final Path file2 = work.resolve("reopened.map");
        try (LongLongMap mem = LongLongMap.builder().build();
             LongLongMap filled = LongLongMap.builder().persistTo(work.resolve("filled.map")).build();
             ChronicleMap<Long, Long> chronicle = ChronicleMap.of(Long.class, Long.class).name("persist-ratios")
                     .entries(n).createPersistedTo(work.resolve("chronicle.map").toFile())) {
            try (LongLongMap other = LongLongMap.builder().persistTo(file2).build()) {
                for (int i = 0; i < n; i++) {
                    mem.put(keys[i], Keys.valueFor(i));
                    filled.put(keys[i], Keys.valueFor(i));
                    other.put(keys[i], Keys.valueFor(i));
                    chronicle.put(keys[i], Keys.valueFor(i));
                }
                Fsync.of(work.resolve("filled.map"));
                Fsync.of(file2);
            }
            try (LongLongMap reopened = LongLongMap.builder().persistTo(file2).build()) {
                measure("ll get", n, ops, rounds, file2, true, () -> GetLoops.gets(mem, order, ops),
                        () -> GetLoops.gets(filled, order, ops), () -> GetLoops.gets(reopened, order, ops),
                        () -> GetLoops.gets(chronicle, order, ops));
                measure("ll put", n, ops, rounds, file2, false, () -> puts(mem, order, ops),
                        () -> puts(filled, order, ops), () -> puts(reopened, order, ops),
                        () -> puts(chronicle, order, ops));
            }
        }
    }

    private static void strings(final int n, final long ops, final int rounds, final Path work) throws IOException {
        final String[] keys = new String[n];
        final String[] pool = new String[POOL];
        final Path file2 = work.resolve("reopened.map");
        try (LineMap<String, String> mem = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42).build();
             LineMap<String, String> filled = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42)
                     .persistTo(work.resolve("filled.map")).build();
             ChronicleMap<CharSequence, CharSequence> chronicle = ChronicleMap.of(CharSequence.class,
                     CharSequence.class).name("persist-ratios").entries(n).averageKeySize(40).averageValueSize(136)
                     .createPersistedTo(work.resolve("chronicle.map").toFile())) {
            try (LineMap<String, String> other = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42)
                    .persistTo(file2).build()) {
                final AsciiEntries entries = new AsciiEntries(42);
                for (int i = 0; i < n; i++) {
                    keys[i] = entries.nextKey();
                    final String value = entries.nextValue();
                    pool[i & (POOL - 1)] = value;
                    mem.put(keys[i], value);
                    filled.put(keys[i], value);
                    other.put(keys[i], value);
                    chronicle.put(keys[i], value);
                }
                Fsync.of(work.resolve("filled.map"));
                Fsync.of(file2);
            }
            for (int i = n; i < POOL; i++) {
                pool[i] = pool[i % n];
            }
            final String[] order = shuffled(keys);
            try (LineMap<String, String> reopened = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42)
                    .persistTo(file2).build()) {
                measure("lm get", n, ops, rounds, file2, true, () -> GetLoops.gets(mem, order, ops),
                        () -> GetLoops.gets(filled, order, ops), () -> GetLoops.gets(reopened, order, ops),
                        () -> GetLoops.gets(chronicle, order, ops));
                measure("lm put", n, ops, rounds, file2, false, () -> puts(mem, order, pool, ops),
                        () -> puts(filled, order, pool, ops), () -> puts(reopened, order, pool, ops),
                        () -> puts(chronicle, order, pool, ops));
            }
        }
    }

    /**
     * Three untimed rounds (the loops compiled; with {@code firstOfReopened}, the reopened map's first
     * pass, which may map its pages, is reported on its own), then {@code rounds} timed ones.
     */
    private static void measure(final String what, final int n, final long ops, final int rounds, final Path file,
                                final boolean firstOfReopened, final LongSupplier... passes) {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final int maps = passes.length;
        final double[][] ns = new double[maps][rounds];
        final double[][] cpu = new double[maps][rounds];
        final long[][] faults = new long[maps][rounds];
        final long[] major = new long[maps];
        double firstNs = 0;
        long firstFaults = 0;
        for (int r = -3; r < rounds; r++) {
            for (int k = 0; k < maps; k++) {
                final int m = (r & 1) == 0 ? k : maps - 1 - k;
                final long f0 = minorFaults();
                final long j0 = majorFaults();
                final long c0 = threads.getCurrentThreadCpuTime();
                final long t0 = System.nanoTime();
                blackhole += passes[m].getAsLong();
                final long t1 = System.nanoTime();
                final long c1 = threads.getCurrentThreadCpuTime();
                final long f = minorFaults() - f0;
                final long j = majorFaults() - j0;
                if (r >= 0) {
                    ns[m][r] = (t1 - t0) / (double) ops;
                    cpu[m][r] = (c1 - c0) / (double) ops;
                    faults[m][r] = f;
                    major[m] += j;
                } else if (r == -3 && m == 2) {
                    firstNs = (t1 - t0) / (double) ops;
                    firstFaults = f;
                }
            }
        }
        System.out.printf(Locale.ROOT, "persist-ratios %s n=%,d, %,d per pass, %d passes each; ns per operation (wall,"
                + " and this thread's CPU time), median [min]; minor faults per pass, median [max]; major faults in all"
                + " timed passes%n", what, n, ops,
                rounds);
        final double[] wall = new double[maps];
        final double[] cpuMedian = new double[maps];
        for (int m = 0; m < maps; m++) {
            wall[m] = Medians.of(ns[m]);
            cpuMedian[m] = Medians.of(cpu[m]);
            final double[] f = Arrays.stream(faults[m]).asDoubleStream().toArray();
            System.out.printf(Locale.ROOT, "  %-26s wall %8.1f [%7.1f]   cpu %8.1f [%7.1f]   faults %8.0f [%d],"
                    + " major %d%n", NAMES.get(m), wall[m], Arrays.stream(ns[m]).min().orElseThrow(), cpuMedian[m],
                    Arrays.stream(cpu[m]).min().orElseThrow(), Medians.of(f), Arrays.stream(faults[m]).max()
                            .orElseThrow(), major[m]);
        }
        if (firstOfReopened) {
            System.out.printf(Locale.ROOT, "  first pass of the reopened map (untimed above): %.1f ns wall per"
                    + " operation, %d faults%n", firstNs, firstFaults);
        }
        System.out.printf(Locale.ROOT, "  file ÷ memory (time per op), wall: %.3f filled here, %.3f reopened;"
                + " cpu: %.3f filled here, %.3f reopened%n", wall[1] / wall[0], wall[2] / wall[0],
                cpuMedian[1] / cpuMedian[0], cpuMedian[2] / cpuMedian[0]);
        System.out.printf(Locale.ROOT, "  Chronicle Map file ÷ linemap file filled here (speed-up), wall: %.2fx,"
                + " cpu: %.2fx; ÷ reopened: wall %.2fx, cpu %.2fx%n", wall[3] / wall[1], cpuMedian[3] / cpuMedian[1],
                wall[3] / wall[2], cpuMedian[3] / cpuMedian[2]);
        if (firstOfReopened) {
            System.out.println("  the reopened file's mappings: " + smaps(file));
        }
    }

    private static long puts(final LongLongMap map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 1; i <= ops; i++) {
            sum += map.put(order[j], i);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    private static long puts(final ChronicleMap<Long, Long> map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 1; i <= ops; i++) {
            sum += map.put(order[j], i);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    private static long puts(final LineMap<String, String> map, final String[] order, final String[] pool,
                             final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.put(order[j], pool[(int) ((j * 31L + i) & (POOL - 1))]).length();
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    private static long puts(final ChronicleMap<CharSequence, CharSequence> map, final String[] order,
                             final String[] pool, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.put(order[j], pool[(int) ((j * 31L + i) & (POOL - 1))]).length();
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    private static String[] shuffled(final String[] keys) {
        final String[] out = keys.clone();
        final SplittableRandom r = new SplittableRandom(Keys.ORDER_SEED);
        for (int i = out.length - 1; i > 0; i--) {
            final int j = r.nextInt(i + 1);
            final String t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** Minor page faults of this process so far (field 10 of {@code /proc/self/stat}). */
    static long minorFaults() {
        return statField(10);
    }

    /** Major page faults (a read from disk) of this process so far (field 12 of {@code /proc/self/stat}). */
    static long majorFaults() {
        return statField(12);
    }

    private static long statField(final int field) {
        try {
            final String stat = Files.readString(Path.of("/proc/self/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[field - 3]);
        } catch (final IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Sums the {@code /proc/self/smaps} entries of the file's mappings. */
    static String smaps(final Path file) {
        final List<String> fields = List.of("Rss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
                "FilePmdMapped");
        final long[] kb = new long[fields.size()];
        int mappings = 0;
        boolean in = false;
        try {
            final String name = file.toRealPath().toString();
            for (final String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                final int colon = line.indexOf(':');
                final boolean header = colon < 0 || line.indexOf(' ') < colon;
                if (header) {
                    in = line.endsWith(" " + name);
                    mappings += in ? 1 : 0;
                } else if (in) {
                    final int i = fields.indexOf(line.substring(0, colon));
                    if (i >= 0) {
                        kb[i] += Long.parseLong(line.substring(colon + 1).trim().split("\\s+")[0]);
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final RuntimeException e) {
            return "(no smaps: " + e + ")";
        }
        final StringBuilder b = new StringBuilder().append(mappings).append(" mappings");
        for (int i = 0; i < kb.length; i++) {
            b.append(", ").append(fields.get(i)).append(' ').append(kb[i] / 1024).append(" MB");
        }
        return b.toString();
    }
}
