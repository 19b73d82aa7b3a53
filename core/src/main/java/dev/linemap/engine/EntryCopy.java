package dev.linemap.engine;

import dev.linemap.layout.EntryDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * Heap copies of one entry's key and value bytes, taken inside a read section by the iteration
 * cursor ({@link IterationCursor#over(Engine, EntryCopy)}) and trusted only after the section
 * validated. The buffers grow as needed and are reused from entry to entry.
 *
 * <p>Not thread-safe: one per cursor.
 */
public final class EntryCopy {

    /** The key bytes of the last copy: {@code [0, key.length())} of {@code key.segment(0)}. */
    public final HeapBytes key = new HeapBytes(32);
    /** The value bytes of the last copy: {@code [0, value.length())} of {@code value.segment(0)}. */
    public final HeapBytes value = new HeapBytes(64);

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
        key.copyFrom(segment, EntryDescriptor.keyOffset(entry), EntryDescriptor.keyLength(header));
        value.copyFrom(segment, valueStart, EntryDescriptor.valueLength(header));
        return true;
    }
}
