import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.engine.Hashing;
import java.lang.foreign.*;
import java.lang.invoke.VarHandle;
import java.util.*;
import java.util.concurrent.locks.LockSupport;
// What a key in an overflow chain costs the engine against the bare sections (docs/notes/fast-path.md,
// "Chained keys cost the engine more than their second line"). One JVM: a LongLongMap grown from
// empty to N keys (seed 42), a bare table of the same buckets, hash and insertion order (three slots
// per 64-byte line, overflow lines linked by address), and a second bare table linked by line index
// through a chunk-base array as the engine links them. Keys are split as HitCost splits them (the
// first three to reach a bucket are inline, the rest chained; the overflow line counts must agree).
// Per round, ns per operation over 4M random picks: put of a stored key and get, inline and chained,
// engine and bare; then the indexed table's chained get. Argument 2 (any) presizes the map instead.
//
//   mvn -B -o -q -pl bench -am package -DskipTests
//   javac -cp bench/target/linemap-bench.jar -d /tmp/cc docs/experiments/ChainCost.java
//   java -Xmx8g --enable-native-access=ALL-UNNAMED -cp bench/target/linemap-bench.jar:/tmp/cc ChainCost 16777216
public class ChainCost {
    static final VarHandle W = ValueLayout.JAVA_LONG.varHandle();
    static final MemorySegment ALL = dev.linemap.engine.AccessMode.ALL;
    static long base, mask, seed = 42, ovBase, ovUsed;
    static long bareGetLine(long key) { return base + ((Hashing.hash(key, seed) & mask) << 6); }
    static void bareInsert(long key, long value) {
        long at = bareGetLine(key);
        while (true) {
            long occ = (long) W.get(ALL, at); int s = Long.numberOfTrailingZeros(~occ);
            if (s < 3) { W.set(ALL, at + 16 + 16L * s, key); W.set(ALL, at + 24 + 16L * s, value); W.set(ALL, at, occ | (1L << s)); return; }
            long next = (long) W.get(ALL, at + 8);
            if (next == 0) { next = ovBase + 64 * ovUsed++; W.set(ALL, at + 8, next); }
            at = next;
        }
    }
    static long barePut(long key, long value) {
        final long line = bareGetLine(key);
        long ctrl;
        while (true) { ctrl = (long) W.getAcquire(ALL, line); if ((ctrl & 0x98) == 0 && W.compareAndSet(ALL, line, ctrl, ctrl | 0x80)) break; Thread.onSpinWait(); }
        VarHandle.releaseFence();
        int occ = (int) ctrl & 7; long at = -1;
        for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { at = line + 24 + 16L * s; break; }
        if (at < 0) at = chain((long) W.get(ALL, line + 8), key);
        long old = (long) W.get(ALL, at); W.setOpaque(ALL, at, value); W.setRelease(ALL, line, ctrl + 0x100); return old;
    }
    static long chain(long first, long key) {
        for (long at = first; at != 0; at = (long) W.get(ALL, at + 8)) { int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return at + 24 + 16L * s; }
        throw new IllegalStateException("missing " + key);
    }
    static long bareGet(long key) {
        while (true) {
            final long line = bareGetLine(key);
            final long c = (long) W.getAcquire(ALL, line);
            int occ = (int) c & 7; long r = 0; int s = 0;
            for (; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { r = (long) W.get(ALL, line + 24 + 16L * s); break; }
            if (s == 3) r = (long) W.get(ALL, chain((long) W.get(ALL, line + 8), key));
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == c) return r;
        }
    }
    static volatile long[] bases;
    static long chainIdx(long meta, long key) {
        long link = (meta & 0xFFFFFFFFL) - 1;
        for (int remaining = (int) (meta >>> 32) & 0xFFFF; link != -1 && remaining > 0; remaining--) {
            final long[] b = bases;
            final long at = b[(int) (link >>> 10)] + ((link & 1023) << 6);
            int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return at + 24 + 16L * s;
            link = ((long) W.get(ALL, at + 8) & 0xFFFFFFFFL) - 1;
        }
        throw new IllegalStateException("missing " + key);
    }
    static long idxGet(long key) {
        while (true) {
            final long line = idxBase + ((Hashing.hash(key, seed) & mask) << 6);
            final long c = (long) W.getAcquire(ALL, line);
            int occ = (int) c & 7; long r = 0; int s = 0;
            for (; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) { r = (long) W.get(ALL, line + 24 + 16L * s); break; }
            if (s == 3) r = (long) W.get(ALL, chainIdx((long) W.get(ALL, line + 8), key));
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == c) return r;
        }
    }
    static long idxBase, idxOv, idxUsed;
    static void idxInsert(long key, long value) {
        long home = idxBase + ((Hashing.hash(key, seed) & mask) << 6);
        long occ = (long) W.get(ALL, home); int s = Long.numberOfTrailingZeros(~occ);
        if (s < 3) { W.set(ALL, home + 16 + 16L * s, key); W.set(ALL, home + 24 + 16L * s, value); W.set(ALL, home, occ | (1L << s)); return; }
        long meta = (long) W.get(ALL, home + 8); long link = (meta & 0xFFFFFFFFL) - 1; long prevAt = home + 8;
        while (link != -1) {
            long at = bases[(int) (link >>> 10)] + ((link & 1023) << 6);
            long o = (long) W.get(ALL, at); int t = Long.numberOfTrailingZeros(~o);
            if (t < 3) { W.set(ALL, at + 16 + 16L * t, key); W.set(ALL, at + 24 + 16L * t, value); W.set(ALL, at, o | (1L << t)); return; }
            prevAt = at + 8; link = ((long) W.get(ALL, at + 8) & 0xFFFFFFFFL) - 1;
        }
        long idx = idxUsed++; long at = bases[(int) (idx >>> 10)] + ((idx & 1023) << 6);
        W.set(ALL, at + 16, key); W.set(ALL, at + 24, value); W.set(ALL, at, 1L);
        W.set(ALL, prevAt, ((long) W.get(ALL, prevAt) & ~0xFFFFFFFFL) | (idx + 1));
        W.set(ALL, home + 8, (long) W.get(ALL, home + 8) + (1L << 32));
    }
    static long idxGets(long[] keys, int ops) { long s = 0; int n = keys.length; for (int i = 0; i < ops; i++) s += idxGet(keys[i % n]); return s; }
    static long engineGet(LongLongMap m, long[] keys, int ops) { long s = 0; int n = keys.length; for (int i = 0; i < ops; i++) s += m.get(keys[i % n]); return s; }
    static long bareGets(long[] keys, int ops) { long s = 0; int n = keys.length; for (int i = 0; i < ops; i++) s += bareGet(keys[i % n]); return s; }
    static long engine(LongLongMap m, long[] keys, int ops) { long s = 0; int n = keys.length; for (int i = 0; i < ops; i++) s += m.put(keys[i % n], i); return s; }
    static long bare(long[] keys, int ops) { long s = 0; int n = keys.length; for (int i = 0; i < ops; i++) s += barePut(keys[i % n], i); return s; }
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]); int ops = 4_000_000;
        SplittableRandom r = new SplittableRandom(5);
        long[] keys = new long[n]; for (int i = 0; i < n; i++) keys[i] = r.nextLong();
        LongLongMap map = LongLongMap.builder().seed(seed).preTouch(Boolean.getBoolean("cc.preTouch")).initialCapacity(a.length > 1 ? n : 0).build();
        for (int i = 0; i < n; i++) map.put(keys[i], i + 1);
        MapStats st = map.stats(); while (st.growing()) { LockSupport.parkNanos(1_000_000); st = map.stats(); }
        mask = st.bucketCount() - 1;
        base = Arena.global().allocate(st.bucketCount() * 64, 4096).address();
        ovBase = Arena.global().allocate(n / 4 * 64L, 4096).address();
        for (int i = 0; i < n; i++) bareInsert(keys[i], i + 1);
        idxBase = Arena.global().allocate(st.bucketCount() * 64, 4096).address();
        idxOv = Arena.global().allocate(n / 4 * 64L, 4096).address();
        long[] bb = new long[(int) (n / 4 / 1024 + 1)]; for (int i = 0; i < bb.length; i++) bb[i] = idxOv + i * 65536L; bases = bb;
        for (int i = 0; i < n; i++) idxInsert(keys[i], i + 1);
        int[] per = new int[(int) st.bucketCount()]; long[] in = new long[n], ov = new long[n]; int ni = 0, no = 0;
        for (long k : keys) { int b = (int) (Hashing.hash(k, seed) & mask); if (per[b]++ < 3) in[ni++] = k; else ov[no++] = k; }
        in = Arrays.copyOf(in, ni); ov = Arrays.copyOf(ov, no);
        shuffle(in, r); shuffle(ov, r);
        System.out.printf("n=%d buckets=%d inline=%d overflow=%d engine overflow lines=%d bare=%d%n", n, st.bucketCount(), ni, no, st.overflowLineCount(), ovUsed);
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime(); sink += engine(map, in, ops);
            long t1 = System.nanoTime(); sink += engine(map, ov, ops);
            long t2 = System.nanoTime(); sink += bare(in, ops);
            long t3 = System.nanoTime(); sink += bare(ov, ops);
            long t4 = System.nanoTime(); sink += engineGet(map, in, ops);
            long t5 = System.nanoTime(); sink += engineGet(map, ov, ops);
            long t6 = System.nanoTime(); sink += bareGets(in, ops);
            long t7 = System.nanoTime(); sink += bareGets(ov, ops);
            long t8 = System.nanoTime(); sink += idxGets(ov, ops);
            long t9 = System.nanoTime();
            System.out.printf("indexed bare chained get %.1f ns%n", (t9 - t8) / (double) ops);
            System.out.printf("retries %d spins %d yields %d parks %d%n", dev.linemap.engine.Counters.seqlockRetries(), dev.linemap.engine.Counters.spins(), dev.linemap.engine.Counters.yields(), dev.linemap.engine.Counters.parks());
            System.out.printf("PUT engine inline %.1f, chained %.1f | bare inline %.1f, chained %.1f || GET engine inline %.1f, chained %.1f | bare inline %.1f, chained %.1f ns%n",
                (t1 - t0) / (double) ops, (t2 - t1) / (double) ops, (t3 - t2) / (double) ops, (t4 - t3) / (double) ops,
                (t5 - t4) / (double) ops, (t6 - t5) / (double) ops, (t7 - t6) / (double) ops, (t8 - t7) / (double) ops);
        }
        System.out.println(sink == 42 ? "" : "ok");
        try {
            String range = null; long size = 0;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps"))) {
                if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) { range = line; String[] r2 = line.split(" ")[0].split("-"); size = Long.parseUnsignedLong(r2[1], 16) - Long.parseUnsignedLong(r2[0], 16); }
                else if (size > (64L << 20) && (line.startsWith("Rss:") || line.startsWith("AnonHugePages:"))) System.out.println((size >> 20) + " MiB " + range.substring(0, Math.min(60, range.length())) + " | " + line);
            }
        } catch (Exception e) { throw new RuntimeException(e); }
        System.out.printf("bare table at %x, bare overflow at %x%n", base, ovBase);
    }
    static void shuffle(long[] a, SplittableRandom r) { for (int i = a.length - 1; i > 0; i--) { int j = r.nextInt(i + 1); long t = a[i]; a[i] = a[j]; a[j] = t; } }
}
