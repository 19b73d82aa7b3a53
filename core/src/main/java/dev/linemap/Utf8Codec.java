package dev.linemap;

import dev.linemap.engine.HeapBytes;
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
 * <p>{@link #encode} never allocates. An ASCII string going into a heap segment over a
 * {@code byte[]}, or into the object API's per-thread buffers (which it gets as arrays,
 * {@link BufferCodec}), is one check of the chars and one copy; any other string or target is one
 * loop over the chars, one byte store at a time. For a 136-char ASCII string,
 * {@code encodedLength} plus {@code encode} take 67 ns with the copy against 80 ns with the loop
 * ({@code docs/experiments/Utf8EncodeProbe.java}), and against 196 ns in a JVM whose loop also
 * wrote native segments ({@code docs/notes/codecs.md}). Writing eight ASCII chars with one
 * {@code long} store was tried and dropped: no faster for ASCII, twice as slow for text with an
 * accent in every eight chars.
 */
final class Utf8Codec implements BufferCodec<String> {

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
        // heapBase() is empty for a read-only segment, which then fails in the loop as it should.
        if (target.heapBase().orElse(null) instanceof byte[] array && isAscii(value)) {
            Objects.checkFromIndexSize(offset, value.length(), target.byteSize());
            // A heap segment's address is its offset in the array.
            encodeAscii(value, array, Math.toIntExact(target.address() + offset));
            return;
        }
        encodeEach(value, target, offset);
    }

    @Override
    public void encode(final String value, final HeapBytes buffer, final int length) {
        final MemorySegment segment = buffer.segment(length);   // grows the array first
        if (isAscii(value)) {
            encodeAscii(value, buffer.array(), 0);
        } else {
            encodeEach(value, segment, 0);
        }
    }

    /**
     * The deprecated getBytes stores the low byte of each char, which for an ASCII char is its
     * UTF-8 encoding; for a Latin-1 String it is one array copy, and it allocates nothing (unlike
     * getBytes(UTF_8)).
     */
    @SuppressWarnings("deprecation")
    private static void encodeAscii(final String value, final byte[] array, final int offset) {
        value.getBytes(0, value.length(), array, offset);
    }

    /** Any string into any writable segment: one loop over the chars, one byte store at a time. */
    private static void encodeEach(final String value, final MemorySegment target, final long offset) {
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

    /** Whether every char is below 0x80: one OR over the chars, without a branch per char. */
    private static boolean isAscii(final String value) {
        int any = 0;
        for (int i = 0, n = value.length(); i < n; i++) {
            any |= value.charAt(i);
        }
        return any < 0x80;
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
    public String decode(final HeapBytes buffer, final int length) {
        return new String(buffer.array(), 0, length, StandardCharsets.UTF_8);
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
