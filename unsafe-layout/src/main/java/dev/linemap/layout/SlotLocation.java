package dev.linemap.layout;

/**
 * A position in one bucket's chain: which line (the home line or an overflow line) and which slot
 * of it. The engine hands these around between finding an entry and acting on it under the lock.
 *
 * <pre>
 *   63                                              SLOT_BITS   0
 *  +-----------------------------------------------+-------------+
 *  |          line: overflow index + 1, 0 = home   |    slot     |
 *  +-----------------------------------------------+-------------+
 * </pre>
 *
 * <p>{@link #SLOT_BITS} is derived from {@link CtrlWord#MAX_SLOTS}, the most slots any line has (six,
 * {@link DenseLineDescriptor}), so one encoding serves every line shape. The home slots are
 * locations {@code 0 .. slots - 1}; {@link #NOT_FOUND} ({@code -1}) is no location. Pure functions
 * over {@code long}; no memory access.
 */
public final class SlotLocation {

    /** Bits that hold the slot index: enough for {@link CtrlWord#MAX_SLOTS} slots. */
    public static final int SLOT_BITS = Integer.SIZE - Integer.numberOfLeadingZeros(CtrlWord.MAX_SLOTS - 1);

    /** Mask of the slot bits. */
    public static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    /** No such location. */
    public static final long NOT_FOUND = -1L;

    private SlotLocation() {
    }

    /**
     * The location of a home-line slot.
     *
     * @param slot a slot of the home line
     * @return its location
     */
    public static long home(final int slot) {
        return slot;
    }

    /**
     * The location of a slot of an overflow line.
     *
     * @param lineIndex an overflow line's index in its table's overflow area, {@code >= 0}
     * @param slot a slot of that line
     * @return its location
     */
    public static long overflow(final long lineIndex, final int slot) {
        return (lineIndex + 1) << SLOT_BITS | slot;
    }

    /**
     * Whether a location is in the home line.
     *
     * @param loc a location
     * @return whether it names a slot of the home line
     */
    public static boolean isHome(final long loc) {
        return loc >= 0 && (loc >>> SLOT_BITS) == 0;
    }

    /**
     * The line of a location.
     *
     * @param loc a location
     * @return its overflow line index ({@code -1} for the home line)
     */
    public static long lineIndex(final long loc) {
        return (loc >>> SLOT_BITS) - 1;
    }

    /**
     * The slot of a location.
     *
     * @param loc a location
     * @return its slot
     */
    public static int slot(final long loc) {
        return (int) (loc & SLOT_MASK);
    }
}
