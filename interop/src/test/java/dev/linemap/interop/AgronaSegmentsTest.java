package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class AgronaSegmentsTest {

    @Test
    void heapBufferOverPartOfAnArrayViewsThoseArrayBytes() {
        final byte[] array = new byte[32];
        final UnsafeBuffer buffer = new UnsafeBuffer(array, 4, 20);
        final MemorySegment view = AgronaSegments.view(buffer, 3, 5);
        assertFalse(view.isNative());
        assertEquals(5, view.byteSize());
        assertAliases(buffer, 3, view);
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 99);
        assertEquals(99, array[4 + 3], "the view starts at wrapAdjustment + offset of the array");
    }

    @Test
    void heapBufferOverASlicedByteBufferHonoursItsArrayOffset() {
        final byte[] array = new byte[40];
        final ByteBuffer slice = ByteBuffer.wrap(array, 5, 30).slice(); // arrayOffset 5
        final UnsafeBuffer buffer = new UnsafeBuffer(slice, 2, 20);
        final MemorySegment view = AgronaSegments.view(buffer, 1, 8);
        assertAliases(buffer, 1, view);
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
        assertEquals(42, array[5 + 2 + 1]);
    }

    @Test
    void expandableArrayBufferViewsItsCurrentArray() {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        buffer.putStringWithoutLengthAscii(0, "0123456789abcdef");
        final MemorySegment view = AgronaSegments.view(buffer);
        assertEquals(buffer.capacity(), view.byteSize());
        assertEquals('a', view.get(ValueLayout.JAVA_BYTE, 10));
        assertAliases(buffer, 0, view);
    }

    @Test
    void directBufferOverAByteBufferViewsItsNativeMemory() {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64), 8, 32);
        final MemorySegment view = AgronaSegments.view(buffer, 4, 16);
        assertTrue(view.isNative());
        assertEquals(buffer.addressOffset() + 4, view.address());
        assertAliases(buffer, 4, view);
        buffer.putLong(4, 0x1122334455667788L, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x1122334455667788L,
                view.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0));
    }

    @Test
    void directBufferOverARawAddressViewsThatMemory() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment memory = arena.allocate(48);
            final UnsafeBuffer buffer = new UnsafeBuffer(memory.address(), 48);
            final MemorySegment view = AgronaSegments.view(buffer, 16, 32);
            assertEquals(memory.address() + 16, view.address());
            assertAliases(buffer, 16, view);
            view.set(ValueLayout.JAVA_BYTE, 31, (byte) 7);
            assertEquals(7, memory.get(ValueLayout.JAVA_BYTE, 47));
        }
    }

    @Test
    void expandableDirectByteBufferViewsItsNativeMemory() {
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(32);
        final MemorySegment view = AgronaSegments.view(buffer, 0, 32);
        assertTrue(view.isNative());
        assertAliases(buffer, 0, view);
    }

    @Test
    void emptyViewsAtEitherEndAreAllowed() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        assertEquals(0, AgronaSegments.view(buffer, 0, 0).byteSize());
        assertEquals(0, AgronaSegments.view(buffer, 8, 0).byteSize());
        assertEquals(0, AgronaSegments.view(new UnsafeBuffer(ByteBuffer.allocateDirect(8)), 8, 0).byteSize());
    }

    @Test
    void rangesOutsideTheBufferAreRejectedWithTheValues() {
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[32], 4, 20);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(20));
        for (UnsafeBuffer buffer : new UnsafeBuffer[] {heap, direct}) {
            assertEquals("UnsafeBuffer: offset=18 length=5 is not inside [0, 20)",
                    assertThrows(IndexOutOfBoundsException.class, () -> AgronaSegments.view(buffer, 18, 5))
                            .getMessage());
            assertEquals("UnsafeBuffer: offset=-1 length=2 is not inside [0, 20)",
                    assertThrows(IndexOutOfBoundsException.class, () -> AgronaSegments.view(buffer, -1, 2))
                            .getMessage());
            assertEquals("UnsafeBuffer: offset=0 length=-1 is not inside [0, 20)",
                    assertThrows(IndexOutOfBoundsException.class, () -> AgronaSegments.view(buffer, 0, -1))
                            .getMessage());
            assertThrows(IndexOutOfBoundsException.class,
                    () -> AgronaSegments.view(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE));
        }
        assertThrows(NullPointerException.class, () -> AgronaSegments.view(null, 0, 0));
    }

    /** Bytes written through either side are read through the other. */
    static void assertAliases(MutableDirectBuffer buffer, int offset, MemorySegment view) {
        for (int i = 0; i < view.byteSize(); i++) {
            buffer.putByte(offset + i, (byte) (i + 1));
        }
        for (int i = 0; i < view.byteSize(); i++) {
            assertEquals((byte) (i + 1), view.get(ValueLayout.JAVA_BYTE, i), "buffer -> view at " + i);
            view.set(ValueLayout.JAVA_BYTE, i, (byte) (100 - i));
        }
        for (int i = 0; i < view.byteSize(); i++) {
            assertEquals((byte) (100 - i), buffer.getByte(offset + i), "view -> buffer at " + i);
        }
    }
}
