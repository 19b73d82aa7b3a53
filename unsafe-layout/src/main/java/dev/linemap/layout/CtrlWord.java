package dev.linemap.layout;

/**
 * Bit fields of the 64-bit {@code ctrl} word at the start of every bucket (and of every overflow
 * line, where only the occupancy bits are used).
 *
 * <pre>
 *   63                                              9 8 7 6 5 4 3 2 1 0
 *  +-------------------------------------------------+-+---+-+-+-+-+-+-+
 *  |                version (55 bits)                |L| S |O|O|O|O|O|O|
 *  +-------------------------------------------------+-+---+-+-+-+-+-+-+
 *    O: occupancy, bit i set = slot i holds a live entry (bits 0..5); a line of fewer slots
 *       (the 3-slot line of BucketDescriptor) keeps the bits above its last slot 0
 *    S: state (bits 6..7): 0 NORMAL, 1 EVACUATING, 2 EVACUATED, 3 reserved
 *    L: writer lock (bit 8)
 *    version: seqlock version (bits 9..63), +1 on every unlock that changed the bucket,
 *             wraps at 2^55
 * </pre>
 *
 * <p>Six occupancy bits because the densest line ({@link DenseLineDescriptor}) has six slots; the
 * 3-slot line uses the same word, so the seqlock, the lock bit and the state are one protocol
 * with one set of constants whatever the line's shape.
 *
 * <p>A reader compares the whole word before and after its read, so any change of any field
 * (a write, a lock, a state change) invalidates the read; the version makes an unlock that restores
 * the same occupancy and state distinguishable (no ABA within 2^55 writes).
 *
 * <p>Pure functions over {@code long}; no memory access.
 */
public final class CtrlWord {

    /** The most slots a line has: one occupancy bit each. */
    public static final int MAX_SLOTS = DenseLineDescriptor.SLOTS;

    /** Mask of the occupancy bits. */
    public static final long OCCUPANCY_MASK = (1L << MAX_SLOTS) - 1;

    /** Shift of the state field. */
    public static final int STATE_SHIFT = MAX_SLOTS;

    /** Mask of the state field, in place. */
    public static final long STATE_MASK = 0b11L << STATE_SHIFT;

    /** State: the bucket is live and may be written under its lock. */
    public static final int NORMAL = 0;

    /**
     * State: an evacuator owns the bucket and is copying it into the next table. Writers wait;
     * readers may still read it (its slots do not change while it is EVACUATING).
     */
    public static final int EVACUATING = 1;

    /** State: the bucket's entries live in the next table; this bucket is never written again. */
    public static final int EVACUATED = 2;

    /** The writer lock bit. */
    public static final long LOCK = 1L << (STATE_SHIFT + 2);

    /** Shift of the version field. */
    public static final int VERSION_SHIFT = STATE_SHIFT + 3;

    /** One version step, in place. */
    public static final long VERSION_ONE = 1L << VERSION_SHIFT;

    /** Number of version bits. */
    public static final int VERSION_BITS = Long.SIZE - VERSION_SHIFT;

    private CtrlWord() {
    }

    /**
     * Builds a word from its fields.
     *
     * @param version seqlock version; only its low {@link #VERSION_BITS} bits are kept
     * @param locked whether the lock bit is set
     * @param state one of {@link #NORMAL}, {@link #EVACUATING}, {@link #EVACUATED}
     * @param occupancy occupancy bits, {@code 0 <= occupancy <= OCCUPANCY_MASK}
     * @return the ctrl word
     */
    public static long of(final long version, final boolean locked, final int state, final int occupancy) {
        if (state < NORMAL || state > EVACUATED) {
            throw new IllegalArgumentException("state=" + state + " must be NORMAL(0), EVACUATING(1) or EVACUATED(2)");
        }
        if ((occupancy & ~OCCUPANCY_MASK) != 0) {
            throw new IllegalArgumentException("occupancy=0b" + Integer.toBinaryString(occupancy)
                    + " has bits outside 0b" + Long.toBinaryString(OCCUPANCY_MASK));
        }
        return (version << VERSION_SHIFT) | (locked ? LOCK : 0) | ((long) state << STATE_SHIFT) | occupancy;
    }

    /**
     * Occupancy bits of a ctrl word: bit {@code i} set = slot {@code i} is live.
     *
     * @param ctrl a ctrl word
     * @return its occupancy bits
     */
    public static int occupancy(final long ctrl) {
        return (int) (ctrl & OCCUPANCY_MASK);
    }

    /**
     * Replaces the occupancy bits of a ctrl word.
     *
     * @param ctrl a ctrl word
     * @param occupancy new occupancy bits
     * @return {@code ctrl} with its occupancy replaced
     */
    public static long withOccupancy(final long ctrl, final int occupancy) {
        return (ctrl & ~OCCUPANCY_MASK) | (occupancy & OCCUPANCY_MASK);
    }

    /**
     * State of a ctrl word.
     *
     * @param ctrl a ctrl word
     * @return its state: {@link #NORMAL}, {@link #EVACUATING} or {@link #EVACUATED}
     */
    public static int state(final long ctrl) {
        return (int) ((ctrl & STATE_MASK) >>> STATE_SHIFT);
    }

    /**
     * Replaces the state of a ctrl word.
     *
     * @param ctrl a ctrl word
     * @param state new state
     * @return {@code ctrl} with its state replaced
     */
    public static long withState(final long ctrl, final int state) {
        return (ctrl & ~STATE_MASK) | (((long) state << STATE_SHIFT) & STATE_MASK);
    }

    /**
     * Whether a ctrl word has the lock bit set.
     *
     * @param ctrl a ctrl word
     * @return whether the writer lock bit is set
     */
    public static boolean isLocked(final long ctrl) {
        return (ctrl & LOCK) != 0;
    }

    /**
     * Sets the lock bit of a ctrl word.
     *
     * @param ctrl a ctrl word
     * @return {@code ctrl} with the lock bit set
     */
    public static long locked(final long ctrl) {
        return ctrl | LOCK;
    }

    /**
     * Seqlock version of a ctrl word.
     *
     * @param ctrl a ctrl word
     * @return its seqlock version (unsigned, {@link #VERSION_BITS} bits)
     */
    public static long version(final long ctrl) {
        return ctrl >>> VERSION_SHIFT;
    }

    /**
     * The word a writer stores at unlock: version + 1 (wrapping), lock clear, other fields kept.
     *
     * @param ctrl the word (locked or not)
     * @return the next unlocked version of it
     */
    public static long nextUnlocked(final long ctrl) {
        return (ctrl & ~LOCK) + VERSION_ONE;
    }

    /**
     * Human-readable form, for tools and failure messages.
     *
     * @param ctrl a ctrl word
     * @return for example {@code v=12 NORMAL occ=0b101}
     */
    public static String toString(final long ctrl) {
        final String[] names = {"NORMAL", "EVACUATING", "EVACUATED", "RESERVED"};
        return "v=" + Long.toUnsignedString(version(ctrl))
                + (isLocked(ctrl) ? " LOCKED " : " ")
                + names[state(ctrl)]
                + " occ=0b" + Integer.toBinaryString(occupancy(ctrl));
    }
}
