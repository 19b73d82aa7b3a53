package dev.linemap.engine;

import dev.linemap.layout.EntryDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Heap copies of one entry's key and value bytes, taken inside a read section by the iteration
 * cursor ({@link IterationCursor#over(Engine, EntryCopy)}) and trusted only after the section
 * validated. The buffers grow as needed and are reused from entry to entry.
 *
 * <p>Not thread-safe: one per cursor.
 */
public final class EntryCopy {

    /** The key bytes, {@code [0, keyLength)}. */
    public byte[] key = new byte[32];
    /** The value bytes, {@code [0, valueLength)}. */
    public byte[] value = new byte[64];
    /** Key length of the last copy. */
    public int keyLength;
    /** Value length of the last copy. */
    public int valueLength;

    /**
     * Creates empty buffers.
     */
    public EntryCopy() {
    }

    /**
     * Copies the record {@code ref} of {@code table}, inside a read section.
     *
     * @param table the table whose bucket references the record
     * @param ref the slot's value word (possibly torn)
     * @return {@code false} if the reference or the lengths do not lie inside a chunk (torn: read again)
     */
    boolean copy(final Table table, final long ref) {
        final EntryHeap.Directory d = table.entries.directory();
        if (!d.holds(ref)) {
            return false;
        }
        final MemorySegment segment = d.segment(ref);
        final long entry = d.entry(ref);
        final long header = EntryDescriptor.headerPlain(segment, entry);   // once: both lengths of one record
        final long valueStart = EntryFormat.valueStart(d, ref, header);
        if (valueStart < 0) {
            return false;
        }
        final int k = EntryDescriptor.keyLength(header);
        final int v = EntryDescriptor.valueLength(header);
        if (key.length < k) {
            key = new byte[Math.max(k, key.length * 2)];
        }
        if (value.length < v) {
            value = new byte[Math.max(v, value.length * 2)];
        }
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, EntryDescriptor.keyOffset(entry), key, 0, k);
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, valueStart, value, 0, v);
        keyLength = k;
        valueLength = v;
        return true;
    }
}
