// Issue 11's 16Mi get on the VM of 2026-12-01 (kernel fc-v782): is the slot the key sits in the
// reason the bare read section trails Agrona? The engine fills the lowest free slot, so which of a
// line's three slots matches is close to random (43 % of keys in slot 0 at 16Mi) and the matching
// branches mispredict often; Agrona's first probe hits for most keys. Two bare tables of the
// engine's layout (64-byte buckets: ctrl with occupancy in its low bits, meta = first overflow
// line, three key/value slots; 2^23 buckets at 16Mi, overflow lines for the rest), the same keys:
//   A, lowest-free  filled as the engine fills; the get tests slots 0, 1, 2 in order
//   B, preferred    each key goes to the slot its hash prefers when free (68 % of keys end there);
//                   the get tests that slot first, the others out of line
// Each get is the engine's seqlock read section through one constant segment. ns per get, maps
// interleaved within each round, each loop its own method.
//
//   mvn -B -q -pl bench -am package -DskipTests   # the bench jar has Agrona and core
//   javac -cp bench/target/linemap-bench.jar -d /tmp/ps docs/experiments/PrefSlotProbe.java
//   java -Xms4g -Xmx4g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED \
//       -cp bench/target/linemap-bench.jar:/tmp/ps PrefSlotProbe 16777216 6
//
// Result (docs/notes/fast-path.md, "Issue 11's targets on the VM of 2026-12-01"): B is no faster
// than A (0.35-0.47x Agrona against 0.43-0.47x), so the slot's branch is not the gap.
import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.SplittableRandom;
import org.agrona.collections.Long2LongHashMap;

public class PrefSlotProbe {
    static final VarHandle W = ValueLayout.JAVA_LONG.varHandle();
    static final MemorySegment ALL = AccessMode.ALL;
    static final long SEED = 0x1234567L;
    static long baseA, baseB, mask;

    public static void main(String[] a) {
        final int n = Integer.parseInt(a[0]);
        final int rounds = Integer.parseInt(a[1]);
        final SplittableRandom r = new SplittableRandom(42);
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = r.nextLong();
        final long[] order = keys.clone();
        for (int i = n - 1; i > 0; i--) { int j = r.nextInt(i + 1); long t = order[i]; order[i] = order[j]; order[j] = t; }
        long buckets = 1;
        while (n > 2.5 * buckets) buckets <<= 1;
        mask = buckets - 1;
        baseA = fill(keys, buckets, false);
        baseB = fill(keys, buckets, true);
        final Long2LongHashMap agrona = new Long2LongHashMap(-1);
        for (long k : keys) agrona.put(k, k + 1);
        int inPref = 0, inSlot0 = 0;
        for (long k : keys) { if (slotOf(baseB, k) == pref(Hashing.hash(k, SEED))) inPref++; if (slotOf(baseA, k) == 0) inSlot0++; }
        System.out.printf("n=%d buckets=%d: keys in slot 0 (A) %.1f %%, in their preferred slot (B) %.1f %%%n", n, buckets, 100.0 * inSlot0 / n, 100.0 * inPref / n);
        for (long k : keys) if (getA(k) != k + 1 || getB(k) != k + 1) throw new IllegalStateException("lost " + k);
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime(); long s = loopAgrona(order, agrona);
            long t1 = System.nanoTime(); s += loopA(order);
            long t2 = System.nanoTime(); s += loopB(order);
            long t3 = System.nanoTime();
            System.out.printf("round %d: agrona %.1f  lowest-free %.1f  preferred %.1f  (A/agrona %.2fx, B/agrona %.2fx) %d%n", round,
                    (t1 - t0) / (double) n, (t2 - t1) / (double) n, (t3 - t2) / (double) n,
                    (t1 - t0) / (double) (t2 - t1), (t1 - t0) / (double) (t3 - t2), s & 1);
        }
    }

    static int pref(long h) { return (int) (((h >>> 40) & 0xFFFF) * 3 >>> 16); }

    static int slotOf(long base, long key) {
        final long line = base + ((Hashing.hash(key, SEED) & mask) << 6);
        for (int s = 0; s < 3; s++) if ((long) W.get(ALL, line + 16 + 16L * s) == key) return s;
        return -1;
    }

    static long fill(long[] keys, long buckets, boolean preferred) {
        final MemorySegment seg = Arena.global().allocate(buckets * 64, 64);
        final MemorySegment ovf = Arena.global().allocate(Math.max(64, (long) keys.length / 3 * 64), 64);
        final long base = seg.address();
        long used = 0;
        for (final long key : keys) {
            final long h = Hashing.hash(key, SEED);
            long at = base + ((h & mask) << 6);
            boolean home = true;
            while (true) {
                final long occ = (long) W.get(ALL, at);
                int slot = Long.numberOfTrailingZeros(~occ);
                if (home && preferred && (occ & (1L << pref(h))) == 0) slot = pref(h);
                if (slot < 3) {
                    W.set(ALL, at + 16 + 16L * slot, key);
                    W.set(ALL, at + 24 + 16L * slot, key + 1);
                    W.set(ALL, at, occ | (1L << slot));
                    break;
                }
                long next = (long) W.get(ALL, at + 8);
                if (next == 0) { next = ovf.address() + 64 * used++; W.set(ALL, at + 8, next); }
                at = next;
                home = false;
            }
        }
        return base;
    }

    static long loopAgrona(long[] order, Long2LongHashMap m) { long s = 0; for (long k : order) s += m.get(k); return s; }
    static long loopA(long[] order) { long s = 0; for (long k : order) s += getA(k); return s; }
    static long loopB(long[] order) { long s = 0; for (long k : order) s += getB(k); return s; }

    static long getA(final long key) {
        while (true) {
            final long line = baseA + ((Hashing.hash(key, SEED) & mask) << 6);
            final long ctrl = (long) W.getAcquire(ALL, line);
            final int occ = (int) ctrl & 7;
            final long k0 = (long) W.get(ALL, line + 16), k1 = (long) W.get(ALL, line + 32), k2 = (long) W.get(ALL, line + 48);
            long result;
            if ((occ & 1) != 0 && k0 == key) result = (long) W.get(ALL, line + 24);
            else if ((occ & 2) != 0 && k1 == key) result = (long) W.get(ALL, line + 40);
            else if ((occ & 4) != 0 && k2 == key) result = (long) W.get(ALL, line + 56);
            else result = chain((long) W.get(ALL, line + 8), key);
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == ctrl) return result;
        }
    }

    static long getB(final long key) {
        while (true) {
            final long h = Hashing.hash(key, SEED);
            final long line = baseB + ((h & mask) << 6);
            final int p = pref(h);
            final long ctrl = (long) W.getAcquire(ALL, line);
            final long kp = (long) W.get(ALL, line + 16 + 16L * p);
            long result;
            if ((ctrl & (1L << p)) != 0 && kp == key) {
                result = (long) W.get(ALL, line + 24 + 16L * p);
            } else {
                result = others(line, (int) ctrl & 7, key);
            }
            VarHandle.acquireFence();
            if ((long) W.get(ALL, line) == ctrl) return result;
        }
    }

    static long others(long line, int occ, long key) {
        for (int s = 0; s < 3; s++) if ((occ & (1 << s)) != 0 && (long) W.get(ALL, line + 16 + 16L * s) == key) return (long) W.get(ALL, line + 24 + 16L * s);
        return chain((long) W.get(ALL, line + 8), key);
    }

    static long chain(long at, final long key) {
        for (; at != 0; at = (long) W.get(ALL, at + 8)) {
            final int occ = (int) (long) W.get(ALL, at);
            for (int s = 0; s < 3; s++) {
                if ((occ & (1 << s)) != 0 && (long) W.get(ALL, at + 16 + 16L * s) == key) return (long) W.get(ALL, at + 24 + 16L * s);
            }
        }
        return -1;
    }
}
