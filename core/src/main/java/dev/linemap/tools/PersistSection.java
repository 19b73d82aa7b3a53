package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.MigrationKind;
import dev.linemap.StoreFileException;
import dev.linemap.engine.AccessMode;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's persistence section: a map kept in a file survives a {@code kill -9} in the middle of
 * a growth. A child JVM ({@link DemoWriterCommand}) puts keys 1, 2, 3, ... into a
 * {@code LongLongMap} persisted to a temporary file, background migration off, and reports each key
 * once its put has returned. This process watches the reports, and once the growth to
 * {@code buckets} buckets has started and {@code buckets / 16} puts have followed (a quarter of the
 * way: a growth moves two old buckets per put), kills the child with SIGKILL, reopens the file,
 * times the {@code build()} that recovers it, and checks every key: the reported keys 1..K present
 * with their values, key K+1 (in flight at the kill) absent or with its value, and no other key.
 * The files are deleted afterwards.
 */
final class PersistSection {

    /** Give up (and fail) if the kill point has not come after this long. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private PersistSection() {
    }

    /**
     * The value the writer stores for a key, never 0 (the missing value) for a key above 0.
     *
     * @param key a key
     * @return SplitMix64's finaliser of the key (a bijection)
     */
    static long valueOf(final long key) {
        return Demo.keyOf(key);
    }

    /**
     * Runs the section.
     *
     * @param buckets the growth to this many buckets (a power of two) is the one the writer dies in
     * @param out where the output goes
     * @return keys wrong, missing or stray in the reopened file, or 1 if the section could not run
     * @throws InterruptedException if interrupted while waiting for the child
     */
    static long run(final long buckets, final Demo.PrintSink out) throws InterruptedException {
        out.line("");
        out.line("7. A map in a file (persistTo), killed with SIGKILL in the middle of a growth and reopened:");
        out.line("   a child JVM puts keys 1, 2, 3, ... (value = SplitMix64(key)) into LongLongMap.builder()"
                + ".persistTo(file),");
        out.line("   background migration off, and reports each key once its put has returned (one write() each);"
                + " access path: %s", AccessMode.name());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("linemap-demo-");
            return crashAndCheck(dir.resolve("map.lm"), dir.resolve("writer.log"), buckets, out);
        } catch (final IOException e) {
            out.line("   FAILED: %s", e);
            return 1;
        } finally {
            if (dir != null) {
                deleteQuietly(dir.resolve("map.lm"));
                deleteQuietly(dir.resolve("writer.log"));
                deleteQuietly(dir);
            }
        }
    }

    private static long crashAndCheck(final Path file, final Path report, final long buckets,
                                      final Demo.PrintSink out) throws IOException, InterruptedException {
        Files.createFile(report);
        final long killAfter = buckets / 16;
        final Process child = new ProcessBuilder(childCommand(file, report, 4 * buckets))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final long t0 = System.nanoTime();
        long killedAt = -1;
        final ReportTail tail = new ReportTail(report, buckets);
        try (tail) {
            while (child.isAlive() && tail.problem == null && System.nanoTime() - t0 < TIMEOUT_NANOS) {
                tail.poll();
                if (tail.growthStartKey >= 0 && tail.lastKey - tail.growthStartKey >= killAfter) {
                    killedAt = System.nanoTime() - t0;
                    break;
                }
                Thread.sleep(1);
            }
            child.destroyForcibly();
            child.waitFor();
            tail.poll();
        }
        if (killedAt < 0 || tail.problem != null) {
            out.line("   FAILED: no kill: %s (%,d keys reported, the growth to %,d buckets %s)",
                    tail.problem != null ? tail.problem : child.exitValue() != 137 ? "the writer exited with status "
                            + child.exitValue() : "the writer was too slow", tail.lastKey, buckets,
                    tail.growthStartKey < 0 ? "not started" : "started");
            return 1;
        }
        final long reported = tail.lastKey;
        out.line("   killed the writer %,d puts into the growth from %,d to %,d buckets%s, %.2f s after it started;"
                        + " %,d puts reported", reported - tail.growthStartKey, buckets / 2, buckets,
                tail.growthCompleted ? " (which had just completed)" : "", killedAt / 1e9, reported);
        final RootDescriptor.Root root = rootInFile(file);
        out.line("   file: %,d bytes (%.1f MiB); its root record: %s", Files.size(file), Files.size(file) / 1048576.0,
                describe(root));
        final boolean migrating = root != null && root.kind() != RootDescriptor.NO_MIGRATION;
        final long start = System.nanoTime();
        try (LongLongMap map = LongLongMap.builder().persistTo(file).backgroundMigration(false).build()) {
            final long openNanos = System.nanoTime() - start;
            final MapStats stats = map.stats();
            out.line("   reopened in %.1f ms: build() recovered the file%s (%,d buckets, %s)", openNanos / 1e6,
                    migrating ? " and resumed the " + noun(MigrationKind.values()[root.kind()]) + " where it stopped"
                            : "",
                    stats.bucketCount(),
                    stats.growing() ? "a migration still running" : "no migration running");
            return check(map, reported, out);
        } catch (final StoreFileException e) {
            out.line("   FAILED: reopening threw %s", e);
            return 1;
        }
    }

    /** Checks keys 1..reported, the key in flight, and that no other key is there. */
    private static long check(final LongLongMap map, final long reported, final Demo.PrintSink out) {
        long missing = 0;
        long wrongValue = 0;
        for (long key = 1; key <= reported; key++) {
            final long v = map.get(key);
            if (v != valueOf(key)) {
                if (v == 0 && !map.containsKey(key)) {
                    missing++;
                } else {
                    wrongValue++;
                }
            }
        }
        final long inFlight = reported + 1;
        final boolean inFlightThere = map.containsKey(inFlight);
        if (inFlightThere && map.get(inFlight) != valueOf(inFlight)) {
            wrongValue++;
        }
        final long[] seen = {0, 0};   // entries iterated, of which outside 1..reported + 1 or with a wrong value
        map.forEach((k, v) -> {
            seen[0]++;
            if (k < 1 || k > inFlight || v != valueOf(k)) {
                seen[1]++;
            }
        });
        final long expectedSize = reported + (inFlightThere ? 1 : 0);
        final long sizeWrong = map.size() == expectedSize && seen[0] == expectedSize ? 0 : 1;
        final long wrong = missing + wrongValue + seen[1] + sizeWrong;
        if (wrong == 0) {
            out.line("   checked all %,d keys: 0 wrong (1..%,d there with their values; %,d, in flight at the kill,"
                    + " %s; no other key; size() %,d)", inFlight, reported, inFlight,
                    inFlightThere ? "there too" : "absent", map.size());
        } else {
            out.line("   checked all %,d keys: %,d wrong. FAILED: of 1..%,d, %,d missing and %,d with a wrong value;"
                            + " key %,d (in flight) %s; forEach saw %,d entries, %,d unexpected; size() %,d",
                    inFlight, wrong, reported, missing, wrongValue, inFlight, inFlightThere ? "there" : "absent",
                    seen[0], seen[1], map.size());
        }
        return wrong;
    }

    /** The child's command line: this JVM's java, module or class path, native access and linemap switches. */
    private static List<String> childCommand(final Path file, final Path report, final long keys) {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx64m");
        final Module module = PersistSection.class.getModule();
        // The engine's switches (linemap.access, the test switches): the child runs the same engine.
        for (final String name : System.getProperties().stringPropertyNames().stream().sorted().toList()) {
            if (name.startsWith("linemap.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        if (module.isNamed()) {
            if (module.isNativeAccessEnabled()) {
                command.add("--enable-native-access=" + module.getName());
            }
            command.add("--module-path");
            command.add(System.getProperty("jdk.module.path"));
            command.add("--module");
            command.add(module.getName() + "/" + Linemap.class.getName());
        } else {
            if (module.isNativeAccessEnabled()) {
                command.add("--enable-native-access=ALL-UNNAMED");
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Linemap.class.getName());
        }
        command.addAll(List.of("demo-writer", "--file", file.toString(), "--report", report.toString(),
                "--keys", Long.toString(keys), "--parent", Long.toString(ProcessHandle.current().pid())));
        return command;
    }

    /** The file's newest valid root record (which tables hold the map), read from its header page. */
    private static RootDescriptor.Root rootInFile(final Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            final ByteBuffer bytes = ByteBuffer.allocate(FileHeaderDescriptor.PAGE_BYTES);
            for (int n = 0; n >= 0 && bytes.hasRemaining(); ) {
                n = channel.read(bytes);
            }
            final MemorySegment page = arena.allocate(FileHeaderDescriptor.PAGE_BYTES, 64);
            MemorySegment.copy(MemorySegment.ofArray(bytes.array()), 0, page, 0, bytes.position());
            RootDescriptor.Root root = null;
            for (int i = 0; i < 2; i++) {
                final long at = FileHeaderDescriptor.rootOffset(i);
                if (RootDescriptor.crcMatches(page, at)) {
                    final RootDescriptor.Root r = RootDescriptor.read(page, at);
                    if (root == null || r.sequence() > root.sequence()) {
                        root = r;
                    }
                }
            }
            return root;
        }
    }

    private static String noun(final MigrationKind kind) {
        return switch (kind) {
            case GROW -> "growth";
            case SHRINK -> "shrink";
            case COMPACT -> "compaction";
            case CLEAR -> "clear";
        };
    }

    private static String describe(final RootDescriptor.Root root) {
        if (root == null) {
            return "none valid";
        }
        if (root.kind() == RootDescriptor.NO_MIGRATION) {
            return String.format("no migration, %,d buckets", 1L << root.currentLog2());
        }
        return String.format("a %s from %,d to %,d buckets in progress", MigrationKind.values()[root.kind()],
                1L << root.oldLog2(), 1L << root.currentLog2());
    }

    private static void deleteQuietly(final Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (final IOException e) {
            // a temporary file; nothing to do
        }
    }

    /** Reads the writer's report file as it grows: whole lines only, keys checked to come in order. */
    private static final class ReportTail implements AutoCloseable {
        private final FileChannel channel;
        private final long buckets;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private final StringBuilder line = new StringBuilder();
        /** The last key reported. */
        long lastKey;
        /** The last key reported before the growth to {@code buckets} started, or -1. */
        long growthStartKey = -1;
        /** Whether that growth was reported complete. */
        boolean growthCompleted;
        /** What was wrong with the reports, or {@code null}. */
        String problem;

        ReportTail(final Path report, final long buckets) throws IOException {
            this.channel = FileChannel.open(report, StandardOpenOption.READ);
            this.buckets = buckets;
        }

        void poll() throws IOException {
            for (int n; (n = channel.read(buffer.clear())) > 0; ) {
                final byte[] bytes = buffer.array();
                for (int i = 0; i < n; i++) {
                    if (bytes[i] == '\n') {
                        accept(line.toString());
                        line.setLength(0);
                    } else {
                        line.append((char) bytes[i]);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        private void accept(final String text) {
            if (text.startsWith("M ") || text.startsWith("E ")) {
                final String[] f = text.split(" ");
                if (f[1].equals(MigrationKind.GROW.name()) && Long.parseLong(f[3]) == buckets) {
                    if (text.charAt(0) == 'M') {
                        growthStartKey = lastKey;
                    } else {
                        growthCompleted = true;
                    }
                }
                return;
            }
            final long key = Long.parseLong(text);
            if (key != lastKey + 1 && problem == null) {
                problem = "the writer reported key " + key + " after key " + lastKey;
            }
            lastKey = key;
        }
    }
}
