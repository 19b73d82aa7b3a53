package dev.linemap.bench.harness;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.bench.run.JvmFlags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Bytes per entry of the variable-length maps by process memory (issue 12's footprint), one map per
 * child JVM. The child's heap is fixed and pre-touched ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}),
 * so its resident size does not move with the heap; the footprint of {@code n} entries is then the
 * growth of {@code VmRSS} (native memory: the off-heap maps) plus the growth of the live heap after full
 * GCs (the on-heap maps and any heap objects of the off-heap ones), both measured from a baseline taken
 * after a small map of the same kind was built and closed (so class loading is not counted). Keys and
 * values as in {@code jmh.LineMapOps}: keys 16..64 ASCII bytes, values 16..256, seeded; the payload is
 * the sum of their byte lengths.
 */
public final class LineMapFootprint {

    /** The maps measured. */
    public static final List<String> IMPLS = List.of("linemap", "linemap-bytes", "chronicle", "chm", "chm-bytes");

    private LineMapFootprint() {
    }

    /**
     * Runs one child JVM per map and prints one line each. Always a child, also for one map: the
     * launching JVM's heap is neither fixed nor pre-touched, so its growth would count as the map's
     * (measured: 376.7 B/entry of RSS for {@code linemap} run in the launcher, 233.0 in a child).
     *
     * @param impls the maps, from {@link #IMPLS}
     * @param n entries
     * @param seed seed of keys and values
     * @param heap the children's heap
     * @throws IOException if a child cannot be started
     * @throws InterruptedException if interrupted while waiting for a child
     */
    public static void all(final List<String> impls, final int n, final long seed, final String heap)
            throws IOException, InterruptedException {
        for (final String impl : impls) {
            if (!IMPLS.contains(impl)) {
                throw new IllegalArgumentException("impl " + impl + " (one of " + IMPLS + ")");
            }
            final List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JvmFlags.all(heap));
            cmd.add("-XX:+AlwaysPreTouch");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.linemap.bench.Main");
            cmd.addAll(List.of("linemap-footprint", "--impl", impl, "--n", Integer.toString(n), "--seed",
                    Long.toString(seed), "--child", "true"));
            final int status = new ProcessBuilder(cmd).inheritIO().start().waitFor();
            if (status != 0) {
                throw new IOException("linemap-footprint --impl " + impl + ": exit " + status);
            }
        }
    }

    /**
     * Measures one map in this JVM and prints its line.
     *
     * @param impl which map ({@link #IMPLS})
     * @param n entries
     * @param seed seed of keys and values
     */
    public static void one(final String impl, final int n, final long seed) {
        fill(impl, 1000, seed + 1, true);   // class loading and the first compilations, before the baseline
        final long heap0 = ProcessMemory.heapAfterGc();
        final long rss0 = ProcessMemory.rss();
        final Filled f = fill(impl, n, seed, false);
        final long heap = ProcessMemory.heapAfterGc() - heap0;
        final long rss = ProcessMemory.rss() - rss0;
        final double payload = (double) f.payload / n;
        final double total = (double) (heap + rss) / n;
        System.out.println(String.format(Locale.ROOT, "linemap-footprint %-13s n=%,d payload %.1f B/entry:"
                        + " RSS +%.1f, live heap +%.1f, total %.1f B/entry, %.1f above the payload%s", impl, n,
                payload, (double) rss / n, (double) heap / n, total, total - payload, f.detail));
        f.close();
    }

    /** A filled map, kept reachable until measured. */
    private record Filled(AutoCloseable map, long payload, String detail) {
        void close() {
            try {
                map.close();
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Filled fill(final String impl, final int n, final long seed, final boolean close) {
        final AsciiEntries entries = new AsciiEntries(seed);
        long payload = 0;
        final Map<Object, Object> map;
        final AutoCloseable closer;
        switch (impl) {
            case "linemap" -> {
                final LineMap<String, String> m = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed).build();
                map = cast(m);
                closer = m;
            }
            case "linemap-bytes" -> {
                final LineMap<byte[], byte[]> m = LineMap.builder(Codecs.bytes(), Codecs.bytes()).seed(seed).build();
                map = cast(m);
                closer = m;
            }
            case "chronicle" -> {
                // averages of the generator's distributions: keys 16..64 (40), values 16..256 (136)
                final ChronicleMap<CharSequence, CharSequence> m = ChronicleMap.of(CharSequence.class,
                        CharSequence.class).name("footprint").entries(n).averageKeySize(40).averageValueSize(136)
                        .create();
                map = cast(m);
                closer = m;
            }
            case "chm", "chm-bytes" -> {
                map = new ConcurrentHashMap<>();
                closer = map::clear;
            }
            default -> throw new IllegalArgumentException("impl " + impl + " (one of " + IMPLS + ")");
        }
        final boolean bytes = impl.endsWith("-bytes");
        for (int i = 0; i < n; i++) {
            final String key = entries.nextKey();
            final String value = entries.nextValue();
            payload += key.length() + value.length();
            if (impl.equals("linemap-bytes")) {
                map.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
            } else if (bytes) {
                map.put(key, value.getBytes(StandardCharsets.UTF_8));
            } else {
                map.put(key, value);
            }
        }
        String detail = "";
        if (closer instanceof LineMap<?, ?> m) {
            detail = String.format(Locale.ROOT, " (offHeapBytes %.1f B/entry)", (double) m.stats().offHeapBytes() / n);
        } else if (closer instanceof ChronicleMap<?, ?> m) {
            detail = String.format(Locale.ROOT, " (offHeapMemoryUsed %.1f B/entry)",
                    (double) m.offHeapMemoryUsed() / n);
        }
        final Filled f = new Filled(closer, payload, detail);
        if (close) {
            f.close();
        }
        return f;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> cast(final Map<?, ?> m) {
        return (Map<Object, Object>) m;
    }
}
