package dev.linemap.bench.jmh;

import dev.linemap.Codec;
import dev.linemap.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The utf8 codec's encode, as a map calls it ({@code encodedLength} then {@code encode} into native
 * memory), against the JDK's {@code getBytes(UTF_8)} plus a bulk copy. With {@code -prof gc}:
 * {@code bench/bench.sh jmh CodecOps -prof gc}. On a loaded machine compare with
 * {@code harness.Utf8EncodeAB} instead, which interleaves the variants in one JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecOps {

    private static final Codec<String> UTF8 = Codecs.utf8();
    private static final int STRINGS = 256;

    /** ascii: all below 0x80; latin1: one character in eight above 0x7f; cjk: three-byte characters. */
    @Param({"ascii", "latin1", "cjk"})
    public String kind;

    /** Characters per string. */
    @Param({"16", "64"})
    public int length;

    private String[] strings;
    private MemorySegment target;
    private int next;

    /** Created by JMH. */
    public CodecOps() {
    }

    /** Strings of the kind and length, and a native target. */
    @Setup
    public void setup() {
        final SplittableRandom random = new SplittableRandom(42);
        strings = new String[STRINGS];
        for (int s = 0; s < STRINGS; s++) {
            final char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = switch (kind) {
                    case "ascii" -> (char) ('a' + random.nextInt(26));
                    case "latin1" -> i % 8 == 5
                            ? (char) (0xC0 + random.nextInt(0x40))
                            : (char) ('a' + random.nextInt(26));
                    case "cjk" -> (char) (0x4E00 + random.nextInt(0x5000));
                    default -> throw new IllegalArgumentException(kind);
                };
            }
            strings[s] = new String(chars);
        }
        target = Arena.ofAuto().allocate(4 * length + 64);
    }

    private String nextString() {
        final int i = next++ & (STRINGS - 1);
        return strings[i];
    }

    /**
     * Codecs.utf8(): exact length, then the bytes.
     *
     * @return the length
     */
    @Benchmark
    public int codec() {
        final String s = nextString();
        final int n = UTF8.encodedLength(s);
        UTF8.encode(s, target, 0);
        return n;
    }

    /**
     * The JDK's encoder into a new array, then one bulk copy.
     *
     * @return the length
     */
    @Benchmark
    public int jdkGetBytesAndCopy() {
        final byte[] bytes = nextString().getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return bytes.length;
    }
}
