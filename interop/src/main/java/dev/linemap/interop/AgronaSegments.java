package dev.linemap.interop;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.agrona.DirectBuffer;

/**
 * {@link MemorySegment} views of Agrona buffers ({@code UnsafeBuffer}, {@code ExpandableArrayBuffer},
 * {@code ExpandableDirectByteBuffer}, any {@link DirectBuffer}): the buffer's own bytes, not a copy,
 * so writes through the view are writes to the buffer (pass a view of a {@code MutableDirectBuffer}
 * as the target of {@code LineMap.getBytes}) and reads see the buffer's current bytes.
 *
 * <p>A heap buffer ({@link DirectBuffer#byteArray()} not null) is viewed through its array from
 * {@link DirectBuffer#wrapAdjustment()}; any other through its {@link DirectBuffer#addressOffset()},
 * which needs native access for this module (see the {@linkplain dev.linemap.interop package} notes,
 * also on the views' lifetime). A view made and used in compiled code is not allocated (escape
 * analysis; checked by a test), but one handed to {@code LineMap}'s methods escapes into them and
 * costs 40 bytes: on hot paths make a view once per buffer and reuse it.
 *
 * <p>Agrona 2.x's {@code UnsafeBuffer} itself needs {@code --add-exports
 * java.base/jdk.internal.misc=ALL-UNNAMED} (an Agrona requirement, not this class's).
 *
 * <p>Stateless: any thread may call it. The view is as thread-safe as the buffer's memory.
 */
public final class AgronaSegments {

    private AgronaSegments() {
    }

    /**
     * A view of {@code length} bytes of {@code buffer} from {@code offset}.
     *
     * @param buffer an Agrona buffer, heap or direct
     * @param offset index in the buffer, as for {@code buffer.getByte(offset)}
     * @param length bytes
     * @return a segment over those bytes of the buffer's memory
     * @throws IndexOutOfBoundsException if the range is not inside {@code [0, buffer.capacity())},
     *         with the offset, length and capacity in the message
     * @throws IllegalCallerException for an off-heap buffer when native access is denied to this module
     */
    public static MemorySegment view(DirectBuffer buffer, int offset, int length) {
        Objects.requireNonNull(buffer, "buffer");
        final int capacity = buffer.capacity();
        if (offset < 0 || length < 0 || offset > capacity - length) {
            throw Views.outOfBounds(buffer.getClass().getSimpleName(), offset, length, 0, capacity);
        }
        final byte[] array = buffer.byteArray();
        if (array != null) {
            return Views.ofArray(array, (long) buffer.wrapAdjustment() + offset, length);
        }
        return Views.ofAddress(buffer.addressOffset() + offset, length);
    }

    /**
     * A view of the whole of {@code buffer}: {@code view(buffer, 0, buffer.capacity())}.
     *
     * @param buffer an Agrona buffer, heap or direct
     * @return a segment over the buffer's memory
     * @throws IllegalCallerException for an off-heap buffer when native access is denied to this module
     */
    public static MemorySegment view(DirectBuffer buffer) {
        return view(buffer, 0, buffer.capacity());
    }
}
