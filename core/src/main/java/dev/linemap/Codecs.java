package dev.linemap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The codecs linemap ships: stateless singletons, safe to share between maps and threads.
 *
 * <table class="striped">
 * <caption>What each codec writes</caption>
 * <thead><tr><th>factory</th><th>type</th><th>id</th><th>bytes</th><th>fixed length</th></tr></thead>
 * <tbody>
 * <tr><td>{@link #utf8()}</td><td>{@code String}</td><td>{@code utf8}</td>
 *     <td>exactly {@code value.getBytes(UTF_8)}</td><td>no</td></tr>
 * <tr><td>{@link #bytes()}</td><td>{@code byte[]}</td><td>{@code bytes}</td>
 *     <td>the array's bytes</td><td>no</td></tr>
 * <tr><td>{@link #int64()}</td><td>{@code Long}</td><td>{@code int64}</td>
 *     <td>the value, little-endian</td><td>8</td></tr>
 * <tr><td>{@link #int32()}</td><td>{@code Integer}</td><td>{@code int32}</td>
 *     <td>the value, little-endian</td><td>4</td></tr>
 * <tr><td>{@link #segment()}</td><td>{@code MemorySegment}</td><td>{@code segment}</td>
 *     <td>the segment's bytes</td><td>no</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Every codec throws {@link NullPointerException} for a null value, and {@code encode} and
 * {@code decode} throw {@link IndexOutOfBoundsException} when the bytes do not fit the segment (the
 * segment's own bounds check; {@code encode} may have written a prefix by then). Each codec's
 * {@code toString()} is its {@link Codec#id() id}. Any thread may call any method.
 */
public final class Codecs {

    /** Little-endian whatever the platform's order: a map's bytes mean the same on every machine. */
    private static final ValueLayout.OfLong LONG_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Codecs() {
    }

    /**
     * Strings as UTF-8: the bytes {@code value.getBytes(StandardCharsets.UTF_8)} would return, with
     * an unpaired surrogate written as {@code '?'} as the JDK writes it (so such a string does not
     * round-trip, exactly as with {@code getBytes}). Since a map compares keys by their bytes,
     * {@code "a"} followed by the lone surrogate U+D800, and {@code "a?"}, are then the same key.
     * Encoding allocates nothing; decoding builds the {@code String} as
     * {@code new String(bytes, UTF_8)} does, malformed input becoming U+FFFD.
     *
     * @return the codec, id {@code "utf8"}
     */
    public static Codec<String> utf8() {
        return Utf8Codec.INSTANCE;
    }

    /**
     * Byte arrays as their bytes. {@code encode} copies the array; {@code decode} returns a new
     * array.
     *
     * @return the codec, id {@code "bytes"}
     */
    public static Codec<byte[]> bytes() {
        return BytesCodec.INSTANCE;
    }

    /**
     * {@code Long} values as 8 bytes, little-endian. {@code decode} throws
     * {@link IllegalArgumentException} for a length other than 8.
     *
     * @return the codec, id {@code "int64"}, fixed length 8
     */
    public static Codec<Long> int64() {
        return Int64Codec.INSTANCE;
    }

    /**
     * {@code Integer} values as 4 bytes, little-endian. {@code decode} throws
     * {@link IllegalArgumentException} for a length other than 4.
     *
     * @return the codec, id {@code "int32"}, fixed length 4
     */
    public static Codec<Integer> int32() {
        return Int32Codec.INSTANCE;
    }

    /**
     * Memory segments as their bytes, for callers who already hold their data in a segment (heap
     * or native). {@code encode} copies {@code value.byteSize()} bytes, which must be at most
     * {@code Integer.MAX_VALUE} ({@link IllegalArgumentException} otherwise); {@code decode}
     * returns a new heap segment holding a copy of the bytes. Note that {@link MemorySegment#equals}
     * does not compare contents: compare with {@link MemorySegment#mismatch}.
     *
     * @return the codec, id {@code "segment"}
     */
    public static Codec<MemorySegment> segment() {
        return SegmentCodec.INSTANCE;
    }

    private static void checkLength(String id, int fixed, int length) {
        if (length != fixed) {
            throw new IllegalArgumentException(id + " decodes exactly " + fixed + " bytes, not length=" + length);
        }
    }

    /** {@link #bytes()}. */
    private static final class BytesCodec implements Codec<byte[]> {
        static final BytesCodec INSTANCE = new BytesCodec();

        @Override
        public int encodedLength(byte[] value) {
            return value.length;
        }

        @Override
        public void encode(byte[] value, MemorySegment target, long offset) {
            MemorySegment.copy(value, 0, target, ValueLayout.JAVA_BYTE, offset, value.length);
        }

        @Override
        public byte[] decode(MemorySegment source, long offset, int length) {
            Objects.checkFromIndexSize(offset, length, source.byteSize());
            final byte[] bytes = new byte[length];
            MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
            return bytes;
        }

        @Override
        public String id() {
            return "bytes";
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** {@link #int64()}. */
    private static final class Int64Codec implements Codec<Long> {
        static final Int64Codec INSTANCE = new Int64Codec();

        @Override
        public int encodedLength(Long value) {
            Objects.requireNonNull(value, "value");
            return Long.BYTES;
        }

        @Override
        public void encode(Long value, MemorySegment target, long offset) {
            target.set(LONG_LE, offset, value);
        }

        @Override
        public Long decode(MemorySegment source, long offset, int length) {
            checkLength("int64", Long.BYTES, length);
            return source.get(LONG_LE, offset);
        }

        @Override
        public String id() {
            return "int64";
        }

        @Override
        public int fixedLength() {
            return Long.BYTES;
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** {@link #int32()}. */
    private static final class Int32Codec implements Codec<Integer> {
        static final Int32Codec INSTANCE = new Int32Codec();

        @Override
        public int encodedLength(Integer value) {
            Objects.requireNonNull(value, "value");
            return Integer.BYTES;
        }

        @Override
        public void encode(Integer value, MemorySegment target, long offset) {
            target.set(INT_LE, offset, value);
        }

        @Override
        public Integer decode(MemorySegment source, long offset, int length) {
            checkLength("int32", Integer.BYTES, length);
            return source.get(INT_LE, offset);
        }

        @Override
        public String id() {
            return "int32";
        }

        @Override
        public int fixedLength() {
            return Integer.BYTES;
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** {@link #segment()}. */
    private static final class SegmentCodec implements Codec<MemorySegment> {
        static final SegmentCodec INSTANCE = new SegmentCodec();

        @Override
        public int encodedLength(MemorySegment value) {
            final long size = value.byteSize();
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("segment: byteSize=" + size + " exceeds Integer.MAX_VALUE");
            }
            return (int) size;
        }

        @Override
        public void encode(MemorySegment value, MemorySegment target, long offset) {
            MemorySegment.copy(value, 0, target, offset, encodedLength(value));
        }

        @Override
        public MemorySegment decode(MemorySegment source, long offset, int length) {
            Objects.checkFromIndexSize(offset, length, source.byteSize());
            final MemorySegment copy = MemorySegment.ofArray(new byte[length]);
            MemorySegment.copy(source, offset, copy, 0, length);
            return copy;
        }

        @Override
        public String id() {
            return "segment";
        }

        @Override
        public String toString() {
            return id();
        }
    }
}
