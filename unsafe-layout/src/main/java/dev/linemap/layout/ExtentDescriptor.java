package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.zip.CRC32C;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of the header line that starts every extent of a map file. After the header page, a
 * map file is a sequence of extents, each a whole number of pages ({@link FileHeaderDescriptor#PAGE_BYTES}):
 * reading the {@code tag} of one gives the offset of the next. An extent is free, or holds one
 * piece of one table: its bucket array, an overflow chunk, or an entry chunk. The piece's lines
 * start right after this header line.
 *
 * <pre>
 *   0       1       2       3       4       5       6       7       8
 *  +---------------------------------------------------------------+
 *  |                           tag (0..7)                          |
 *  +---------------------------------------------------------------+
 *  |                         serial (8..15)                        |
 *  +---------------------------------------------------------------+
 *  |                         index (16..23)                        |
 *  +---------------------------------------------------------------+
 *  |                         lines (24..31)                        |
 *  +-------------------------------+-------------------------------+
 *  |          crc (32..35)         |                               |
 *  +-------------------------------+                               +
 *  |                        padding (36..63)                       |
 *  +---------------------------------------------------------------+
 *
 *   tag      magic (bits 48..63) | role (bits 40..47) | pages (bits 0..39): one word, so that
 *            an extent changes role and length with one store
 *   serial   the table the piece belongs to (0 in a free extent)
 *   index    which piece: 0 for the bucket array, else the chunk number
 *   lines    the piece's 64-byte lines
 *   crc      CRC32C of every byte before it (not checked for a free extent)
 *   padding  zero as written
 * </pre>
 */
public final class ExtentDescriptor {

    /** The tag's magic, "LX". */
    public static final long MAGIC = 0x4C58L;
    /** A free extent. */
    public static final int FREE = 1;
    /** A table's bucket array. */
    public static final int BUCKETS = 2;
    /** One overflow chunk of a table. */
    public static final int OVERFLOW = 3;
    /** One entry chunk of a table. */
    public static final int ENTRIES = 4;
    /** The most pages an extent can span. */
    public static final long MAX_PAGES = (1L << 40) - 1;

    /** The header line. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("tag"),
            JAVA_LONG.withName("serial"),
            JAVA_LONG.withName("index"),
            JAVA_LONG.withName("lines"),
            JAVA_INT.withName("crc"),
            MemoryLayout.paddingLayout(28)).withName("extent_header");

    /** Bytes before the piece's first line. */
    public static final long BYTES = LAYOUT.byteSize();

    private static final long CRC_OFFSET = LAYOUT.byteOffset(groupElement("crc"));
    private static final VarHandle VH_TAG = LAYOUT.varHandle(groupElement("tag"));
    private static final VarHandle VH_SERIAL = LAYOUT.varHandle(groupElement("serial"));
    private static final VarHandle VH_INDEX = LAYOUT.varHandle(groupElement("index"));
    private static final VarHandle VH_LINES = LAYOUT.varHandle(groupElement("lines"));
    private static final VarHandle VH_CRC = LAYOUT.varHandle(groupElement("crc"));

    static {
        if (BYTES != BucketDescriptor.BYTES) {
            throw new ExceptionInInitializerError("extent header must be one line: " + LAYOUT);
        }
    }

    private ExtentDescriptor() {
    }

    /**
     * Returns a tag word.
     *
     * @param role the role
     * @param pages the extent's pages
     * @return the tag
     */
    public static long tag(final int role, final long pages) {
        return MAGIC << 48 | (long) role << 40 | pages;
    }

    /**
     * Returns whether the tag carries the magic.
     *
     * @param tag a tag word
     * @return whether the tag carries the magic
     */
    public static boolean hasMagic(final long tag) {
        return tag >>> 48 == MAGIC;
    }

    /**
     * Returns the tag's role.
     *
     * @param tag a tag word
     * @return the tag's role
     */
    public static int role(final long tag) {
        return (int) (tag >>> 40) & 0xFF;
    }

    /**
     * Returns the tag's page count.
     *
     * @param tag a tag word
     * @return the tag's page count
     */
    public static long pages(final long tag) {
        return tag & MAX_PAGES;
    }

    /**
     * Returns the tag of a header.
     *
     * @param header a header line
     * @return its tag
     */
    public static long tagOf(final MemorySegment header) {
        return (long) VH_TAG.get(header, 0L);
    }

    /**
     * Returns the serial of a header.
     *
     * @param header a header line
     * @return its serial
     */
    public static long serial(final MemorySegment header) {
        return (long) VH_SERIAL.get(header, 0L);
    }

    /**
     * Returns the index of a header.
     *
     * @param header a header line
     * @return its index
     */
    public static long index(final MemorySegment header) {
        return (long) VH_INDEX.get(header, 0L);
    }

    /**
     * Returns the line count of a header.
     *
     * @param header a header line
     * @return its line count
     */
    public static long lines(final MemorySegment header) {
        return (long) VH_LINES.get(header, 0L);
    }

    /**
     * Returns whether the stored CRC matches.
     *
     * @param header a header line
     * @return whether the stored CRC matches
     */
    public static boolean crcMatches(final MemorySegment header) {
        return (int) VH_CRC.get(header, 0L) == crc(header);
    }

    /**
     * Fills a header line (a buffer, written to the file by the caller).
     *
     * @param header the buffer, one line
     * @param tag the tag
     * @param serial the table's serial
     * @param index the piece's index
     * @param lines the piece's lines
     */
    public static void fill(final MemorySegment header, final long tag, final long serial, final long index,
                            final long lines) {
        VH_TAG.set(header, 0L, tag);
        VH_SERIAL.set(header, 0L, serial);
        VH_INDEX.set(header, 0L, index);
        VH_LINES.set(header, 0L, lines);
        VH_CRC.set(header, 0L, crc(header));
    }

    private static int crc(final MemorySegment header) {
        final CRC32C crc = new CRC32C();
        crc.update(header.asSlice(0, CRC_OFFSET).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        return (int) crc.getValue();
    }
}
