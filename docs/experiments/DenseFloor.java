import java.util.SplittableRandom;

/**
 * Issue 12's footprint floor (docs/benchmarks-linemap.md, "The footprint floor"). Run:
 * {@code javac -d /tmp/df docs/experiments/DenseFloor.java && java -cp /tmp/df DenseFloor 1000000}.
 *
 * <p>Native bytes per entry above the payload for LineMap-like layouts at N entries of the bench's
 * data (keys 16..64 B, values 16..256 B, uniform): 64-byte lines of S slots (home line plus
 * overflow lines of the same shape), buckets = the smallest power of two with N <= LF * buckets,
 * records = header + key + value padded to 8 (LineMap's size classes are multiples of 8 up to 1 KiB).
 * Random 64-bit hashes. No concurrency, no chunk granularity: the floor of each layout.
 */
public class DenseFloor {
    public static void main(String[] a) {
        final int n = Integer.parseInt(a.length > 0 ? a[0] : "1000000");
        final SplittableRandom r = new SplittableRandom(42);
        final long[] hashes = new long[n];
        long payload = 0, rec8 = 0, rec4 = 0;
        for (int i = 0; i < n; i++) {
            hashes[i] = r.nextLong();
            final int k = 16 + r.nextInt(49), v = 16 + r.nextInt(241);
            payload += k + v;
            rec8 += (8 + k + v + 7) & ~7;
            rec4 += (4 + k + v + 7) & ~7;
        }
        System.out.printf("n=%d payload %.1f B/entry; record overhead: 8-byte header %.1f, 4-byte header %.1f%n",
                n, (double) payload / n, (double) (rec8 - payload) / n, (double) (rec4 - payload) / n);
        final int[][] shapes = {{3, 2500}, {3, 4000}, {6, 2500}, {6, 4000}, {6, 5000}, {7, 5000}, {7, 6000}};
        for (int[] s : shapes) {
            final int slots = s[0];
            final double lf = s[1] / 1000.0;
            long buckets = 1;
            while (n > lf * buckets) buckets <<= 1;
            final int[] count = new int[(int) buckets];
            for (long h : hashes) count[(int) (h & (buckets - 1))]++;
            long lines = 0, chained = 0;
            for (int c : count) {
                lines += 1 + (c > slots ? (c - slots + slots - 1) / slots : 0);
                chained += Math.max(0, c - slots);
            }
            final double lineB = lines * 64.0 / n;
            System.out.printf("slots %d load %.1f: %d buckets (%.2f/bucket), %d lines, lines %.1f B/entry, %.1f%% keys"
                    + " chained; above payload: header 8 -> %.1f, header 4 -> %.1f%n",
                    slots, lf, buckets, (double) n / buckets, lines, lineB, 100.0 * chained / n,
                    lineB + (double) (rec8 - payload) / n, lineB + (double) (rec4 - payload) / n);
        }
    }
}
