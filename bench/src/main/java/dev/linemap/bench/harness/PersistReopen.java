package dev.linemap.bench.harness;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.bench.Keys;
import dev.linemap.bench.run.JvmFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * How long a map kept in a file takes to open (issue 13: "reopen of 10M entries under 1 s"), after a
 * clean close and after a crash, and what the file costs per entry; Chronicle Map on the same data
 * for comparison.
 *
 * <p>For each map and size: a child JVM (this jar, {@code persist-writer}, the flags of
 * {@link JvmFlags}) creates the file, puts {@code n} entries, says {@code READY} and goes on
 * overwriting values; this JVM reads the child's RSS, waits {@value #WRITE_MS} ms and kills it with
 * {@code destroyForcibly()} (SIGKILL), so the file holds a map that was never closed and a write in
 * flight. Then, in this JVM: (1) the timed open of the crashed file (linemap: {@code build()}, which
 * recovers; Chronicle Map: {@code recoverPersistedTo}), the file still in the page cache as the
 * crash left it; the map is checked (size {@code n}, every 1,000th key present) and closed cleanly;
 * (2) {@code repeats} timed opens of the clean file, cached (Chronicle Map:
 * {@code createPersistedTo} on the existing file); (3) one timed clean open after the file was
 * written out and evicted from the page cache ({@code dd oflag=nocache conv=fdatasync count=0}, i.e.
 * {@code posix_fadvise(DONTNEED)} on this file only; {@code fincore} tells what stayed resident);
 * (4) with {@code crashCold}, a second crash, the file evicted, and the timed recovering open from
 * disk. A warm-up open of a small file of each kind runs first, so class loading is not timed.
 *
 * <p>Per entry: the file's length, and its allocated blocks ({@code stat -c %b}, 512-byte units:
 * sparse files allocate less than their length). RSS: the writer's {@code VmRSS} when full (heap
 * included), and this JVM's {@code RssFile}/{@code RssAnon} growth across an open (pages of the file
 * the open touched). Keys and values: {@link Keys} for the long maps (value of key {@code i} =
 * {@code i + 1}), {@link AsciiEntries} for the string maps (the data of {@code jmh.LineMapOps}).
 */
public final class PersistReopen {

    /** The maps: linemap's two shapes and Chronicle Map with the same keys and values. */
    public static final List<String> MAPS = List.of("ll", "lm", "chronicle-ll", "chronicle-lm");

    /** How long the writer goes on overwriting after it is full, before it is killed. */
    static final long WRITE_MS = 500;

    private static final long MB = 1L << 20;

    private PersistReopen() {
    }

    /**
     * One open of a file: how long it took and what it made resident.
     *
     * @param ms the open's wall time
     * @param cpuMs the opening thread's CPU time (user + system) during the open
     * @param waitMs the time the opening thread was runnable but waited for a core (schedstat): on an
     *        oversubscribed machine, {@code ms - waitMs} is what the open would take alone
     * @param rssFile growth of this JVM's resident file pages across the open
     * @param rssAnon growth of this JVM's resident anonymous memory across the open
     */
    public record Open(double ms, double cpuMs, double waitMs, long rssFile, long rssAnon) {
        /**
         * The wall time less the wait for a core, not below the CPU time (the wait is read a few
         * microseconds outside the timed interval, which matters for short opens only).
         *
         * @return an estimate of the open's time on an idle machine
         */
        public double aloneMs() {
            return Math.max(cpuMs, ms - waitMs);
        }
    }

    /**
     * The measurements of one map at one size.
     *
     * @param map which map
     * @param n entries
     * @param fillMs the writer's create and fill
     * @param writerRss the writer's VmRSS when full
     * @param fileBytes the file's length
     * @param allocatedBytes the file's allocated blocks in bytes
     * @param crash the open after the kill, file cached
     * @param warm the clean opens, file cached
     * @param cold the clean open, file evicted
     * @param coldResidentBefore what {@code fincore} found resident after the eviction
     * @param crashCold the open after a second kill, file evicted, or null
     */
    public record Row(String map, int n, double fillMs, long writerRss, long fileBytes, long allocatedBytes, Open crash,
               List<Open> warm, Open cold, long coldResidentBefore, Open crashCold) {
    }

    /**
     * Runs the measurement and prints a line per step and a table at the end.
     *
     * @param maps which maps ({@link #MAPS})
     * @param sizes entries
     * @param dir where the files go (a new directory is made in it and deleted after)
     * @param seed seed of the string entries
     * @param repeats timed clean opens with the file cached
     * @param crashCold whether to also time a recovery with the file evicted (a second writer run)
     * @param childHeap the writer's heap
     * @return the rows
     * @throws IOException if a file or a child fails
     * @throws InterruptedException if interrupted while waiting for a child
     */
    public static List<Row> run(final List<String> maps, final long[] sizes, final Path dir, final long seed,
                                final int repeats, final boolean crashCold, final String childHeap)
            throws IOException, InterruptedException {
        final Path work = Files.createTempDirectory(dir, "persist-reopen-");
        final List<Row> rows = new ArrayList<>();
        try {
            for (final String map : maps) {
                warmUp(map, work.resolve("warm-up-" + map), seed);
            }
            for (final long size : sizes) {
                for (final String map : maps) {
                    rows.add(one(map, (int) size, work.resolve(map + "-" + size + ".map"), seed, repeats, crashCold,
                            childHeap));
                }
            }
        } finally {
            try (var s = Files.list(work)) {
                for (final Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(work);
        }
        table(rows);
        return rows;
    }

    private static Row one(final String map, final int n, final Path file, final long seed, final int repeats,
                           final boolean crashCold, final String childHeap) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        final long[] writer = crash(map, n, file, seed, childHeap);
        final long length = Files.size(file);
        final long allocated = allocatedBytes(file);
        System.out.printf(Locale.ROOT, "persist-reopen %s n=%,d: filled by the writer in %.0f ms (VmRSS %d MB),"
                        + " killed; file %,d B = %.1f B/entry, allocated %.1f B/entry%n", map, n, writer[0] / 1e6,
                writer[1] / MB, length, (double) length / n, (double) allocated / n);
        final Open crash = timedOpen(map, file, n, seed, true);
        print("crash reopen, cached", crash);
        final List<Open> warm = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            warm.add(timedOpen(map, file, n, seed, false));
            print("clean reopen, cached", warm.getLast());
        }
        final long resident = evict(file);
        final Open cold = timedOpen(map, file, n, seed, false);
        print("clean reopen, evicted (" + resident / MB + " MB resident before)", cold);
        Open crashColdOpen = null;
        if (crashCold) {
            Files.delete(file);
            crash(map, n, file, seed, childHeap);
            final long left = evict(file);
            crashColdOpen = timedOpen(map, file, n, seed, true);
            print("crash reopen, evicted (" + left / MB + " MB resident before)", crashColdOpen);
        }
        Files.delete(file);
        return new Row(map, n, writer[0] / 1e6, writer[1], length, allocated, crash, warm, cold, resident,
                crashColdOpen);
    }

    private static void print(final String what, final Open o) {
        System.out.printf(Locale.ROOT, "  %-44s %8.1f ms (CPU %7.1f, waited for a core %8.1f, alone %8.1f),"
                + " RssFile +%d MB, RssAnon +%d MB%n", what, o.ms(), o.cpuMs(), o.waitMs(), o.aloneMs(),
                o.rssFile() / MB, o.rssAnon() / MB);
    }

    /**
     * Runs a writer to {@code READY}, reads its RSS, lets it write on, kills it.
     *
     * @return the writer's fill time in ns and its VmRSS when full
     */
    private static long[] crash(final String map, final int n, final Path file, final long seed,
                                final String heap) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.all(heap));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.linemap.bench.Main");
        cmd.addAll(List.of("persist-writer", "--map", map, "--n", Integer.toString(n), "--file", file.toString(),
                "--seed", Long.toString(seed)));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (final IOException e) {
                // the child was killed: its pipe ends
            }
            lines.add("EOF");
        });
        final List<String> seen = new ArrayList<>();
        try {
            while (true) {
                final String line = lines.poll(30, TimeUnit.MINUTES);
                if (line == null || line.equals("EOF")) {
                    throw new IOException("persist-writer " + map + " n=" + n + " ended before READY: " + seen);
                }
                if (line.startsWith("READY ")) {
                    final long fillNs = Long.parseLong(line.substring("READY ".length()).trim());
                    final long rss = ProcessMemory.statusOf(p.pid(), "VmRSS:");
                    Thread.sleep(WRITE_MS);
                    if (!p.isAlive()) {
                        throw new IOException("persist-writer " + map + " ended on its own: " + seen);
                    }
                    return new long[] {fillNs, rss};
                }
                seen.add(line);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
            reader.join();
        }
    }

    /** Opens the file, times it, checks the map and closes it. */
    private static Open timedOpen(final String map, final Path file, final int n, final long seed,
                                  final boolean crashed) throws IOException {
        final long file0 = ProcessMemory.rssFile();
        final long anon0 = ProcessMemory.rssAnon();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long w0 = runQueueWaitNs();
        final long c0 = threads.getCurrentThreadCpuTime();
        final long t0 = System.nanoTime();
        final AutoCloseable opened = open(map, file, n, seed, crashed);
        final long t1 = System.nanoTime();
        final long c1 = threads.getCurrentThreadCpuTime();
        final long w1 = runQueueWaitNs();
        final Open o = new Open((t1 - t0) / 1e6, (c1 - c0) / 1e6, (w1 - w0) / 1e6, ProcessMemory.rssFile() - file0,
                ProcessMemory.rssAnon() - anon0);
        try (AutoCloseable c = opened) {
            check(map, c, n, seed);
        } catch (final IOException | RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
        return o;
    }

    private static AutoCloseable open(final String map, final Path file, final int n, final long seed,
                                      final boolean crashed) throws IOException {
        return switch (map) {
            case "ll" -> LongLongMap.builder().persistTo(file).build();
            case "lm" -> LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed).persistTo(file).build();
            case "chronicle-ll", "chronicle-lm" -> {
                final ChronicleMapBuilder<?, ?> b = chronicle(map, n);
                yield crashed ? b.recoverPersistedTo(file.toFile(), true) : b.createPersistedTo(file.toFile());
            }
            default -> throw new IllegalArgumentException("map " + map + " (one of " + MAPS + ")");
        };
    }

    private static ChronicleMapBuilder<?, ?> chronicle(final String map, final int n) {
        return map.equals("chronicle-ll") ? ChronicleMap.of(Long.class, Long.class).name("persist-reopen").entries(n)
                // the means of AsciiEntries' lengths: keys 16..64, values 16..256
                : ChronicleMap.of(CharSequence.class, CharSequence.class).name("persist-reopen").entries(n)
                        .averageKeySize(40).averageValueSize(136);
    }

    /**
     * Size {@code n} and every 1,000th key present (values may have been overwritten by the writer).
     * linemap promises that every operation that returned before a crash survives it, so a linemap
     * map that lost an entry fails the run; Chronicle Map's recovery may drop an entry it finds
     * torn (seen: a present key whose put was in flight at the kill), which is reported instead.
     */
    @SuppressWarnings("unchecked")
    private static void check(final String map, final AutoCloseable m, final int n, final long seed) {
        final long size = switch (m) {
            case LongLongMap l -> l.size();
            case LineMap<?, ?> l -> l.size();
            case ChronicleMap<?, ?> c -> c.longSize();
            default -> throw new IllegalStateException(m.getClass().getName());
        };
        if (size != n && !map.startsWith("chronicle")) {
            throw new IllegalStateException(map + ": size " + size + " after reopen, expected " + n);
        }
        long missing = 0;
        if (map.endsWith("ll")) {
            final long[] keys = Keys.random(n, Keys.KEY_SEED);
            for (int i = 0; i < n; i += 1000) {
                final long v = m instanceof LongLongMap l ? l.get(keys[i])
                        : ((ChronicleMap<Long, Long>) m).getOrDefault(keys[i], 0L);
                if (v == 0) {
                    missing++;
                }
            }
        } else {
            final AsciiEntries entries = new AsciiEntries(seed);
            for (int i = 0; i < n; i++) {
                final String key = entries.nextKey();
                entries.nextValue();
                if (i % 1000 == 0 && (m instanceof LineMap<?, ?> ? ((LineMap<String, String>) m).get(key)
                        : ((ChronicleMap<CharSequence, CharSequence>) m).get(key)) == null) {
                    missing++;
                }
            }
        }
        if (missing > 0 && !map.startsWith("chronicle")) {
            throw new IllegalStateException(map + ": " + missing + " sampled keys missing after reopen");
        }
        if (size != n || missing > 0) {
            System.out.printf(Locale.ROOT, "  %s LOST ENTRIES: size %,d after reopen, %,d expected; %d of the sampled"
                    + " keys missing%n", map, size, n, missing);
        }
    }

    /** Opens and closes a small file of the kind twice, so class loading is not in the timed opens. */
    private static void warmUp(final String map, final Path file, final long seed) throws IOException {
        final int n = 2_000;
        try (AutoCloseable m = open(map, file, n, seed, false)) {
            fill(map, m, n, seed);
        } catch (final IOException | RuntimeException e) {
            throw e;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
        timedOpen(map, file, n, seed, false);
        Files.delete(file);
    }

    @SuppressWarnings("unchecked")
    private static void fill(final String map, final AutoCloseable m, final int n, final long seed) {
        if (map.endsWith("ll")) {
            final long[] keys = Keys.random(n, Keys.KEY_SEED);
            for (int i = 0; i < n; i++) {
                if (m instanceof LongLongMap l) {
                    l.put(keys[i], Keys.valueFor(i));
                } else {
                    ((ChronicleMap<Long, Long>) m).put(keys[i], Keys.valueFor(i));
                }
            }
        } else {
            final AsciiEntries entries = new AsciiEntries(seed);
            for (int i = 0; i < n; i++) {
                if (m instanceof LineMap<?, ?>) {
                    ((LineMap<String, String>) m).put(entries.nextKey(), entries.nextValue());
                } else {
                    ((ChronicleMap<CharSequence, CharSequence>) m).put(entries.nextKey(), entries.nextValue());
                }
            }
        }
    }

    /**
     * The child ({@code persist-writer}): creates the map in {@code file}, puts {@code n} entries,
     * prints {@code READY <fill ns>}, then overwrites values until it is killed.
     *
     * @param map which map ({@link #MAPS})
     * @param n entries
     * @param file the map file (must not hold a map yet)
     * @param seed seed of the string entries
     * @throws IOException if the file cannot be created
     */
    @SuppressWarnings("unchecked")
    public static void writer(final String map, final int n, final Path file, final long seed) throws IOException {
        final long t0 = System.nanoTime();
        final AutoCloseable m = open(map, file, n, seed, false);
        fill(map, m, n, seed);
        System.out.println("READY " + (System.nanoTime() - t0));
        System.out.flush();
        final long[] keys = map.endsWith("ll") ? Keys.random(n, Keys.KEY_SEED) : null;
        for (long round = 1; ; round++) {
            if (keys != null) {
                for (int i = 0; i < n; i++) {
                    final long v = Keys.valueFor(i) + round * n;
                    if (m instanceof LongLongMap l) {
                        l.put(keys[i], v);
                    } else {
                        ((ChronicleMap<Long, Long>) m).put(keys[i], v);
                    }
                }
            } else {
                final AsciiEntries entries = new AsciiEntries(seed);
                String previous = "";
                for (int i = 0; i < n; i++) {
                    final String key = entries.nextKey();
                    final String value = entries.nextValue() + previous.substring(0, Math.min(previous.length(), 8));
                    previous = value;
                    if (m instanceof LineMap<?, ?>) {
                        ((LineMap<String, String>) m).put(key, value);
                    } else {
                        ((ChronicleMap<CharSequence, CharSequence>) m).put(key, value);
                    }
                }
            }
        }
    }

    /** Writes the file out and drops it from the page cache; returns the bytes still resident. */
    private static long evict(final Path file) throws IOException, InterruptedException {
        command("dd", "of=" + file, "oflag=nocache", "conv=notrunc,fdatasync", "count=0", "status=none");
        final String res = command("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString());
        return Long.parseLong(res.trim());
    }

    /** This thread's time spent runnable but not running, in ns ({@code /proc/thread-self/schedstat}). */
    private static long runQueueWaitNs() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+")[1]);
        } catch (final IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long allocatedBytes(final Path file) throws IOException, InterruptedException {
        final String[] blocks = command("stat", "-c", "%b %B", file.toString()).trim().split("\\s+");
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    private static String command(final String... cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static void table(final List<Row> rows) {
        System.out.println();
        System.out.println("| map | entries | writer fill s | file B/entry | allocated B/entry"
                + " | crash reopen ms (cached; alone)"
                + " | clean reopen ms (cached, median [min]; CPU median; alone median)"
                + " | clean reopen ms (evicted; alone)"
                + " | crash reopen ms (evicted; alone)"
                + " | RssFile MB after clean open |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (final Row r : rows) {
            final double[] warm = r.warm().stream().mapToDouble(Open::ms).toArray();
            final double[] warmCpu = r.warm().stream().mapToDouble(Open::cpuMs).toArray();
            final double[] warmAlone = r.warm().stream().mapToDouble(Open::aloneMs).toArray();
            System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %s | %.1f [%.1f]; %.1f; %.1f | %s | %s"
                            + " | %d |%n", r.map(), r.n(), r.fillMs() / 1000, (double) r.fileBytes() / r.n(),
                    (double) r.allocatedBytes() / r.n(), cell(r.crash()), median(warm),
                    Arrays.stream(warm).min().orElse(Double.NaN), median(warmCpu), median(warmAlone), cell(r.cold()),
                    cell(r.crashCold()), r.warm().isEmpty() ? -1 : r.warm().getFirst().rssFile() / MB);
        }
    }

    private static String cell(final Open o) {
        return o == null ? "-" : String.format(Locale.ROOT, "%.1f; %.1f", o.ms(), o.aloneMs());
    }

    private static double median(final double[] v) {
        return v.length == 0 ? Double.NaN : Medians.of(v);
    }

    /**
     * Every map at {@code n} entries, one cached reopen, no second crash: the smoke test's run.
     *
     * @param n entries
     * @param dir where the files go
     * @return the rows
     */
    public static List<Row> smoke(final int n, final Path dir) {
        try {
            return run(MAPS, new long[] {n}, dir, 42, 1, false, "256m");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
