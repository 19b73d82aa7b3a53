package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

/**
 * A growable heap buffer seen as a segment: what the object API encodes keys and values into, what
 * a write copies the value it replaced or removed into ({@link EntryStore#update}), and what an
 * iteration copies each entry's key and value into ({@link EntryCopy}), so that none of them
 * allocates once the buffer is large enough. A write's copy is taken under the bucket's lock,
 * where an allocation would lengthen the time other writers of the bucket wait.
 *
 * <p>Not thread-safe: one owner at a time.
 */
public class HeapBytes {

    private byte[] bytes;
    private MemorySegment segment;
    /**
     * Length of the content (the last copy, or what the owner wrote); -1 before either, or when a
     * write found no value.
     */
    private int length = -1;

    /**
     * Creates a buffer of {@code capacity} bytes.
     *
     * @param capacity initial capacity
     */
    protected HeapBytes(final int capacity) {
        bytes = new byte[capacity];
        segment = MemorySegment.ofArray(bytes);
    }

    /**
     * Returns the array under {@link #segment}, as its last call left it: for a codec that writes
     * or reads the bytes as an array ({@code dev.linemap.BufferCodec}).
     *
     * @return the whole buffer
     */
    public final byte[] array() {
        return bytes;
    }

    /**
     * Returns the buffer as a segment of at least {@code capacity} bytes, growing it (by at least
     * doubling) if needed; its first bytes are what counts.
     *
     * @param capacity bytes needed, {@code <= Integer.MAX_VALUE - 8}
     * @return the whole buffer
     */
    public final MemorySegment segment(final long capacity) {
        if (bytes.length < capacity) {
            bytes = new byte[(int) Math.max(capacity, Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length))];
            segment = MemorySegment.ofArray(bytes);
        }
        return segment;
    }

    /**
     * Returns the current capacity.
     *
     * @return bytes the buffer holds without growing
     */
    public final long capacity() {
        return bytes.length;
    }

    /**
     * Returns the length of the content: the last copy, or what the owner {@link #filled}.
     *
     * @return its length, or -1 before any copy or if a write found the key absent
     */
    public final int length() {
        return length;
    }

    /**
     * Starts over with a buffer of {@code capacity} bytes if the current one is larger, so that an
     * owner kept for long does not keep a one-off large buffer.
     *
     * @param capacity the most to keep
     */
    protected final void shrinkTo(final int capacity) {
        if (bytes.length > capacity) {
            bytes = new byte[capacity];
            segment = MemorySegment.ofArray(bytes);
        }
    }

    /**
     * Copies {@code n} bytes of a record (under its bucket's lock, or inside a read section whose
     * validation decides whether they count) and records the length.
     */
    final void copyFrom(final MemorySegment source, final long offset, final int n) {
        MemorySegment.copy(source, offset, segment(n), 0, n);
        length = n;
    }

    /**
     * Records that the owner wrote {@code n} bytes at the start of {@link #segment} (an encoded
     * value a conditional write compares with).
     *
     * @param n the content's length
     */
    public final void filled(final int n) {
        length = n;
    }

    /** Records that the write found no value. */
    final void absent() {
        length = -1;
    }
}
