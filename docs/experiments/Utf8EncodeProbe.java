import dev.linemap.Codec;
import dev.linemap.Codecs;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * {@code Codecs.utf8()}'s encode of ASCII strings (docs/notes/codecs.md, "the ASCII copy"): into a
 * {@code byte[]} segment (the one-copy path the object API's buffers take) against a {@code long[]}
 * segment of the same size (a heap segment that is not a {@code byte[]}: the char loop every
 * encode took before). 4,096 random printable-ASCII strings of 16-256 chars (average 136), one JVM,
 * after warm-up; ns per string for {@code encodedLength} + {@code encode}. Run from the checkout
 * after {@code mvn -B -o -q -pl core -am compile}:
 * {@code javac -cp core/target/classes -d /tmp/up docs/experiments/Utf8EncodeProbe.java &&
 * java -cp core/target/classes:unsafe-layout/target/classes:/tmp/up Utf8EncodeProbe}.
 */
public class Utf8EncodeProbe {
    static final Codec<String> UTF8 = Codecs.utf8();

    static long encodeAll(final String[] strings, final MemorySegment target) {
        long sink = 0;
        for (final String s : strings) {
            final int n = UTF8.encodedLength(s);
            UTF8.encode(s, target, 0);
            sink += n;
        }
        return sink;
    }

    public static void main(final String[] args) {
        final SplittableRandom random = new SplittableRandom(1);
        final String[] strings = new String[4096];
        for (int i = 0; i < strings.length; i++) {
            final StringBuilder b = new StringBuilder();
            final int n = 16 + random.nextInt(241);
            for (int j = 0; j < n; j++) {
                b.append((char) (33 + random.nextInt(94)));
            }
            strings[i] = b.toString();
        }
        final MemorySegment bytes = MemorySegment.ofArray(new byte[1024]);
        final MemorySegment longs = MemorySegment.ofArray(new long[128]);
        long sink = 0;
        for (int round = 0; round < 12; round++) {
            final long t0 = System.nanoTime();
            for (int k = 0; k < 200; k++) {
                sink += encodeAll(strings, bytes);
            }
            final long t1 = System.nanoTime();
            for (int k = 0; k < 200; k++) {
                sink += encodeAll(strings, longs);
            }
            final long t2 = System.nanoTime();
            final double n = 200.0 * strings.length;
            System.out.printf("round %2d: byte[] segment (copy) %.1f ns, long[] segment (char loop) %.1f ns%n",
                    round, (t1 - t0) / n, (t2 - t1) / n);
        }
        System.out.println(sink);
    }
}
