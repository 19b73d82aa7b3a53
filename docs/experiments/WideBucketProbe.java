// Issue 11's 16Mi get: does a wider home bucket (two adjacent lines, one seqlock, seven slots)
// take the overflow chains' second miss away at today's footprint? The floor of each layout, in
// one JVM, beside Agrona, through one constant segment (the engine's fast access path).
//
//   javac -cp agrona-2.6.0.jar -d /tmp/wbp docs/experiments/WideBucketProbe.java
//   java -Xmx6g --enable-native-access=ALL-UNNAMED -cp agrona-2.6.0.jar:/tmp/wbp WideBucketProbe 16777216
//
// Layouts (all: ctrl word at +0 with occupancy in its low bits, meta at +8 = absolute address of
// the first overflow line or 0; overflow lines are 64 bytes: occupancy, next, three slots):
//   agrona    Agrona Long2LongHashMap, load factor 0.65 (the bench's peer)
//   line64    today's layout: 64-byte buckets of 3 slots, buckets = N / 2.5 rounded as the engine
//             does (2^23 at 16Mi: 2.0 entries per bucket), overflow lines for the rest
//   line64lo  the same at twice the buckets (2^24: 1.0 per bucket), the load-1.5 reference
//   wide128   128-byte buckets (two lines) of 7 slots, half as many buckets as line64 (2^22 at
//             16Mi: 4.0 per bucket): the same bytes for the home area, fewer keys chained
//   wide128a  wide128, but the get reads the second line's first key before the first line's
//             slots, so both misses are in flight together
// Each get is a seqlock read section: acquire ctrl, plain slot loads, acquireFence, re-read ctrl.
// Output per round: M gets/s (best of 3 passes of 20M random hits) and the ratio to Agrona.
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import org.agrona.collections.Long2LongHashMap;

public class WideBucketProbe {
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    static final VarHandle VH = L.varHandle();
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    static final long MISSING = Long.MIN_VALUE;
    static long sink;

    static long mix(long k) {
        k ^= k >>> 33; k *= 0xff51afd7ed558ccdL; k ^= k >>> 33; return k;
    }

    /** Home buckets of 2^shift bytes holding {@code slots} slots from +16; 64-byte overflow lines. */
    static final class Table {
        final long base, mask; final int shift, slots;
        final MemorySegment home, overflow;
        long overflowUsed, chained, lines;
        Table(Arena arena, long buckets, int shift, int slots, long expected) {
            this.mask = buckets - 1; this.shift = shift; this.slots = slots;
            home = arena.allocate(buckets << shift, 4096);
            overflow = arena.allocate(Math.max(64, expected / 4 * 64), 4096);   // room for n/4 lines
            base = home.address();
            lines = buckets << (shift - 6);
        }
        void put(long key, long value) {
            final long line = base + ((mix(key) & mask) << shift);
            final long c = (long) VH.get(ALL, line);
            final int slot = Long.numberOfTrailingZeros(~c);
            if (slot < slots) {
                VH.set(ALL, line + 16 + 16L * slot, key);
                VH.set(ALL, line + 24 + 16L * slot, value);
                VH.set(ALL, line, c | (1L << slot));
                return;
            }
            chained++;
            long at = line + 8;                          // the word that links to the next line
            for (long o = (long) VH.get(ALL, at); o != 0; o = (long) VH.get(ALL, at)) {
                final long oc = (long) VH.get(ALL, o);
                final int s = Long.numberOfTrailingZeros(~oc);
                if (s < 3) {
                    VH.set(ALL, o + 16 + 16L * s, key);
                    VH.set(ALL, o + 24 + 16L * s, value);
                    VH.set(ALL, o, oc | (1L << s));
                    return;
                }
                at = o + 8;
            }
            if (64 * (overflowUsed + 1) > overflow.byteSize()) {
                throw new IllegalStateException("overflow area full at " + overflowUsed + " lines");
            }
            final long o = overflow.address() + 64 * overflowUsed++;
            lines++;
            VH.set(ALL, o + 16, key);
            VH.set(ALL, o + 24, value);
            VH.set(ALL, o, 1L);
            VH.set(ALL, at, o);
        }
        long bytesPerEntry(long n) {
            return lines * 64 / n;
        }
    }

    static long chain(long meta, long key) {
        for (long o = meta; o != 0; o = (long) VH.get(ALL, o + 8)) {
            final int occ = (int) (long) VH.get(ALL, o);
            for (int i = 0; i < 3; i++) {
                if ((occ & (1 << i)) != 0 && (long) VH.get(ALL, o + 16 + 16L * i) == key) {
                    return (long) VH.get(ALL, o + 24 + 16L * i);
                }
            }
        }
        return MISSING;
    }

    static final class Line64 {
        final long base, mask;
        Line64(Table t) { base = t.base; mask = t.mask; }
        long get(long key) {
            for (;;) {
                final long line = base + ((mix(key) & mask) << 6);
                final long c1 = (long) VH.getAcquire(ALL, line);
                final int occ = (int) c1;
                long r = MISSING;
                for (int i = 0; i < 3; i++) {
                    if ((occ & (1 << i)) != 0 && (long) VH.get(ALL, line + 16 + 16L * i) == key) {
                        r = (long) VH.get(ALL, line + 24 + 16L * i);
                        break;
                    }
                }
                if (r == MISSING) {
                    r = chain((long) VH.get(ALL, line + 8), key);
                }
                VarHandle.acquireFence();
                if ((long) VH.get(ALL, line) == c1) {
                    return r;
                }
            }
        }
    }

    static final class Wide128 {
        final long base, mask;
        Wide128(Table t) { base = t.base; mask = t.mask; }
        long get(long key) {
            for (;;) {
                final long line = base + ((mix(key) & mask) << 7);
                final long c1 = (long) VH.getAcquire(ALL, line);
                final int occ = (int) c1;
                long r = MISSING;
                for (int i = 0; i < 7; i++) {
                    if ((occ & (1 << i)) != 0 && (long) VH.get(ALL, line + 16 + 16L * i) == key) {
                        r = (long) VH.get(ALL, line + 24 + 16L * i);
                        break;
                    }
                }
                if (r == MISSING) {
                    r = chain((long) VH.get(ALL, line + 8), key);
                }
                VarHandle.acquireFence();
                if ((long) VH.get(ALL, line) == c1) {
                    return r;
                }
            }
        }
    }

    /** Wide128 with the second line's first key loaded up front: both lines' misses overlap. */
    static final class Wide128Ahead {
        final long base, mask;
        Wide128Ahead(Table t) { base = t.base; mask = t.mask; }
        long get(long key) {
            for (;;) {
                final long line = base + ((mix(key) & mask) << 7);
                final long k3 = (long) VH.get(ALL, line + 64);   // slot 3's key, in the second line
                final long c1 = (long) VH.getAcquire(ALL, line);
                final int occ = (int) c1;
                long r = MISSING;
                if ((occ & 8) != 0 && k3 == key) {
                    r = (long) VH.get(ALL, line + 72);
                } else {
                    for (int i = 0; i < 7; i++) {
                        if ((occ & (1 << i)) != 0 && (long) VH.get(ALL, line + 16 + 16L * i) == key) {
                            r = (long) VH.get(ALL, line + 24 + 16L * i);
                            break;
                        }
                    }
                    if (r == MISSING) {
                        r = chain((long) VH.get(ALL, line + 8), key);
                    }
                }
                VarHandle.acquireFence();
                if ((long) VH.get(ALL, line) == c1) {
                    return r;
                }
            }
        }
    }

    public static void main(String[] args) {
        final int n = Integer.parseInt(args.length > 0 ? args[0] : "16777216");
        long buckets = 1;
        while (n > 2.5 * buckets) {
            buckets <<= 1;                               // the engine's rule: smallest 2^k with n <= 2.5 * 2^k
        }
        final SplittableRandom r = new SplittableRandom(7);
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextLong() | 1;                  // never MISSING
        }
        final Arena arena = Arena.global();
        final Table line64 = new Table(arena, buckets, 6, 3, n);
        final Table line64lo = new Table(arena, buckets * 2, 6, 3, n);
        final Table wide = new Table(arena, buckets / 2, 7, 7, n);
        final Long2LongHashMap agrona = new Long2LongHashMap(0L);
        for (long k : keys) {
            line64.put(k, k);
            line64lo.put(k, k);
            wide.put(k, k);
            agrona.put(k, k);
        }
        for (Table t : new Table[] {line64, line64lo, wide}) {
            System.out.printf("%d-byte buckets of %d slots: %d buckets, %.1f%% keys chained, %d B/entry in lines%n",
                    1 << t.shift, t.slots, t.mask + 1, 100.0 * t.chained / n, t.bytesPerEntry(n));
        }
        final Line64 a = new Line64(line64), b = new Line64(line64lo);
        final Wide128 w = new Wide128(wide);
        final Wide128Ahead wa = new Wide128Ahead(wide);
        for (long k : keys) {
            if (a.get(k) != k || b.get(k) != k || w.get(k) != k || wa.get(k) != k || agrona.get(k) != k) {
                throw new AssertionError("lost key " + k);
            }
        }
        final int ops = 20_000_000;
        final int[] probe = new int[ops];
        for (int i = 0; i < ops; i++) {
            probe[i] = r.nextInt(n);
        }
        for (int round = 0; round < 5; round++) {   // one loop per variant: each call site stays monomorphic
            final double ag = agrona(ops, probe, keys, agrona);
            final double l = line64(ops, probe, keys, a);
            final double lo = line64lo(ops, probe, keys, b);
            final double wi = wide(ops, probe, keys, w);
            final double wh = ahead(ops, probe, keys, wa);
            System.out.printf("agrona %.2f  line64 %.2f (%.2fx)  line64lo %.2f (%.2fx)  wide128 %.2f (%.2fx)"
                    + "  wide128a %.2f (%.2fx)  M gets/s%n", ag, l, l / ag, lo, lo / ag, wi, wi / ag, wh, wh / ag);
        }
        System.out.println(sink == 42 ? "" : "done");
    }

    static double rate(long t0, int ops) {
        return ops / ((System.nanoTime() - t0) / 1e3);
    }

    static double agrona(int ops, int[] p, long[] h, Long2LongHashMap m) {
        double best = 0;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            for (int i : p) s += m.get(h[i]);
            sink += s;
            best = Math.max(best, rate(t0, ops));
        }
        return best;
    }

    static double line64(int ops, int[] p, long[] h, Line64 m) {
        double best = 0;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            for (int i : p) s += m.get(h[i]);
            sink += s;
            best = Math.max(best, rate(t0, ops));
        }
        return best;
    }

    static double line64lo(int ops, int[] p, long[] h, Line64 m) {
        double best = 0;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            for (int i : p) s += m.get(h[i]);
            sink += s;
            best = Math.max(best, rate(t0, ops));
        }
        return best;
    }

    static double wide(int ops, int[] p, long[] h, Wide128 m) {
        double best = 0;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            for (int i : p) s += m.get(h[i]);
            sink += s;
            best = Math.max(best, rate(t0, ops));
        }
        return best;
    }

    static double ahead(int ops, int[] p, long[] h, Wide128Ahead m) {
        double best = 0;
        for (int k = 0; k < 3; k++) {
            long t0 = System.nanoTime(), s = 0;
            for (int i : p) s += m.get(h[i]);
            sink += s;
            best = Math.max(best, rate(t0, ops));
        }
        return best;
    }
}
