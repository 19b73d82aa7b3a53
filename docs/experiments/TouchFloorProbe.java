// Issue 11's getAll target (1.3x Agrona's single get, per key, at 16Mi) on the VM of 2026-12-01:
// what do loads of random 64-byte lines cost on this machine when nothing depends on them, against
// Agrona's whole get and linemap's get and getAll? One JVM, each loop its own method, the loops
// taking turns in every round. ns per key:
//   agrona         Long2LongHashMap.get over the keys in random order
//   agrona x16     the same in groups of 16 copied into a scratch array (as JMH's getHitBatch)
//   linemap        LongLongMap.get
//   getAll x16     LongLongMap.getAll over the same groups of 16
//   touch          one plain load of each key's home line (the engine's hash and bucket count) in a
//                  table of the engine's size (2^23 lines at 16Mi, 512 MiB), summed: no read section
//   touch x16      the same in groups of 16, each loaded word stored into a values array, as the
//                  first pass of getAll does
//   bare section   the engine's read section alone over the same lines (SectionFloor's get)
// The table is an anonymous mapping; -Dhuge=true asks for transparent huge pages on it
// (madvise(MADV_HUGEPAGE) before the first touch) and prints AnonHugePages to show it took.
//
//   mvn -B -q -pl bench -am package -DskipTests   # the bench jar has Agrona and core
//   javac -cp bench/target/linemap-bench.jar -d /tmp/tf docs/experiments/TouchFloorProbe.java
//   java -Xms6g -Xmx6g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED \
//       -cp bench/target/linemap-bench.jar:/tmp/tf TouchFloorProbe 16777216 6
import dev.linemap.LongLongMap;
import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.agrona.collections.Long2LongHashMap;

public class TouchFloorProbe {
    static final VarHandle W = ValueLayout.JAVA_LONG.varHandle();
    static final MemorySegment ALL = AccessMode.ALL;
    static final long SEED = 0x1234567L;
    static long base;
    static long mask;

    public static void main(final String[] args) throws Throwable {
        final int n = Integer.parseInt(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final SplittableRandom r = new SplittableRandom(42);
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextLong();
        }
        final long[] order = keys.clone();
        for (int i = n - 1; i > 0; i--) {
            final int j = r.nextInt(i + 1);
            final long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        long buckets = 1;
        while (n > 2.5 * buckets) {
            buckets <<= 1;
        }
        mask = buckets - 1;
        base = map(buckets * 64, Boolean.getBoolean("huge"));
        fill(keys);
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("AnonHugePages")) {
                System.out.println(line.replaceAll("\\s+", " "));
            }
        }
        final Long2LongHashMap agrona = new Long2LongHashMap(-1);
        final LongLongMap linemap = LongLongMap.builder().build();
        for (final long k : keys) {
            agrona.put(k, k + 1);
            linemap.put(k, k + 1);
            if (bare(k) != k + 1) {
                throw new IllegalStateException("bare table lost " + k);
            }
        }
        System.out.printf("n=%d, %d lines (%d MiB)%n", n, buckets, buckets * 64 >> 20);
        final String[] names = {"agrona", "agrona x16", "linemap", "getAll x16", "touch", "touch x16", "bare section"};
        final long[] scratch = new long[16];
        final long[] values = new long[16];
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            final StringBuilder out = new StringBuilder("round " + round + ":");
            for (int v = 0; v < names.length; v++) {
                final long t0 = System.nanoTime();
                sink += switch (v) {
                    case 0 -> agrona(order, agrona);
                    case 1 -> agrona16(order, agrona, scratch, values);
                    case 2 -> linemap(order, linemap);
                    case 3 -> getAll16(order, linemap, scratch, values);
                    case 4 -> touch(order);
                    case 5 -> touch16(order, scratch, values);
                    default -> bareLoop(order);
                };
                out.append(String.format("  %s %.1f", names[v], (System.nanoTime() - t0) / (double) n));
            }
            System.out.println(out);
        }
        System.out.println("(checksum " + sink + ")");
    }

    static long map(final long bytes, final boolean huge) throws Throwable {
        final Linker linker = Linker.nativeLinker();
        final MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        final long twoMiB = 2L << 20;
        // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS; 2 MiB extra to align the start
        final MemorySegment raw = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, bytes + twoMiB, 3, 0x22, -1, 0L);
        final long start = (raw.address() + twoMiB - 1) & -twoMiB;
        if (huge) {
            final MethodHandle madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT));
            final int rc = (int) madvise.invokeExact(MemorySegment.ofAddress(start), bytes, 14);   // MADV_HUGEPAGE
            System.out.println("madvise(MADV_HUGEPAGE) = " + rc);
        }
        return start;
    }

    /** The engine's layout: lowest free slot, overflow lines linked through meta. */
    static void fill(final long[] keys) {
        final MemorySegment overflow = Arena.global().allocate(Math.max(64, (long) keys.length / 3 * 64), 64);
        long used = 0;
        for (final long key : keys) {
            long at = base + ((Hashing.hash(key, SEED) & mask) << 6);
            while (true) {
                final long occupancy = (long) W.get(ALL, at);
                final int slot = Long.numberOfTrailingZeros(~occupancy);
                if (slot < 3) {
                    W.set(ALL, at + 16 + 16L * slot, key);
                    W.set(ALL, at + 24 + 16L * slot, key + 1);
                    W.set(ALL, at, occupancy | (1L << slot));
                    break;
                }
                long next = (long) W.get(ALL, at + 8);
                if (next == 0) {
                    next = overflow.address() + 64 * used++;
                    W.set(ALL, at + 8, next);
                }
                at = next;
            }
        }
    }

    static long agrona(final long[] order, final Long2LongHashMap m) {
        long s = 0;
        for (final long k : order) {
            s += m.get(k);
        }
        return s;
    }

    static long agrona16(final long[] order, final Long2LongHashMap m, final long[] scratch, final long[] values) {
        long s = 0;
        for (int i = 0; i + 16 <= order.length; i += 16) {
            System.arraycopy(order, i, scratch, 0, 16);
            for (int j = 0; j < 16; j++) {
                values[j] = m.get(scratch[j]);
            }
            s += values[15];
        }
        return s;
    }

    static long linemap(final long[] order, final LongLongMap m) {
        long s = 0;
        for (final long k : order) {
            s += m.get(k);
        }
        return s;
    }

    static long getAll16(final long[] order, final LongLongMap m, final long[] scratch, final long[] values) {
        long s = 0;
        for (int i = 0; i + 16 <= order.length; i += 16) {
            System.arraycopy(order, i, scratch, 0, 16);
            m.getAll(scratch, values);
            s += values[15];
        }
        return s;
    }

    static long touch(final long[] order) {
        long s = 0;
        for (final long k : order) {
            s += (long) W.get(ALL, base + ((Hashing.hash(k, SEED) & mask) << 6) + 8);
        }
        return s;
    }

    static long touch16(final long[] order, final long[] scratch, final long[] values) {
        long s = 0;
        for (int i = 0; i + 16 <= order.length; i += 16) {
            System.arraycopy(order, i, scratch, 0, 16);
            for (int j = 0; j < 16; j++) {
                values[j] = (long) W.get(ALL, base + ((Hashing.hash(scratch[j], SEED) & mask) << 6) + 8);
            }
            s += values[15];
        }
        return s;
    }

    static long bareLoop(final long[] order) {
        long s = 0;
        for (final long k : order) {
            s += bare(k);
        }
        return s;
    }

    /** SectionFloor's get: acquire ctrl, the home line's live slots, then the chain; re-check ctrl. */
    static long bare(final long key) {
        while (true) {
            final long line = base + ((Hashing.hash(key, SEED) & mask) << 6);
            final long ctrl = (long) W.getAcquire(ALL, line);
            final int occupancy = (int) ctrl & 7;
            long result = -1;
            int s = 0;
            for (; s < 3; s++) {
                if ((occupancy & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) {
                    result = (long) W.get(ALL, line + 24 + 16L * s);
                    break;
                }
            }
            if (s == 3) {
                result = chain((long) W.get(ALL, line + 8), key);
            }
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == ctrl) {
                return result;
            }
        }
    }

    static long chain(final long first, final long key) {
        for (long at = first; at != 0; at = (long) W.get(ALL, at + 8)) {
            final int occupancy = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) {
                if ((occupancy & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) {
                    return (long) W.get(ALL, at + 24 + 16L * s);
                }
            }
        }
        return -1;
    }
}
