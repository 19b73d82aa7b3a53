package dev.linemap.layout;

/**
 * Bit fields of the 64-bit {@code meta} word of a bucket, and of the {@code next} word of an
 * overflow line (which uses only the link field).
 *
 * <pre>
 *   63            48 47            32 31                            0
 *  +----------------+----------------+-------------------------------+
 *  | reserved (0)   | overflow count |     link (overflow index + 1) |
 *  +----------------+----------------+-------------------------------+
 *    link (bits 0..31): index + 1 of the first overflow line (in a bucket) or of the next
 *          one (in an overflow line) inside the table's overflow area; 0 = none
 *    overflow count (bits 32..47): number of overflow lines chained to this bucket (bucket
 *          only; 0 in a line)
 *    reserved (bits 48..63): always 0
 * </pre>
 *
 * <p>The count bounds a reader's walk of the chain: a reader that raced a writer may follow a stale
 * link, but never more than {@code count} of them before its seqlock re-check discards the read.
 *
 * <p>Pure functions over {@code long}; no memory access.
 */
public final class MetaWord {

    /** Mask of the link field. */
    public static final long LINK_MASK = 0xFFFF_FFFFL;

    /** Shift of the overflow-count field. */
    public static final int COUNT_SHIFT = 32;

    /** Largest overflow count the field holds. */
    public static final int MAX_COUNT = 0xFFFF;

    /** Largest overflow line index a link can name. */
    public static final long MAX_INDEX = LINK_MASK - 1;

    /** Mask of the reserved bits; they are zero in every valid word. */
    public static final long RESERVED_MASK = 0xFFFFL << 48;

    /** The link value that means "no line". */
    public static final long NONE = -1L;

    private MetaWord() {
    }

    /**
     * Builds a word.
     *
     * @param linkIndex overflow line index, or {@link #NONE}
     * @param count overflow line count, {@code 0 <= count <= MAX_COUNT}
     * @return the meta word
     */
    public static long of(final long linkIndex, final int count) {
        if (linkIndex < NONE || linkIndex > MAX_INDEX) {
            throw new IllegalArgumentException(
                    "linkIndex=" + linkIndex + " must be -1 (none) or in [0, " + MAX_INDEX + "]");
        }
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count=" + count + " must be in [0, " + MAX_COUNT + "]");
        }
        return ((long) count << COUNT_SHIFT) | (linkIndex + 1);
    }

    /**
     * Link of a meta or next word, as a line index.
     *
     * @param meta a meta or next word
     * @return the linked overflow line index, or {@link #NONE}
     */
    public static long link(final long meta) {
        return (meta & LINK_MASK) - 1;
    }

    /**
     * Replaces the link of a meta or next word.
     *
     * @param meta a meta or next word
     * @param linkIndex overflow line index, or {@link #NONE}
     * @return {@code meta} with its link replaced
     */
    public static long withLink(final long meta, final long linkIndex) {
        return (meta & ~LINK_MASK) | ((linkIndex + 1) & LINK_MASK);
    }

    /**
     * Overflow line count of a meta word.
     *
     * @param meta a bucket's meta word
     * @return its overflow line count
     */
    public static int count(final long meta) {
        return (int) ((meta >>> COUNT_SHIFT) & MAX_COUNT);
    }

    /**
     * Replaces the overflow line count of a meta word.
     *
     * @param meta a bucket's meta word
     * @param count new count, {@code 0 <= count <= MAX_COUNT}
     * @return {@code meta} with its count replaced
     */
    public static long withCount(final long meta, final int count) {
        return (meta & ~((long) MAX_COUNT << COUNT_SHIFT)) | ((long) (count & MAX_COUNT) << COUNT_SHIFT);
    }

    /**
     * Human-readable form, for tools and failure messages.
     *
     * @param meta a meta word
     * @return for example {@code link=17 count=2}
     */
    public static String toString(final long meta) {
        final long link = link(meta);
        return "link=" + (link == NONE ? "none" : Long.toString(link)) + " count=" + count(meta)
                + ((meta & RESERVED_MASK) != 0 ? " reserved!=0" : "");
    }
}
