package dev.linemap.bench.harness;

import dev.linemap.Codec;
import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.engine.ByteHashing;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.DenseLineDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * The floor under "LineMap get at least 2x Chronicle Map" (issues 12 and 13): in one JVM, passes
 * interleaved, the object-API get of a {@code LineMap<String, String>} in a file and of Chronicle
 * Map in a file ({@code createPersistedTo}), both on the same keys and values, beside the cheapest
 * get this design can have: a single-threaded table with no concurrency control at all, laid out
 * as linemap lays out a {@code LineMap} (64-byte dense lines of six slots, a 4-byte hash tag and a 4-byte
 * reference each, at linemap's load, 8-byte-aligned records of header, key and value placed in insertion
 * order; the 3-slot line of 16-byte (hash, reference) slots until 2026-12-01), read
 * with the same key encoding, hash, key compare, value copy and {@code String} decode. Its cost is
 * what the two dependent cache misses (bucket line, then record) and the codec work take on this
 * machine; Chronicle Map's get divided by it is the most any implementation of this layout can
 * gain.
 *
 * <p>The floor table is a plain open-addressing table (a full line continues in the next one),
 * built in the JVM's native memory; nothing in it is thread-safe, nothing is checked beyond the
 * key compare.
 */
public final class LineGetFloor {

    private static volatile long blackhole;

    /**
     * Entries per bucket line: a {@code LineMap} table grows past 4, so it holds 2-4; 1M entries fill
     * 2^18 lines with 3.8 (1.9 on the 3-slot line, which grew past 2.5).
     */
    private static final double ENTRIES_PER_LINE = 3.8;

    private LineGetFloor() {
    }

    /**
     * Median CPU time per get.
     *
     * @param lineNs {@code LineMap} in a file
     * @param chronicleNs Chronicle Map in a file
     * @param floorNs the floor table
     */
    public record Result(double lineNs, double chronicleNs, double floorNs) {
    }

    /**
     * Builds the three tables and prints ns per get (wall and this thread's CPU time), medians of
     * {@code rounds} interleaved passes of {@code ops} gets each, after three untimed rounds. The
     * floor table must read every key's value as the map does, or the run fails.
     *
     * @param n entries
     * @param ops gets per pass
     * @param rounds timed passes per table
     * @param dir where the two files go (deleted after)
     * @return the medians
     * @throws IOException if a file cannot be made
     */
    public static Result run(final int n, final long ops, final int rounds, final Path dir) throws IOException {
        final Path work = Files.createTempDirectory(dir, "line-get-floor-");
        final String[] keys = new String[n];
        try (LineMap<String, String> line = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(42)
                     .persistTo(work.resolve("line.map")).build();
             ChronicleMap<CharSequence, CharSequence> chronicle = ChronicleMap.of(CharSequence.class,
                     CharSequence.class).name("line-get-floor").entries(n).averageKeySize(40).averageValueSize(136)
                     .createPersistedTo(work.resolve("chronicle.map").toFile());
             Arena arena = Arena.ofShared()) {
            final AsciiEntries entries = new AsciiEntries(42);
            final String[] values = new String[n];
            for (int i = 0; i < n; i++) {
                keys[i] = entries.nextKey();
                values[i] = entries.nextValue();
                line.put(keys[i], values[i]);
                chronicle.put(keys[i], values[i]);
            }
            final Floor floor = new Floor(keys, values, arena);
            final String[] order = keys.clone();
            final SplittableRandom random = new SplittableRandom(7);
            for (int i = order.length - 1; i > 0; i--) {
                final int j = random.nextInt(i + 1);
                final String t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (final String k : order) {
                if (!floor.get(k).equals(line.get(k))) {
                    throw new IllegalStateException("the floor table reads another value than the map for " + k);
                }
            }
            final String[] names = {"LineMap<String, String>, file", "Chronicle Map, file (createPersistedTo)",
                "floor: linemap's layout, no concurrency"};
            final LongSupplier[] passes = {
                () -> GetLoops.gets(line, order, ops),
                () -> GetLoops.gets(chronicle, order, ops),
                () -> floor.gets(order, ops),
            };
            final double[][] wall = new double[3][rounds];
            final double[][] cpu = new double[3][rounds];
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int r = -3; r < rounds; r++) {
                for (int k = 0; k < 3; k++) {
                    final int m = (r & 1) == 0 ? k : 2 - k;
                    final long c0 = threads.getCurrentThreadCpuTime();
                    final long t0 = System.nanoTime();
                    blackhole += passes[m].getAsLong();
                    final long t1 = System.nanoTime();
                    final long c1 = threads.getCurrentThreadCpuTime();
                    if (r >= 0) {
                        wall[m][r] = (t1 - t0) / (double) ops;
                        cpu[m][r] = (c1 - c0) / (double) ops;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "line-get-floor n=%,d, %,d gets per pass, %d passes each; ns per get,"
                    + " median [min]%n", n, ops, rounds);
            for (int m = 0; m < 3; m++) {
                System.out.printf(Locale.ROOT, "  %-42s wall %7.1f [%7.1f]   cpu %7.1f [%7.1f]%n", names[m],
                        Medians.of(wall[m]), Arrays.stream(wall[m]).min().orElseThrow(), Medians.of(cpu[m]),
                        Arrays.stream(cpu[m]).min().orElseThrow());
            }
            System.out.printf(Locale.ROOT, "  Chronicle Map ÷ LineMap (speed-up): wall %.2fx, cpu %.2fx;"
                    + " Chronicle Map ÷ floor (the most this layout can give): wall %.2fx, cpu %.2fx%n",
                    Medians.of(wall[1]) / Medians.of(wall[0]), Medians.of(cpu[1]) / Medians.of(cpu[0]),
                    Medians.of(wall[1]) / Medians.of(wall[2]), Medians.of(cpu[1]) / Medians.of(cpu[2]));
            return new Result(Medians.of(cpu[0]), Medians.of(cpu[1]), Medians.of(cpu[2]));
        } finally {
            try (var s = Files.list(work)) {
                for (final Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(work);
        }
    }

    /** linemap's layout without its protocol: see the class comment. */
    private static final class Floor {
        /** As a LineMap dense line: two control words, six 4-byte tags, six 4-byte references. */
        private static final long TAGS = DenseLineDescriptor.TAG0_OFFSET;
        private static final long REFS = DenseLineDescriptor.REF0_OFFSET;
        private static final long STRIDE = DenseLineDescriptor.STRIDE;
        private static final int SLOTS = DenseLineDescriptor.SLOTS;
        private static final long LINE = BucketDescriptor.BYTES;
        private final Codec<String> codec = Codecs.utf8();
        private final MemorySegment lines;
        private final MemorySegment records;
        private final long mask;
        private final byte[] keyBuffer = new byte[1 << 16];
        private final MemorySegment keyScratch = MemorySegment.ofArray(keyBuffer);
        private final byte[] valueBuffer = new byte[1 << 16];
        private final MemorySegment valueScratch = MemorySegment.ofArray(valueBuffer);

        Floor(final String[] keys, final String[] values, final Arena arena) {
            final long lineCount = Long.highestOneBit((long) Math.ceil(keys.length / ENTRIES_PER_LINE) * 2 - 1);
            mask = lineCount - 1;
            lines = arena.allocate(lineCount * LINE, LINE);
            long bytes = 0;
            for (int i = 0; i < keys.length; i++) {
                bytes += recordBytes(keys[i], values[i]);
            }
            records = arena.allocate(bytes, 64);
            long at = 0;
            for (int i = 0; i < keys.length; i++) {
                final int kl = codec.encodedLength(keys[i]);
                final int vl = codec.encodedLength(values[i]);
                records.set(ValueLayout.JAVA_LONG, at, (long) kl << 32 | vl);
                codec.encode(keys[i], records, at + 8);
                codec.encode(values[i], records, at + 8 + kl);
                codec.encode(keys[i], keyScratch, 0);
                final long hash = ByteHashing.hash(keyScratch, 0, kl, 42);
                for (long l = hash & mask; ; l = (l + 1) & mask) {
                    int s = 0;
                    while (s < SLOTS && lines.get(ValueLayout.JAVA_INT, ref(l, s)) != 0) {
                        s++;
                    }
                    if (s < SLOTS) {
                        lines.set(ValueLayout.JAVA_INT, tag(l, s), (int) hash);
                        lines.set(ValueLayout.JAVA_INT, ref(l, s), (int) ((at >>> 3) + 1));   // 8-byte granules
                        break;
                    }
                }
                at += recordBytes(keys[i], values[i]);
            }
        }

        private static long tag(final long line, final int s) {
            return line * LINE + TAGS + s * STRIDE;
        }

        private static long ref(final long line, final int s) {
            return line * LINE + REFS + s * STRIDE;
        }

        private long recordBytes(final String key, final String value) {
            return (8 + codec.encodedLength(key) + codec.encodedLength(value) + 7) & -8L;
        }

        String get(final String key) {
            final int kl = codec.encodedLength(key);
            codec.encode(key, keyScratch, 0);
            final long hash = ByteHashing.hash(keyScratch, 0, kl, 42);
            for (long l = hash & mask; ; l = (l + 1) & mask) {
                for (int s = 0; s < SLOTS; s++) {
                    final long ref = lines.get(ValueLayout.JAVA_INT, ref(l, s)) & DenseLineDescriptor.WORD_MASK;
                    if (ref == 0) {
                        return null;
                    }
                    if (lines.get(ValueLayout.JAVA_INT, tag(l, s)) != (int) hash) {
                        continue;
                    }
                    final long at = (ref - 1) << 3;
                    final long header = records.get(ValueLayout.JAVA_LONG, at);
                    if ((int) (header >>> 32) == kl
                            && MemorySegment.mismatch(records, at + 8, at + 8 + kl, keyScratch, 0, kl) < 0) {
                        final int vl = (int) header;
                        MemorySegment.copy(records, at + 8 + kl, valueScratch, 0, vl);
                        return codec.decode(valueScratch, 0, vl);
                    }
                }
            }
        }

        long gets(final String[] order, final long ops) {
            long sum = 0;
            int j = 0;
            for (long i = 0; i < ops; i++) {
                sum += get(order[j]).length();
                if (++j == order.length) {
                    j = 0;
                }
            }
            return sum;
        }
    }
}
