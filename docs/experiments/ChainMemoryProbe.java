import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Engine;
import dev.linemap.engine.Generation;
import dev.linemap.engine.Hashing;
import dev.linemap.engine.Table;
import java.lang.foreign.*;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.locks.LockSupport;
// Where a chained key's extra cost lives (docs/notes/fast-path.md, "Chained keys: the cost found").
// One JVM: a LongLongMap grown from empty to N keys (seed 42), keys split into home-line and chained
// ones as HitCost splits them. Then the same bare read section (SectionFloor's) runs
//   - "engine lines":  over the engine's own table memory, overflow lines found by Table.overflowLine;
//   - "old directory": the same, overflow lines found through a static copy of the chunk directory,
//                      (the engine's address path before 2026-12-01: base of the 64 KiB chunk + offset);
//   - "copy":          over a byte copy of the engine's bucket array and overflow area in fresh memory;
// beside the engine's get, ns per get over 4M random picks, six rounds. Then each key depends on the
// last result ("dependent"), which stops the CPU overlapping consecutive gets: what is left is latency.
// Last, /proc/self/pagemap (root only) says how the engine's and the copy's pages lie in physical
// memory. -Dcmp.preTouch=true / -Dcmp.hugePages=true build the map with those options.
//
//   mvn -B -o -q -pl bench -am package -DskipTests
//   javac -cp bench/target/linemap-bench.jar -d /tmp/cmp docs/experiments/ChainMemoryProbe.java
//   java -Xmx8g --enable-native-access=ALL-UNNAMED -cp bench/target/linemap-bench.jar:/tmp/cmp ChainMemoryProbe 16777216
public class ChainMemoryProbe {
    static final VarHandle W = ValueLayout.JAVA_LONG.varHandle();
    static final MemorySegment ALL = AccessMode.ALL;
    static final long SEED = 42;
    static Table table;
    static long mask, engineBuckets, copyBuckets, copyOverflow;
    static volatile long[] directory;   // chunk bases, as the engine's directory held them

    // Three copies of one bare read section (SectionFloor's), differing only in where the lines are
    // and how an overflow line's address is found. Written out three times on purpose: one method
    // with the path as a parameter is compiled once for all three and measured differently.
    static long chainEngine(long meta, long key) {
        long link = (meta & 0xFFFFFFFFL) - 1;
        for (int remaining = (int) (meta >>> 32) & 0xFFFF; link != -1 && remaining > 0; remaining--) {
            final long at = table.overflowLine(link);
            int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return at + 24 + 16L * s;
            link = ((long) W.get(ALL, at + 8) & 0xFFFFFFFFL) - 1;
        }
        throw new IllegalStateException("missing " + key);
    }
    static long getEngine(long key) {
        while (true) {
            final long line = engineBuckets + ((Hashing.hash(key, SEED) & mask) << 6);
            final long c = (long) W.getAcquire(ALL, line);
            int occ = (int) c & 7; long r = 0; int s = 0;
            for (; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { r = (long) W.get(ALL, line + 24 + 16L * s); break; }
            if (s == 3) r = (long) W.get(ALL, chainEngine((long) W.get(ALL, line + 8), key));
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == c) return r;
        }
    }
    static long chainDirectory(long meta, long key) {
        long link = (meta & 0xFFFFFFFFL) - 1;
        for (int remaining = (int) (meta >>> 32) & 0xFFFF; link != -1 && remaining > 0; remaining--) {
            final long[] d = directory;
            final long at = d[(int) (link >>> 10)] + ((link & 1023) << 6);
            int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return at + 24 + 16L * s;
            link = ((long) W.get(ALL, at + 8) & 0xFFFFFFFFL) - 1;
        }
        throw new IllegalStateException("missing " + key);
    }
    static long getDirectory(long key) {
        while (true) {
            final long line = engineBuckets + ((Hashing.hash(key, SEED) & mask) << 6);
            final long c = (long) W.getAcquire(ALL, line);
            int occ = (int) c & 7; long r = 0; int s = 0;
            for (; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { r = (long) W.get(ALL, line + 24 + 16L * s); break; }
            if (s == 3) r = (long) W.get(ALL, chainDirectory((long) W.get(ALL, line + 8), key));
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == c) return r;
        }
    }
    static long chainCopy(long meta, long key) {
        long link = (meta & 0xFFFFFFFFL) - 1;
        for (int remaining = (int) (meta >>> 32) & 0xFFFF; link != -1 && remaining > 0; remaining--) {
            final long at = copyOverflow + (link << 6);
            int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return at + 24 + 16L * s;
            link = ((long) W.get(ALL, at + 8) & 0xFFFFFFFFL) - 1;
        }
        throw new IllegalStateException("missing " + key);
    }
    static long getCopy(long key) {
        while (true) {
            final long line = copyBuckets + ((Hashing.hash(key, SEED) & mask) << 6);
            final long c = (long) W.getAcquire(ALL, line);
            int occ = (int) c & 7; long r = 0; int s = 0;
            for (; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { r = (long) W.get(ALL, line + 24 + 16L * s); break; }
            if (s == 3) r = (long) W.get(ALL, chainCopy((long) W.get(ALL, line + 8), key));
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == c) return r;
        }
    }
    static long engineLines(long[] k, int ops) { long s = 0; for (int i = 0; i < ops; i++) s += getEngine(k[i % k.length]); return s; }
    static long oldDirectory(long[] k, int ops) { long s = 0; for (int i = 0; i < ops; i++) s += getDirectory(k[i % k.length]); return s; }
    static long copy(long[] k, int ops) { long s = 0; for (int i = 0; i < ops; i++) s += getCopy(k[i % k.length]); return s; }
    static long engine(LongLongMap m, long[] k, int ops) { long s = 0; for (int i = 0; i < ops; i++) s += m.get(k[i % k.length]); return s; }
    // Values are 1..N, so r >>> 40 is 0: the next key's index depends on this get's result, nothing more.
    static long engineDependent(LongLongMap m, long[] k, int ops) { long s = 0, r = 0; for (int i = 0; i < ops; i++) { r = m.get(k[(i + (int) (r >>> 40)) % k.length]); s += r; } return s; }
    static long bareDependent(long[] k, int ops) { long s = 0, r = 0; for (int i = 0; i < ops; i++) { r = getEngine(k[(i + (int) (r >>> 40)) % k.length]); s += r; } return s; }

    public static void main(String[] a) throws Exception {
        final int n = Integer.parseInt(a[0]), ops = 4_000_000;
        final SplittableRandom r = new SplittableRandom(5);
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = r.nextLong();
        final LongLongMap map = LongLongMap.builder().seed(SEED).preTouch(Boolean.getBoolean("cmp.preTouch"))
                .hugePages(Boolean.getBoolean("cmp.hugePages")).build();
        for (int i = 0; i < n; i++) map.put(keys[i], i + 1);
        MapStats st = map.stats();
        while (st.growing()) { LockSupport.parkNanos(1_000_000); st = map.stats(); }
        final var generation = Engine.class.getDeclaredMethod("generation");
        generation.setAccessible(true);
        table = ((Generation) generation.invoke(map)).table();
        mask = table.mask;
        engineBuckets = table.bucketLine(0);
        final long overflowStart = table.overflowLine(0);
        long lastLine = 0;
        for (long b = 0; b <= mask; b++) {
            for (long link = ((long) W.get(ALL, engineBuckets + (b << 6) + 8) & 0xFFFFFFFFL) - 1; link != -1;
                 link = ((long) W.get(ALL, table.overflowLine(link) + 8) & 0xFFFFFFFFL) - 1) {
                if (table.overflowLine(link) != overflowStart + (link << 6)) throw new AssertionError("line " + link + " outside the reserved area");
                lastLine = Math.max(lastLine, link);
            }
        }
        final long[] dir = new long[Integer.highestOneBit((int) (lastLine >>> 10) + 1) * 2];
        for (int c = 0; (long) c << 10 <= lastLine; c++) dir[c] = table.overflowLine((long) c << 10);
        directory = dir;
        final long bucketBytes = (mask + 1) << 6, overflowBytes = (lastLine + 1) << 6;
        copyBuckets = Arena.global().allocate(bucketBytes, 4096).address();
        copyOverflow = Arena.global().allocate(overflowBytes, 4096).address();
        MemorySegment.copy(ALL, engineBuckets, ALL, copyBuckets, bucketBytes);
        MemorySegment.copy(ALL, overflowStart, ALL, copyOverflow, overflowBytes);

        final int[] perBucket = new int[(int) (mask + 1)];
        long[] home = new long[n], chained = new long[n];
        int nh = 0, nc = 0;
        for (long k : keys) { if (perBucket[(int) (Hashing.hash(k, SEED) & mask)]++ < 3) home[nh++] = k; else chained[nc++] = k; }
        home = Arrays.copyOf(home, nh);
        chained = Arrays.copyOf(chained, nc);
        shuffle(home, r);
        shuffle(chained, r);
        for (int i = 0; i < 1000; i++) {
            final long v = map.get(chained[i]);
            if (getEngine(chained[i]) != v || getDirectory(chained[i]) != v || getCopy(chained[i]) != v) throw new AssertionError(chained[i]);
        }
        System.out.printf("n=%d buckets=%d home-line keys=%d chained keys=%d overflow lines=%d%n", n, mask + 1, nh, nc, st.overflowLineCount());
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime(); sink += engine(map, home, ops);
            long t1 = System.nanoTime(); sink += engine(map, chained, ops);
            long t2 = System.nanoTime(); sink += engineLines(home, ops);
            long t3 = System.nanoTime(); sink += engineLines(chained, ops);
            long t4 = System.nanoTime(); sink += oldDirectory(chained, ops);
            long t5 = System.nanoTime(); sink += copy(home, ops);
            long t6 = System.nanoTime(); sink += copy(chained, ops);
            long t7 = System.nanoTime(); sink += engineDependent(map, chained, ops / 4);
            long t8 = System.nanoTime(); sink += bareDependent(chained, ops / 4);
            long t9 = System.nanoTime();
            System.out.printf("ns/get home|chained: engine %.1f|%.1f, bare on engine lines %.1f|%.1f, old directory -|%.1f,"
                    + " bare on a copy %.1f|%.1f; dependent chained: engine %.1f, bare %.1f%n",
                    ns(t0, t1, ops), ns(t1, t2, ops), ns(t2, t3, ops), ns(t3, t4, ops), ns(t4, t5, ops),
                    ns(t5, t6, ops), ns(t6, t7, ops), ns(t7, t8, ops / 4), ns(t8, t9, ops / 4));
        }
        System.out.println(sink == 42 ? "" : "ok");
        System.out.println("engine buckets:  " + physical(engineBuckets, bucketBytes));
        System.out.println("engine overflow: " + physical(overflowStart, overflowBytes));
        System.out.println("copy buckets:    " + physical(copyBuckets, bucketBytes));
        System.out.println("copy overflow:   " + physical(copyOverflow, overflowBytes));
    }
    static double ns(long from, long to, int ops) { return (to - from) / (double) ops; }
    /** How the pages of a range lie in physical memory (page frame numbers need root). */
    static String physical(long address, long bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/pagemap"))) {
            final long pages = bytes >>> 12;
            final ByteBuffer b = ByteBuffer.allocate((int) (pages * 8)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, (address >>> 12) * 8);
            b.flip();
            long previous = -2, present = 0, consecutive = 0;
            final Set<Long> frames2m = new HashSet<>();
            for (long i = 0; i < pages; i++) {
                final long e = b.getLong();
                if (e >>> 63 == 0) { previous = -2; continue; }
                final long pfn = e & ((1L << 55) - 1);
                present++;
                if (pfn == previous + 1) consecutive++;
                previous = pfn;
                frames2m.add(pfn >>> 9);
            }
            return String.format("%d pages present, %.1f %% physically after the previous one, in %d distinct 2 MiB frames",
                    present, 100.0 * consecutive / Math.max(1, present), frames2m.size());
        }
    }
    static void shuffle(long[] a, SplittableRandom r) { for (int i = a.length - 1; i > 0; i--) { int j = r.nextInt(i + 1); long t = a[i]; a[i] = a[j]; a[j] = t; } }
}
