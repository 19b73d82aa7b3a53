package dev.linemap;

import dev.linemap.FileFuzzBases.Base;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file fuzzer (issue 13): damaged map files never crash the JVM, hang, or throw anything but
 * {@link StoreFileException}; a damaged file that opens works, and its recovery leaves a file that
 * reopens. Each case copies one of the {@link FileFuzzBases} (round robin), applies
 * {@link FileFuzzMutations} with its own seed and runs {@link FileFuzzCase}. Surefire runs it in the
 * checked and in the fast access mode (where a bad address is a SIGSEGV: a crash ends the fork and
 * fails the build).
 *
 * <p>Even cases run migrations on the map's writers (no helper thread: the case repeats exactly),
 * odd ones on the helper thread, whose uncaught exceptions fail the case too.
 *
 * <p>System properties (passed through by Maven from the command line):
 * <ul>
 *   <li>{@code linemap.fuzz.cases}: cases to run ({@value #CI_CASES} by default, the CI subset; the
 *       long profile is 10,000: {@code -Dlinemap.fuzz.cases=10000}).</li>
 *   <li>{@code linemap.fuzz.seed}: the master seed (case {@code i}'s seed is derived from it and
 *       {@code i}).</li>
 *   <li>{@code linemap.fuzz.only}: run case {@code i} alone (to reproduce a failure);
 *       {@code linemap.fuzz.from}: start at case {@code i} (to go on past a crash).</li>
 *   <li>{@code linemap.fuzz.timeoutSeconds}: a case that takes longer is a hang (60 by default).</li>
 *   <li>{@code linemap.fuzz.kinds}: only these mutation kinds, comma-separated (e.g.
 *       {@code ROOT,EXTENT_HEADER}; see {@link FileFuzzMutations.Kind}).</li>
 *   <li>{@code linemap.fuzz.log}: a file that gets one line per case (id, base, outcome, mutation),
 *       appended; two runs' logs compare line by line.</li>
 *   <li>{@code linemap.fuzz.keep}: a directory where each case's mutated file (before the open
 *       changes it) and its base are kept, to look at with {@code od} (use with {@code only}).</li>
 * </ul>
 * Before each case the fuzzer writes its id, seed, base and mutation to
 * {@code target/file-fuzz-<mode>.progress}: after a crash that file names the case that crashed.
 */
class FileFuzzTest {

    /** Cases of the CI subset, per access mode. */
    static final int CI_CASES = 600;

    private static final long SEED = Long.getLong("linemap.fuzz.seed", 0x13_F11E_F022L);
    private static final int CASES = Integer.getInteger("linemap.fuzz.cases", CI_CASES);
    private static final int ONLY = Integer.getInteger("linemap.fuzz.only", -1);
    private static final int FROM = Integer.getInteger("linemap.fuzz.from", 0);
    private static final long TIMEOUT_SECONDS = Long.getLong("linemap.fuzz.timeoutSeconds", 60);
    private static final Path KEEP = System.getProperty("linemap.fuzz.keep") == null ? null
            : Path.of(System.getProperty("linemap.fuzz.keep"));
    private static final Path LOG = System.getProperty("linemap.fuzz.log") == null ? null
            : Path.of(System.getProperty("linemap.fuzz.log"));
    private static final String MODE = System.getProperty("linemap.test.expectMode", "unknown");
    /** The run stops after this many failures (each is reported whole). */
    private static final int MAX_FAILURES = 10;

    @TempDir
    Path dir;

    @Test
    void everyDamagedFileOpensAndWorksOrThrowsStoreFileException() throws Exception {
        final long start = System.nanoTime();
        final List<Base> bases = FileFuzzBases.make(Files.createDirectory(dir.resolve("bases")));
        final Path progress = Path.of(System.getProperty("linemap.fuzz.progress",
                "target/file-fuzz-" + MODE + ".progress"));
        Files.createDirectories(progress.toAbsolutePath().getParent());
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, int[]> byKind = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
        final AtomicReference<Thread> worker = new AtomicReference<>();
        ExecutorService executor = newExecutor(worker);
        // A migration helper thread that dies of an exception fails the case (it would otherwise
        // only print it).
        final Queue<String> uncaught = new ConcurrentLinkedQueue<>();
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + stackTrace(e)));
        final int first = ONLY >= 0 ? ONLY : FROM;
        final int end = ONLY >= 0 ? ONLY + 1 : CASES;
        int ran = 0;
        try {
            for (int id = first; id < end && failures.size() < MAX_FAILURES; id++) {
                final Base base = bases.get(id % bases.size());
                final long caseSeed = caseSeed(id);
                final Path file = dir.resolve("case-" + id + ".map");
                final String name = "case " + id + " (seed 0x" + Long.toHexString(SEED) + ", case seed 0x"
                        + Long.toHexString(caseSeed) + ", mode " + MODE + ") on " + base;
                final SplittableRandom random = new SplittableRandom(caseSeed);
                final String mutation = FileFuzzCase.prepare(base, random, file);
                final byte[] mutated = Files.readAllBytes(file);
                if (KEEP != null) {
                    Files.createDirectories(KEEP);
                    Files.write(KEEP.resolve(base.name() + ".map"), base.bytes());
                    Files.copy(file, KEEP.resolve("case-" + id + ".map"), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.writeString(progress, name + "\n" + mutation + "\n" + reproduce(id) + "\n");
                // Odd cases run migrations (one the file resumes too) on the helper thread.
                final boolean helper = (id & 1) == 1;
                final Future<String> result = executor.submit(
                        () -> FileFuzzCase.exercise(base, random, file, helper));
                ran++;
                try {
                    final String outcome = result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (!uncaught.isEmpty()) {
                        failures.add(name + "\n  mutation: " + mutation + "\n  uncaught in another thread (of this"
                                + " case or the one before): " + String.join("\n", uncaught) + "  " + reproduce(id));
                        uncaught.clear();
                    }
                    outcomes.merge(outcome, 1, Integer::sum);
                    if (outcome.startsWith("rejected")) {
                        final String changed = changedPastHeader(mutated, Files.readAllBytes(file));
                        if (changed != null) {
                            failures.add(name + "\n  mutation: " + mutation + "\n  " + outcome + ", but the failed"
                                    + " open changed the file: " + changed + "  " + reproduce(id));
                        }
                    }
                    if (LOG != null) {
                        Files.writeString(LOG, id + " " + base.name() + " " + outcome + " | " + mutation + "\n",
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                    final String kind = mutation.substring(0, mutation.indexOf(':'));
                    byKind.computeIfAbsent(kind, k -> new int[2])[outcome.startsWith("opened") ? 0 : 1]++;
                    Files.deleteIfExists(file);
                } catch (final ExecutionException e) {
                    failures.add(name + "\n  mutation: " + mutation + "\n  failed: " + stackTrace(e.getCause())
                            + "  " + reproduce(id));
                    Files.deleteIfExists(file);
                } catch (final TimeoutException e) {
                    final Thread stuck = worker.get();
                    final Throwable where = new Throwable("stack of the stuck case");
                    where.setStackTrace(stuck.getStackTrace());
                    failures.add(name + "\n  mutation: " + mutation + "\n  hangs (more than " + TIMEOUT_SECONDS
                            + " s): " + stackTrace(where) + "  " + reproduce(id));
                    executor.shutdownNow();   // the stuck thread is a daemon, abandoned
                    executor = newExecutor(worker);
                }
            }
        } finally {
            executor.shutdownNow();
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        System.out.println(summary(ran, seconds, outcomes, byKind, failures.size()));
        assertTrue(failures.isEmpty(), failures.size() + " of " + ran + " cases failed:\n\n"
                + String.join("\n\n", failures));
    }

    private static long caseSeed(final int id) {
        return new SplittableRandom(SEED ^ 0x9E37_79B9_7F4A_7C15L * (id + 1)).nextLong();
    }

    private static String reproduce(final int id) {
        return "reproduce: mvn -B -o -pl core -am test-compile surefire:test@"
                + ("fast".equals(MODE) ? "fast-mode" : "default-test")
                + " -Dtest=FileFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dlinemap.fuzz.seed=" + SEED
                + " -Dlinemap.fuzz.only=" + id;
    }

    private static ExecutorService newExecutor(final AtomicReference<Thread> worker) {
        return Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "file-fuzz-case");
            t.setDaemon(true);
            worker.set(t);
            return t;
        });
    }

    private static String stackTrace(final Throwable t) {
        final StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }

    private static String summary(final int ran, final long seconds, final Map<String, Integer> outcomes,
                                  final Map<String, int[]> byKind, final int failed) {
        final StringBuilder b = new StringBuilder("FileFuzzTest (" + MODE + " mode, seed 0x" + Long.toHexString(SEED)
                + "): " + ran + " cases in " + seconds + " s, " + failed + " failed\n  outcomes:");
        outcomes.forEach((o, n) -> b.append("\n    ").append(o).append(": ").append(n));
        b.append("\n  by mutation (first of the case): opened / rejected");
        byKind.forEach((k, n) -> b.append("\n    ").append(k).append(": ").append(n[0]).append(" / ").append(n[1]));
        return b.toString();
    }

    /**
     * A rejected file must be left as the open found it, but for the header page's owner and
     * clean words (spec: a failed open): where the bytes after the header page differ, or null.
     */
    private static String changedPastHeader(final byte[] before, final byte[] after) {
        if (before.length != after.length) {
            return "length " + before.length + " -> " + after.length;
        }
        final int from = Math.min(4096, before.length);
        final int at = java.util.Arrays.mismatch(before, from, before.length, after, from, after.length);
        return at < 0 ? null : "first difference at offset " + (from + at);
    }
}
