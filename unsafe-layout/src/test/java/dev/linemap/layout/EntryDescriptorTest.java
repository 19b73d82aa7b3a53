package dev.linemap.layout;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The header word's fields as the javadoc diagram and {@code docs/spec/entry.md} draw them. */
class EntryDescriptorTest {

    @Test
    void theHeaderIsOneWordWithTheDocumentedBitFields() {
        assertEquals(8, EntryDescriptor.HEADER_BYTES);
        assertEquals(64,
                EntryDescriptor.KEY_LENGTH_BITS + EntryDescriptor.VALUE_LENGTH_BITS + EntryDescriptor.TIE_BITS);
        assertEquals(17, EntryDescriptor.KEY_LENGTH_BITS);
        assertEquals(25, EntryDescriptor.VALUE_LENGTH_BITS);
        assertEquals(22, EntryDescriptor.TIE_BITS);
        assertEquals(1L, EntryDescriptor.header(0, 1, 0), "key length in bits 0..16");
        assertEquals(1L << 17, EntryDescriptor.header(0, 0, 1), "value length in bits 17..41");
        assertEquals(1L << 42, EntryDescriptor.header(1, 0, 0), "tie in bits 42..63");
    }

    @Test
    void fieldsRoundTripThroughMemoryAndRejectWhatDoesNotFit() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment segment = arena.allocate(64, 8);
            final long[][] cases = {{0, 0, 0}, {EntryDescriptor.MAX_TIE, EntryDescriptor.MAX_KEY_LENGTH,
                EntryDescriptor.MAX_VALUE_LENGTH}, {3, 65_536, 16 << 20}};
            for (final long[] c : cases) {
                EntryDescriptor.setHeaderPlain(segment, 8, c[0], (int) c[1], (int) c[2]);
                assertEquals(c[0], EntryDescriptor.tiePlain(segment, 8));
                assertEquals(c[1], EntryDescriptor.keyLengthPlain(segment, 8));
                assertEquals(c[2], EntryDescriptor.valueLengthPlain(segment, 8));
                EntryDescriptor.setValueLengthPlain(segment, 8, 5);
                assertEquals(c[0], EntryDescriptor.tiePlain(segment, 8), "an in-place update keeps the tie");
                assertEquals(c[1], EntryDescriptor.keyLengthPlain(segment, 8));
                assertEquals(5, EntryDescriptor.valueLengthPlain(segment, 8));
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> EntryDescriptor.header(0, EntryDescriptor.MAX_KEY_LENGTH + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> EntryDescriptor.header(EntryDescriptor.MAX_TIE + 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> EntryDescriptor.header(0, 0, -1));
        assertEquals(8, EntryDescriptor.recordBytes(0, 0));
        assertEquals(16, EntryDescriptor.recordBytes(1, 0));
        assertEquals(24, EntryDescriptor.recordBytes(8, 8));
    }
}
