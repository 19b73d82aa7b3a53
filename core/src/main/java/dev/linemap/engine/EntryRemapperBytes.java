package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

/**
 * The remapping step of a variable-length {@code compute}, run under the bucket's lock: sees the
 * stored value bytes (stable while it runs) and returns the new value's bytes.
 */
@FunctionalInterface
public interface EntryRemapperBytes {

    /**
     * Returned (by identity) to leave the map as it is: a present key keeps its stored bytes, an
     * absent key stays absent.
     */
    MemorySegment KEEP = MemorySegment.ofArray(new byte[0]);

    /**
     * Returns the new value's bytes (the whole segment), {@code null} to remove the key (or leave
     * it absent), or {@link #KEEP}.
     *
     * @param present whether the key is mapped
     * @param value holds the stored value bytes if present (valid only during the call)
     * @param offset offset of the value bytes in {@code value}
     * @param length value length
     * @return the new value's bytes, or {@code null}
     */
    MemorySegment remap(boolean present, MemorySegment value, long offset, int length);
}
