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
 * Descriptor of a root record in a map file's header: which tables hold the map. The header has
 * two; of those whose CRC matches, the one whose {@code sequence} is ahead (the signed difference
 * of the two is positive: serial-number order, so the count may wrap) is the root. A new root is
 * written into the other record, so a process that dies while writing it leaves the previous root
 * in force (its CRC no longer matches, or its sequence is not ahead yet).
 *
 * <pre>
 *   0       1       2       3       4       5       6       7       8
 *  +---------------------------------------------------------------+
 *  |                        sequence (0..7)                        |
 *  +---------------------------------------------------------------+
 *  |                        current (8..15)                        |
 *  +---------------------------------------------------------------+
 *  |                      currentSeed (16..23)                     |
 *  +---------------------------------------------------------------+
 *  |                          old (24..31)                         |
 *  +---------------------------------------------------------------+
 *  |                        oldSeed (32..39)                       |
 *  +-------------------------------+-------------------------------+
 *  |      currentLog2 (40..43)     |        oldLog2 (44..47)       |
 *  +-------------------------------+-------------------------------+
 *  |          kind (48..51)        |          crc (52..55)         |
 *  +-------------------------------+-------------------------------+
 *  |                        padding (56..63)                       |
 *  +---------------------------------------------------------------+
 *
 *   sequence     + 1 with every root written (wrapping, 0 skipped); 0 = no table yet (a new file's record 0)
 *   current      serial of the current table (its extents carry it)
 *   currentSeed  the current table's hash seed
 *   old          serial of the table a migration empties, 0 for none
 *   oldSeed      its seed
 *   currentLog2  log2 of the current table's bucket count
 *   oldLog2      log2 of the old table's bucket count
 *   kind         the migration's kind (0 grow, 1 shrink, 2 compact, 3 clear), -1 for none
 *   crc          CRC32C of every byte before it
 *   padding      not covered by the CRC; zero as written
 * </pre>
 */
public final class RootDescriptor {

    /** {@code kind} of a root without a migration. */
    public static final int NO_MIGRATION = -1;

    /** The record, 64 bytes. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sequence"),
            JAVA_LONG.withName("current"),
            JAVA_LONG.withName("currentSeed"),
            JAVA_LONG.withName("old"),
            JAVA_LONG.withName("oldSeed"),
            JAVA_INT.withName("currentLog2"),
            JAVA_INT.withName("oldLog2"),
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("crc"),
            MemoryLayout.paddingLayout(8)).withName("root");

    private static final long CRC_OFFSET = LAYOUT.byteOffset(groupElement("crc"));
    private static final VarHandle VH_SEQUENCE = LAYOUT.varHandle(groupElement("sequence"));
    private static final VarHandle VH_CURRENT = LAYOUT.varHandle(groupElement("current"));
    private static final VarHandle VH_CURRENT_SEED = LAYOUT.varHandle(groupElement("currentSeed"));
    private static final VarHandle VH_OLD = LAYOUT.varHandle(groupElement("old"));
    private static final VarHandle VH_OLD_SEED = LAYOUT.varHandle(groupElement("oldSeed"));
    private static final VarHandle VH_CURRENT_LOG2 = LAYOUT.varHandle(groupElement("currentLog2"));
    private static final VarHandle VH_OLD_LOG2 = LAYOUT.varHandle(groupElement("oldLog2"));
    private static final VarHandle VH_KIND = LAYOUT.varHandle(groupElement("kind"));
    private static final VarHandle VH_CRC = LAYOUT.varHandle(groupElement("crc"));

    static {
        if (LAYOUT.byteSize() != 64) {
            throw new ExceptionInInitializerError("root record must be 64 bytes: " + LAYOUT);
        }
    }

    private RootDescriptor() {
    }

    /**
     * A root record's fields.
     *
     * @param sequence its sequence number
     * @param current serial of the current table
     * @param currentSeed its seed
     * @param currentLog2 log2 of its bucket count
     * @param old serial of the table a migration empties, 0 for none
     * @param oldSeed its seed
     * @param oldLog2 log2 of its bucket count
     * @param kind the migration kind, {@link #NO_MIGRATION} for none
     */
    public record Root(long sequence, long current, long currentSeed, int currentLog2,
                       long old, long oldSeed, int oldLog2, int kind) {
    }

    /**
     * Reads the record at {@code offset}.
     *
     * @param page the header page
     * @param offset the record's byte offset
     * @return its fields
     */
    public static Root read(final MemorySegment page, final long offset) {
        return new Root((long) VH_SEQUENCE.get(page, offset), (long) VH_CURRENT.get(page, offset),
                (long) VH_CURRENT_SEED.get(page, offset), (int) VH_CURRENT_LOG2.get(page, offset),
                (long) VH_OLD.get(page, offset), (long) VH_OLD_SEED.get(page, offset),
                (int) VH_OLD_LOG2.get(page, offset), (int) VH_KIND.get(page, offset));
    }

    /**
     * Returns whether the stored CRC matches the record's bytes.
     *
     * @param page the header page
     * @param offset the record's byte offset
     * @return whether the stored CRC matches the record's bytes
     */
    public static boolean crcMatches(final MemorySegment page, final long offset) {
        return (int) VH_CRC.get(page, offset) == crc(page, offset);
    }

    /**
     * Writes a record and its CRC at {@code offset}.
     *
     * @param page the header page
     * @param offset the record's byte offset
     * @param root the fields
     */
    public static void write(final MemorySegment page, final long offset, final Root root) {
        VH_SEQUENCE.set(page, offset, root.sequence());
        VH_CURRENT.set(page, offset, root.current());
        VH_CURRENT_SEED.set(page, offset, root.currentSeed());
        VH_CURRENT_LOG2.set(page, offset, root.currentLog2());
        VH_OLD.set(page, offset, root.old());
        VH_OLD_SEED.set(page, offset, root.oldSeed());
        VH_OLD_LOG2.set(page, offset, root.oldLog2());
        VH_KIND.set(page, offset, root.kind());
        // Release: a crash leaves either a record whose CRC does not match, or a complete one.
        VH_CRC.setRelease(page, offset, crc(page, offset));
    }

    private static int crc(final MemorySegment page, final long offset) {
        final CRC32C crc = new CRC32C();
        crc.update(page.asSlice(offset, CRC_OFFSET).asByteBuffer());
        return (int) crc.getValue();
    }
}
