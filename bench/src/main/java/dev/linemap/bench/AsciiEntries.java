package dev.linemap.bench;

import java.util.SplittableRandom;

/**
 * The variable-length entries of the {@code LineMap} benchmarks (issue 12's data), as one seeded
 * stream: entry {@code i} is a key {@code Integer.toString(i, 36) + "/"} padded with random
 * printable ASCII to a length uniform in 16..64, then a value of random printable ASCII, 16..256
 * long. Every benchmark and harness that draws from the same seed sees the same entries, whether it
 * keeps them ({@code jmh.LineMapOps}, {@code jmh.PersistedOps}) or regenerates them on the fly
 * ({@code harness.LineMapFootprint}, {@code harness.PersistReopen}). Not thread-safe: one stream per
 * thread.
 */
public final class AsciiEntries {
    private final SplittableRandom random;
    private int index;

    /**
     * A stream that starts at entry 0.
     *
     * @param seed the seed of the keys and values
     */
    public AsciiEntries(final long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * The key of the next entry; call {@link #nextValue()} before the next key.
     *
     * @return the key
     */
    public String nextKey() {
        return ascii(random, Integer.toString(index++, 36) + '/', 16 + random.nextInt(49));
    }

    /**
     * The value of the entry whose key {@link #nextKey()} returned last.
     *
     * @return the value
     */
    public String nextValue() {
        return ascii(random, "", 16 + random.nextInt(241));
    }

    /**
     * {@code head} padded with random printable ASCII ({@code '!'..'~'}) to {@code length} chars.
     *
     * @param random the source of the padding
     * @param head the start of the string
     * @param length the length of the result (not shorter than {@code head})
     * @return the string
     */
    public static String ascii(final SplittableRandom random, final String head, final int length) {
        final StringBuilder b = new StringBuilder(length).append(head);
        while (b.length() < length) {
            b.append((char) ('!' + random.nextInt(94)));
        }
        return b.toString();
    }
}
