package dev.linemap.stress.hammer;

import java.time.Duration;
import java.util.Locale;

/**
 * Command-line options of {@code hammer}.
 *
 * @param threads worker threads
 * @param duration total run time
 * @param keys size of the key space (owned ranges plus shared keys)
 * @param sharedKeys keys every thread updates with commutative operations only
 * @param seed seed of every random choice (per-thread streams are derived from it)
 * @param checkEvery interval between quiescent full comparisons with the model
 * @param clearEvery every how many checkpoints the map is cleared (0 = never)
 * @param missingValue the map's missing value (tagged values are never 0, so 0 is safe too)
 * @param virtualThreads whether the workers are virtual threads (they then share the carriers, and a
 *        worker can be unmounted while it holds a bucket)
 * @param lineMap whether the map under test is a {@code LineMap<String, String>} ({@code --map line})
 *        instead of a {@code LongLongMap} ({@code --map long}, the default)
 */
public record HammerOptions(int threads, Duration duration, long keys, int sharedKeys, long seed,
                            Duration checkEvery, int clearEvery, long missingValue, boolean virtualThreads,
                            boolean lineMap) {

    /**
     * Parses {@code --threads N --duration 10m --keys 1e7 --seed S [--shared K] [--check-every 5s]
     * [--clear-every N] [--missing-value V] [--virtual true|false] [--map long|line]}.
     *
     * @param args the arguments
     * @return the options
     */
    public static HammerOptions parse(final String[] args) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        Duration duration = Duration.ofSeconds(30);
        long keys = 1_000_000;
        int shared = 64;
        long seed = System.nanoTime();
        Duration checkEvery = Duration.ofSeconds(5);
        int clearEvery = 3;
        long missing = Long.MIN_VALUE + 0x5EED;
        boolean virtual = false;
        boolean lineMap = false;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            final String v = args[++i];
            switch (a) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--duration" -> duration = parseDuration(v);
                case "--keys" -> keys = parseCount(v);
                case "--shared" -> shared = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--check-every" -> checkEvery = parseDuration(v);
                case "--clear-every" -> clearEvery = Integer.parseInt(v);
                case "--missing-value" -> missing = Long.parseLong(v);
                case "--virtual" -> virtual = parseBoolean(v);
                case "--map" -> lineMap = parseMap(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (known: --threads --duration --keys --shared --seed --check-every --clear-every"
                        + " --missing-value --virtual --map)");
            }
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads=" + threads + " must be >= 1");
        }
        if (keys < shared + threads * 16L) {
            throw new IllegalArgumentException(
                    "keys=" + keys + " must be >= shared + 16 * threads = " + (shared + threads * 16L));
        }
        if (keys / threads > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("keys=" + keys + " gives more than 2^31 keys per thread; add threads");
        }
        return new HammerOptions(threads, duration, keys, shared, seed, checkEvery, clearEvery, missing, virtual,
                lineMap);
    }

    private static boolean parseMap(final String text) {
        return switch (text) {
            case "long" -> false;
            case "line" -> true;
            default -> throw new IllegalArgumentException("--map " + text + ": expected long or line");
        };
    }

    private static boolean parseBoolean(final String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--virtual " + text + ": expected true or false");
        };
    }

    /**
     * Parses {@code 500ms}, {@code 45s}, {@code 10m}, {@code 2h} (a bare number is seconds).
     *
     * @param text the duration
     * @return it
     */
    public static Duration parseDuration(final String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        final long n = Long.parseLong(t.replaceAll("[smh]$", ""));
        return switch (t.charAt(t.length() - 1)) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /**
     * Parses {@code 1e7}, {@code 2.5e6}, {@code 1_000_000} or a plain number.
     *
     * @param text the count
     * @return it
     */
    public static long parseCount(final String text) {
        final String t = text.trim().replace("_", "");
        if (t.contains("e") || t.contains("E") || t.contains(".")) {
            return (long) Double.parseDouble(t);
        }
        return Long.parseLong(t);
    }
}
