package dev.linemap.engine;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class ByteHashingTest {

    private static long hash(final byte[] bytes, final long seed) {
        return ByteHashing.hash(MemorySegment.ofArray(bytes), 0, bytes.length, seed);
    }

    @Test
    void sameBytesSameHashWhereverTheyLive() {
        final Random random = new Random(7);
        for (int length = 0; length < 200; length++) {
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            final byte[] shifted = new byte[length + 5];
            System.arraycopy(bytes, 0, shifted, 3, length);
            assertEquals(hash(bytes, 42), ByteHashing.hash(MemorySegment.ofArray(shifted), 3, length, 42),
                    "length " + length);
        }
    }

    @Test
    void everyFlippedBitFlipsAboutHalfTheOutputBits() {
        assumeFalse(Hashing.colliding());
        final long seed = 20261130L;
        final Random random = new Random(seed);
        final int[] lengths = {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 64, 100, 257};
        for (final int length : lengths) {
            long flipped = 0;
            long trials = 0;
            for (int t = 0; t < 20; t++) {
                final byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                final long h = hash(bytes, seed);
                for (int bit = 0; bit < length * 8; bit++) {
                    bytes[bit >>> 3] ^= (byte) (1 << (bit & 7));
                    flipped += Long.bitCount(h ^ hash(bytes, seed));
                    bytes[bit >>> 3] ^= (byte) (1 << (bit & 7));
                    trials++;
                }
            }
            final double mean = (double) flipped / trials;
            assertTrue(mean > 30 && mean < 34, "length " + length + ": mean flipped output bits " + mean
                    + " (seed " + seed + ")");
        }
    }

    @Test
    void lengthAndSeedChangeTheHash() {
        assumeFalse(Hashing.colliding());
        final Set<Long> zeros = new HashSet<>();
        for (int length = 0; length <= 64; length++) {
            assertTrue(zeros.add(hash(new byte[length], 1)), "zero bytes of length " + length + " collide");
        }
        final byte[] key = "order-12345".getBytes(StandardCharsets.UTF_8);
        final Set<Long> seeds = new HashSet<>();
        for (long seed = 0; seed < 1000; seed++) {
            seeds.add(hash(key, seed));
        }
        assertEquals(1000, seeds.size(), "distinct seeds must give distinct hashes");
        assertNotEquals(hash(new byte[] {0}, 5), hash(new byte[] {0, 0}, 5));
    }

    /**
     * The test: keys that all share one {@code String.hashCode} (every combination of
     * "Aa"/"BB" blocks) spread over the buckets like random keys. Measured as probes: the expected
     * number of keys compared by a successful lookup is the sum over buckets of n^2 / 2 divided by
     * the keys; crafted keys may cost at most twice what random keys of the same length cost.
     */
    @Test
    void keysCollidingUnderStringHashCodeCostAtMostTwiceRandomKeys() {
        assumeFalse(Hashing.colliding());
        final int blocks = 14;   // 2^14 = 16384 keys of 28 characters
        final List<String> crafted = new ArrayList<>();
        for (int bits = 0; bits < 1 << blocks; bits++) {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < blocks; i++) {
                sb.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            crafted.add(sb.toString());
        }
        assertEquals(1, crafted.stream().mapToInt(String::hashCode).distinct().count(), "the keys must collide");
        final Random random = new Random(12);
        final List<String> randomKeys = new ArrayList<>();
        for (int i = 0; i < crafted.size(); i++) {
            final StringBuilder sb = new StringBuilder();
            for (int c = 0; c < 2 * blocks; c++) {
                sb.append((char) ('A' + random.nextInt(26)));
            }
            randomKeys.add(sb.toString());
        }
        final int log2 = 13;   // about 2 keys per bucket, the engine's load
        final long seed = random.nextLong();
        final double craftedProbes = probes(crafted, log2, seed);
        final double randomProbes = probes(randomKeys, log2, seed);
        assertTrue(craftedProbes <= 2 * randomProbes, "crafted keys cost " + craftedProbes
                + " probes per lookup, random keys " + randomProbes + " (seed " + seed + ")");
        // And String.hashCode itself would fail this test: every key in one bucket.
        assertTrue(crafted.size() / 2.0 > 2 * randomProbes);
    }

    private static double probes(final List<String> keys, final int log2, final long seed) {
        final int[] counts = new int[1 << log2];
        for (final String key : keys) {
            counts[(int) (hash(key.getBytes(StandardCharsets.UTF_8), seed) & ((1 << log2) - 1))]++;
        }
        double sum = 0;
        for (final int n : counts) {
            sum += n * (n + 1) / 2.0;
        }
        return sum / keys.size();
    }
}
