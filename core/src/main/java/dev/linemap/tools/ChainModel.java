package dev.linemap.tools;

/**
 * What chance predicts for a table of closed-addressing buckets: with a random hash, the entries of
 * one bucket follow a Poisson distribution with mean {@code λ} = entries / buckets, and a bucket of
 * {@code n} entries needs {@code ceil((n - slots) / slots)} overflow lines, its home line holding the
 * first {@code slots}. {@code linemap inspect} prints these predictions beside the real histograms;
 * a table that departs far from them has colliding keys (or holes left by removals: the model counts
 * full lines, an emptied slot is not moved).
 */
final class ChainModel {

    private ChainModel() {
    }

    /**
     * The Poisson probability of {@code n} entries in a bucket.
     *
     * @param lambda mean entries per bucket
     * @param n a count
     * @return {@code e^-λ λ^n / n!}
     */
    static double poisson(final double lambda, final int n) {
        double p = Math.exp(-lambda);
        for (int i = 1; i <= n; i++) {
            p *= lambda / i;
        }
        return p;
    }

    /**
     * The overflow lines a chain of {@code n} entries needs, packed.
     *
     * @param n entries in the bucket
     * @param slots slots per line
     * @return {@code ceil(max(0, n - slots) / slots)}
     */
    static int linesFor(final int n, final int slots) {
        return Math.max(0, (n - slots + slots - 1) / slots);
    }

    /**
     * The expected number of buckets with {@code n} entries.
     *
     * @param lambda mean entries per bucket
     * @param buckets buckets
     * @param n a count
     * @return {@code buckets * P(n)}
     */
    static double bucketsWithEntries(final double lambda, final long buckets, final int n) {
        return buckets * poisson(lambda, n);
    }

    /**
     * The expected number of buckets with {@code k} overflow lines.
     *
     * @param lambda mean entries per bucket
     * @param buckets buckets
     * @param slots slots per line
     * @param k a number of overflow lines
     * @return {@code buckets * P(linesFor(n) == k)}
     */
    static double bucketsWithLines(final double lambda, final long buckets, final int slots, final int k) {
        double p = 0;
        for (int n = k == 0 ? 0 : k * slots + 1; n <= (k + 1) * slots; n++) {
            p += poisson(lambda, n);
        }
        return buckets * p;
    }
}
