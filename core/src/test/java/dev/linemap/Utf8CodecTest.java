package dev.linemap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8CodecTest {

    private static final Codec<String> UTF8 = Codecs.utf8();

    /** Strings chosen to hit every branch: lengths around 8, every UTF-8 width, surrogates. */
    private static final List<String> SAMPLES = List.of(
            "", "a", "\u0000", "\u007f", "\u0080", "\u00e9", "\u07ff", "\u0800", "\uffff", "\u20ac",
            "1234567", "12345678", "123456789", "abcdefghijklmnop", "abcdefg\u00e9", "\u00e9abcdefghijklmnop",
            "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
            "\ud83d\ude00", "ab\ud83d\ude00cd", "1234567\ud83d\ude00", "\ud800\udc00\udbff\udfff",
            "\ud83d", "\ude00", "\ude00\ud83d", "abc\ud83dxyz", "abcdefg\ud83d", "x\ud83d\ud83d\ude00",
            "\ud83d\ud83d", "\udc00\udc00\ud800",
            // ASCII runs of seven, eight and more between wider chars
            "\u00e9abcdefghijklmnopqrstuvwx\u00e9abcdefghij\u20acxyz", "\u00e9abcdefg\u00e9abcdefgh\u00e9abcdefghi");

    @Test
    void encodesExactlyTheJdkBytesForEverySample() {
        for (String s : SAMPLES) {
            assertSameAsJdk(s);
        }
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarksAndDecodeAsTheJdkDoes() {
        for (String s : List.of("\ud83d", "\ude00", "a\ud83db", "abcdefgh\udfff")) {
            final byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
            final String back = roundTrip(s);
            assertEquals(new String(jdk, StandardCharsets.UTF_8), back, hex(s));
            assertEquals(s.replaceAll("\\p{Cs}", "?"), back, hex(s));
        }
    }

    @Test
    void aLoneSurrogateAndAQuestionMarkHaveTheSameEncodingSoTheyAreOneKey() {
        final String lone = "a\ud800";
        final MemorySegment a = MemorySegment.ofArray(new byte[2]);
        final MemorySegment b = MemorySegment.ofArray(new byte[2]);
        UTF8.encode(lone, a, 0);
        UTF8.encode("a?", b, 0);
        assertEquals(-1, a.mismatch(b));
    }

    @Test
    void supplementaryCharactersRoundTripAsFourBytes() {
        final String s = new StringBuilder().appendCodePoint(0x1F600).appendCodePoint(0x10FFFF)
                .appendCodePoint(0x10000).toString();
        assertEquals(12, UTF8.encodedLength(s));
        assertEquals(s, roundTrip(s));
    }

    @Test
    void randomStringsOfEveryKindMatchTheJdk() {
        final long seed = new SplittableRandom().nextLong();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20_000; round++) {
            final int length = random.nextInt(40);
            final char[] chars = new char[length];
            final int kind = random.nextInt(4);
            for (int i = 0; i < length; i++) {
                chars[i] = switch (kind) {
                    case 0 -> (char) random.nextInt(0x80);                        // ASCII
                    case 1 -> (char) random.nextInt(0x100);                       // Latin-1
                    case 2 -> random.nextInt(8) == 0 ? (char) random.nextInt(0x10000) : (char) random.nextInt(0x80);
                    default -> (char) (0xD7F0 + random.nextInt(0x30));           // surrogates and neighbours
                };
            }
            final String s = new String(chars);
            try {
                assertSameAsJdk(s);
            } catch (AssertionError e) {
                throw new AssertionError("seed=" + seed + " round=" + round + " " + hex(s), e);
            }
        }
    }

    @Test
    void largeStringsEncodeAndDecodeExactly() {
        final String ascii = "x".repeat(1 << 20);
        final String mixed = "\u00e9\u20ac\ud83d\ude00a".repeat(100_000);
        for (String s : List.of(ascii, mixed)) {
            assertSameAsJdk(s);
            assertEquals(s, roundTrip(s));
        }
        assertEquals(1 << 20, UTF8.encodedLength(ascii));
        assertEquals((2 + 3 + 4 + 1) * 100_000, UTF8.encodedLength(mixed));
    }

    @Test
    void encodesAtNonZeroOffsetsAndTouchesNoOtherByte() {
        for (String s : SAMPLES) {
            final int length = UTF8.encodedLength(s);
            for (int offset : new int[] {1, 3, 7, 13}) {
                final MemorySegment target = MemorySegment.ofArray(new byte[offset + length + 9]);
                target.fill((byte) 0x5A);
                UTF8.encode(s, target, offset);
                final byte[] all = target.toArray(ValueLayout.JAVA_BYTE);
                for (int i = 0; i < offset; i++) {
                    assertEquals((byte) 0x5A, all[i], "before, at " + i);
                }
                for (int i = offset + length; i < all.length; i++) {
                    assertEquals((byte) 0x5A, all[i], "after, at " + i);
                }
                assertArrayEquals(s.getBytes(StandardCharsets.UTF_8),
                        target.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), hex(s));
                assertEquals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
                        UTF8.decode(target, offset, length));
            }
        }
    }

    @Test
    void encodesIntoHeapSlicesReadOnlyAndLongArraySegmentsWithinTheirBoundsOnly() {
        // An ASCII string into a byte[] segment takes the copy; the others take the loop. Both must
        // write exactly the JDK's bytes where asked, and nothing past the segment's end.
        for (String s : new String[] {"plain ascii key 0123456789", "caf\u00e9 \ud83d\ude00 tail"}) {
            final byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
            final byte[] array = new byte[jdk.length + 20];
            Arrays.fill(array, (byte) 0x5A);
            final MemorySegment slice = MemorySegment.ofArray(array).asSlice(7, jdk.length + 3);
            UTF8.encode(s, slice, 2);
            assertArrayEquals(jdk, Arrays.copyOfRange(array, 9, 9 + jdk.length), hex(s));
            for (int i = 0; i < array.length; i++) {
                if (i < 9 || i >= 9 + jdk.length) {
                    assertEquals((byte) 0x5A, array[i], "outside, at " + i);
                }
            }
            // One byte short of the slice, though the array has room: refused, nothing written.
            Arrays.fill(array, (byte) 0x5A);
            final MemorySegment tooShort = MemorySegment.ofArray(array).asSlice(7, jdk.length - 1);
            assertThrows(IndexOutOfBoundsException.class, () -> UTF8.encode(s, tooShort, 0));
            if (s.chars().allMatch(c -> c < 0x80)) {
                for (int i = 0; i < array.length; i++) {
                    assertEquals((byte) 0x5A, array[i], "a refused copy wrote at " + i);
                }
            }
            final MemorySegment readOnly = MemorySegment.ofArray(new byte[jdk.length]).asReadOnly();
            assertThrows(IllegalArgumentException.class, () -> UTF8.encode(s, readOnly, 0));
            final MemorySegment longs = MemorySegment.ofArray(new long[(jdk.length + 7) / 8]);
            UTF8.encode(s, longs, 0);
            assertArrayEquals(jdk, longs.asSlice(0, jdk.length).toArray(ValueLayout.JAVA_BYTE), hex(s));
        }
    }

    @Test
    void decodesFromNativeReadOnlySlicedAndLongArraySegments() {
        final String s = "caf\u00e9 \ud83d\ude00 plain ascii tail";
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment nativeSeg = arena.allocate(bytes.length + 5);
            MemorySegment.copy(bytes, 0, nativeSeg, ValueLayout.JAVA_BYTE, 5, bytes.length);
            assertEquals(s, UTF8.decode(nativeSeg, 5, bytes.length));
            assertEquals(s, UTF8.decode(nativeSeg.asReadOnly(), 5, bytes.length));
        }
        final MemorySegment heap = MemorySegment.ofArray(new byte[bytes.length + 11]);
        MemorySegment.copy(bytes, 0, heap, ValueLayout.JAVA_BYTE, 11, bytes.length);
        assertEquals(s, UTF8.decode(heap, 11, bytes.length));
        assertEquals(s, UTF8.decode(heap.asSlice(3), 8, bytes.length)); // a slice: address() is 3
        assertEquals(s, UTF8.decode(heap.asReadOnly(), 11, bytes.length));
        final MemorySegment longs = MemorySegment.ofArray(new long[(bytes.length + 7) / 8]);
        MemorySegment.copy(bytes, 0, longs, ValueLayout.JAVA_BYTE, 0, bytes.length);
        assertEquals(s, UTF8.decode(longs, 0, bytes.length));
    }

    @Test
    void decodeReplacesMalformedBytesAsTheJdkDoes() {
        final byte[] bad = {(byte) 0xC3, 'a', (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertEquals(new String(bad, StandardCharsets.UTF_8), UTF8.decode(MemorySegment.ofArray(bad), 0, bad.length));
    }

    @Test
    void decodeOutsideTheSegmentThrowsAndEncodeIntoTooSmallATargetThrows() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[4]);
        assertThrows(IndexOutOfBoundsException.class, () -> UTF8.decode(seg, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> UTF8.decode(seg, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> UTF8.decode(seg, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> UTF8.encode("abcde", seg, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> UTF8.encode("abcdefghij", seg, 0));
    }

    @Test
    void nullIsRejected() {
        final MemorySegment seg = MemorySegment.ofArray(new byte[4]);
        assertThrows(NullPointerException.class, () -> UTF8.encodedLength(null));
        assertThrows(NullPointerException.class, () -> UTF8.encode(null, seg, 0));
        assertThrows(NullPointerException.class, () -> UTF8.encode("a", null, 0));
        assertThrows(NullPointerException.class, () -> UTF8.decode(null, 0, 0));
    }

    @Test
    void isASingletonNamedUtf8() {
        assertSame(UTF8, Codecs.utf8());
        assertEquals("utf8", UTF8.id());
        assertEquals("utf8", UTF8.toString());
        assertEquals(-1, UTF8.fixedLength());
    }

    private static void assertSameAsJdk(String s) {
        final byte[] jdk = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(jdk.length, UTF8.encodedLength(s), () -> "encodedLength of " + hex(s));
        final MemorySegment target = MemorySegment.ofArray(new byte[jdk.length]);
        UTF8.encode(s, target, 0);
        assertArrayEquals(jdk, target.toArray(ValueLayout.JAVA_BYTE), () -> "bytes of " + hex(s));
        assertEquals(new String(jdk, StandardCharsets.UTF_8), UTF8.decode(target, 0, jdk.length),
                () -> "decode of " + hex(s));
    }

    private static String roundTrip(String s) {
        final int length = UTF8.encodedLength(s);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment target = arena.allocate(Math.max(1, length));
            UTF8.encode(s, target, 0);
            return UTF8.decode(target, 0, length);
        }
    }

    private static String hex(String s) {
        final StringBuilder b = new StringBuilder("\"");
        s.chars().limit(24).forEach(c -> b.append(c < 0x80 && c >= 0x20 ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return b.append(s.length() > 24 ? "...\"" : "\"").toString();
    }
}
