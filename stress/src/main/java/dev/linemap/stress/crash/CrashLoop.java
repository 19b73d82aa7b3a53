package dev.linemap.stress.crash;

import java.io.BufferedReader;
import dev.linemap.StoreFileException;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The crash loop (issue 13): a child process ({@link CrashChild}) writes to a map file and reports
 * each operation; this process kills it with SIGKILL at a random moment, opens the file itself and
 * checks it against the model built from the reports: every operation that completed is there
 * with its latest value, no removed key came back, no key appeared that was never written, and an
 * operation in flight at the kill is either before or after. The file carries over from cycle to
 * cycle, so each open also recovers what the previous recoveries wrote.
 *
 * <p>{@code --power-loss true}: the machine goes down with the child. The child syncs every round
 * (reporting {@code S} before and {@code T} after), and after the kill this process makes the disk
 * a power loss would leave: each page of the map file as the sync image holds it, as the kill left
 * it, or torn at a 512-byte sector. It opens the file as after a restart (another boot id) and
 * requires exactly the map as of the last sync that returned, or, if the kill fell inside a sync,
 * of that sync. Before the first sync there is no image and the cycle is checked as a process
 * crash.
 *
 * <p>{@code crash-loop --map long|line --cycles N [--seed S] [--threads T] [--keys K] [--dir D]
 * [--max-delay-ms M] [--power-loss true]}. Exits 0 if every cycle checked out, 1 with the
 * evidence otherwise.
 */
public final class CrashLoop {

    /** One reported operation. */
    private record Op(char kind, long key, long value) {
    }

    private final String shape;
    private final int cycles;
    private final long seed;
    private final int threads;
    private final long keys;
    private final Path dir;
    private final int maxDelayMs;
    private final Map<Long, Long> model = new HashMap<>();
    /** Per child thread, the operation it reported last and may not have finished. */
    private final Map<Integer, Op> pending = new HashMap<>();
    /** A clear the child began and did not report finished. */
    private boolean clearing;
    /** The boot id the engine reads (its {@code BootId}): another value is another boot. */
    private static final String BOOT_PROPERTY = "linemap.test.bootId";
    private long powerLosses;
    private long killedInSync;
    /** Power-loss mode (see the class comment). */
    private final boolean powerLoss;
    /** Power-loss mode: the map as of the last sync that returned, or {@code null} before one. */
    private Map<Long, Long> synced;
    /** Power-loss mode: the map as of a sync the child began and did not report returned. */
    private Map<Long, Long> syncing;

    private CrashLoop(final String shape, final int cycles, final long seed, final int threads, final long keys,
                      final Path dir, final int maxDelayMs, final boolean powerLoss) {
        this.powerLoss = powerLoss;
        this.shape = shape;
        this.cycles = cycles;
        this.seed = seed;
        this.threads = threads;
        this.keys = keys;
        this.dir = dir;
        this.maxDelayMs = maxDelayMs;
    }

    /**
     * Runs the loop.
     *
     * @param args the options
     * @return 0 if every cycle checked out, 1 otherwise
     * @throws Exception on an unexpected failure of the harness itself
     */
    public static int run(final String[] args) throws Exception {
        String shape = "long";
        int cycles = 50;
        long seed = System.nanoTime();
        int threads = 2;
        long keys = 400_000;
        Path dir = null;
        int maxDelay = 2500;
        boolean powerLoss = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--map" -> shape = args[i + 1];
                case "--cycles" -> cycles = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--keys" -> keys = Long.parseLong(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--max-delay-ms" -> maxDelay = Integer.parseInt(args[i + 1]);
                case "--power-loss" -> powerLoss = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("linemap-crash-");
        }
        return new CrashLoop(shape, cycles, seed, threads, keys, dir, maxDelay, powerLoss).loop();
    }

    /**
     * The child's entry point ({@code crash-child}, started by this loop).
     *
     * @param args the child's options
     * @return never normally
     * @throws Exception never expected
     */
    public static int child(final String[] args) throws Exception {
        return CrashChild.run(args);
    }

    private int loop() throws Exception {
        final Path file = dir.resolve("crash-" + shape + ".map");
        Files.deleteIfExists(file);
        System.out.println("crash-loop: map " + shape + ", " + cycles + " cycles, seed " + seed + ", " + threads
                + " writer threads, keys < " + keys + ", file " + file + ", access "
                + System.getProperty("linemap.access", "default") + (powerLoss ? ", power loss after each kill" : ""));
        final String refused = secondProcessIsRefused(file);
        if (refused != null) {
            System.out.println("FAILED: " + refused);
            return 1;
        }
        final SplittableRandom random = new SplittableRandom(seed);
        long maxOpenNanos = 0;
        long halts = 0;
        long inFlight = 0;
        final long[] killedInMigration = new long[4];
        final long started = System.nanoTime();
        for (int cycle = 1; cycle <= cycles; cycle++) {
            final long childSeed = random.nextLong();
            final Path stderr = dir.resolve("child-stderr.txt");
            // Reports go to a file, not a pipe: each write() the child made before it died is there,
            // and this process reads them once the child is gone (no race with the JDK's drain of
            // an exited process's pipe).
            final Path reports = dir.resolve("child-reports.txt");
            final Process child = new ProcessBuilder(childCommand(file, childSeed))
                    .redirectOutput(reports.toFile()).redirectError(stderr.toFile()).start();
            final int delay = random.nextInt(10) == 0 ? random.nextInt(400) : 300 + random.nextInt(maxDelayMs);
            // Half of the kills are aimed: shortly after the child reports that a migration started
            // (of a table large enough to take a while), if one starts before the delay is up.
            final boolean aimed = random.nextBoolean();
            // In the power-loss loop, half of the aimed kills are aimed at a sync instead (within 3 ms
            // of its start: its copy, its log, or its image being written).
            final boolean atSync = powerLoss && random.nextBoolean();
            final boolean exitedByItself = aimed ? killAfterReport(child, reports, delay, random, atSync)
                    : child.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!exitedByItself) {
                child.destroyForcibly();
                child.waitFor();
            }
            read(reports);
            final int exit = child.exitValue();
            if (exitedByItself && exit != 3) {
                System.out.println("FAILED: cycle " + cycle + ": the child exited by itself with status " + exit
                        + " (3 is its deliberate halt); its stderr:\n" + Files.readString(stderr));
                return 1;
            }
            if (exitedByItself) {
                halts++;
            }
            inFlight += pending.size();
            final int kind = migrationInFile(file);
            if (kind >= 0) {
                killedInMigration[kind]++;
            }
            final boolean restart = powerLoss && Files.exists(log(file));
            if (restart) {
                powerLosses++;
                loseUnsyncedPages(file, random);
                System.setProperty(BOOT_PROPERTY, "power-loss-" + cycle);   // the machine restarted
            }
            final long t0 = System.nanoTime();
            final String failure;
            try (CrashMap map = CrashMap.open(shape, file, true)) {
                maxOpenNanos = Math.max(maxOpenNanos, System.nanoTime() - t0);
                failure = restart ? checkRestored(map) : check(map);
            } catch (final RuntimeException e) {
                System.out.println("FAILED: cycle " + cycle + ": reopening after the kill threw:");
                e.printStackTrace(System.out);
                System.out.println("child stderr:\n" + Files.readString(stderr));
                return 1;
            }
            System.clearProperty(BOOT_PROPERTY);
            if (failure != null) {
                System.out.println("FAILED: cycle " + cycle + " (seed " + seed + ", child seed " + childSeed
                        + ", killed after " + delay + " ms): " + failure);
                return 1;
            }
            if (cycle % 10 == 0 || cycle == cycles) {
                System.out.printf("cycle %d: %d keys, file %d KiB, slowest reopen %.1f ms, %d halts, %d ops in"
                                + " flight so far, died during a migration: %d grow, %d shrink, %d compact, %d clear,"
                                + "%s %.0f s%n", cycle, model.size(), Files.size(file) >>> 10,
                        maxOpenNanos / 1e6, halts, inFlight, killedInMigration[0], killedInMigration[1],
                        killedInMigration[2], killedInMigration[3], powerLoss ? " power losses " + powerLosses
                                + " (" + killedInSync + " inside a sync)," : "", (System.nanoTime() - started) / 1e9);
            }
        }
        System.out.println("crash-loop: PASSED " + cycles + " cycles (" + shape + ")");
        return 0;
    }

    /**
     * A child opens the file and holds it: opening it here must fail with a LOCKED
     * StoreFileException; once the child is killed, it must open. Returns what went wrong, or null.
     */
    private String secondProcessIsRefused(final Path file) throws Exception {
        final Path reports = dir.resolve("holder-reports.txt");
        final List<String> command = childCommand(file, 1);
        command.addAll(List.of("--hold", "true"));
        final Process holder = new ProcessBuilder(command).redirectOutput(reports.toFile())
                .redirectError(dir.resolve("holder-stderr.txt").toFile()).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(reports).startsWith("R")) {
                if (!holder.isAlive() || System.nanoTime() > deadline) {
                    return "the holder process did not open the map: "
                            + Files.readString(dir.resolve("holder-stderr.txt"));
                }
                Thread.sleep(20);
            }
            try (CrashMap map = CrashMap.open(shape, file, true)) {
                return "a second process opened the map file while another held it (size " + map.size() + ")";
            } catch (final StoreFileException e) {
                if (e.reason() != StoreFileException.Reason.LOCKED) {
                    return "a second process got " + e + " instead of a LOCKED StoreFileException";
                }
                System.out.println("second process refused, as it must be: " + e.getMessage());
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        try (CrashMap map = CrashMap.open(shape, file, true)) {
            return map.size() == 0 ? null : "the holder's map was empty, the reopened one has " + map.size() + " keys";
        }
    }

    /**
     * Waits up to {@code delay} ms, polling the child's reports; a migration start from a table of
     * 2048 buckets or more ends the wait early, a random 0-20 ms later (with {@code atSync}: a
     * sync's start, 0-3 ms later). Returns whether the child exited by itself.
     */
    private static boolean killAfterReport(final Process child, final Path reports, final int delay,
                                           final SplittableRandom random, final boolean atSync) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(reports)) {
            final StringBuilder line = new StringBuilder();
            final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
            while (System.nanoTime() < deadline) {
                if (child.waitFor(3, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                buffer.clear();
                while (in.read(buffer) > 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        final char c = (char) buffer.get();
                        if (c != '\n') {
                            line.append(c);
                            continue;
                        }
                        final String[] f = line.toString().split(" ");
                        line.setLength(0);
                        if (atSync && "S".equals(f[0])) {
                            return child.waitFor(random.nextInt(4), TimeUnit.MILLISECONDS);
                        }
                        if (!atSync && f.length == 4 && "M".equals(f[0]) && Long.parseLong(f[2]) >= 2048) {
                            return child.waitFor(random.nextInt(21), TimeUnit.MILLISECONDS);
                        }
                    }
                    buffer.clear();
                }
            }
        }
        return false;
    }

    /** The migration kind the file's root records (the child died during it), or -1. */
    private static int migrationInFile(final Path file) throws IOException {
        final byte[] page = new byte[FileHeaderDescriptor.PAGE_BYTES];
        try (var in = Files.newInputStream(file)) {
            if (in.readNBytes(page, 0, page.length) < page.length) {
                return -1;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment header = arena.allocate(page.length, 64);
            MemorySegment.copy(MemorySegment.ofArray(page), 0, header, 0, page.length);
            RootDescriptor.Root newest = null;
            for (int i = 0; i < 2; i++) {
                final long at = FileHeaderDescriptor.rootOffset(i);
                if (RootDescriptor.crcMatches(header, at)) {
                    final RootDescriptor.Root r = RootDescriptor.read(header, at);
                    if (newest == null || r.sequence() > newest.sequence()) {
                        newest = r;
                    }
                }
            }
            return newest == null ? -1 : newest.kind();
        }
    }

    private List<String> childCommand(final Path file, final long childSeed) {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("--enable-native-access=ALL-UNNAMED");
        final String access = System.getProperty("linemap.access");
        if (access != null) {
            command.add("-Dlinemap.access=" + access);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.linemap.stress.Main");
        command.add("crash-child");
        command.addAll(List.of("--map", shape, "--file", file.toString(), "--seed", Long.toString(childSeed),
                "--threads", Integer.toString(threads), "--keys", Long.toString(keys),
                "--syncs", Boolean.toString(powerLoss)));
        return command;
    }

    /** Applies the child's reports to the model. */
    private void read(final Path reports) {
        try (BufferedReader in = Files.newBufferedReader(reports, StandardCharsets.US_ASCII)) {
            for (String line; (line = in.readLine()) != null; ) {
                final String[] f = line.split(" ");
                if ("X".equals(line)) {
                    clearing = true;   // every writer has finished (the child clears between rounds)
                    continue;
                }
                if ("Y".equals(line)) {
                    clearing = false;
                    model.clear();
                    continue;
                }
                if ("S".equals(line)) {
                    // Every writer has finished (the child syncs between rounds): the reported
                    // operations all completed.
                    for (final Op op : pending.values()) {
                        apply(op);
                    }
                    pending.clear();
                    syncing = new HashMap<>(model);
                    continue;
                }
                if (("T".equals(line) || line.startsWith("C ")) && syncing != null) {
                    synced = syncing;
                    syncing = null;
                    continue;
                }
                if (f.length != 5) {
                    continue;   // R (opened) and C (closed) lines, or a line cut by the kill
                }
                final int t = Integer.parseInt(f[0]);
                final Op done = pending.remove(t);
                if (done != null) {
                    apply(done);
                }
                final char kind = f[2].charAt(0);
                if (kind != 'N') {
                    pending.put(t, new Op(kind, Long.parseLong(f[3]), Long.parseLong(f[4])));
                }
            }
        } catch (final IOException e) {
            throw new IllegalStateException("reading the child's reports", e);
        }
    }

    private static Path log(final Path file) {
        return file.resolveSibling(file.getFileName() + ".sync-log");
    }

    /**
     * The disk after the power went: each page of the map file as the sync image holds it (the
     * disk had it from a sync), as the kill left it (written back since), or torn at a sector.
     */
    private static void loseUnsyncedPages(final Path file, final SplittableRandom random) throws IOException {
        final Path imageFile = file.resolveSibling(file.getFileName() + ".sync-image");
        final byte[] image = Files.exists(imageFile) ? Files.readAllBytes(imageFile) : new byte[0];
        final byte[] disk = Files.readAllBytes(file);
        final int page = FileHeaderDescriptor.PAGE_BYTES;
        for (int at = 0; at < disk.length; at += page) {
            final int kind = random.nextInt(3);
            final int keep = kind == 0 ? 0 : kind == 1 ? page : random.nextInt(page / 512) * 512;
            for (int b = keep; b < page && at + b < disk.length; b++) {
                disk[at + b] = at + b < image.length ? image[at + b] : 0;
            }
        }
        Files.write(file, disk);
    }

    /**
     * Power-loss mode: the map must be exactly as of the last sync that returned, or as of the sync
     * the kill fell inside. Returns what is wrong, or {@code null}; then that state is the model.
     */
    private String checkRestored(final CrashMap map) {
        final Map<Long, Long> found = new HashMap<>();
        map.forEach(found::put);
        final Map<Long, Long> before = synced == null ? Map.of() : synced;
        if (syncing != null) {
            killedInSync++;
        }
        final Map<Long, Long> state;
        if (found.equals(before)) {
            state = before;
        } else if (syncing != null && found.equals(syncing)) {
            state = syncing;
        } else {
            return "after the power loss the map has " + found.size() + " keys; the last sync that returned had "
                    + before.size() + (syncing == null ? "" : ", the sync in flight " + syncing.size())
                    + "; first difference: " + firstDifference(syncing != null ? syncing : before, found);
        }
        synced = new HashMap<>(state);
        syncing = null;
        model.clear();
        model.putAll(state);
        pending.clear();
        clearing = false;
        return null;
    }

    private static String firstDifference(final Map<Long, Long> expected, final Map<Long, Long> found) {
        for (final Map.Entry<Long, Long> e : expected.entrySet()) {
            if (!e.getValue().equals(found.get(e.getKey()))) {
                return "key " + e.getKey() + " expected " + e.getValue() + ", found " + found.get(e.getKey());
            }
        }
        for (final Map.Entry<Long, Long> e : found.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                return "key " + e.getKey() + " = " + e.getValue() + " is there, the sync did not hold it";
            }
        }
        return "none";
    }

    private void apply(final Op op) {
        if (op.kind() == 'P') {
            model.put(op.key(), op.value());
        } else {
            model.remove(op.key());
        }
    }

    /** Returns what is wrong, or {@code null}; then settles the in-flight operations from the map. */
    private String check(final CrashMap map) {
        if (clearing) {
            // Killed inside clear(): the file holds the map before it or after it.
            clearing = false;
            if (map.size() == 0) {
                model.clear();
                return null;
            }
        }
        final Map<Long, Op> open = new HashMap<>();
        for (final Op op : pending.values()) {
            open.put(op.key(), op);
        }
        for (final Map.Entry<Long, Long> e : model.entrySet()) {
            final String wrong = verdict(e.getKey(), e.getValue(), map.get(e.getKey()), open.get(e.getKey()));
            if (wrong != null) {
                return wrong;
            }
        }
        for (final Op op : open.values()) {
            if (!model.containsKey(op.key())) {
                final String wrong = verdict(op.key(), null, map.get(op.key()), op);
                if (wrong != null) {
                    return wrong;
                }
            }
        }
        final Set<Long> seen = new HashSet<>();
        final String[] stray = new String[1];
        map.forEach((k, v) -> {
            if (!seen.add(k) && stray[0] == null) {
                stray[0] = "forEach reported key " + k + " twice";
            }
            if (!model.containsKey(k) && !open.containsKey(k) && stray[0] == null) {
                stray[0] = "key " + k + " = " + v + " is in the file but was never written (or was removed)";
            }
        });
        if (stray[0] != null) {
            return stray[0];
        }
        if (map.size() != seen.size()) {
            return "size() says " + map.size() + ", forEach saw " + seen.size() + " keys";
        }
        // The in-flight operations are settled by what the file holds.
        for (final Op op : open.values()) {
            final long now = map.get(op.key());
            if (now == CrashMap.MISSING) {
                model.remove(op.key());
            } else {
                model.put(op.key(), now);
            }
        }
        pending.clear();
        return null;
    }

    private static String verdict(final long key, final Long expected, final long actual, final Op inFlight) {
        final boolean asExpected = expected == null ? actual == CrashMap.MISSING : actual == expected;
        if (asExpected) {
            return null;
        }
        if (inFlight != null) {
            final boolean asAfter = inFlight.kind() == 'P' ? actual == inFlight.value() : actual == CrashMap.MISSING;
            if (asAfter) {
                return null;
            }
        }
        return "key " + key + ": expected " + (expected == null ? "absent" : expected)
                + (inFlight == null ? "" : " (or, after the operation in flight " + inFlight + ", its result)")
                + ", the file holds " + (actual == CrashMap.MISSING ? "nothing" : Long.toString(actual));
    }
}
