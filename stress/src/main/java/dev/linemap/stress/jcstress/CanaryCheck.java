package dev.linemap.stress.jcstress;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command {@code canary}: proves the tests can fail. Runs the same tests against the engine's
 * test-only broken variants, selected by {@code -Dlinemap.canary=...} in the forked JVMs, and
 * succeeds only if every variant is caught:
 *
 * <ul>
 *   <li>{@code skip-read-validation} ({@link dev.linemap.engine.Seqlock#validate} skips the
 *       seqlock re-read): {@code SeqlockReadTest.SlotReuseLoop} (map level) and
 *       {@code SeqlockReadTest.RawBucketLoop} (the engine's {@code Seqlock} on a raw bucket) must
 *       report FORBIDDEN outcomes. {@code SeqlockReadTest.RawBucket} and
 *       {@code SeqlockProtocolTest.AbortRestoresWord} run too and are reported, but do not decide
 *       the verdict: a single read section is a few nanoseconds wide, and on a loaded 2-core
 *       machine it meets a write in as few as 6 of 750,000 samples, or in none;
 *       {@code LineEntryPublicationTest.ValueReplaceLoop} and {@code .BlockReuseLoop} must fail too:
 *       a {@code LineMap} reader that skips the re-check returns half-rewritten entry bytes;</li>
 *   <li>{@code racy-add} (addAndGet/merge read the old value before the bucket lock):
 *       {@link AtomicUpdateRaceTest} must report FORBIDDEN outcomes, and Lincheck must find a
 *       non-linearizable history.</li>
 * </ul>
 *
 * Each run is a separate JVM (the hooks are read once into static finals) in its own directory.
 */
public final class CanaryCheck {

    private CanaryCheck() {
    }

    private record Run(int status, String output) {
    }

    /**
     * Runs the canaries.
     *
     * @param args {@code [--jcstress-only | --lincheck-only] [--mode M]} (jcstress mode: {@code ci}
     *             (default, the CI subset's settings) or a jcstress preset such as {@code quick})
     * @return 0 if every canary was caught
     * @throws Exception if a child JVM cannot be started
     */
    public static int run(final String[] args) throws Exception {
        boolean jcstress = true;
        boolean lincheck = true;
        String mode = "ci";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jcstress-only" -> lincheck = false;
                case "--lincheck-only" -> jcstress = false;
                case "--mode" -> mode = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --jcstress-only --lincheck-only --mode M)");
            }
        }
        final List<String> missed = new ArrayList<>();
        if (jcstress) {
            expectCaught(missed, "skip-read-validation",
                    "(SeqlockReadTest\\.(RawBucket|RawBucketLoop|SlotReuseLoop)"
                            + "|SeqlockProtocolTest\\.AbortRestoresWord"
                            + "|LineEntryPublicationTest\\.(ValueReplaceLoop|BlockReuseLoop))$",
                    List.of("SeqlockReadTest.RawBucketLoop ", "SeqlockReadTest.SlotReuseLoop ",
                            "LineEntryPublicationTest.ValueReplaceLoop ", "LineEntryPublicationTest.BlockReuseLoop "),
                    List.of("SeqlockReadTest.RawBucket ", "SeqlockProtocolTest.AbortRestoresWord "), mode);
            expectCaught(missed, "racy-add", "AtomicUpdateRaceTest\\.(AddAndGet|AddAndGetPresent|Merge)$",
                    List.of("AtomicUpdateRaceTest.AddAndGet ", "AtomicUpdateRaceTest.AddAndGetPresent ",
                            "AtomicUpdateRaceTest.Merge "), List.of(), mode);
        }
        if (lincheck) {
            final Run run = fork("lincheck-racy-add",
                    List.of("-Dlinemap.canary=racy-add", "-XX:+EnableDynamicAgentLoading"),
                    // Missing value 0: the racy variant then stays sequentially correct on absent keys,
                    // so only a real race can expose it.
                    List.of("lincheck", "--iterations", "40", "--invocations", "500", "--missing-value", "0"));
            final boolean caught = run.status() == 1 && run.output().contains("LINCHECK VERDICT: FAIL");
            System.out.println("CANARY racy-add vs lincheck: "
                    + (caught ? "CAUGHT" : "NOT CAUGHT (exit " + run.status() + ")"));
            if (!caught) {
                missed.add("lincheck vs racy-add");
            }
        }
        if (lincheck) {
            final Run run = fork("hammer-racy-add", List.of("-Dlinemap.canary=racy-add"),
                    List.of("hammer", "--threads", "2", "--duration", "15s", "--keys", "100000", "--seed", "7",
                            "--check-every", "2s", "--missing-value", "0"));
            final boolean caught = run.status() == 1 && run.output().contains("MISMATCH seed=7");
            System.out.println("CANARY racy-add vs hammer: "
                    + (caught ? "CAUGHT" : "NOT CAUGHT (exit " + run.status() + ")"));
            if (!caught) {
                missed.add("hammer vs racy-add");
            }
        }
        System.out.println(missed.isEmpty() ? "CANARY VERDICT: PASS (every broken variant was caught)"
                : "CANARY VERDICT: FAIL (not caught: " + missed + ")");
        return missed.isEmpty() ? 0 : 1;
    }

    /**
     * Runs the tests {@code regex} selects with {@code canary} on.
     *
     * @param missed where a missed canary is recorded
     * @param canary the value of {@code linemap.canary} in the forked JVMs
     * @param regex the jcstress test selection
     * @param mustFail tests that must report a FORBIDDEN outcome, or the canary is missed
     * @param reported tests whose catch is printed but does not decide the verdict (their window is
     *                 too narrow to be caught in every run on a loaded machine)
     * @param mode {@code ci} or a jcstress preset
     * @throws Exception if the child JVM cannot be started
     */
    private static void expectCaught(final List<String> missed, final String canary, final String regex,
                                     final List<String> mustFail, final List<String> reported, final String mode)
            throws Exception {
        final List<String> command = "ci".equals(mode)
                // 1 s instead of 500 ms: a map-level torn read needs a reader inside a write, and a
                // canary that is caught only most of the time would make CI flaky.
                ? List.of("jcstress", "--ci", "-Dlinemap.canary=" + canary, "-time", "1000", "-t", regex)
                : List.of("jcstress", "-m", mode, "-t", regex, "-jvmArgsPrepend", "-Dlinemap.canary=" + canary);
        final Run run = fork("jcstress-" + canary, List.of(), command);
        for (final String test : mustFail) {
            final boolean caught = run.output().lines()
                    .anyMatch(l -> l.startsWith("[FAIL] ") && l.contains(test));
            System.out.println("CANARY " + canary + " vs " + test + ": " + (caught ? "CAUGHT" : "NOT CAUGHT"));
            if (!caught) {
                missed.add(canary + " vs " + test);
            }
        }
        for (final String test : reported) {
            final boolean caught = run.output().lines()
                    .anyMatch(l -> l.startsWith("[FAIL] ") && l.contains(test));
            System.out.println("CANARY " + canary + " vs " + test + ": "
                    + (caught ? "CAUGHT" : "not caught this run") + " (reported, not required)");
        }
    }

    private static Run fork(final String name, final List<String> jvmArgs, final List<String> command)
            throws IOException, InterruptedException {
        final Path dir = Path.of("canary-" + name);
        Files.createDirectories(dir);
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        final List<String> classPath = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            classPath.add(new File(entry).getAbsolutePath()); // the child runs in another directory
        }
        cmd.add(String.join(File.pathSeparator, classPath));
        cmd.add("dev.linemap.stress.Main");
        cmd.addAll(command);
        System.out.println("canary: " + String.join(" ", cmd) + "   (in " + dir + ")");
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.startsWith("[") || line.contains("VERDICT") || line.startsWith("         (")
                        || line.startsWith("= Invalid") || line.startsWith("| ") || line.startsWith("MISMATCH")
                        || line.contains("Exception")) {
                    System.out.println("  | " + line);
                }
            }
        }
        return new Run(p.waitFor(), out.toString());
    }
}
