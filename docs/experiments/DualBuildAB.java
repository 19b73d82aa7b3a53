import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.ToLongBiFunction;

// Two builds of core in one JVM (docs/notes/fast-path.md, "The get's home line written out"). On
// these shared VMs the speed of a JVM moves by 10-30 % from minute to minute, so jars run one after
// the other cannot show a 5-10 % change. Here each build's classes (core and unsafe-layout, plus
// this file's Driver) get their own class loader, so each build's LongLongMap and its loops are
// compiled apart, and the builds take turns within one JVM: every round times each build's map over
// the same keys, in alternating order. Each map is grown from empty with N random keys; a round is
// at least 20M random gets, puts of stored keys, or keys through getAll in groups of 16 (as JMH's
// getHitBatch). Prints ns per operation per round and each build's ratio to the first, leaving out
// the two warm-up rounds. The order within a round still moves a ratio by a few percent: run each
// comparison both ways round.
//
//   # the classes of each build in its own directory, e.g. a worktree of the base commit and this checkout
//   git worktree add /tmp/base <commit> && (cd /tmp/base && mvn -B -o -q -pl core -am compile)
//   mvn -B -o -q -pl core -am compile
//   for b in base:/tmp/base new:.; do d=/tmp/ab/${b%%:*}; s=${b#*:}; mkdir -p $d
//     cp -r $s/core/target/classes/. $s/unsafe-layout/target/classes/. $d
//     javac -cp $d -d $d docs/experiments/DualBuildAB.java; done
//   java -Xms9g -Xmx9g --enable-native-access=ALL-UNNAMED -cp /tmp/ab/base DualBuildAB 1024 12 get,put /tmp/ab/base /tmp/ab/new
public class DualBuildAB {
    /** Loaded once per build, by that build's loader: a map filled with the keys, and the timed loops. */
    public static final class Driver implements ToLongBiFunction<long[], String> {
        private final dev.linemap.LongLongMap map = dev.linemap.LongLongMap.builder().build();

        public Driver(final long[] keys) {
            for (final long k : keys) {
                map.put(k, k + 1);
            }
        }

        @Override
        public long applyAsLong(final long[] order, final String mode) {
            return switch (mode) {
                case "get" -> get(order);
                case "put" -> put(order);
                case "getAll" -> getAll(order);
                default -> throw new IllegalArgumentException("mode " + mode + ": get, put or getAll");
            };
        }

        private long get(final long[] order) {
            long s = 0;
            for (final long k : order) {
                s += map.get(k);
            }
            return s;
        }

        /** getAll over groups of 16 keys, as JMH's getHitBatch calls it. */
        private long getAll(final long[] order) {
            final long[] keys = new long[16];
            final long[] values = new long[16];
            long s = 0;
            for (int i = 0; i + 16 <= order.length; i += 16) {
                System.arraycopy(order, i, keys, 0, 16);
                map.getAll(keys, values);
                s += values[15];
            }
            return s;
        }

        private long put(final long[] order) {
            long s = 0;
            for (final long k : order) {
                s += map.put(k, k + 1);
            }
            return s;
        }
    }

    public static void main(final String[] args) throws Exception {
        final int n = Integer.parseInt(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final String[] modes = args[2].split(",");
        final int builds = args.length - 3;
        final SplittableRandom rnd = new SplittableRandom(42);
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = rnd.nextLong();
        }
        final long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = keys[rnd.nextInt(n)];
        }
        @SuppressWarnings("unchecked")
        final ToLongBiFunction<long[], String>[] driver = new ToLongBiFunction[builds];
        for (int b = 0; b < builds; b++) {
            final URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(args[3 + b]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            @SuppressWarnings("unchecked")
            final ToLongBiFunction<long[], String> d = (ToLongBiFunction<long[], String>) loader
                    .loadClass("DualBuildAB$Driver").getConstructor(long[].class).newInstance((Object) keys);
            driver[b] = d;
        }
        final int reps = Math.max(1, 20_000_000 / n);
        long sink = 0;
        for (final String mode : modes) {
            final double[][] ns = new double[builds][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < builds; k++) {
                    final int b = r % 2 == 0 ? k : builds - 1 - k;
                    final long t0 = System.nanoTime();
                    for (int rep = 0; rep < reps; rep++) {
                        sink += driver[b].applyAsLong(order, mode);
                    }
                    ns[b][r] = (System.nanoTime() - t0) / (double) ((long) reps * n);
                }
            }
            for (int b = 0; b < builds; b++) {
                final StringBuilder line = new StringBuilder(mode + " " + args[3 + b] + " ns/op:");
                for (int r = 0; r < rounds; r++) {
                    line.append(String.format(" %.1f", ns[b][r]));
                }
                if (b > 0) {
                    line.append("   ÷ first:");
                    for (int r = 2; r < rounds; r++) {
                        line.append(String.format(" %.3f", ns[b][r] / ns[0][r]));
                    }
                }
                System.out.println(line);
            }
        }
        System.out.println("(checksum " + sink + ")");
    }
}
