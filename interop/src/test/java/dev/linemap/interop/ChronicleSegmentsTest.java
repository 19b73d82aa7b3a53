package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;

class ChronicleSegmentsTest {

    @Test
    void heapStoreOverAnArrayViewsTheArray() {
        final byte[] array = new byte[24];
        final BytesStore<?, ?> store = BytesStore.wrap(array);
        final MemorySegment view = ChronicleSegments.view(store, 4, 10);
        assertFalse(view.isNative());
        assertAliases(store, 4, view);
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 77);
        assertEquals(77, array[4]);
    }

    @Test
    void heapStoreOverASlicedByteBufferHonoursItsArrayOffset() {
        final byte[] array = new byte[40];
        final BytesStore<?, ?> store = BytesStore.wrap(ByteBuffer.wrap(array, 6, 30).slice());
        final MemorySegment view = ChronicleSegments.view(store, 2, 8);
        assertAliases(store, 2, view);
        view.set(ValueLayout.JAVA_BYTE, 0, (byte) 55);
        assertEquals(55, array[6 + 2]);
    }

    @Test
    void elasticHeapBytesViewTheirReadableBytes() {
        final Bytes<?> bytes = Bytes.allocateElasticOnHeap(64);
        try {
            bytes.write("symbol:ABC".getBytes(StandardCharsets.US_ASCII));
            bytes.readSkip(7);
            final MemorySegment view = ChronicleSegments.readable(bytes);
            assertEquals("ABC", new String(view.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
            assertAliases(bytes, bytes.readPosition(), view);
        } finally {
            bytes.releaseLast();
        }
    }

    @Test
    void nativeStoreViewsItsMemory() {
        final BytesStore<?, ?> store = BytesStore.nativeStoreWithFixedCapacity(64);
        try {
            final MemorySegment view = ChronicleSegments.view(store, 8, 32);
            assertTrue(view.isNative());
            assertEquals(store.addressForRead(8), view.address());
            assertAliases(store, 8, view);
            store.writeLong(8, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, view.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), "native order");
        } finally {
            store.releaseLast();
        }
    }

    @Test
    void directBytesViewTheirReadableBytes() {
        for (Bytes<?> bytes : new Bytes<?>[] {Bytes.allocateDirect(64), Bytes.allocateElasticDirect(16)}) {
            try {
                bytes.write("key-0001/value".getBytes(StandardCharsets.US_ASCII));
                bytes.readSkip(4);
                bytes.readLimit(8);
                final MemorySegment view = ChronicleSegments.readable(bytes);
                assertTrue(view.isNative());
                assertEquals("0001", new String(view.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
                assertAliases(bytes, 4, view);
                assertEquals(bytes.realCapacity(), ChronicleSegments.view(bytes, 0, bytes.realCapacity()).byteSize());
            } finally {
                bytes.releaseLast();
            }
        }
    }

    @Test
    void rangesOutsideTheStoreAreRejectedWithTheValues() {
        final BytesStore<?, ?> heap = BytesStore.wrap(new byte[20]);
        assertEquals("HeapBytesStore: offset=18 length=5 is not inside [0, 20)",
                assertThrows(IndexOutOfBoundsException.class, () -> ChronicleSegments.view(heap, 18, 5)).getMessage());
        assertEquals("HeapBytesStore: offset=-1 length=1 is not inside [0, 20)",
                assertThrows(IndexOutOfBoundsException.class, () -> ChronicleSegments.view(heap, -1, 1)).getMessage());
        assertEquals("HeapBytesStore: offset=0 length=-1 is not inside [0, 20)",
                assertThrows(IndexOutOfBoundsException.class, () -> ChronicleSegments.view(heap, 0, -1)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ChronicleSegments.view(heap, Long.MAX_VALUE, 2));
        final BytesStore<?, ?> direct = BytesStore.nativeStoreWithFixedCapacity(16);
        try {
            final IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> ChronicleSegments.view(direct, 10, 7));
            assertTrue(e.getMessage().endsWith(": offset=10 length=7 is not inside [0, 16)"), e.getMessage());
            assertEquals(0, ChronicleSegments.view(direct, 16, 0).byteSize());
        } finally {
            direct.releaseLast();
        }
        assertThrows(NullPointerException.class, () -> ChronicleSegments.view(null, 0, 0));
    }

    /** Bytes written through either side are read through the other. */
    static void assertAliases(BytesStore<?, ?> store, long offset, MemorySegment view) {
        for (int i = 0; i < view.byteSize(); i++) {
            store.writeByte(offset + i, (byte) (i + 1));
        }
        for (int i = 0; i < view.byteSize(); i++) {
            assertEquals((byte) (i + 1), view.get(ValueLayout.JAVA_BYTE, i), "store -> view at " + i);
            view.set(ValueLayout.JAVA_BYTE, i, (byte) (100 - i));
        }
        for (int i = 0; i < view.byteSize(); i++) {
            assertEquals((byte) (100 - i), store.readByte(offset + i), "view -> store at " + i);
        }
    }
}
