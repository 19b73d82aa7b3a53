package dev.linemap.interop;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import net.openhft.chronicle.bytes.BytesStore;

/**
 * {@link MemorySegment} views of Chronicle Bytes memory ({@code BytesStore}, and {@code Bytes},
 * which is a {@code BytesStore}): the store's own bytes, not a copy, so writes through the view
 * are writes to the store and reads see its current bytes.
 *
 * <p>Offsets are Chronicle's: the absolute offsets of {@code readByte(offset)}, from
 * {@code bytes.start()} up to {@code bytes.realCapacity()} (the memory allocated now, which for an
 * elastic {@code Bytes} grows; a view made before a growth still points at the old memory, which
 * the growth releases). Read and write positions and limits are not consulted: pass
 * {@code bytes.readPosition()} and {@code bytes.readRemaining()} to view the readable bytes.
 *
 * <p>Native memory ({@code isDirectMemory()}) is viewed at {@code addressForRead(offset)}, which needs
 * native access for this module (see the {@linkplain dev.linemap.interop package} notes, also on
 * the views' lifetime; a released store is not detected by the view, only by this call); heap memory
 * through the {@code byte[]} or heap {@code ByteBuffer} the store wraps. A view made and used in
 * compiled code is not allocated (escape analysis; checked by a test), but one handed to
 * {@code LineMap}'s methods escapes into them and costs 40 bytes: on hot paths make a view once per
 * store and reuse it.
 *
 * <p>Stateless: any thread may call it, subject to Chronicle's own single-thread checks of the
 * {@code Bytes} it is handed.
 */
public final class ChronicleSegments {

    private ChronicleSegments() {
    }

    /**
     * A view of {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @param bytes a Chronicle store or {@code Bytes}, native or heap
     * @param offset Chronicle's absolute offset, as for {@code bytes.readByte(offset)}
     * @param length bytes
     * @return a segment over those bytes of the store's memory
     * @throws IndexOutOfBoundsException if the range is not inside
     *         {@code [bytes.start(), bytes.realCapacity())}, with the values in the message
     * @throws IllegalArgumentException if the memory is neither native nor a {@code byte[]} or heap
     *         {@code ByteBuffer} (a store over an object's fields)
     * @throws IllegalCallerException for native memory when native access is denied to this module
     */
    public static MemorySegment view(BytesStore<?, ?> bytes, long offset, long length) {
        Objects.requireNonNull(bytes, "bytes");
        final long start = bytes.start();
        final long limit = bytes.realCapacity();
        if (offset < start || length < 0 || offset > limit - length) {
            throw Views.outOfBounds(bytes.getClass().getSimpleName(), offset, length, start, limit);
        }
        if (bytes.isDirectMemory()) {
            return Views.ofAddress(bytes.addressForRead(offset), length);
        }
        final Object memory = bytes.underlyingObject();
        if (memory instanceof byte[] array) {
            return Views.ofArray(array, offset, length);
        }
        if (memory instanceof ByteBuffer buffer && buffer.hasArray()) {
            return Views.ofArray(buffer.array(), buffer.arrayOffset() + offset, length);
        }
        throw new IllegalArgumentException(bytes.getClass().getName() + " holds neither native memory nor a byte[]"
                + " or heap ByteBuffer (it holds " + (memory == null ? "null" : memory.getClass().getName())
                + "): no segment can view it");
    }

    /**
     * A view of the readable bytes of {@code bytes}:
     * {@code view(bytes, bytes.readPosition(), bytes.readRemaining())}.
     *
     * @param bytes a Chronicle store or {@code Bytes}, native or heap
     * @return a segment over its readable bytes
     * @throws IllegalCallerException for native memory when native access is denied to this module
     */
    public static MemorySegment readable(BytesStore<?, ?> bytes) {
        return view(bytes, bytes.readPosition(), bytes.readRemaining());
    }
}
