package dev.linemap.stress.jcstress;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.grading.ReportUtils;
import org.openjdk.jcstress.infra.grading.TestGrading;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Runs jcstress in this JVM (it forks its own test JVMs) and turns its verdict into an exit status.
 *
 * <p>jcstress 0.16 writes reports but always exits 0, which would let a broken protocol pass CI.
 * This runner reads the binary result file jcstress just wrote, grades every test with jcstress's
 * own grading, prints one line per test with every observed outcome and its count, writes the same
 * text to {@code jcstress-summary.txt}, and returns non-zero if any test failed, errored, or no test
 * ran at all.
 */
public final class JcstressRunner {

    private JcstressRunner() {
    }

    /** The graded result of one jcstress invocation. */
    public record Verdict(int tests, List<String> failed, List<String> forbiddenSeen, String report) {

        /** @return whether every test ran and passed */
        public boolean passed() {
            return tests > 0 && failed.isEmpty();
        }
    }

    /**
     * Command {@code jcstress}: the usual jcstress options (see {@code jcstress -h}).
     *
     * @param args jcstress options
     * @return 0 if every selected test passed, 1 otherwise
     * @throws Exception if jcstress itself cannot run
     */
    public static int run(final String[] args) throws Exception {
        if (args.length > 0 && "--ci".equals(args[0])) {
            // jcstress waits for a hung test forever; in CI a hang must fail, with stacks.
            dev.linemap.stress.Watchdog.arm(java.time.Duration.ofMinutes(20), "jcstress " + String.join(" ", args));
        }
        final Verdict verdict = execute(expandCi(args), System.out);
        if (verdict == null) {
            return 0; // -h or -l
        }
        System.out.println(verdict.passed()
                ? "JCSTRESS VERDICT: PASS (" + verdict.tests() + " tests)"
                : "JCSTRESS VERDICT: FAIL (" + verdict.failed().size() + " of " + verdict.tests() + " tests failed: "
                + verdict.failed() + ")");
        return verdict.passed() ? 0 : 1;
    }

    /**
     * Expands {@code --ci} into the CI subset's settings: one JVM configuration per test (no
     * flag matrix, no split compilation), one fork, one 500 ms iteration. Any {@code -D...},
     * {@code -XX...} or {@code --enable-native-access=...} argument given after {@code --ci} goes to
     * the forked JVMs (the last one selects the engine's fast access path); any other jcstress
     * option given after it (e.g. {@code -time 2000}) replaces the default.
     *
     * @param args the command's arguments
     * @return jcstress options
     */
    static String[] expandCi(final String[] args) {
        if (args.length == 0 || !"--ci".equals(args[0])) {
            return args;
        }
        final java.util.List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "--enable-native-access=ALL-UNNAMED"));
        final java.util.List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("-D") || args[i].startsWith("-XX") || args[i].startsWith("--enable-native-access")) {
                jvm.add(args[i]);
            } else {
                rest.add(args[i]);
            }
        }
        final java.util.List<String> out = new ArrayList<>(List.of("-jvmArgs", String.join(" ", jvm)));
        final String[][] defaults = {{"-sc", "false"}, {"-f", "1"}, {"-iters", "1"}, {"-time", "500"}};
        for (final String[] d : defaults) {
            if (!rest.contains(d[0])) { // an explicit setting after --ci wins
                out.add(d[0]);
                out.add(d[1]);
            }
        }
        out.addAll(rest);
        return out.toArray(String[]::new);
    }

    /**
     * Runs jcstress and grades the results.
     *
     * @param args jcstress options
     * @param out where the summary goes
     * @return the verdict, or {@code null} if the options only asked for help or a listing
     * @throws Exception if jcstress itself cannot run or its result file cannot be read
     */
    public static Verdict execute(final String[] args, final PrintStream out) throws Exception {
        final Options options = new Options(args);
        if (!options.parse()) {
            return null;
        }
        final JCStress jcstress = new JCStress(options);
        if (options.shouldParse()) {
            // Grade an existing result file (jcstress writes it when the run ends).
            final Verdict verdict = grade(options.getResultFile(), 0);
            out.print(verdict.report());
            return verdict;
        }
        if (options.shouldList()) {
            for (final String test : jcstress.getTests()) {
                out.println(test);
            }
            return null;
        }
        final long start = System.nanoTime();
        try {
            jcstress.run();
        } catch (final AssertionError failures) {
            // jcstress 0.16 ends a failed run by throwing "TEST FAILURES" from its report printer;
            // the grading below names the same failures, with every observed outcome.
            out.println("jcstress reported: " + failures.getMessage().lines().findFirst().orElse(""));
        }
        final long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        final Verdict verdict = grade(options.getResultFile(), seconds);
        out.print(verdict.report());
        Files.writeString(Path.of("jcstress-summary.txt"), verdict.report(), StandardCharsets.UTF_8);
        return verdict;
    }

    private static Verdict grade(final String resultFile, final long seconds)
            throws IOException, ClassNotFoundException {
        final InProcessCollector collector = new InProcessCollector();
        final DiskReadCollector reader = new DiskReadCollector(resultFile, collector);
        boolean truncated = false;
        try {
            reader.dump();
        } catch (final java.io.EOFException partial) {
            truncated = true; // a run stopped part-way: grade the tests it finished
        } finally {
            reader.close();
        }
        final Collection<TestResult> all = collector.getTestResults();
        final List<TestResult> merged = new ArrayList<>(ReportUtils.mergedByName(all));
        merged.sort(Comparator.comparing(TestResult::getName));
        final List<String> failed = new ArrayList<>();
        final List<String> forbiddenSeen = new ArrayList<>();
        final StringBuilder report = new StringBuilder();
        report.append("==== linemap jcstress summary: ").append(merged.size()).append(" tests, ")
                .append(all.size()).append(" test configurations, ").append(seconds).append(" s wall")
                .append(truncated ? ", result file truncated (run stopped part-way)" : "").append(" ====\n");
        for (final TestResult result : merged) {
            final TestGrading grading = result.grading();
            final boolean ok = result.status() == Status.NORMAL && grading.isPassed;
            if (!ok) {
                failed.add(result.getName());
            }
            report.append(ok ? "[OK]   " : "[FAIL] ").append(result.getName())
                    .append("  status=").append(result.status())
                    .append("  samples=").append(result.getTotalCount()).append('\n');
            for (final GradingResult g : grading.gradingResults.values()) {
                if (g.count == 0 && g.expect != Expect.FORBIDDEN) {
                    continue;
                }
                if (g.count == 0) {
                    continue;
                }
                if (g.expect == Expect.FORBIDDEN) {
                    forbiddenSeen.add(result.getName() + " -> " + g.id);
                }
                report.append(String.format("         %-40s %-22s %,14d%n", "(" + g.id + ")", g.expect, g.count));
            }
            if (result.status() != Status.NORMAL) {
                for (final String message : result.getMessages()) {
                    report.append("         ! ").append(message).append('\n');
                }
            }
        }
        return new Verdict(merged.size(), failed, forbiddenSeen, report.toString());
    }
}
