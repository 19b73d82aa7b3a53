package dev.linemap.stress.hammer;

/**
 * Maps the hammer's dense key indices to spread 64-bit keys and back, and decides who owns a key.
 *
 * <p>Index {@code i < shared} is a shared key; index {@code shared + j * threads + t} is the
 * {@code j}-th key owned by thread {@code t}. The key is {@code i * ODD} (mod 2^64), a bijection,
 * so keys cover the whole 64-bit range (index 0 is key 0) and are decoded by multiplying with the
 * inverse. Owned values carry a 32-bit tag of their key in the high half, so any thread reading a
 * key it does not own can still tell a value that was never stored under that key.
 */
final class KeySpace {

    private static final long ODD = 0x9E3779B97F4A7C15L;
    private static final long ODD_INVERSE = inverse(ODD);

    final int shared;
    final int threads;
    final int perThread;

    KeySpace(final long keys, final int shared, final int threads) {
        this.shared = shared;
        this.threads = threads;
        this.perThread = (int) ((keys - shared) / threads);
    }

    private static long inverse(final long odd) {
        long x = odd; // Newton: each step doubles the correct low bits
        for (int i = 0; i < 6; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    long sharedKey(final int s) {
        return s * ODD;
    }

    long ownedKey(final int thread, final int local) {
        return ((long) shared + (long) local * threads + thread) * ODD;
    }

    /** @return the dense index of a key, or -1 if it is outside the key space */
    long indexOf(final long key) {
        final long index = key * ODD_INVERSE;
        return index >= 0 && index < shared + (long) perThread * threads ? index : -1;
    }

    static int tag(final long key) {
        long z = key ^ (key >>> 33);
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        return (int) z;
    }

    /** @return whether {@code value} could have been stored by an owner under {@code key} */
    static boolean tagged(final long key, final long value) {
        return (int) (value >>> 32) == tag(key);
    }

    static long taggedValue(final long key, final int low) {
        return ((long) tag(key) << 32) | (low & 0xFFFF_FFFFL);
    }
}
