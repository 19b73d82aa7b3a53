package dev.linemap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Tiny codecs for the engine's own tests (the public ones are in {@code Codecs}). */
final class TestCodecs {

    private TestCodecs() {
    }

    /** UTF-8 strings. */
    static final Codec<String> UTF8 = new Codec<>() {
        @Override
        public int encodedLength(final String value) {
            return value.getBytes(StandardCharsets.UTF_8).length;
        }

        @Override
        public void encode(final String value, final MemorySegment target, final long offset) {
            final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, offset, bytes.length);
        }

        @Override
        public String decode(final MemorySegment source, final long offset, final int length) {
            final byte[] bytes = new byte[length];
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String id() {
            return "test-utf8";
        }
    };

    /** Byte arrays as they are. */
    static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public int encodedLength(final byte[] value) {
            return value.length;
        }

        @Override
        public void encode(final byte[] value, final MemorySegment target, final long offset) {
            MemorySegment.copy(value, 0, target, ValueLayout.JAVA_BYTE, offset, value.length);
        }

        @Override
        public byte[] decode(final MemorySegment source, final long offset, final int length) {
            final byte[] bytes = new byte[length];
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            return bytes;
        }

        @Override
        public String id() {
            return "test-bytes";
        }
    };
}
