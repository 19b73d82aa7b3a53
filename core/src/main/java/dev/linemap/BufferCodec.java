package dev.linemap;

import dev.linemap.engine.HeapBytes;

/**
 * A codec that also encodes into, and decodes from, the object API's per-thread buffers and an
 * iteration's entry copies as the arrays they are ({@link Scratch}, {@code EntryCopy}: each a
 * {@link HeapBytes}). A codec needs the array to use the JDK's
 * array paths ({@code String.getBytes} into an array, {@code new String(byte[], ...)}), and a heap
 * segment gives it only through {@code heapBase()}, whose {@code Optional} C2 removes only where it
 * inlines that call: in a JVM that had run the zero-copy methods first, a {@code put} of a
 * {@code LineMap<String, String>} allocated 32-48 bytes more than the value it returned for its
 * first few hundred thousand calls ({@code docs/experiments/MixedApiAllocation.java}).
 * {@link LineMap} calls these methods for a codec that has them, and {@link Codec}'s for any other.
 *
 * @param <T> the type encoded
 */
interface BufferCodec<T> extends Codec<T> {

    /**
     * Encodes {@code value} into the first {@code length} bytes of {@code buffer}.
     *
     * @param value the value
     * @param buffer the buffer, grown here to {@code length} bytes if needed
     * @param length {@link #encodedLength} of {@code value}
     */
    void encode(T value, HeapBytes buffer, int length);

    /**
     * Decodes the first {@code length} bytes of {@code buffer}.
     *
     * @param buffer the buffer
     * @param length the encoding's length, at most the buffer's capacity
     * @return the value
     */
    T decode(HeapBytes buffer, int length);
}
