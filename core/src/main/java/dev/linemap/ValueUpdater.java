package dev.linemap;

import java.lang.foreign.MemorySegment;

/**
 * Updates a stored value in place, under the lock of its bucket ({@link LineMap#updateValue}): a
 * trading cache updates a fixed-size record without copying it out and back.
 *
 * <p>The segment is exactly the stored value (its length cannot change) and is valid only during
 * the call. The updater runs exactly once, atomically with respect to every other operation on
 * the key; readers see the value before or after it, never in between. Keep it short and do not
 * use the map from it (the bucket is locked). If it throws, the bytes it wrote so far stay.
 */
@FunctionalInterface
public interface ValueUpdater {

    /**
     * Changes the value's bytes.
     *
     * @param value the stored value's bytes, writable, valid only during the call
     */
    void update(MemorySegment value);
}
