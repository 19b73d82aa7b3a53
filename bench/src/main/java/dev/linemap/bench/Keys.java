package dev.linemap.bench;

import java.util.SplittableRandom;

/**
 * Seeded key sets shared by every benchmark and harness, so that all maps see the same keys.
 *
 * <p>Keys are uniformly random 64-bit values: two random keys collide with probability n²/2⁶⁵, which
 * for 16M keys is below 10⁻⁵; the harnesses count what they actually stored rather than trusting it.
 */
public final class Keys {
    /** Seed of the stored keys. */
    public static final long KEY_SEED = 0x5EED_1234_ABCDL;
    /** Seed of the keys that are never stored (misses). */
    public static final long MISS_SEED = 0x0DD5_EED5_9876L;
    /** Seed of the lookup order. */
    public static final long ORDER_SEED = 0x0A0B_0C0D_0E0FL;

    private Keys() {
    }

    /**
     * {@code n} random keys.
     *
     * @param n how many
     * @param seed the seed
     * @return a new array
     */
    public static long[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextLong();
        }
        return keys;
    }

    /**
     * A shuffled copy: lookups must not follow insertion order, or on-heap maps whose nodes were
     * allocated in that order would read their nodes sequentially and look faster than they are.
     *
     * @param keys the keys
     * @param seed the shuffle seed
     * @return a new array with the same keys in random order
     */
    public static long[] shuffled(long[] keys, long seed) {
        long[] out = keys.clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = out.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /**
     * The value stored for the key at insertion index {@code i}: never 0, so 0 can mean "absent".
     *
     * @param i insertion index
     * @return a non-zero value
     */
    public static long valueFor(long i) {
        return i + 1;
    }
}
