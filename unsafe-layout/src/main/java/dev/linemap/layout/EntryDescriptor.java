package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of an entry record in a table's entry memory: the bytes of one key and its value,
 * referenced from the value word of a variable-length slot (the slot's key word holds the key's
 * 64-bit hash). A record is a 16-byte header, the key bytes, the value bytes, padded to a multiple
 * of 8 so that the next record's header is aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          tie (0..7)                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       keyLength (8..11)                       |
 *  +---------------------------------------------------------------+
 *  |                      valueLength (12..15)                     |
 *  +---------------------------------------------------------------+
 *  |             key bytes (16 .. 16 + keyLength - 1)              |
 *  +---------------------------------------------------------------+
 *  |                  value bytes (then padding to 8)              |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code tie}: distinct among the live keys of one 64-bit hash (0 for the first, else one
 *       more than the largest tie of its bucket's keys of equal hash, chosen under the bucket's
 *       lock) and copied unchanged when a migration moves the record: the iteration order among
 *       keys of equal hash. In a free block the same word links the block into its free list.</li>
 *   <li>{@code keyLength}, {@code valueLength}: byte counts, {@code >= 0}.</li>
 * </ul>
 *
 * <p>The hash is not repeated in the header: the slot's key word holds it, and nothing reads a
 * record without its slot. That saves 8 bytes per entry (footprint target of issue 12).
 *
 * <h2>Memory ordering</h2>
 * A record is written with plain stores by the holder of the lock of the bucket that will
 * reference it (or by an evacuator filling an unpublished bucket), before the release store of
 * the {@code ctrl} word that publishes the reference. Readers load it with plain loads inside the
 * referencing bucket's read section; a reader may see a record torn by an in-place update or a
 * block reused after a free, so every length it reads is checked against the end of the block's
 * chunk before any byte is touched, and the section's re-check discards what it read. The free
 * list link uses opaque accesses (its ordering comes from the free list's CAS).
 */
public final class EntryDescriptor {

    /** The header. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                    JAVA_LONG.withName("tie"),
                    JAVA_INT.withName("keyLength"),
                    JAVA_INT.withName("valueLength"))
            .withName("entry");

    /** Bytes of the header; the key bytes start here. */
    public static final long HEADER_BYTES = LAYOUT.byteSize();

    /** Alignment of every record (and granularity of record sizes). */
    public static final long ALIGNMENT = JAVA_LONG.byteSize();

    /** Byte offset of {@code tie}. */
    public static final long TIE_OFFSET = LAYOUT.byteOffset(groupElement("tie"));

    /** Byte offset of {@code keyLength}. */
    public static final long KEY_LENGTH_OFFSET = LAYOUT.byteOffset(groupElement("keyLength"));

    /** Byte offset of {@code valueLength}. */
    public static final long VALUE_LENGTH_OFFSET = LAYOUT.byteOffset(groupElement("valueLength"));

    private static final VarHandle VH_TIE = LAYOUT.varHandle(groupElement("tie"));
    private static final VarHandle VH_KEY_LENGTH = LAYOUT.varHandle(groupElement("keyLength"));
    private static final VarHandle VH_VALUE_LENGTH = LAYOUT.varHandle(groupElement("valueLength"));

    static {
        if (HEADER_BYTES != 16 || KEY_LENGTH_OFFSET != 8 || VALUE_LENGTH_OFFSET != 12) {
            throw new ExceptionInInitializerError("entry header must be 16 bytes, is " + LAYOUT);
        }
    }

    private EntryDescriptor() {
    }

    /**
     * Returns the bytes of a record: header, key and value, rounded up to {@link #ALIGNMENT}.
     *
     * @param keyLength key bytes, {@code >= 0}
     * @param valueLength value bytes, {@code >= 0}
     * @return the record's size in bytes
     */
    public static long recordBytes(final long keyLength, final long valueLength) {
        return (HEADER_BYTES + keyLength + valueLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Returns the offset of the key bytes of the record at {@code entry}.
     *
     * @param entry byte offset of the record
     * @return byte offset of its first key byte
     */
    public static long keyOffset(final long entry) {
        return entry + HEADER_BYTES;
    }

    /**
     * Returns the offset of the value bytes of the record at {@code entry}.
     *
     * @param entry byte offset of the record
     * @param keyLength its key length
     * @return byte offset of its first value byte
     */
    public static long valueOffset(final long entry, final long keyLength) {
        return entry + HEADER_BYTES + keyLength;
    }

    /**
     * Plain load of {@code tie}, inside a read section or under the referencing bucket's lock.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the tie word
     */
    public static long tiePlain(final MemorySegment segment, final long entry) {
        return (long) VH_TIE.get(segment, entry);
    }

    /**
     * Plain load of {@code keyLength}; same contract as {@link #tiePlain}. Unchecked: the caller
     * bounds it against its chunk before it uses it.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the key length as stored (a torn read may give any int)
     */
    public static int keyLengthPlain(final MemorySegment segment, final long entry) {
        return (int) VH_KEY_LENGTH.get(segment, entry);
    }

    /**
     * Plain load of {@code valueLength}; same contract as {@link #keyLengthPlain}.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the value length as stored (a torn read may give any int)
     */
    public static int valueLengthPlain(final MemorySegment segment, final long entry) {
        return (int) VH_VALUE_LENGTH.get(segment, entry);
    }

    /**
     * Plain stores of the whole header, into a block the caller owns (allocated, not yet
     * referenced by a published slot).
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @param tie the tie word
     * @param keyLength key bytes
     * @param valueLength value bytes
     */
    public static void setHeaderPlain(final MemorySegment segment, final long entry, final long tie,
                                      final int keyLength, final int valueLength) {
        VH_TIE.set(segment, entry, tie);
        VH_KEY_LENGTH.set(segment, entry, keyLength);
        VH_VALUE_LENGTH.set(segment, entry, valueLength);
    }

    /**
     * Plain store of {@code valueLength}: an in-place update under the referencing bucket's lock.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @param valueLength the new value length
     */
    public static void setValueLengthPlain(final MemorySegment segment, final long entry, final int valueLength) {
        VH_VALUE_LENGTH.set(segment, entry, valueLength);
    }

    /**
     * Opaque load of a free block's link (the {@code tie} word of a free block).
     *
     * @param segment segment holding the block
     * @param entry byte offset of the block
     * @return the link word
     */
    public static long freeLinkOpaque(final MemorySegment segment, final long entry) {
        return (long) VH_TIE.getOpaque(segment, entry);
    }

    /**
     * Opaque store of a free block's link; the free list's volatile CAS publishes it.
     *
     * @param segment segment holding the block
     * @param entry byte offset of the block
     * @param link the link word
     */
    public static void setFreeLinkOpaque(final MemorySegment segment, final long entry, final long link) {
        VH_TIE.setOpaque(segment, entry, link);
    }
}
