package dev.linemap.layout;

/**
 * One contiguous bit field of a 64-bit state word ({@code ctrl}, {@code meta}), described by its
 * in-place mask. Bit 0 is the least significant bit of the {@code long} value.
 *
 * <p>Immutable and thread-safe. The standard fields of linemap's words come from
 * {@link WordFields}, which derives them from the constants of {@link CtrlWord} and {@link MetaWord}.
 *
 * @param name short field name, for example {@code version}
 * @param mask the field's bits, in place; non-zero and contiguous
 * @param meaning one-line description of the field's values
 */
public record BitField(String name, long mask, String meaning) {

    /**
     * Validates the mask.
     *
     * @throws IllegalArgumentException if the mask is zero or not one contiguous run of bits
     */
    public BitField {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name=" + name + " must not be blank");
        }
        if (mask == 0) {
            throw new IllegalArgumentException("field " + name + ": mask must not be 0");
        }
        final long shifted = mask >>> Long.numberOfTrailingZeros(mask);
        if ((shifted & (shifted + 1)) != 0) {
            throw new IllegalArgumentException("field " + name + ": mask 0x" + Long.toHexString(mask)
                    + " is not one contiguous run of bits");
        }
    }

    /**
     * Lowest bit of the field.
     *
     * @return the number of the field's least significant bit
     */
    public int lowBit() {
        return Long.numberOfTrailingZeros(mask);
    }

    /**
     * Highest bit of the field.
     *
     * @return the number of the field's most significant bit
     */
    public int highBit() {
        return Long.SIZE - 1 - Long.numberOfLeadingZeros(mask);
    }

    /**
     * Width of the field.
     *
     * @return the width of the field in bits
     */
    public int width() {
        return Long.bitCount(mask);
    }

    /**
     * Bit range of the field, as the diagrams and the spec write it.
     *
     * @return the inclusive bit range as written in diagrams and the spec: {@code 9..63}, or {@code 8}
     *         for a one-bit field
     */
    public String range() {
        return width() == 1 ? Integer.toString(lowBit()) : lowBit() + ".." + highBit();
    }

    /**
     * Reads the field from a word.
     *
     * @param word a word
     * @return the field's value in {@code word}, shifted down to bit 0
     */
    public long extract(final long word) {
        return (word & mask) >>> lowBit();
    }
}
