package dev.linemap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** bytes, int64, int32 and segment; utf8 has its own test. */
class CodecsTest {

    @Test
    void int64WritesEightLittleEndianBytesAtAnOffset() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[11]);
        Codecs.int64().encode(0x0102030405060708L, seg, 3);
        assertArrayEquals(new byte[] {0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1}, seg.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x0102030405060708L, Codecs.int64().decode(seg, 3, 8));
        assertEquals(8, Codecs.int64().encodedLength(-1L));
        assertEquals(8, Codecs.int64().fixedLength());
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            Codecs.int64().encode(v, seg, 1);
            assertEquals(v, Codecs.int64().decode(seg, 1, 8));
        }
    }

    @Test
    void int32WritesFourLittleEndianBytesAtAnOffset() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[6]);
        Codecs.int32().encode(0x01020304, seg, 1);
        assertArrayEquals(new byte[] {0, 4, 3, 2, 1, 0}, seg.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x01020304, Codecs.int32().decode(seg, 1, 4));
        assertEquals(4, Codecs.int32().encodedLength(7));
        assertEquals(4, Codecs.int32().fixedLength());
        for (int v : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            Codecs.int32().encode(v, seg, 2);
            assertEquals(v, Codecs.int32().decode(seg, 2, 4));
        }
    }

    @Test
    void fixedCodecsRejectAnyOtherLengthNamingIt() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[16]);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Codecs.int64().decode(seg, 0, 7));
        assertEquals("int64 decodes exactly 8 bytes, not length=7", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Codecs.int32().decode(seg, 0, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Codecs.int64().decode(seg, 9, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Codecs.int32().encode(1, seg, 13));
    }

    @Test
    void bytesCopiesInAndReturnsAFreshArray() {
        for (int length : new int[] {0, 1, 7, 64, 1 << 20}) {
            final byte[] value = new byte[length];
            for (int i = 0; i < length; i++) {
                value[i] = (byte) (i * 31 + 7);
            }
            assertEquals(length, Codecs.bytes().encodedLength(value));
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment target = arena.allocate(length + 5);
                Codecs.bytes().encode(value, target, 5);
                final byte[] back = Codecs.bytes().decode(target, 5, length);
                assertArrayEquals(value, back);
                assertNotSame(value, back);
            }
            final MemorySegment heap = MemorySegment.ofArray(new byte[length + 2]);
            Codecs.bytes().encode(value, heap, 2);
            assertArrayEquals(value, Codecs.bytes().decode(heap, 2, length));
        }
        assertThrows(IndexOutOfBoundsException.class,
                () -> Codecs.bytes().encode(new byte[3], MemorySegment.ofArray(new byte[3]), 1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Codecs.bytes().decode(MemorySegment.ofArray(new byte[3]), 1, 3));
    }

    @Test
    void segmentCopiesItsBytesAndDecodesToAHeapCopy() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment value = arena.allocate(10);
            for (int i = 0; i < 10; i++) {
                value.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
            }
            assertEquals(10, Codecs.segment().encodedLength(value));
            final MemorySegment target = arena.allocate(13);
            Codecs.segment().encode(value, target, 3);
            final MemorySegment back = Codecs.segment().decode(target, 3, 10);
            assertTrue(back.heapBase().isPresent(), "a heap segment");
            assertEquals(10, back.byteSize());
            assertEquals(-1, back.mismatch(value));
            target.fill((byte) 0);
            assertEquals(1, back.get(ValueLayout.JAVA_BYTE, 0), "a copy, not a view");
            assertEquals(0, Codecs.segment().decode(target, 13, 0).byteSize());
            assertEquals(0, Codecs.segment().encodedLength(MemorySegment.NULL));
        }
    }

    @Test
    void everyCodecRejectsNull() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[8]);
        assertThrows(NullPointerException.class, () -> Codecs.bytes().encodedLength(null));
        assertThrows(NullPointerException.class, () -> Codecs.bytes().encode(null, seg, 0));
        assertThrows(NullPointerException.class, () -> Codecs.int64().encodedLength(null));
        assertThrows(NullPointerException.class, () -> Codecs.int64().encode(null, seg, 0));
        assertThrows(NullPointerException.class, () -> Codecs.int32().encodedLength(null));
        assertThrows(NullPointerException.class, () -> Codecs.int32().encode(null, seg, 0));
        assertThrows(NullPointerException.class, () -> Codecs.segment().encodedLength(null));
        assertThrows(NullPointerException.class, () -> Codecs.segment().encode(null, seg, 0));
        assertThrows(NullPointerException.class, () -> Codecs.bytes().decode(null, 0, 0));
    }

    @Test
    void singletonsWithDistinctIdsThatAreTheirToString() {
        final List<Codec<?>> all = List.of(Codecs.utf8(), Codecs.bytes(), Codecs.int64(), Codecs.int32(),
                Codecs.segment());
        final Set<String> ids = new HashSet<>();
        for (Codec<?> codec : all) {
            assertTrue(ids.add(codec.id()), "duplicate id " + codec.id());
            assertEquals(codec.id(), codec.toString());
        }
        assertEquals(Set.of("utf8", "bytes", "int64", "int32", "segment"), ids);
        assertSame(Codecs.bytes(), Codecs.bytes());
        assertSame(Codecs.int64(), Codecs.int64());
        assertSame(Codecs.int32(), Codecs.int32());
        assertSame(Codecs.segment(), Codecs.segment());
        assertEquals(-1, Codecs.bytes().fixedLength());
        assertEquals(-1, Codecs.segment().fixedLength());
    }
}
