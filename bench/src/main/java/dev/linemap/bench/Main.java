package dev.linemap.bench;

import dev.linemap.bench.harness.ColdChase;
import dev.linemap.bench.harness.Footprint;
import dev.linemap.bench.harness.GrowthLatency;
import dev.linemap.bench.harness.GetRatios;
import dev.linemap.bench.harness.HitCost;
import dev.linemap.bench.harness.LineMapFootprint;
import dev.linemap.bench.harness.LineGetFloor;
import dev.linemap.bench.harness.PersistRatios;
import dev.linemap.bench.harness.PersistReopen;
import dev.linemap.bench.harness.PutStalls;
import dev.linemap.bench.harness.SyncCost;
import dev.linemap.bench.maps.BenchMap;
import dev.linemap.bench.maps.MapKind;
import dev.linemap.bench.report.Report;
import dev.linemap.bench.run.JvmFlags;
import dev.linemap.bench.run.Profile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the runnable jar: {@code java -jar linemap-bench.jar COMMAND ...}.
 *
 * <pre>
 * quick  [--out DIR]             the quick profile (about 36 minutes on 2 cores), then report
 * full   [--out DIR]             the full profile, then report
 * tiny   [--out DIR]             every step at toy sizes (a plumbing check; numbers mean nothing)
 * report [--in DIR] [--md FILE] [--core FILE]   render JSON results into markdown + SVG charts
 * jmh ...                        JMH's own command line (the child-JVM flags, heap pre-touched, are added unless
 *                                -jvmArgs* given)
 * latency   --impl ID --n N [--windows 512] [--no-reader] [--checkpoints a,b] --out FILE
 * footprint --impl ID --sizes a,b,c --out FILE
 * cold      --impl ID --n N [--steps S] [--chase-bytes B] --out FILE
 * linemap-footprint [--impl ID|all] [--n 1000000] [--seed 42] [--heap 1536m]   LineMap vs Chronicle/CHM bytes/entry
 * persist-reopen [--maps ll,lm,chronicle-ll,chronicle-lm] [--sizes 1000000,10000000] [--dir /tmp] [--repeats 3]
 *                [--no-crash-cold] [--heap 2g]   open time of a map file, clean and after kill -9; bytes per entry
 * sync-cost [--maps ll,lm] [--sizes 1000000,10000000] [--dir /tmp] [--heap 4g]
 * line-get-floor [--n 1000000] [--ops 1000000] [--rounds 11] [--dir /tmp] [--heap 4g]
 *                LineMap's get in a file vs Chronicle Map's vs the cheapest get of linemap's layout
 * persist-ratios [--maps ll,lm] [--n 1000000] [--ops 1000000] [--rounds 11] [--dir /tmp] [--heap 4g]
 *                get and put, linemap in memory vs in a file vs Chronicle Map in a file, interleaved passes
 * </pre>
 */
public final class Main {
    private Main() {
    }

    /**
     * Dispatches to a command.
     *
     * @param argv the command and its options
     * @throws Exception whatever the command throws
     */
    public static void main(String[] argv) throws Exception {
        if (argv.length == 0) {
            usage();
            System.exit(2);
        }
        String cmd = argv[0];
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        switch (cmd) {
            case "jmh" -> org.openjdk.jmh.Main.main(withJvmFlags(rest));
            case "latency" -> {
                Args a = new Args(rest);
                GrowthLatency.Result r = GrowthLatency.run(MapKind.of(a.get("impl", null)),
                        (int) a.number("n", 16L << 20), (int) a.number("windows", 512), !a.flag("no-reader"),
                        Args.sizes(a.get("checkpoints", "")));
                Json.write(Path.of(a.get("out", null)), r);
                System.out.printf("latency %s n=%d: max %d ns, p99.99 %d ns, %.0f ms%n", r.impl(), r.n(),
                        r.writer().max(), r.writer().p9999(), r.totalMs());
            }
            case "footprint" -> {
                Args a = new Args(rest);
                Footprint.Result r = Footprint.run(MapKind.of(a.get("impl", null)), Args.sizes(a.get("sizes", null)));
                Json.write(Path.of(a.get("out", null)), r);
                r.points().forEach(p -> System.out.printf("footprint %s n=%d: %.1f B/entry, RSS %.1f B/entry%n",
                        r.impl(), p.entries(), p.bytesPerEntry(), p.rssPerEntry()));
            }
            case "linemap-footprint" -> {
                Args a = new Args(rest);
                int n = (int) a.number("n", 1_000_000);
                long seed = a.number("seed", 42);
                String impl = a.get("impl", "all");
                if (a.get("child", "false").equals("true")) {
                    LineMapFootprint.one(impl, n, seed);   // inside the child JVM that all() started
                } else {
                    LineMapFootprint.all(impl.equals("all") ? LineMapFootprint.IMPLS : List.of(impl), n, seed,
                            a.get("heap", "1536m"));
                }
            }
            case "cold" -> {
                Args a = new Args(rest);
                int n = (int) a.number("n", 16L << 20);
                ColdChase.Result r = ColdChase.run(MapKind.of(a.get("impl", null)), n, a.number("steps", 2_000_000),
                        a.number("chase-bytes", 32L * n));
                Json.write(Path.of(a.get("out", null)), r);
                System.out.printf("cold %s n=%d: lookup %.1f ns, chase %.1f ns, ratio %.2f%n", r.impl(), r.n(),
                        r.lookupNs(), r.chaseNs(), r.ratio());
            }
            case "hit-cost" -> {
                Args a = new Args(rest);
                HitCost.Result r = HitCost.run((int) a.number("n", 16L << 20), a.number("ops", 20_000_000));
                System.out.printf("hit-cost n=%d, %d buckets: %d keys inline, %d in overflow chains (%.1f %%)%n",
                        r.n(), r.bucketCount(), r.inlineKeys(), r.overflowKeys(), 100.0 * r.overflowKeys() / r.n());
                System.out.printf("  ns per get (median of 5): inline %.1f, overflow %.1f, all %.1f; Agrona all %.1f,"
                        + " CHM all %.1f%n", r.inlineNs(), r.overflowNs(), r.allNs(), r.agronaNs(), r.chmNs());
                System.out.printf("  linemap throughput: %.2fx Agrona (target 1x), %.2fx CHM (target 2x)%n",
                        r.agronaNs() / r.allNs(), r.chmNs() / r.allNs());
            }
            case "persist-reopen" -> {
                Args a = new Args(rest);
                String heap = a.get("heap", "2g");
                if (System.getProperty("chronicle.analytics.disable") == null) {
                    // Chronicle Map needs its module flags in the JVM that times its opens: run in one that has them.
                    System.exit(relaunch(heap, argv));
                }
                String maps = a.get("maps", String.join(",", PersistReopen.MAPS));
                PersistReopen.run(List.of(maps.split(",")), Args.sizes(a.get("sizes", "1000000,10000000")),
                        Path.of(a.get("dir", System.getProperty("java.io.tmpdir"))), a.number("seed", 42),
                        (int) a.number("repeats", 3), !a.flag("no-crash-cold"), heap);
            }
            case "line-get-floor" -> {
                Args a = new Args(rest);
                if (System.getProperty("chronicle.analytics.disable") == null) {
                    System.exit(relaunch(a.get("heap", "4g"), argv));
                }
                LineGetFloor.run((int) a.number("n", 1_000_000), a.number("ops", 1_000_000),
                        (int) a.number("rounds", 11), Path.of(a.get("dir", System.getProperty("java.io.tmpdir"))));
            }
            case "persist-ratios" -> {
                Args a = new Args(rest);
                if (System.getProperty("chronicle.analytics.disable") == null) {
                    // A pre-touched heap: the page faults counted per pass are then the maps' own.
                    System.exit(relaunch(a.get("heap", "4g"), argv, "-XX:+AlwaysPreTouch"));
                }
                for (String shape : a.get("maps", "ll,lm").split(",")) {
                    PersistRatios.run(shape, (int) a.number("n", 1_000_000), a.number("ops", 1_000_000),
                            (int) a.number("rounds", 11), Path.of(a.get("dir", System.getProperty("java.io.tmpdir"))));
                }
            }
            case "sync-cost" -> {
                Args a = new Args(rest);
                if (System.getProperty("chronicle.analytics.disable") == null) {
                    System.exit(relaunch(a.get("heap", "4g"), argv));   // the bench's flags: fast mode
                }
                for (long n : Args.sizes(a.get("sizes", "1000000,10000000"))) {
                    for (String shape : a.get("maps", "ll,lm").split(",")) {
                        SyncCost.run(shape, (int) n, Path.of(a.get("dir", System.getProperty("java.io.tmpdir"))));
                    }
                }
            }
            case "persist-writer" -> {
                Args a = new Args(rest);
                PersistReopen.writer(a.get("map", null), (int) a.number("n", 1_000_000), Path.of(a.get("file", null)),
                        a.number("seed", 42));
            }
            case "get-ratios" -> {
                Args a = new Args(rest);
                GetRatios.run((int) a.number("n", 16L << 20), a.number("ops", 4_000_000),
                        (int) a.number("rounds", 15), a.number("load-permille", 2500) / 1000.0);
            }
            case "stalls" -> {
                Args a = new Args(rest);
                MapKind kind = MapKind.of(a.get("impl", null));
                int n = (int) a.number("n", 10_485_760);
                System.out.printf("stalls %s n=%d: the longest puts, wall vs the writer's CPU time%n", kind.id(), n);
                for (PutStalls.Stall s : PutStalls.run(kind, n, !a.flag("no-reader"), (int) a.number("top", 12))) {
                    System.out.printf("  put %,11d at %8.1f ms: %7.2f ms wall, %7.2f ms cpu, growths %d%n", s.index(),
                            s.atMs(), s.wallNs() / 1e6, s.cpuNs() / 1e6, s.growths());
                }
            }
            case "probe" -> {
                try (BenchMap m = MapKind.of(new Args(rest).get("impl", null)).create(10_000)) {
                    for (int i = 1; i <= 10_000; i++) {
                        m.put(i * 31L, i);
                    }
                    for (int i = 1; i <= 10_000; i++) {
                        if (m.get(i * 31L) != i) {
                            throw new IllegalStateException("probe: wrong value for key " + i * 31L);
                        }
                    }
                    System.out.println("probe ok: " + m.size() + " entries");
                }
            }
            case "report" -> {
                Args a = new Args(rest);
                Report.render(Path.of(a.get("in", "docs/benchmarks/quick")), Path.of(a.get("md", "docs/benchmarks.md")),
                        Path.of(a.get("core", "docs/numbers-core.md")));
            }
            case "quick", "full", "tiny" -> {
                Args a = new Args(rest);
                Profile p = switch (cmd) {
                    case "quick" -> Profile.quick();
                    case "full" -> Profile.full();
                    default -> Profile.tiny();
                };
                Path out = Path.of(a.get("out", "docs/benchmarks/" + cmd));
                p.run(out, a.get("only", ""));
                Report.render(out, Path.of(a.get("md", "docs/benchmarks.md")),
                        Path.of(a.get("core", "docs/numbers-core.md")));
            }
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    /** Runs this jar's command again in a JVM with the bench's flags; returns its exit status. */
    private static int relaunch(String heap, String[] argv, String... extraFlags)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JvmFlags.all(heap));
        cmd.addAll(Arrays.asList(extraFlags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(Arrays.asList(argv));
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    private static String[] withJvmFlags(String[] jmhArgs) {
        for (String s : jmhArgs) {
            if (s.startsWith("-jvmArgs")) {
                return jmhArgs;
            }
        }
        List<String> out = new ArrayList<>(Arrays.asList(jmhArgs));
        out.add("-jvmArgsAppend");
        out.add(String.join(" ", JvmFlags.jmhFork("8g")));
        return out.toArray(String[]::new);
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar linemap-bench.jar COMMAND [options]
                  quick  [--out DIR]      quick profile (about 36 min on 2 cores) + report
                  full   [--out DIR]      full profile + report
                  tiny   [--out DIR]      every step at toy sizes: checks the pipeline, numbers mean nothing
                  report [--in DIR] [--md FILE] [--core FILE]
                  jmh ...                 JMH command line, e.g. jmh MapOps.getHit -p impl=linemap,chm -prof gc
                  latency   --impl ID --n N [--windows 512] [--no-reader] [--checkpoints a,b] --out FILE
                  footprint --impl ID --sizes a,b,c --out FILE
                  cold      --impl ID --n N [--steps S] [--chase-bytes B] --out FILE
                  linemap-footprint [--impl ID] [--n N] [--seed S] [--heap H]
                            bytes/entry by RSS + live heap, one child JVM per map (LineMap, Chronicle, CHM)
                  persist-reopen [--maps ll,lm,chronicle-ll,chronicle-lm] [--sizes 1000000,10000000] [--dir D]
                            [--repeats 3] [--no-crash-cold] [--heap 2g]
                            open time of a map file after a clean close and after kill -9 of its writer (a child
                            JVM), cached and evicted from the page cache; file bytes per entry (length, blocks)
                  persist-ratios [--maps ll,lm] [--n N] [--ops K] [--rounds R] [--dir D] [--heap 4g]
                            get hits, then puts of present keys, on linemap in memory, in a file filled here, in a
                            file reopened, and Chronicle Map in a file: interleaved passes, ratios of medians of
                            wall and CPU time, minor faults per pass, the reopened file's smaps
                  sync-cost [--maps ll,lm] [--sizes 1000000,10000000] [--dir D] [--heap 4g]
                            sync() of a map file: first, after puts to 0.1/1/10 % of the entries, with a writer and
                            a reader running (their longest operation), close, open after a restart; disk bytes
                  hit-cost  [--n N] [--ops K]  get hits split by where the key lives (home line or overflow chain)
                  get-ratios [--n N] [--ops K] [--rounds R] [--load-permille L]
                            get hits, interleaved: linemap (huge/4 KiB pages), getAll, Agrona, NBHML;
                            ratios of medians; L = linemap's load factor x 1000 (default 2500)
                  stalls    --impl ID [--n N] [--no-reader] [--top 12]  longest puts of a growth: wall vs CPU time
                map ids: linemap, chm, nbhml, chronicle, agrona, fastutil""");
    }
}
