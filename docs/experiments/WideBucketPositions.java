import java.lang.foreign.*;
import java.lang.invoke.VarHandle;
import java.util.*;
// WideBucketProbe's follow-up: what a key in the second line of a 128-byte, 7-slot bucket costs.
// One table (2^22 buckets at 16Mi keys, no overflow: keys past slot 6 are dropped), keys split by
// where they sit: line A (slots 0-2, with ctrl and meta) or line B (slots 3-6). Two gets: the
// early-exit scan WideBucketProbe uses, and a branch-free one that always reads all seven slots.
//
//   javac -d /tmp/wbp docs/experiments/WideBucketPositions.java
//   java -Xmx4g --enable-native-access=ALL-UNNAMED -cp /tmp/wbp WideBucketPositions 16777216
public class WideBucketPositions {
    static final VarHandle VH = ValueLayout.JAVA_LONG.varHandle();
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    static long sink;
    static long mix(long k) { k ^= k >>> 33; k *= 0xff51afd7ed558ccdL; k ^= k >>> 33; return k; }
    static long base, mask;
    static long get(long key) {
        for (;;) {
            final long line = base + ((mix(key) & mask) << 7);
            final long c1 = (long) VH.getAcquire(ALL, line);
            final int occ = (int) c1;
            long r = Long.MIN_VALUE;
            for (int i = 0; i < 7; i++) {
                if ((occ & (1 << i)) != 0 && (long) VH.get(ALL, line + 16 + 16L * i) == key) { r = (long) VH.get(ALL, line + 24 + 16L * i); break; }
            }
            VarHandle.acquireFence();
            if ((long) VH.get(ALL, line) == c1) return r;
        }
    }
    static long getAll7(long key) {   // no early exit: all 7 slots compared branch-free
        for (;;) {
            final long line = base + ((mix(key) & mask) << 7);
            final long c1 = (long) VH.getAcquire(ALL, line);
            final int occ = (int) c1;
            long r = Long.MIN_VALUE;
            for (int i = 0; i < 7; i++) {
                long k = (long) VH.get(ALL, line + 16 + 16L * i);
                long v = (long) VH.get(ALL, line + 24 + 16L * i);
                r = ((occ & (1 << i)) != 0 & k == key) ? v : r;
            }
            VarHandle.acquireFence();
            if ((long) VH.get(ALL, line) == c1) return r;
        }
    }
    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        long buckets = 1; while (n > 2.5 * buckets) buckets <<= 1; buckets /= 2;
        mask = buckets - 1;
        MemorySegment home = Arena.global().allocate(buckets * 128, 4096);
        base = home.address();
        SplittableRandom r = new SplittableRandom(7);
        long[] lo = new long[n], hi = new long[n]; int nl = 0, nh = 0;
        for (int i = 0; i < n; i++) {
            long k = r.nextLong() | 1;
            long line = base + ((mix(k) & mask) << 7);
            long c = (long) VH.get(ALL, line);
            int s = Long.numberOfTrailingZeros(~c);
            if (s >= 7) continue;
            VH.set(ALL, line + 16 + 16L * s, k); VH.set(ALL, line + 24 + 16L * s, k); VH.set(ALL, line, c | (1L << s));
            if (s < 3) lo[nl++] = k; else hi[nh++] = k;
        }
        System.out.printf("line A keys %d, line B keys %d%n", nl, nh);
        int ops = 10_000_000;
        int[] pl = new int[ops], ph = new int[ops];
        for (int i = 0; i < ops; i++) { pl[i] = r.nextInt(nl); ph[i] = r.nextInt(nh); }
        for (int round = 0; round < 4; round++) {
            System.out.printf("early-exit: A %.1f ns  B %.1f ns | branch-free: A %.1f ns  B %.1f ns%n",
                run(pl, lo, ops, false), run(ph, hi, ops, false), run(pl, lo, ops, true), run(ph, hi, ops, true));
        }
    }
    static double run(int[] p, long[] keys, int ops, boolean bf) {
        double best = 1e9;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            if (bf) for (int i : p) s += getAll7(keys[i]); else for (int i : p) s += get(keys[i]);
            sink += s; best = Math.min(best, (System.nanoTime() - t0) / (double) ops);
        }
        return best;
    }
}
