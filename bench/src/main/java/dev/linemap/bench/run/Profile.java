package dev.linemap.bench.run;

import dev.linemap.bench.Json;
import dev.linemap.bench.maps.MapKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A benchmark profile: which JMH runs and harness runs, at which sizes and lengths. {@link #quick()} takes
 * about 36 minutes on a 2-core machine (10 before its forks pre-touched their 8 GiB heaps, about 22 s each;
 * {@link JvmFlags#jmhFork}); {@link #full()} runs longer and repeats more. Every result lands as JSON
 * in one directory, which {@code report} renders.
 *
 * @param name quick or full
 * @param heap -Xmx of every child JVM and fork
 * @param jmh the JMH steps
 * @param latencyImpls maps in the latency-under-growth harness
 * @param latencyN entries grown to
 * @param latencyCheckpoints sizes at which running latency stats are kept
 * @param footprintImpls maps in the footprint harness
 * @param footprintSizes entry counts measured
 * @param coldImpls maps in the cold-lookup harness
 * @param coldN entries in the cold table
 * @param coldSteps dependent lookups per repeat
 */
public record Profile(String name, String heap, List<JmhStep> jmh, List<MapKind> latencyImpls, int latencyN,
                      List<Long> latencyCheckpoints, List<MapKind> footprintImpls, List<Long> footprintSizes,
                      List<MapKind> coldImpls, int coldN, long coldSteps) {

    private static final String OPS = "dev\\.linemap\\.bench\\.jmh\\.MapOps\\.";
    private static final List<MapKind> ALL = List.of(MapKind.values());
    private static final List<MapKind> CONCURRENT = Arrays.stream(MapKind.values()).filter(MapKind::concurrent)
            .toList();
    private static final List<MapKind> GROWERS = List.of(MapKind.LINEMAP, MapKind.CHM, MapKind.NBHML,
            MapKind.CHRONICLE, MapKind.AGRONA);
    private static final String K1 = "1000";
    private static final String K100 = "100000";
    private static final String M16 = "16777216";

    /**
     * The quick profile: one fork, short iterations, big sizes only where the issues need them.
     * Measured at 17.6 min on a quiet 2-core VM when it also ran {@code getMiss} and {@code put}
     * at every size with 1 s iterations; filling the boxed peers to 16M entries is what costs (25-80 s
     * per JMH fork for ConcurrentHashMap and NonBlockingHashMapLong), so misses and puts run here at
     * one size less, measurement iterations are 700 ms (warm-ups 1 s, except mixed: 700 ms), and
     * the 16M growth is timed once without a warm-up run (its JIT warm-up is a small part of a
     * multi-second insert). The full profile keeps everything.
     *
     * @return the profile
     */
    public static Profile quick() {
        return new Profile("quick", "8g", List.of(
                new JmhStep("get", OPS + "getHit$", ALL, List.of(K1, K100, M16), 1, 1000, 2, 700, 1),
                new JmhStep("miss", OPS + "getMiss$", ALL, List.of(K1, K100), 1, 1000, 2, 700, 1),
                new JmhStep("put", OPS + "put$", ALL, List.of(M16), 1, 1000, 2, 700, 1),
                new JmhStep("update", OPS + "(addAndGet|removeReinsert)$", ALL, List.of(K100), 1, 1000, 2, 700, 1),
                new JmhStep("mixed", "dev\\.linemap\\.bench\\.jmh\\.Mixed\\.", CONCURRENT, List.of(K100),
                        1, 700, 2, 700, 1),
                new JmhStep("growth", "dev\\.linemap\\.bench\\.jmh\\.Growth\\.", ALL, List.of(M16), 0, 0, 1, 0, 1)),
                GROWERS, 16 << 20, List.of(1_000_000L, 10_000_000L),
                ALL, List.of(1_000_000L, 10_000_000L, 16_777_216L),
                List.of(MapKind.LINEMAP, MapKind.CHM, MapKind.AGRONA), 16 << 20, 2_000_000L);
    }

    /**
     * A plumbing check of the whole pipeline in about two minutes: every step and every map at toy
     * sizes. Its numbers mean nothing.
     *
     * @return the profile
     */
    public static Profile tiny() {
        String k10 = "10000";
        return new Profile("tiny", "1g", List.of(
                new JmhStep("get", OPS + "(getHit|getMiss)$", ALL, List.of(K1, k10), 0, 0, 1, 200, 1),
                new JmhStep("put", OPS + "put$", ALL, List.of(k10), 0, 0, 1, 200, 1),
                new JmhStep("update", OPS + "(addAndGet|removeReinsert)$", ALL, List.of(k10), 0, 0, 1, 200, 1),
                new JmhStep("mixed", "dev\\.linemap\\.bench\\.jmh\\.Mixed\\.", CONCURRENT, List.of(k10),
                        0, 0, 1, 200, 1),
                new JmhStep("growth", "dev\\.linemap\\.bench\\.jmh\\.Growth\\.", ALL, List.of("100000"),
                        0, 0, 1, 0, 1)),
                GROWERS, 200_000, List.of(100_000L), ALL, List.of(100_000L, 200_000L), ALL, 100_000, 100_000L);
    }

    /**
     * The full profile: two forks, longer iterations, every operation at every size.
     *
     * @return the profile
     */
    public static Profile full() {
        return new Profile("full", "8g", List.of(
                new JmhStep("get", OPS + "(getHit|getMiss)$", ALL, List.of(K1, K100, M16), 3, 2000, 5, 2000, 2),
                new JmhStep("put", OPS + "put$", ALL, List.of(K1, K100, M16), 3, 2000, 5, 2000, 2),
                new JmhStep("update", OPS + "(addAndGet|removeReinsert)$", ALL, List.of(K1, K100, M16),
                        3, 2000, 5, 2000, 2),
                new JmhStep("mixed", "dev\\.linemap\\.bench\\.jmh\\.Mixed\\.", CONCURRENT, List.of(K100, M16),
                        3, 2000, 5, 2000, 2),
                new JmhStep("growth", "dev\\.linemap\\.bench\\.jmh\\.Growth\\.", ALL, List.of(M16), 2, 0, 3, 0, 2)),
                GROWERS, 16 << 20, List.of(1_000_000L, 10_000_000L),
                ALL, List.of(1_000_000L, 10_000_000L, 16_777_216L),
                ALL, 16 << 20, 10_000_000L);
    }

    /**
     * Runs every step (or only the named ones), writing JSON into {@code out}. A failing step is recorded
     * in {@code errors.json} with the end of its log and the run goes on.
     *
     * @param out result directory
     * @param only comma-separated step names (get, miss, put, update, mixed, growth, latency,
     *             footprint, cold; the full profile has no miss step, its get step runs misses too);
     *             empty for all
     */
    public void run(Path out, String only) {
        List<String> steps = only.isBlank() ? List.of() : Arrays.asList(only.split(","));
        List<Map<String, String>> errors = new ArrayList<>();
        Json.write(out.resolve("env.json"), Env.capture(name, heap));
        long t0 = System.nanoTime();
        boolean chronicleOk = probeChronicle(out, errors);
        for (JmhStep s : jmh) {
            if (steps.isEmpty() || steps.contains(s.name())) {
                runJmh(s, out, chronicleOk, errors);
                progress(s.name(), t0);
            }
        }
        if (steps.isEmpty() || steps.contains("latency")) {
            for (MapKind k : usable(latencyImpls, chronicleOk)) {
                child(out, errors, "latency", k, 30, "latency", "--impl", k.id(), "--n", Integer.toString(latencyN),
                        "--checkpoints", join(latencyCheckpoints), "--out", file(out, "latency", k));
            }
            progress("latency", t0);
        }
        if (steps.isEmpty() || steps.contains("footprint")) {
            for (MapKind k : usable(footprintImpls, chronicleOk)) {
                if (k == MapKind.CHRONICLE) {
                    // Sized at creation: one fresh map per size, each in its own JVM.
                    for (Long size : footprintSizes) {
                        child(out, errors, "footprint", k, 20, "footprint", "--impl", k.id(), "--sizes",
                                size.toString(), "--out", out.resolve("footprint-chronicle-" + size + ".json")
                                        .toString());
                    }
                } else {
                    child(out, errors, "footprint", k, 20, "footprint", "--impl", k.id(), "--sizes",
                            join(footprintSizes), "--out", file(out, "footprint", k));
                }
            }
            progress("footprint", t0);
        }
        if (steps.isEmpty() || steps.contains("cold")) {
            for (MapKind k : usable(coldImpls, chronicleOk)) {
                child(out, errors, "cold", k, 20, "cold", "--impl", k.id(), "--n", Integer.toString(coldN),
                        "--steps", Long.toString(coldSteps), "--out", file(out, "cold", k));
            }
            progress("cold", t0);
        }
        Json.write(out.resolve("errors.json"), errors);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        run.put("steps", steps.isEmpty() ? "all" : String.join(",", steps));
        run.put("loadAverageAtEnd", Env.currentLoadAverage());
        Json.write(out.resolve("run.json"), run);
    }

    private boolean probeChronicle(Path out, List<Map<String, String>> errors) {
        String err = Child.run(heap, out.resolve("logs/probe-chronicle.log"), 5,
                List.of("probe", "--impl", "chronicle"));
        if (err != null) {
            errors.add(error("probe", "chronicle", "Chronicle Map cannot run on this JDK; left out of every "
                    + "measurement. " + err));
            System.out.println("chronicle probe FAILED, leaving Chronicle Map out:\n" + err);
            return false;
        }
        return true;
    }

    private void runJmh(JmhStep s, Path out, boolean chronicleOk, List<Map<String, String>> errors) {
        List<MapKind> impls = usable(s.impls(), chronicleOk);
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(s.include())
                .param("impl", impls.stream().map(MapKind::id).toArray(String[]::new))
                .param("size", s.sizes().toArray(String[]::new))
                .warmupIterations(s.warmups())
                .measurementIterations(s.iterations())
                .forks(s.forks())
                .jvmArgsAppend(JvmFlags.jmhFork(heap).toArray(String[]::new))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(false)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-" + s.name() + ".json").toString())
                .output(out.resolve("logs/jmh-" + s.name() + ".log").toString());
        if (s.millis() > 0) {
            b.warmupTime(TimeValue.milliseconds(s.warmupMillis())).measurementTime(TimeValue.milliseconds(s.millis()));
        }
        try {
            java.nio.file.Files.createDirectories(out.resolve("logs"));
            int count = new Runner(b.build()).run().size();
            System.out.println("jmh " + s.name() + ": " + count + " results");
            for (JmhFailures.Failure f : JmhFailures.scan(out.resolve("logs/jmh-" + s.name() + ".log"))) {
                errors.add(error("jmh-" + s.name(), f.benchmark(), "no result; the fork failed with:\n" + f.message()));
            }
        } catch (RunnerException | java.io.IOException e) {
            errors.add(error("jmh-" + s.name(), MapKind.ids(impls), e.toString()));
        }
    }

    private void child(Path out, List<Map<String, String>> errors, String step, MapKind k, int timeoutMin,
                       String... args) {
        String err = Child.run(heap, out.resolve("logs/" + step + "-" + k.id() + ".log"), timeoutMin, List.of(args));
        if (err != null) {
            errors.add(error(step, k.id(), err));
            System.out.println(step + " " + k.id() + " FAILED:\n" + err);
        }
    }

    private static List<MapKind> usable(List<MapKind> kinds, boolean chronicleOk) {
        return kinds.stream().filter(k -> chronicleOk || k != MapKind.CHRONICLE).toList();
    }

    private static String file(Path out, String step, MapKind k) {
        return out.resolve(step + "-" + k.id() + ".json").toString();
    }

    private static String join(List<Long> v) {
        return String.join(",", v.stream().map(String::valueOf).toList());
    }

    private static Map<String, String> error(String step, String impl, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("impl", impl);
        m.put("message", message);
        return m;
    }

    private static void progress(String step, long t0) {
        System.out.printf("== %s done at %d s%n", step, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }
}
