package dev.linemap.layout;

/**
 * How full a table of {@link BucketDescriptor} buckets may get, and how many buckets a capacity
 * needs: the facts that follow from the bucket's shape, written once.
 *
 * <p>A table grows when it holds more than its growth load of entries per bucket, in thousandths
 * ({@code loadPermille}). The default, {@link #DEFAULT_LOAD_PERMILLE} (2.5 of the 3 inline slots),
 * puts about one key in eight in an overflow line (docs/design.md, footprint); a lower load buys
 * fewer chained keys with more memory (docs/notes/fast-path.md has the measurement). A table
 * shrinks below a quarter of its growth load. Integer arithmetic throughout, so the thresholds
 * are exact.
 */
public final class TableGeometry {

    /** The default growth load, in entries per 1,000 buckets: 2.5 entries per bucket. */
    public static final int DEFAULT_LOAD_PERMILLE = 2500;

    /**
     * The growth load of a table of dense lines ({@link DenseLineDescriptor}, six slots): 4 entries
     * per bucket. At 1M entries (2^18 buckets) it chains 4.2 % of keys where the 3-slot line at 2.5
     * chains 9.9 %, in half the line bytes (docs/notes/dense-lines.md, {@code DenseFloor}).
     */
    public static final int DENSE_LOAD_PERMILLE = 4000;

    /** The lowest growth load a map may choose: 0.5 entries per bucket. */
    public static final int MIN_LOAD_PERMILLE = 500;

    /** The highest growth load a map may choose: 3 entries per bucket, every inline slot. */
    public static final int MAX_LOAD_PERMILLE = 3000;

    /** The largest table: {@code 2^MAX_LOG2} buckets (64 GiB of buckets). */
    public static final int MAX_LOG2 = 30;

    private TableGeometry() {
    }

    /**
     * The most entries an initial capacity may ask for: the growth load of the largest table.
     *
     * @param loadPermille the growth load, in entries per 1,000 buckets
     * @return the largest initial capacity
     */
    public static long maxCapacity(final int loadPermille) {
        return (1L << MAX_LOG2) / 1000 * loadPermille;
    }

    /**
     * Whether a table is due to grow.
     *
     * @param entries entries in the table
     * @param buckets buckets of the table
     * @param loadPermille the growth load, in entries per 1,000 buckets
     * @return whether the load is above the growth load
     */
    public static boolean overGrowthLoad(final long entries, final long buckets, final int loadPermille) {
        return entries * 1000 > buckets * loadPermille;
    }

    /**
     * Below a quarter of the growth load: halving leaves half of it, so neither a growth nor
     * another halving is due right after (hysteresis of 2 on both sides).
     *
     * @param entries entries in the table
     * @param buckets buckets of the table
     * @param loadPermille the growth load, in entries per 1,000 buckets
     * @return whether the load is below the shrink load
     */
    public static boolean underShrinkLoad(final long entries, final long buckets, final int loadPermille) {
        return entries * 4000 < buckets * loadPermille;
    }

    /**
     * Sizes the first table for an expected number of entries.
     *
     * @param capacity expected entries, {@code 0 <= capacity <= maxCapacity(loadPermille)}
     * @param loadPermille the growth load, in entries per 1,000 buckets
     * @return log2 of the fewest buckets that hold {@code capacity} entries at the growth load
     */
    public static int log2For(final long capacity, final int loadPermille) {
        final long buckets = Math.max(1L, (capacity * 1000 + loadPermille - 1) / loadPermille);
        return Math.min(MAX_LOG2, Long.SIZE - Long.numberOfLeadingZeros(buckets - 1));
    }
}
