package dev.linemap;

import java.lang.foreign.MemorySegment;

/**
 * Reads a stored value in place, inside the read section of its bucket
 * ({@link LineMap#readValue}), without copying it out.
 *
 * <p>The segment is valid only during the call and must not be kept. A racing writer may change
 * the bytes while the reader runs: the map then discards the result (and any exception the reader
 * threw) and calls the reader again, so it may run more than once per read and must have no side
 * effects beyond its result. Only a result computed on bytes that did not change is returned.
 */
@FunctionalInterface
public interface ValueReader {

    /**
     * Returns what the caller wants to know of the value.
     *
     * @param value the stored value's bytes (read-only by contract; valid only during the call)
     * @return the result {@link LineMap#readValue} returns
     */
    long read(MemorySegment value);
}
