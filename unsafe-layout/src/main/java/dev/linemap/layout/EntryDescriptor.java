package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of an entry record in a table's entry memory: the bytes of one key and its value,
 * referenced from a dense line's slot ({@link DenseLineDescriptor}: the slot's tag holds the low 32
 * bits of the key's hash, its reference names this record). A record is an 8-byte header word,
 * the key bytes, the value bytes, padded to a multiple of 8 so that the next record's header is
 * aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         header (0..7)                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               key bytes (8 .. 8 + keyLength - 1)              |
 *  +---------------------------------------------------------------+
 *  |                 value bytes (then padding to 8)               |
 *  +---------------------------------------------------------------+
 *
 *   header word (native order):
 *   63                  42 41                      17 16            0
 *  +----------------------+--------------------------+---------------+
 *  |       tie (22)       |    valueLength (25)      | keyLength (17)|
 *  +----------------------+--------------------------+---------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code keyLength} (0 .. 2^17 - 1), {@code valueLength} (0 .. 2^25 - 1): byte counts. The
 *       map's maximums (64 KiB keys, 16 MiB values) fit; one header word means a reader never
 *       sees the two lengths of two different records.</li>
 *   <li>{@code tie}: unused, written 0. It ordered keys of equal 64-bit hash for iteration
 *       until a key removed and put back was found to get a new tie and be reported twice; the
 *       engine now orders them by their key bytes.</li>
 *   <li>In a free block the whole header word links the block into its free list.</li>
 * </ul>
 *
 * <p>The hash is not kept in the header: the slot's tag holds its low 32 bits, all the engine
 * needs without the key bytes, and anything that needs the rest (recovery) hashes the key again.
 * One 8-byte word instead of separate fields: at 1M entries of 16-64-byte keys and 16-256-byte
 * values the map's native bytes above the payload went from 58.0 per entry (16-byte header: tie 8,
 * lengths 4 + 4) to 49.7 ({@code docs/design.md}, "Entry memory"), on the 3-slot line of then.
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

    /** The header: one word. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_LONG.withName("header"))
            .withName("entry");

    /** Bytes of the header; the key bytes start here. */
    public static final long HEADER_BYTES = LAYOUT.byteSize();

    /** Alignment of every record (and granularity of record sizes). */
    public static final long ALIGNMENT = JAVA_LONG.byteSize();

    /** Byte offset of the header word. */
    public static final long HEADER_OFFSET = LAYOUT.byteOffset(groupElement("header"));

    /** Bits of the key length field (bits 0..16). */
    public static final int KEY_LENGTH_BITS = 17;
    /** Bits of the value length field (bits 17..41). */
    public static final int VALUE_LENGTH_BITS = 25;
    /** Bits of the tie field (bits 42..63). */
    public static final int TIE_BITS = Long.SIZE - KEY_LENGTH_BITS - VALUE_LENGTH_BITS;
    /** The largest key length the header holds. */
    public static final long MAX_KEY_LENGTH = (1L << KEY_LENGTH_BITS) - 1;
    /** The largest value length the header holds. */
    public static final long MAX_VALUE_LENGTH = (1L << VALUE_LENGTH_BITS) - 1;
    /** The largest tie the header holds. */
    public static final long MAX_TIE = (1L << TIE_BITS) - 1;

    private static final int VALUE_LENGTH_SHIFT = KEY_LENGTH_BITS;
    private static final int TIE_SHIFT = KEY_LENGTH_BITS + VALUE_LENGTH_BITS;

    private static final VarHandle VH_HEADER = LAYOUT.varHandle(groupElement("header"));

    static {
        if (HEADER_BYTES != 8 || HEADER_OFFSET != 0) {
            throw new ExceptionInInitializerError("entry header must be one 8-byte word, is " + LAYOUT);
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
     * Plain load of the header word, inside a read section or under the referencing bucket's lock.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the header word
     */
    public static long headerPlain(final MemorySegment segment, final long entry) {
        return (long) VH_HEADER.get(segment, entry);
    }

    /**
     * Returns the key length field of a header word.
     *
     * @param header a header word
     * @return the key length, {@code 0 <= n <= MAX_KEY_LENGTH}
     */
    public static int keyLength(final long header) {
        return (int) (header & MAX_KEY_LENGTH);
    }

    /**
     * Returns the value length field of a header word.
     *
     * @param header a header word
     * @return the value length, {@code 0 <= n <= MAX_VALUE_LENGTH}
     */
    public static int valueLength(final long header) {
        return (int) (header >>> VALUE_LENGTH_SHIFT & MAX_VALUE_LENGTH);
    }

    /**
     * Returns the tie field of a header word.
     *
     * @param header a header word
     * @return the tie, {@code 0 <= t <= MAX_TIE}
     */
    public static long tie(final long header) {
        return header >>> TIE_SHIFT;
    }

    /**
     * Builds a header word.
     *
     * @param tie the tie, {@code 0 <= tie <= MAX_TIE}
     * @param keyLength the key length, {@code 0 <= n <= MAX_KEY_LENGTH}
     * @param valueLength the value length, {@code 0 <= n <= MAX_VALUE_LENGTH}
     * @return the word
     * @throws IllegalArgumentException if a field does not fit
     */
    public static long header(final long tie, final long keyLength, final long valueLength) {
        if (tie < 0 || tie > MAX_TIE || keyLength < 0 || keyLength > MAX_KEY_LENGTH
                || valueLength < 0 || valueLength > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("entry header fields out of range: tie=" + tie + " (max " + MAX_TIE
                    + "), keyLength=" + keyLength + " (max " + MAX_KEY_LENGTH + "), valueLength=" + valueLength
                    + " (max " + MAX_VALUE_LENGTH + ")");
        }
        return tie << TIE_SHIFT | valueLength << VALUE_LENGTH_SHIFT | keyLength;
    }

    /**
     * Plain load of the tie; same contract as {@link #headerPlain}.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the tie
     */
    public static long tiePlain(final MemorySegment segment, final long entry) {
        return tie(headerPlain(segment, entry));
    }

    /**
     * Plain load of the key length; same contract as {@link #headerPlain}. The caller bounds it
     * against its chunk before it uses it (a torn read gives any value of the field).
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the key length as stored
     */
    public static int keyLengthPlain(final MemorySegment segment, final long entry) {
        return keyLength(headerPlain(segment, entry));
    }

    /**
     * Plain load of the value length; same contract as {@link #keyLengthPlain}.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @return the value length as stored
     */
    public static int valueLengthPlain(final MemorySegment segment, final long entry) {
        return valueLength(headerPlain(segment, entry));
    }

    /**
     * Plain store of the header, into a block the caller owns (allocated, not yet referenced by a
     * published slot).
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @param tie the tie
     * @param keyLength key bytes
     * @param valueLength value bytes
     */
    public static void setHeaderPlain(final MemorySegment segment, final long entry, final long tie,
                                      final int keyLength, final int valueLength) {
        VH_HEADER.set(segment, entry, header(tie, keyLength, valueLength));
    }

    /**
     * Plain store of a new value length (tie and key length kept): an in-place update under the
     * referencing bucket's lock.
     *
     * @param segment segment holding the record
     * @param entry byte offset of the record
     * @param valueLength the new value length
     */
    public static void setValueLengthPlain(final MemorySegment segment, final long entry, final int valueLength) {
        final long old = headerPlain(segment, entry);
        VH_HEADER.set(segment, entry, header(tie(old), keyLength(old), valueLength));
    }

    /**
     * Opaque load of a free block's link (the header word of a free block).
     *
     * @param segment segment holding the block
     * @param entry byte offset of the block
     * @return the link word
     */
    public static long freeLinkOpaque(final MemorySegment segment, final long entry) {
        return (long) VH_HEADER.getOpaque(segment, entry);
    }

    /**
     * Opaque store of a free block's link; the free list's volatile CAS publishes it.
     *
     * @param segment segment holding the block
     * @param entry byte offset of the block
     * @param link the link word
     */
    public static void setFreeLinkOpaque(final MemorySegment segment, final long entry, final long link) {
        VH_HEADER.setOpaque(segment, entry, link);
    }
}
