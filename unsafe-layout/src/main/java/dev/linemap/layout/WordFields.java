package dev.linemap.layout;

import java.util.List;

/**
 * The bit fields of linemap's 64-bit state words, derived from the public constants of
 * {@link CtrlWord} and {@link MetaWord} (masks and shifts), so that a printed or documented bit
 * table cannot disagree with the code that packs the words.
 *
 * <p>Stateless; any thread may call any method.
 */
public final class WordFields {

    private WordFields() {
    }

    /**
     * The fields of a bucket's {@code ctrl} word (and of an overflow line's {@code occ} word, which
     * uses only the occupancy field), in ascending bit order.
     *
     * @return occupancy, state, lock, version
     */
    public static List<BitField> ctrl() {
        return List.of(
                new BitField("occupancy", CtrlWord.OCCUPANCY_MASK,
                        "bit i set = slot i is live (" + BucketDescriptor.SLOTS + " slots in a bucket, "
                                + DenseLineDescriptor.SLOTS + " in a dense line)"),
                new BitField("state", CtrlWord.STATE_MASK, ctrlStates()),
                new BitField("lock", CtrlWord.LOCK, "1 = a writer holds the bucket"),
                new BitField("version", -CtrlWord.VERSION_ONE,
                        "seqlock version, +1 on every unlock that changed the bucket, wraps at 2^"
                                + CtrlWord.VERSION_BITS));
    }

    /**
     * The fields of a bucket's {@code meta} word (an overflow line's {@code next} word uses only the
     * link field; its count is 0), in ascending bit order.
     *
     * @return link, count, reserved
     */
    public static List<BitField> meta() {
        return List.of(
                new BitField("link", MetaWord.LINK_MASK,
                        "overflow line index + 1; 0 = none; index <= " + MetaWord.MAX_INDEX),
                new BitField("count", (long) MetaWord.MAX_COUNT << MetaWord.COUNT_SHIFT,
                        "overflow lines chained to the bucket, 0.." + MetaWord.MAX_COUNT),
                new BitField("reserved", MetaWord.RESERVED_MASK, "always 0"));
    }

    /**
     * The values of the {@code ctrl} state field.
     *
     * @return for example {@code 0 NORMAL, 1 EVACUATING, 2 EVACUATED, 3 reserved}
     */
    public static String ctrlStates() {
        final int max = (int) (CtrlWord.STATE_MASK >>> CtrlWord.STATE_SHIFT);
        final StringBuilder sb = new StringBuilder();
        for (int state = 0; state <= max; state++) {
            if (state > 0) {
                sb.append(", ");
            }
            sb.append(state).append(' ').append(stateName(state));
        }
        return sb.toString();
    }

    /**
     * Name of a state value.
     *
     * @param state a value of the {@code ctrl} state field
     * @return {@code NORMAL}, {@code EVACUATING}, {@code EVACUATED} or {@code reserved}
     */
    public static String stateName(final int state) {
        if (state == CtrlWord.NORMAL) {
            return "NORMAL";
        } else if (state == CtrlWord.EVACUATING) {
            return "EVACUATING";
        } else if (state == CtrlWord.EVACUATED) {
            return "EVACUATED";
        }
        return "reserved";
    }
}
