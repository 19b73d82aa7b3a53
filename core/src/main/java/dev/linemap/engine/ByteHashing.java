package dev.linemap.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hash function of byte-sequence keys: wyhash (final version 4, Wang Yi's public-domain
 * design) over a {@link MemorySegment}, seeded by the table's 64-bit seed.
 *
 * <p>Why wyhash: it reads 8 bytes per load, mixes with one 64x64 -> 128-bit multiply per 16 bytes
 * ({@link Math#unsignedMultiplyHigh}, one {@code mulx} on x86), passes SMHasher, and a seed the
 * attacker does not know makes crafted collisions (the {@code "Aa"}/{@code "BB"} blocks that
 * collide under {@code String.hashCode}) no better than random keys ({@code ByteHashingTest}).
 * Words are read little-endian and unaligned ({@link #WORD}, {@link #HALF}), so the hash of a key
 * does not depend on where its bytes live or on the platform's byte order.
 *
 * <p>With the test switch of {@link Hashing} ({@code linemap.test.hash=collide}) the result keeps
 * only a few low bits, as for {@code long} keys.
 *
 * <p>Thread safety: stateless; any thread. Allocates nothing.
 */
public final class ByteHashing {

    private static final long P0 = 0xa0761d6478bd642fL;
    private static final long P1 = 0xe7037ed1a0b428dbL;
    private static final long P2 = 0x8ebc6af09c88c6e3L;
    private static final long P3 = 0x589965cc75374cc3L;

    /** An unaligned little-endian 8-byte word. */
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** An unaligned little-endian 4-byte word. */
    private static final ValueLayout.OfInt HALF = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ByteHashing() {
    }

    /**
     * Returns the 64-bit hash of {@code length} bytes of {@code segment} at {@code offset}.
     *
     * @param segment holds the bytes
     * @param offset byte offset of the first byte
     * @param length number of bytes, {@code >= 0}
     * @param seed the table's seed
     * @return the hash; bucket = hash &amp; mask
     */
    public static long hash(final MemorySegment segment, final long offset, final long length, final long seed) {
        long s = seed ^ mix(seed ^ P0, P1);
        long a;
        long b;
        if (length <= 16) {
            if (length >= 4) {
                // Two overlapping pairs of 4-byte words cover every byte of 4..16.
                final long quarter = (length >>> 3) << 2;
                a = half(segment, offset) << 32 | half(segment, offset + quarter);
                b = half(segment, offset + length - 4) << 32 | half(segment, offset + length - 4 - quarter);
            } else if (length > 0) {
                a = (segment.get(ValueLayout.JAVA_BYTE, offset) & 0xffL) << 16
                        | (segment.get(ValueLayout.JAVA_BYTE, offset + (length >>> 1)) & 0xffL) << 8
                        | segment.get(ValueLayout.JAVA_BYTE, offset + length - 1) & 0xffL;
                b = 0;
            } else {
                a = 0;
                b = 0;
            }
        } else {
            long p = offset;
            long i = length;
            if (i > 48) {
                long see1 = s;
                long see2 = s;
                do {
                    s = mix(word(segment, p) ^ P1, word(segment, p + 8) ^ s);
                    see1 = mix(word(segment, p + 16) ^ P2, word(segment, p + 24) ^ see1);
                    see2 = mix(word(segment, p + 32) ^ P3, word(segment, p + 40) ^ see2);
                    p += 48;
                    i -= 48;
                } while (i > 48);
                s ^= see1 ^ see2;
            }
            while (i > 16) {
                s = mix(word(segment, p) ^ P1, word(segment, p + 8) ^ s);
                p += 16;
                i -= 16;
            }
            // The last 16 bytes, overlapping what came before if the length is not a multiple of 16.
            final long end = offset + length;
            a = word(segment, end - 16);
            b = word(segment, end - 8);
        }
        a ^= P1;
        b ^= s;
        final long lo = a * b;
        final long hi = Math.unsignedMultiplyHigh(a, b);
        return Hashing.testMask(mix(lo ^ P0 ^ length, hi ^ P1));
    }

    /** wyhash's mixer: the two halves of the 128-bit product, folded. */
    private static long mix(final long a, final long b) {
        return a * b ^ Math.unsignedMultiplyHigh(a, b);
    }

    private static long word(final MemorySegment segment, final long offset) {
        return segment.get(WORD, offset);
    }

    private static long half(final MemorySegment segment, final long offset) {
        return segment.get(HALF, offset) & 0xffffffffL;
    }
}
