package dev.linemap;

import java.lang.foreign.MemorySegment;

/**
 * How a {@code T} becomes bytes in native memory and back. A {@link LineMap} stores keys and
 * values only as the bytes a codec writes; it compares keys by those bytes (so two keys are equal
 * in the map exactly when their encodings are), and hashes them.
 *
 * <p>A codec must be stateless and thread-safe: the map calls it from any thread, and may call
 * {@link #encodedLength} and {@link #encode} more than once for one operation. {@code decode}
 * may be handed a heap segment holding a copy of the stored bytes, never a segment that changes
 * while it runs.
 *
 * @param <T> the Java type
 */
public interface Codec<T> {

    /**
     * The number of bytes {@link #encode} writes for {@code value}.
     *
     * @param value a non-null value
     * @return its encoded length, {@code >= 0}
     */
    int encodedLength(T value);

    /**
     * Writes exactly {@link #encodedLength encodedLength(value)} bytes of {@code value} to
     * {@code target} at {@code offset}.
     *
     * @param value a non-null value
     * @param target where to write
     * @param offset byte offset in {@code target}
     */
    void encode(T value, MemorySegment target, long offset);

    /**
     * Reads back a value from the {@code length} bytes at {@code offset} of {@code source}.
     *
     * @param source holds the encoding
     * @param offset byte offset of the encoding
     * @param length its length, as {@link #encodedLength} returned
     * @return the value
     */
    T decode(MemorySegment source, long offset, int length);

    /**
     * A stable name of the encoding (for example {@code "utf8"}), used to tell maps written with
     * different codecs apart: two codecs with the same id must read each other's bytes.
     *
     * @return the codec's identity
     */
    String id();

    /**
     * The length of every encoding if it is fixed (a record of a fixed layout), else {@code -1}.
     * Values of a fixed-size codec can be updated in place.
     *
     * @return the fixed encoded length, or {@code -1}
     */
    default int fixedLength() {
        return -1;
    }
}
