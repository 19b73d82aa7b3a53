package dev.linemap.stress.lincheck;

import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Command {@code lincheck}: Lincheck in stress mode over {@link MapOperations}, against
 * {@link MapSpecification} ({@code LongLongMap}, the default), or with {@code --map line} over
 * {@link LineMapOperations} against {@link LineMapSpecification} ({@code LineMap<String, String>}).
 *
 * <p>Stress mode runs the scenarios on real threads. Lincheck's model-checking mode is not used:
 * it sees only the JVM heap accesses it instruments, not the engine's off-heap {@code VarHandle}
 * accesses, so its interleavings would skip exactly the races that matter here.
 */
public final class LinearizabilityCheck {

    private LinearizabilityCheck() {
    }

    /**
     * Settings of one run; the defaults are the CI subset.
     *
     * @param iterations scenarios Lincheck generates
     * @param invocations runs of each scenario
     * @param threads threads of a scenario's parallel part
     * @param actorsPerThread operations per thread in the parallel part
     * @param actorsBefore operations run on one thread before the parallel part
     * @param lineMap whether to check {@code LineMap<String, String>} instead of {@code LongLongMap}
     */
    public record Settings(int iterations, int invocations, int threads, int actorsPerThread, int actorsBefore,
                           boolean lineMap) {

        /**
         * The CI subset: 10,000 invocations, about 20 s on 2 cores.
         *
         * @return the settings of the CI subset
         */
        public static Settings ci() {
            return new Settings(20, 500, 2, 4, 4, false);
        }

        static Settings parse(final String[] args) {
            Settings s = ci();
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                if ("--map".equals(a)) {
                    final String map = args[++i];
                    if (!"line".equals(map) && !"long".equals(map)) {
                        throw new IllegalArgumentException("--map " + map + ": expected long or line");
                    }
                    s = new Settings(s.iterations, s.invocations, s.threads, s.actorsPerThread, s.actorsBefore,
                            "line".equals(map));
                    continue;
                }
                if ("--missing-value".equals(a)) {
                    MapOperations.missingValue = Long.parseLong(args[++i]);
                    continue;
                }
                final int v = Integer.parseInt(args[++i]);
                s = switch (a) {
                    case "--iterations" ->
                            new Settings(v, s.invocations, s.threads, s.actorsPerThread, s.actorsBefore, s.lineMap);
                    case "--invocations" ->
                            new Settings(s.iterations, v, s.threads, s.actorsPerThread, s.actorsBefore, s.lineMap);
                    case "--threads" ->
                            new Settings(s.iterations, s.invocations, v, s.actorsPerThread, s.actorsBefore, s.lineMap);
                    case "--actors" ->
                            new Settings(s.iterations, s.invocations, s.threads, v, s.actorsBefore, s.lineMap);
                    case "--actors-before" ->
                            new Settings(s.iterations, s.invocations, s.threads, s.actorsPerThread, v, s.lineMap);
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + " (known: --iterations --invocations --threads --actors --actors-before"
                            + " --missing-value --map)");
                };
            }
            return s;
        }
    }

    /**
     * Runs the check.
     *
     * @param args {@code [--iterations N] [--invocations N] [--threads N] [--actors N] [--actors-before N]
     *             [--missing-value V] [--map long|line]}
     * @return 0 if every history was linearizable, 1 otherwise
     */
    public static int run(final String[] args) {
        final Settings s = Settings.parse(args);
        System.out.println("lincheck (stress mode): " + (s.lineMap() ? "LineMap<String, String>" : "LongLongMap")
                + ", " + s + ", missingValue=" + MapOperations.missingValue
                + ", canary=" + System.getProperty("linemap.canary", "off"));
        final long start = System.nanoTime();
        try {
            check(s);
        } catch (final AssertionError failure) {
            System.out.println(failure.getMessage());
            System.out.println("LINCHECK VERDICT: FAIL (non-linearizable history above) after "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            return 1;
        }
        System.out.println("LINCHECK VERDICT: PASS after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return 0;
    }

    /**
     * Runs Lincheck; throws its {@link AssertionError} on a non-linearizable history.
     *
     * @param s settings
     */
    public static void check(final Settings s) {
        new StressOptions()
                .iterations(s.iterations())
                .invocationsPerIteration(s.invocations())
                .threads(s.threads())
                .actorsPerThread(s.actorsPerThread())
                .actorsBefore(s.actorsBefore())
                .actorsAfter(2)
                .sequentialSpecification(s.lineMap() ? LineMapSpecification.class : MapSpecification.class)
                .check(s.lineMap() ? LineMapOperations.class : MapOperations.class);
    }
}
