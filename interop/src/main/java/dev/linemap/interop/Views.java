package dev.linemap.interop;

import java.lang.foreign.MemorySegment;

/** The two ways a view is made, and the bounds error of every adapter. */
final class Views {

    private Views() {
    }

    /**
     * The exception for {@code [offset, offset + length)} outside {@code [start, limit)}, built only
     * when it is thrown (a message built on every call would allocate on the hot path).
     */
    static IndexOutOfBoundsException outOfBounds(String what, long offset, long length, long start, long limit) {
        return new IndexOutOfBoundsException(what + ": offset=" + offset + " length=" + length
                + " is not inside [" + start + ", " + limit + ")");
    }

    /** Native memory at {@code address}: the restricted method, caller-sensitive to this module. */
    // Restricted: the user enables native access for this module (package-info); without it the JDK
    // warns once, or throws IllegalCallerException under --illegal-native-access=deny.
    @SuppressWarnings("restricted")
    static MemorySegment ofAddress(long address, long length) {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /** {@code length} bytes of {@code array} from {@code index}. */
    static MemorySegment ofArray(byte[] array, long index, long length) {
        return MemorySegment.ofArray(array).asSlice(index, length);
    }
}
