package dev.linemap.engine;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The hash function of {@code long} keys: a per-table 64-bit seed mixed into MurmurHash3's 64-bit
 * finaliser.
 *
 * <p>The finaliser is a bijection on 64-bit values, so two different {@code long} keys never share a
 * hash. Keys of other shapes (byte sequences) can, so the engine does not rely on it: iteration
 * handles equal hashes (see {@link IterationCursor}). Low bits pick the bucket; the seed makes the
 * bucket of a key unpredictable to anyone who does not know it.
 *
 * <p>Test switch: with the system property {@code linemap.test.hash=collide} the hash keeps only
 * its low {@value #COLLIDING_BITS} bits, so thousands of keys share each hash value. The stress of
 * equal hashes (iteration ties, long chains) is then testable on {@code long} keys. Read once into
 * a {@code static final}, folded away by the JIT when unset; never set it in production.
 */
public final class Hashing {

    /** Bits a colliding test hash keeps. */
    static final int COLLIDING_BITS = 4;

    private static final boolean COLLIDE = "collide".equals(System.getProperty("linemap.test.hash"));

    private Hashing() {
    }

    /**
     * Returns the 64-bit hash; bucket = hash &amp; mask.
     *
     * @param key the key
     * @param seed the table's seed
     * @return the 64-bit hash; bucket = hash &amp; mask
     */
    public static long hash(final long key, final long seed) {
        long z = key ^ seed;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return testMask(z);
    }

    /**
     * Returns {@code hash} itself, or its low {@value #COLLIDING_BITS} bits under the colliding
     * test hash: every key shape's hash function ends here.
     *
     * @param hash a well-mixed 64-bit hash
     * @return the hash the engine uses
     */
    static long testMask(final long hash) {
        return COLLIDE ? hash & ((1L << COLLIDING_BITS) - 1) : hash;
    }

    /**
     * Returns whether the colliding test hash is in force (for tests that need it).
     *
     * @return whether the colliding test hash is in force (for tests that need it)
     */
    public static boolean colliding() {
        return COLLIDE;
    }

    /**
     * Returns a fresh random seed for a new table lineage.
     *
     * @return a fresh random seed for a new table lineage
     */
    public static long randomSeed() {
        return ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
    }
}
