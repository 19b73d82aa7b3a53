package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Descriptor of a map file's first page: who the file is (identity, checked by a CRC32C), which
 * tables hold the map (two root records, the newer valid one wins) and whether the last process
 * closed it. The normative description is {@code docs/spec/file.md}.
 *
 * <pre>
 *   0       1       2       3       4       5       6       7       8
 *  +---------------------------------------------------------------+  identity: written
 *  |                          magic (0..7)                         |  once, when the file
 *  +-------------------------------+-------------------------------+  is created
 *  |        version (8..11)        |      pageBytes (12..15)       |
 *  +-------------------------------+-------------------------------+
 *  |                       byteOrder (16..23)                      |
 *  +---------------------------------------------------------------+
 *  |                      fingerprint (24..31)                     |
 *  +-------------------------------+-------------------------------+
 *  |         shape (32..35)        |     loadPermille (36..39)     |
 *  +-------------------------------+-------------------------------+
 *  |                       keyCodec (40..103)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      valueCodec (104..167)                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        fileId (168..175)                      |
 *  +---------------------------------------------------------------+
 *  |                       padding (176..187)                      |
 *  +                               +-------------------------------+
 *  |                               |     identityCrc (188..191)    |
 *  +-------------------------------+-------------------------------+
 *  |                         root[2] (192..319)                    |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                         clean (320..327)                      |
 *  +---------------------------------------------------------------+
 *  |                        ownerPid (328..335)                    |
 *  +---------------------------------------------------------------+
 *  |                       ownerBoot (336..343)                    |
 *  +---------------------------------------------------------------+
 *   (wide fields drawn in two rows; the rest of the 4096-byte page is zero)
 *
 *   magic         MAGIC: "LINEMAP" and a NUL as little-endian bytes
 *   version       the file format version, {@value #VERSION}
 *   pageBytes     {@value #PAGE_BYTES}: the unit of the extents that follow the header
 *   byteOrder     BYTE_ORDER_MARK as written by the creating machine
 *   fingerprint   {@link #layoutFingerprint()}: every StructLayout the file holds
 *   shape         1 = long -&gt; long, 2 = LineMap
 *   loadPermille  the growth load, entries per 1,000 buckets
 *   keyCodec      the key codec's name, UTF-8, NUL padded (empty for long -&gt; long)
 *   valueCodec    the value codec's name, likewise
 *   fileId        a random nonzero word drawn when the file is created: ties the file's sync image
 *                 to it (a new file at the same path does not take an older file's image)
 *   padding       zero
 *   identityCrc   CRC32C of every identity byte before it
 *   root[2]       two {@link RootDescriptor} records
 *   clean         {@link #CLEAN} after a close(), 0 while a process has the file open
 *   ownerPid      the process that opened it last (for messages)
 *   ownerBoot     a hash of the boot of the machine that opened it last (0: unknown); a file of
 *                 another boot lost its page cache with that machine (power loss, an OS crash or a
 *                 reboot), so its pages after the last sync are not to be trusted, clean or not
 * </pre>
 *
 * <p>Memory ordering: the header is read and written by one thread at a time (the map's open,
 * its migration starts and completions under one lock, and its close); a root record is written
 * whole before the store that makes it the newer one (see {@link RootDescriptor}).
 */
public final class FileHeaderDescriptor {

    /** File format version this code writes and reads. */
    public static final int VERSION = 3;

    /** Bytes of the header page and the unit of every extent after it. */
    public static final int PAGE_BYTES = 4096;

    /** The magic bytes, "LINEMAP" and NUL, read as a little-endian word. */
    public static final long MAGIC = 0x0050_414D_454E_494CL;

    /** The byte-order marker, as the creating machine wrote it. */
    public static final long BYTE_ORDER_MARK = 0x0102_0304_0506_0708L;

    /** The {@code clean} word after an orderly close ("CLOSED" and two NULs, little-endian). */
    public static final long CLEAN = 0x0000_4445_534F_4C43L;

    /** Bytes of a codec name field. */
    public static final int CODEC_NAME_BYTES = 64;

    /** The header's identity part. */
    public static final StructLayout IDENTITY = MemoryLayout.structLayout(
            JAVA_LONG.withName("magic"),
            JAVA_INT.withName("version"),
            JAVA_INT.withName("pageBytes"),
            JAVA_LONG.withName("byteOrder"),
            JAVA_LONG.withName("fingerprint"),
            JAVA_INT.withName("shape"),
            JAVA_INT.withName("loadPermille"),
            MemoryLayout.sequenceLayout(CODEC_NAME_BYTES, JAVA_BYTE).withName("keyCodec"),
            MemoryLayout.sequenceLayout(CODEC_NAME_BYTES, JAVA_BYTE).withName("valueCodec"),
            JAVA_LONG.withName("fileId"),
            MemoryLayout.paddingLayout(12),
            JAVA_INT.withName("identityCrc")).withName("identity");

    /** The header: identity, two root records, the clean word and the owner. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            IDENTITY,
            MemoryLayout.sequenceLayout(2, RootDescriptor.LAYOUT).withName("root"),
            JAVA_LONG.withName("clean"),
            JAVA_LONG.withName("ownerPid"),
            JAVA_LONG.withName("ownerBoot")).withName("file_header");

    /** Byte offset of the identity CRC (which covers every byte before it). */
    public static final long IDENTITY_CRC_OFFSET = LAYOUT.byteOffset(groupElement("identity"),
            groupElement("identityCrc"));
    /** Byte offset of root record 0. */
    public static final long ROOT_OFFSET = LAYOUT.byteOffset(groupElement("root"));
    /** Byte offset of the key codec name. */
    public static final long KEY_CODEC_OFFSET = LAYOUT.byteOffset(groupElement("identity"), groupElement("keyCodec"));
    /** Byte offset of the value codec name. */
    public static final long VALUE_CODEC_OFFSET = LAYOUT.byteOffset(groupElement("identity"),
            groupElement("valueCodec"));

    private static final VarHandle VH_MAGIC = LAYOUT.varHandle(groupElement("identity"), groupElement("magic"));
    private static final VarHandle VH_VERSION = LAYOUT.varHandle(groupElement("identity"), groupElement("version"));
    private static final VarHandle VH_PAGE = LAYOUT.varHandle(groupElement("identity"), groupElement("pageBytes"));
    private static final VarHandle VH_ORDER = LAYOUT.varHandle(groupElement("identity"), groupElement("byteOrder"));
    private static final VarHandle VH_FINGERPRINT =
            LAYOUT.varHandle(groupElement("identity"), groupElement("fingerprint"));
    private static final VarHandle VH_SHAPE = LAYOUT.varHandle(groupElement("identity"), groupElement("shape"));
    private static final VarHandle VH_LOAD = LAYOUT.varHandle(groupElement("identity"), groupElement("loadPermille"));
    private static final VarHandle VH_CRC = LAYOUT.varHandle(groupElement("identity"), groupElement("identityCrc"));
    private static final VarHandle VH_CLEAN = LAYOUT.varHandle(groupElement("clean"));
    private static final VarHandle VH_OWNER = LAYOUT.varHandle(groupElement("ownerPid"));
    private static final VarHandle VH_BOOT = LAYOUT.varHandle(groupElement("ownerBoot"));
    private static final VarHandle VH_FILE_ID = LAYOUT.varHandle(groupElement("identity"), groupElement("fileId"));

    static {
        if (LAYOUT.byteSize() > PAGE_BYTES || IDENTITY.byteSize() != 192 || ROOT_OFFSET % 64 != 0) {
            throw new ExceptionInInitializerError("file header must fit its page: " + LAYOUT);
        }
    }

    private FileHeaderDescriptor() {
    }

    /**
     * A fingerprint of every layout a map file holds (bucket, overflow line, entry record, this
     * header, root record and extent header): a file written by code with any other byte layout has
     * another fingerprint. FNV-1a over the layouts' descriptions.
     *
     * @return the fingerprint
     */
    public static long layoutFingerprint() {
        final String all = BucketDescriptor.LAYOUT + "|" + OverflowLineDescriptor.LAYOUT + "|"
                + DenseLineDescriptor.LAYOUT + "|"
                + EntryDescriptor.LAYOUT + "|" + LAYOUT + "|" + ExtentDescriptor.LAYOUT + "|" + CtrlWord.LOCK
                + "|" + MetaWord.COUNT_SHIFT;
        long h = 0xcbf2_9ce4_8422_2325L;
        for (final byte b : all.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100_0000_01b3L;
        }
        return h;
    }

    /**
     * Writes a new file's identity into its (zeroed) header page, with its CRC.
     *
     * @param page the header page
     * @param shape the map shape
     * @param loadPermille the growth load
     * @param keyCodec the key codec's name (at most {@value #CODEC_NAME_BYTES} UTF-8 bytes)
     * @param valueCodec the value codec's name
     * @param fileId the file's id, nonzero
     */
    public static void writeIdentity(final MemorySegment page, final int shape, final int loadPermille,
                                     final String keyCodec, final String valueCodec, final long fileId) {
        VH_MAGIC.set(page, 0L, MAGIC);
        VH_VERSION.set(page, 0L, VERSION);
        VH_PAGE.set(page, 0L, PAGE_BYTES);
        VH_ORDER.set(page, 0L, BYTE_ORDER_MARK);
        VH_FINGERPRINT.set(page, 0L, layoutFingerprint());
        VH_SHAPE.set(page, 0L, shape);
        VH_LOAD.set(page, 0L, loadPermille);
        writeName(page, KEY_CODEC_OFFSET, keyCodec);
        writeName(page, VALUE_CODEC_OFFSET, valueCodec);
        VH_FILE_ID.set(page, 0L, fileId);
        VH_CRC.set(page, 0L, identityCrc(page));
    }

    private static void writeName(final MemorySegment page, final long offset, final String name) {
        final byte[] bytes = codecNameBytes(name);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, page, offset, bytes.length);
    }

    /**
     * Returns the name as stored: UTF-8, cut to {@value #CODEC_NAME_BYTES} bytes.
     *
     * @param name a codec name
     * @return its stored bytes
     */
    public static byte[] codecNameBytes(final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= CODEC_NAME_BYTES ? bytes : java.util.Arrays.copyOf(bytes, CODEC_NAME_BYTES);
    }

    /**
     * Returns the CRC32C of the identity bytes before the CRC field.
     *
     * @param page the header page
     * @return the CRC32C of the identity bytes before the CRC field
     */
    public static int identityCrc(final MemorySegment page) {
        final CRC32C crc = new CRC32C();
        crc.update(page.asSlice(0, IDENTITY_CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }

    /**
     * Returns the stored identity CRC.
     *
     * @param page the header page
     * @return the stored identity CRC
     */
    public static int storedIdentityCrc(final MemorySegment page) {
        return (int) VH_CRC.get(page, 0L);
    }

    /**
     * Returns the magic word.
     *
     * @param page the header page
     * @return the magic word
     */
    public static long magic(final MemorySegment page) {
        return (long) VH_MAGIC.get(page, 0L);
    }

    /**
     * Returns the format version.
     *
     * @param page the header page
     * @return the format version
     */
    public static int version(final MemorySegment page) {
        return (int) VH_VERSION.get(page, 0L);
    }

    /**
     * Returns the page size field.
     *
     * @param page the header page
     * @return the page size field
     */
    public static int pageBytes(final MemorySegment page) {
        return (int) VH_PAGE.get(page, 0L);
    }

    /**
     * Returns the byte-order marker as read on this machine.
     *
     * @param page the header page
     * @return the byte-order marker as read on this machine
     */
    public static long byteOrder(final MemorySegment page) {
        return (long) VH_ORDER.get(page, 0L);
    }

    /**
     * Returns the layout fingerprint.
     *
     * @param page the header page
     * @return the layout fingerprint
     */
    public static long fingerprint(final MemorySegment page) {
        return (long) VH_FINGERPRINT.get(page, 0L);
    }

    /**
     * Returns the map shape.
     *
     * @param page the header page
     * @return the map shape
     */
    public static int shape(final MemorySegment page) {
        return (int) VH_SHAPE.get(page, 0L);
    }

    /**
     * Returns the growth load.
     *
     * @param page the header page
     * @return the growth load
     */
    public static int loadPermille(final MemorySegment page) {
        return (int) VH_LOAD.get(page, 0L);
    }

    /**
     * Returns a codec name field (up to its first NUL).
     *
     * @param page the header page
     * @param offset {@link #KEY_CODEC_OFFSET} or {@link #VALUE_CODEC_OFFSET}
     * @return the name
     */
    public static String codecName(final MemorySegment page, final long offset) {
        final byte[] bytes = page.asSlice(offset, CODEC_NAME_BYTES).toArray(JAVA_BYTE);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /**
     * Returns the clean word.
     *
     * @param page the header page
     * @return the clean word
     */
    public static long clean(final MemorySegment page) {
        return (long) VH_CLEAN.getVolatile(page, 0L);
    }

    /**
     * Stores the clean word (volatile: ordered after every store of the closing thread).
     *
     * @param page the header page
     * @param value {@link #CLEAN} or 0
     */
    public static void setClean(final MemorySegment page, final long value) {
        VH_CLEAN.setVolatile(page, 0L, value);
    }

    /**
     * Returns the owner pid.
     *
     * @param page the header page
     * @return the owner pid
     */
    public static long ownerPid(final MemorySegment page) {
        return (long) VH_OWNER.get(page, 0L);
    }

    /**
     * Stores the owner pid.
     *
     * @param page the header page
     * @param pid the pid
     */
    public static void setOwnerPid(final MemorySegment page, final long pid) {
        VH_OWNER.set(page, 0L, pid);
    }

    /**
     * Returns the file id.
     *
     * @param page the header page
     * @return the file id
     */
    public static long fileId(final MemorySegment page) {
        return (long) VH_FILE_ID.get(page, 0L);
    }

    /**
     * Returns the owner's boot hash.
     *
     * @param page the header page
     * @return the owner's boot hash, 0 if unknown
     */
    public static long ownerBoot(final MemorySegment page) {
        return (long) VH_BOOT.get(page, 0L);
    }

    /**
     * Stores the owner's boot hash.
     *
     * @param page the header page
     * @param boot the boot hash, 0 if unknown
     */
    public static void setOwnerBoot(final MemorySegment page, final long boot) {
        VH_BOOT.set(page, 0L, boot);
    }

    /**
     * Returns the byte offset of root record {@code i} (0 or 1).
     *
     * @param i the record
     * @return its byte offset in the header page
     */
    public static long rootOffset(final int i) {
        return ROOT_OFFSET + i * RootDescriptor.LAYOUT.byteSize();
    }
}
