package dev.linemap.bench.harness;

import dev.linemap.Codec;
import dev.linemap.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Interleaved A/B/C of UTF-8 encoders in one JVM, for a machine too loaded for separate JMH forks
 * to compare: blocks of 20,000 encodes of each variant alternate, so all three see the same noise,
 * and the medians of the per-block averages are printed. Variants: {@code codec} is
 * {@code Codecs.utf8()} ({@code encodedLength} then {@code encode}, as a map calls it);
 * {@code words} is the same with eight ASCII chars per {@code long} store (the variant tried and
 * dropped); {@code jdk} is {@code getBytes(UTF_8)} and a bulk copy. The target is native memory.
 *
 * <pre>
 * java -cp bench/target/linemap-bench.jar dev.linemap.bench.harness.Utf8EncodeAB ascii|latin1|cjk CHARS SECONDS
 * </pre>
 */
public final class Utf8EncodeAB {

    private static final Codec<String> UTF8 = Codecs.utf8();
    private static final int BLOCK = 20_000;
    private static final int STRINGS = 256;
    private static final ValueLayout.OfLong LONG_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Utf8EncodeAB() {
    }

    /**
     * Runs the comparison.
     *
     * @param args kind ({@code ascii}, {@code latin1}: one char in eight above 0x7f, {@code cjk}),
     *             chars per string, seconds
     */
    public static void main(String[] args) {
        final String kind = args[0];
        final int length = Integer.parseInt(args[1]);
        final long seconds = Long.parseLong(args[2]);
        final SplittableRandom random = new SplittableRandom(42);
        final String[] strings = new String[STRINGS];
        for (int s = 0; s < STRINGS; s++) {
            final char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = switch (kind) {
                    case "ascii" -> (char) ('a' + random.nextInt(26));
                    case "latin1" -> i % 8 == 5
                            ? (char) (0xC0 + random.nextInt(0x40))
                            : (char) ('a' + random.nextInt(26));
                    case "cjk" -> (char) (0x4E00 + random.nextInt(0x5000));
                    default -> throw new IllegalArgumentException("kind=" + kind + ": ascii, latin1 or cjk");
                };
            }
            strings[s] = new String(chars);
        }
        final MemorySegment target = Arena.ofAuto().allocate(4L * length + 64);
        final double[][] ns = new double[3][1 << 20];
        int blocks = 0;
        long sink = 0;
        final long end = System.nanoTime() + seconds * 1_000_000_000L;
        for (int round = 0; System.nanoTime() < end && blocks < ns[0].length; round++) {
            final long t0 = System.nanoTime();
            sink += codec(strings, target);
            final long t1 = System.nanoTime();
            sink += words(strings, target);
            final long t2 = System.nanoTime();
            sink += jdk(strings, target);
            final long t3 = System.nanoTime();
            if (round >= 50) { // the first blocks run interpreted and in C1
                ns[0][blocks] = (t1 - t0) / (double) BLOCK;
                ns[1][blocks] = (t2 - t1) / (double) BLOCK;
                ns[2][blocks] = (t3 - t2) / (double) BLOCK;
                blocks++;
            }
        }
        System.out.printf("%s, %d chars, %d blocks of %d: median ns per encode: codec %.1f, words %.1f, jdk %.1f"
                + " (sink %d)%n", kind, length, blocks, BLOCK, median(ns[0], blocks), median(ns[1], blocks),
                median(ns[2], blocks), sink);
    }

    private static double median(double[] values, int n) {
        final double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[n / 2];
    }

    private static long codec(String[] strings, MemorySegment target) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            final String s = strings[i & (STRINGS - 1)];
            sum += UTF8.encodedLength(s);
            UTF8.encode(s, target, 0);
        }
        return sum + target.get(ValueLayout.JAVA_BYTE, 0);
    }

    private static long words(String[] strings, MemorySegment target) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            final String s = strings[i & (STRINGS - 1)];
            sum += UTF8.encodedLength(s);
            encodeWords(s, target);
        }
        return sum + target.get(ValueLayout.JAVA_BYTE, 0);
    }

    private static long jdk(String[] strings, MemorySegment target) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            final byte[] bytes = strings[i & (STRINGS - 1)].getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
            sum += bytes.length;
        }
        return sum + target.get(ValueLayout.JAVA_BYTE, 0);
    }

    /** The dropped variant: words of eight ASCII chars, else one char (no surrogates in these strings). */
    private static void encodeWords(String value, MemorySegment target) {
        final int n = value.length();
        long pos = 0;
        int i = 0;
        while (i < n) {
            if (n - i >= 8) {
                long word = 0;
                int seen = 0;
                for (int k = 0; k < 8; k++) {
                    final char c = value.charAt(i + k);
                    seen |= c;
                    word |= (long) c << (k * 8);
                }
                if (seen < 0x80) {
                    target.set(LONG_LE, pos, word);
                    pos += 8;
                    i += 8;
                    continue;
                }
            }
            final char c = value.charAt(i++);
            if (c < 0x80) {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) c);
            } else if (c < 0x800) {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0xC0 | (c >> 6)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | (c & 0x3F)));
            } else {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0xE0 | (c >> 12)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | (c & 0x3F)));
            }
        }
    }
}
