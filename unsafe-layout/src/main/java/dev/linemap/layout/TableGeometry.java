package dev.linemap.layout;

/**
 * How full a table of {@link BucketDescriptor} buckets may get, and how many buckets a capacity
 * needs: the facts that follow from the bucket's shape, written once.
 *
 * <p>A table grows when it holds more than {@link #LOAD_NUMERATOR} / {@link #LOAD_DENOMINATOR}
 * entries per bucket (2.5 of the 3 inline slots): at that load about one key in eight lives in an
 * overflow line (docs/design.md, footprint). It shrinks below a quarter of that. Integer
 * arithmetic throughout, so the thresholds are exact.
 */
public final class TableGeometry {

    /** Growth load, entries per bucket: numerator. */
    public static final long LOAD_NUMERATOR = 5;

    /** Growth load, entries per bucket: denominator. */
    public static final long LOAD_DENOMINATOR = 2;

    /** The largest table: {@code 2^MAX_LOG2} buckets (64 GiB of buckets). */
    public static final int MAX_LOG2 = 30;

    /** The most entries an initial capacity may ask for: the growth load of the largest table. */
    public static final long MAX_CAPACITY = (1L << MAX_LOG2) * LOAD_NUMERATOR / LOAD_DENOMINATOR;

    private TableGeometry() {
    }

    /**
     * Whether a table is due to grow.
     *
     * @param entries entries in the table
     * @param buckets buckets of the table
     * @return whether the load is above the growth load
     */
    public static boolean overGrowthLoad(final long entries, final long buckets) {
        return entries * LOAD_DENOMINATOR > buckets * LOAD_NUMERATOR;
    }

    /**
     * Below a quarter of the growth load: halving leaves half of it, so neither a growth nor
     * another halving is due right after (hysteresis of 2 on both sides).
     *
     * @param entries entries in the table
     * @param buckets buckets of the table
     * @return whether the load is below the shrink load
     */
    public static boolean underShrinkLoad(final long entries, final long buckets) {
        return entries * LOAD_DENOMINATOR * 4 < buckets * LOAD_NUMERATOR;
    }

    /**
     * Sizes the first table for an expected number of entries.
     *
     * @param capacity expected entries, {@code 0 <= capacity <= MAX_CAPACITY}
     * @return log2 of the fewest buckets that hold {@code capacity} entries at the growth load
     */
    public static int log2For(final long capacity) {
        final long buckets = Math.max(1L, (capacity * LOAD_DENOMINATOR + LOAD_NUMERATOR - 1) / LOAD_NUMERATOR);
        return Math.min(MAX_LOG2, Long.SIZE - Long.numberOfLeadingZeros(buckets - 1));
    }
}
