package dev.linemap;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The hash function: a per-table 64-bit seed mixed into MurmurHash3's 64-bit finaliser.
 *
 * <p>The finaliser is a bijection on 64-bit values, so two different keys never share a hash: the
 * iteration order (by reversed hash) is a strict total order over the keys of one table. Low bits
 * pick the bucket; the seed makes the bucket of a key unpredictable to anyone who does not know it.
 */
final class Hashing {

    private Hashing() {
    }

    /**
     * @param key the key
     * @param seed the table's seed
     * @return the 64-bit hash; bucket = hash &amp; mask
     */
    static long hash(final long key, final long seed) {
        long z = key ^ seed;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * @return a fresh random seed for a new table lineage
     */
    static long randomSeed() {
        return ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
    }
}
