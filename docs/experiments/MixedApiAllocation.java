import dev.linemap.Codecs;
import dev.linemap.LineMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * What a {@code LineMap<String, String>} put allocates in a JVM that ran the zero-copy methods first
 * (an application using both APIs). With an argument, 200 rounds of getBytes, containsKeyBytes,
 * readValue, updateValue and remove + re-insert over a {@code LineMap<byte[], byte[]>} of 1,024
 * keys run first; then rounds of 1,024 puts of present {@code String} keys, printing the bytes the
 * thread allocated per put (the returned value alone is about 180). Before {@code BufferCodec}: 228
 * and 212 B at rounds 40-120, 180 by round 1,000; after: 180 from round 40 (three runs each,
 * 2026-12-01, {@code docs/design.md} section 13). Run from the checkout after
 * {@code mvn -B -o -q -pl core -am compile}:
 * {@code javac -cp core/target/classes -d /tmp/mx docs/experiments/MixedApiAllocation.java &&
 * java --enable-native-access=ALL-UNNAMED -Xmx1g -cp core/target/classes:unsafe-layout/target/classes:/tmp/mx
 * MixedApiAllocation x}.
 */
public class MixedApiAllocation {
    private static final int K = 1024;

    public static void main(final String[] args) {
        final var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        if (args.length > 0) {
            sum += zeroCopyFirst();
        }
        final String[] keys = new String[K];
        final String[] values = new String[K];
        for (int i = 0; i < K; i++) {
            keys[i] = "key-" + i + "-" + "k".repeat(i % 40);
            values[i] = "value-" + i + "-" + "v".repeat(64 + i % 128);
        }
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
            for (int i = 0; i < K; i++) {
                map.put(keys[i], values[i]);
            }
            for (int r = 0; r < 3000; r++) {
                final long t0 = threads.getCurrentThreadAllocatedBytes();
                long returned = 0;
                for (int i = 0; i < K; i++) {
                    returned += map.put(keys[i], values[(i + r + 1) % K]).length();
                }
                final long t1 = threads.getCurrentThreadAllocatedBytes();
                if (r % 40 == 0 || r == 2999) {
                    System.out.println("round " + r + " put " + (t1 - t0) / K + " B/call, returned ~" + returned / K);
                }
                sum += returned;
            }
        }
        System.out.println(sum);
    }

    private static long zeroCopyFirst() {
        long sum = 0;
        try (Arena arena = Arena.ofConfined();
             LineMap<byte[], byte[]> map = LineMap.builder(Codecs.bytes(), Codecs.bytes()).build()) {
            final MemorySegment[] keys = new MemorySegment[K];
            final MemorySegment value = arena.allocate(64);
            for (int i = 0; i < K; i++) {
                final byte[] b = ("key-" + i).getBytes(StandardCharsets.US_ASCII);
                keys[i] = arena.allocate(b.length);
                MemorySegment.copy(b, 0, keys[i], ValueLayout.JAVA_BYTE, 0, b.length);
                map.putBytes(keys[i], value);
            }
            for (int r = 0; r < 200; r++) {
                for (int i = 0; i < K; i++) {
                    sum += map.getBytes(keys[i], value);
                }
                for (int i = 0; i < K; i++) {
                    sum += map.containsKeyBytes(keys[i]) ? 1 : 0;
                }
                for (int i = 0; i < K; i++) {
                    sum += map.readValue(keys[i], v -> v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), -1);
                }
                for (int i = 0; i < K; i++) {
                    sum += map.updateValue(keys[i], v -> v.set(ValueLayout.JAVA_LONG_UNALIGNED, 0,
                            v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + 1)) ? 1 : 0;
                }
                for (int i = 0; i < K; i++) {
                    sum += map.removeBytes(keys[i]) ? 1 : 0;
                    sum += map.putBytes(keys[i], value) ? 1 : 0;
                }
            }
        }
        return sum;
    }
}
