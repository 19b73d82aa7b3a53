package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of the 64-byte bucket: the home line of one hash bucket of a {@code long -> long}
 * table. One bucket is exactly one cache line and starts on a 64-byte boundary.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          ctrl (0..7)                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          meta (8..15)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         key 0 (16..23)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        value 0 (24..31)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         key 1 (32..39)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        value 1 (40..47)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         key 2 (48..55)                        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        value 2 (56..63)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code ctrl}: the bucket's state word; bit fields in {@link CtrlWord}. One acquire load of
 *       it tells a reader the version, the lock, the migration state and which slots are live.</li>
 *   <li>{@code meta}: link to the first overflow line of this bucket and the number of overflow
 *       lines; bit fields in {@link MetaWord}.</li>
 *   <li>{@code slots[3]}: full 64-bit key and value inline. Occupancy lives in {@code ctrl}, so
 *       every key and every value is storable; a free slot's words are meaningless.</li>
 * </ul>
 *
 * <p>All words are native byte order ({@link java.nio.ByteOrder#nativeOrder()}), 8-byte aligned.
 * An overflow line has the same shape; see {@link OverflowLineDescriptor}.
 *
 * <h2>Memory ordering</h2>
 * Pairing rule: every release store of {@code ctrl} pairs with an acquire load (or the volatile
 * CAS) of the same word. The slot and {@code meta} words ride on that pair:
 * <ul>
 *   <li>A reader loads them with <em>plain</em> loads inside a seqlock read section: after the
 *       acquire load of {@code ctrl}, then {@link VarHandle#acquireFence()} and an <em>opaque</em>
 *       re-read of {@code ctrl} that discards the section if the word changed ({@link #keyPlain}
 *       says why plain and not opaque).</li>
 *   <li>A writer stores them with <em>opaque</em> stores only while it holds the bucket's lock:
 *       after the locking CAS and {@link VarHandle#releaseFence()}, before the release store of
 *       {@code ctrl} that unlocks and publishes them.</li>
 *   <li>The opaque loads are for threads that read words which cannot change under them: the
 *       lock holder, and an evacuator reading an EVACUATING bucket.</li>
 *   <li>The plain setters exist for one purpose only: filling a bucket that no other thread can
 *       reach yet (evacuation into a new table, published by a release store of the source
 *       bucket's {@code ctrl}).</li>
 * </ul>
 * <p>{@code docs/spec/bucket.md}, section 7, lists every accessor with the access mode it uses;
 * {@code AccessModeSpecTest} keeps that table equal to this class's code.
 *
 * <p>Every accessor takes the segment and the byte offset of the bucket inside it ({@code line}):
 * the offsets of the fields themselves are derived from {@link #LAYOUT}, never typed.
 */
public final class BucketDescriptor {

    /** Number of inline key/value slots in one line. */
    public static final int SLOTS = 3;

    /** One key/value slot: two native-order longs. */
    public static final StructLayout SLOT_LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("key"),
            JAVA_LONG.withName("value"));

    /** The bucket: {@code ctrl}, {@code meta} and three inline slots, 64-byte aligned. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                    JAVA_LONG.withName("ctrl"),
                    JAVA_LONG.withName("meta"),
                    MemoryLayout.sequenceLayout(SLOTS, SLOT_LAYOUT).withName("slots"))
            .withByteAlignment(64)
            .withName("bucket");

    /** Size of one bucket (and of one overflow line) in bytes: one cache line. */
    public static final long BYTES = LAYOUT.byteSize();

    /** Alignment every bucket and every line segment must have. */
    public static final long ALIGNMENT = LAYOUT.byteAlignment();

    /** {@code log2(BYTES)}: bucket index to byte offset is a shift. */
    public static final int BYTES_SHIFT = Long.numberOfTrailingZeros(BYTES);

    /** Byte offset of {@code ctrl} inside a bucket. */
    public static final long CTRL_OFFSET = LAYOUT.byteOffset(groupElement("ctrl"));

    /** Byte offset of {@code meta} inside a bucket. */
    public static final long META_OFFSET = LAYOUT.byteOffset(groupElement("meta"));

    /** Byte offset of slot 0's key inside a bucket. */
    public static final long KEY0_OFFSET =
            LAYOUT.byteOffset(groupElement("slots"), sequenceElement(0), groupElement("key"));

    /** Byte offset of slot 0's value inside a bucket. */
    public static final long VALUE0_OFFSET =
            LAYOUT.byteOffset(groupElement("slots"), sequenceElement(0), groupElement("value"));

    /** Distance in bytes between two consecutive slots. */
    public static final long SLOT_STRIDE = SLOT_LAYOUT.byteSize();

    /** {@code ctrl} of the bucket at a base offset; coordinates {@code (MemorySegment, long)}. */
    private static final VarHandle VH_CTRL = LAYOUT.varHandle(groupElement("ctrl"));

    /** {@code meta} of the bucket at a base offset; coordinates {@code (MemorySegment, long)}. */
    private static final VarHandle VH_META = LAYOUT.varHandle(groupElement("meta"));

    /**
     * One slot word at a byte offset; coordinates {@code (MemorySegment, long offset)}. Slots are
     * addressed as {@code line + KEY0_OFFSET + slot * SLOT_STRIDE} (offsets derived from
     * {@link #LAYOUT}) rather than through a sequence-path handle: the path handle's index
     * arithmetic goes through an exception-guarded method-handle chain that measurably slowed the
     * hot read (see docs/notes/read-path-speed.md); the slot index is still bounds-checked.
     */
    private static final VarHandle VH_SLOT_WORD = JAVA_LONG.varHandle();

    static {
        // The engine relies on these facts; fail class initialisation rather than corrupt memory.
        if (BYTES != 64 || ALIGNMENT != 64 || (BYTES & (BYTES - 1)) != 0) {
            throw new ExceptionInInitializerError("bucket layout must be one 64-byte line, is " + LAYOUT);
        }
    }

    private BucketDescriptor() {
    }

    /**
     * Byte offset of bucket {@code index} in a segment of consecutive buckets.
     *
     * @param index bucket index inside the segment, {@code >= 0}
     * @return {@code index * BYTES}
     */
    public static long lineOffset(final long index) {
        return index << BYTES_SHIFT;
    }

    // ---------------------------------------------------------------------------------- ctrl

    /**
     * Acquire load of {@code ctrl}: the opening load of a seqlock read and of every lock attempt.
     * Pairs with {@link #ctrlRelease} and with the volatile {@link #casCtrl}.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @return the ctrl word
     */
    public static long ctrlAcquire(final MemorySegment segment, final long line) {
        return (long) VH_CTRL.getAcquire(segment, line);
    }

    /**
     * Opaque load of {@code ctrl}: the validating re-read of a seqlock read. The caller orders its
     * slot loads before this load with {@link VarHandle#acquireFence()}; opacity only guarantees
     * that the load is really performed and not torn.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @return the ctrl word
     */
    public static long ctrlOpaque(final MemorySegment segment, final long line) {
        return (long) VH_CTRL.getOpaque(segment, line);
    }

    /**
     * Release store of {@code ctrl}: the unlock of a writer and the publication of an evacuation.
     * Every slot and meta store made under the lock becomes visible before the new ctrl.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @param value new ctrl word
     */
    public static void ctrlRelease(final MemorySegment segment, final long line, final long value) {
        VH_CTRL.setRelease(segment, line, value);
    }

    /**
     * Volatile compare-and-set of {@code ctrl}: takes the bucket's lock (or moves it to
     * EVACUATING). Volatile, so it is also an acquire: later loads and stores cannot move above it.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @param expected the word the caller observed
     * @param next the word to install
     * @return {@code true} if {@code ctrl} was {@code expected} and is now {@code next}
     */
    public static boolean casCtrl(final MemorySegment segment, final long line, final long expected, final long next) {
        return VH_CTRL.compareAndSet(segment, line, expected, next);
    }

    /**
     * Plain store of {@code ctrl}, only for a bucket no other thread can reach yet.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @param value new ctrl word
     */
    public static void setCtrlPlain(final MemorySegment segment, final long line, final long value) {
        VH_CTRL.set(segment, line, value);
    }

    // ---------------------------------------------------------------------------------- meta

    /**
     * Opaque load of {@code meta}, by the holder of the bucket's lock or by an evacuator reading an
     * EVACUATING bucket. A seqlock read section uses {@link #metaPlain}.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @return the meta word
     */
    public static long metaOpaque(final MemorySegment segment, final long line) {
        return (long) VH_META.getOpaque(segment, line);
    }

    /**
     * Opaque store of {@code meta}; only by the holder of the bucket's lock (published by the
     * release store of {@code ctrl} at unlock).
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @param value new meta word
     */
    public static void setMetaOpaque(final MemorySegment segment, final long line, final long value) {
        VH_META.setOpaque(segment, line, value);
    }

    /**
     * Plain store of {@code meta}, only for a bucket no other thread can reach yet.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @param value new meta word
     */
    public static void setMetaPlain(final MemorySegment segment, final long line, final long value) {
        VH_META.set(segment, line, value);
    }

    // --------------------------------------------------------------------------------- slots

    /**
     * Plain load of the key in slot {@code slot}, for use inside a seqlock read section or under
     * the bucket's lock. Ordering comes from the section's brackets (the acquire load of
     * {@code ctrl} before, {@link VarHandle#acquireFence()} and the re-check after), exactly as in
     * {@code StampedLock}'s optimistic read; a torn or stale word is discarded by the re-check.
     * Plain rather than opaque because the JIT can then share the segment checks of neighbouring
     * loads, which makes the hot read measurably shorter (docs/notes/read-path-speed.md).
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the key word (meaningful only if the slot is occupied and the section validates)
     */
    public static long keyPlain(final MemorySegment segment, final long line, final int slot) {
        return (long) VH_SLOT_WORD.get(segment, keyOffset(line, slot));
    }

    /**
     * Plain load of the value in slot {@code slot}; same contract as {@link #keyPlain}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the value word (meaningful only if the slot is occupied and the section validates)
     */
    public static long valuePlain(final MemorySegment segment, final long line, final int slot) {
        return (long) VH_SLOT_WORD.get(segment, valueOffset(line, slot));
    }

    /**
     * Plain load of {@code meta}; same contract as {@link #keyPlain}.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket in {@code segment}
     * @return the meta word
     */
    public static long metaPlain(final MemorySegment segment, final long line) {
        return (long) VH_META.get(segment, line);
    }

    /**
     * Opaque load of the key in slot {@code slot}, by the holder of the home bucket's lock or by an
     * evacuator reading an EVACUATING bucket. A seqlock read section uses {@link #keyPlain}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the key word (meaningful only if the slot is occupied)
     */
    public static long keyOpaque(final MemorySegment segment, final long line, final int slot) {
        return (long) VH_SLOT_WORD.getOpaque(segment, keyOffset(line, slot));
    }

    /**
     * Opaque load of the value in slot {@code slot}; same contract as {@link #keyOpaque}.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @return the value word (meaningful only if the slot is occupied)
     */
    public static long valueOpaque(final MemorySegment segment, final long line, final int slot) {
        return (long) VH_SLOT_WORD.getOpaque(segment, valueOffset(line, slot));
    }

    /**
     * Opaque store of the key in slot {@code slot}; only under the home bucket's lock.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param key the key
     */
    public static void setKeyOpaque(final MemorySegment segment, final long line, final int slot, final long key) {
        VH_SLOT_WORD.setOpaque(segment, keyOffset(line, slot), key);
    }

    /**
     * Opaque store of the value in slot {@code slot}; only under the home bucket's lock.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param value the value
     */
    public static void setValueOpaque(final MemorySegment segment, final long line, final int slot, final long value) {
        VH_SLOT_WORD.setOpaque(segment, valueOffset(line, slot), value);
    }

    /**
     * Plain store of a whole slot, only for a line no other thread can reach yet.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line in {@code segment}
     * @param slot slot index, {@code 0 <= slot < SLOTS}
     * @param key the key
     * @param value the value
     */
    public static void setSlotPlain(
            final MemorySegment segment, final long line, final int slot, final long key, final long value) {
        VH_SLOT_WORD.set(segment, keyOffset(line, slot), key);
        VH_SLOT_WORD.set(segment, valueOffset(line, slot), value);
    }

    /**
     * @param line byte offset of a line
     * @param slot slot index, checked: {@code 0 <= slot < SLOTS}
     * @return byte offset of that slot's key
     */
    private static long keyOffset(final long line, final int slot) {
        checkLine(line);
        return line + KEY0_OFFSET + SLOT_STRIDE * Objects.checkIndex(slot, SLOTS);
    }

    /**
     * @param line byte offset of a line
     * @param slot slot index, checked: {@code 0 <= slot < SLOTS}
     * @return byte offset of that slot's value
     */
    private static long valueOffset(final long line, final int slot) {
        checkLine(line);
        return line + VALUE0_OFFSET + SLOT_STRIDE * Objects.checkIndex(slot, SLOTS);
    }

    /**
     * The layout handles of ctrl and meta reject a line offset that is not a multiple of 64; the
     * slot handle is a plain long handle, so the same check is made here (and for the word handle
     * of {@link DenseLineDescriptor}, whose lines are the same 64 bytes).
     */
    static void checkLine(final long line) {
        if ((line & (BYTES - 1)) != 0) {
            throw new IllegalArgumentException("line offset " + line + " is not a multiple of " + BYTES);
        }
    }
}
