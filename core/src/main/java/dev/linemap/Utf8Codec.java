package dev.linemap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * {@link Codecs#utf8()}: a {@code String} as the bytes of {@code value.getBytes(UTF_8)}, without
 * building that array. Unpaired surrogates encode as {@code '?'} (one byte, {@code 0x3F}), as the
 * JDK's encoder replaces them; decoding replaces malformed input with U+FFFD, as
 * {@code new String(bytes, UTF_8)} does.
 *
 * <p>{@link #encode} is one loop over the chars, one byte store at a time, and never allocates.
 * Writing eight ASCII chars with one {@code long} store was tried and dropped: in an interleaved
 * run in one JVM ({@code bench}'s {@code harness.Utf8EncodeAB}) it was no faster for ASCII (64
 * chars: 38.8 against 38.6 ns) and twice as slow for text with an accent in every eight chars. The
 * JDK's {@code getBytes} is faster for ASCII (about 10 ns for 64 chars: a vectorised copy) but
 * allocates the array; see {@code docs/notes/codecs.md}.
 */
final class Utf8Codec implements Codec<String> {

    static final Utf8Codec INSTANCE = new Utf8Codec();

    private Utf8Codec() {
    }

    @Override
    public int encodedLength(String value) {
        Objects.requireNonNull(value, "value");
        final int n = value.length();
        long bytes = n;
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 2; // two chars, four bytes
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            } // an unpaired surrogate: '?', one byte
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("utf8: a String of length=" + n + " encodes to " + bytes
                    + " bytes, more than Integer.MAX_VALUE");
        }
        return (int) bytes;
    }

    @Override
    public void encode(String value, MemorySegment target, long offset) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(target, "target");
        final int n = value.length();
        long pos = offset;
        for (int i = 0; i < n; i++) {
            final char c = value.charAt(i);
            if (c < 0x80) {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) c);
            } else if (c < 0x800) {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0xC0 | (c >> 6)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | (c & 0x3F)));
            } else if (!Character.isSurrogate(c)) {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0xE0 | (c >> 12)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0xF0 | (cp >> 18)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) (0x80 | (cp & 0x3F)));
            } else {
                target.set(ValueLayout.JAVA_BYTE, pos++, (byte) '?');
            }
        }
    }

    @Override
    public String decode(MemorySegment source, long offset, int length) {
        Objects.checkFromIndexSize(offset, length, source.byteSize());
        // A writable heap segment over a byte[] decodes straight from the array (one copy, the
        // String's); anything else is copied out first. heapBase() is empty for read-only segments.
        final Object base = source.heapBase().orElse(null);
        if (base instanceof byte[] array) {
            return new String(array, Math.toIntExact(source.address() + offset), length, StandardCharsets.UTF_8);
        }
        final byte[] bytes = new byte[length];
        MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String id() {
        return "utf8";
    }

    @Override
    public String toString() {
        return id();
    }
}
