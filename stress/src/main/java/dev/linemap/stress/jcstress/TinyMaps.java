package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;

/**
 * Maps small enough that every jcstress actor crosses a growth, a shrink or a slot reuse.
 *
 * <p>{@code initialCapacity(0)} starts with one bucket of three slots; the map doubles when
 * {@code size > 2.5 * buckets} and halves when {@code size < buckets * 2.5 / 8}. So with one
 * bucket the third insert starts a growth (1 to 2 buckets) and with two buckets the sixth one
 * does (2 to 4). The fixed seed makes the layout reproducible from run to run.
 */
public final class TinyMaps {

    /** The value every test map returns for "no mapping"; never stored by a test. */
    public static final long MISSING = -1L;

    /** Inserts that keep a fresh map at one bucket (the next insert starts a growth). */
    public static final int BELOW_FIRST_GROWTH = 2;

    /** Inserts that bring a fresh map to two buckets without starting the 2 to 4 growth. */
    public static final int BELOW_SECOND_GROWTH = 5;

    private TinyMaps() {
    }

    /**
     * A new map with one bucket, {@link #MISSING} as missing value and a fixed seed.
     *
     * @return the map; the caller closes it (jcstress tests do in their arbiter)
     */
    public static LongLongMap tiny() {
        return LongLongMap.builder().initialCapacity(0).missingValue(MISSING).seed(42L).build();
    }

    /**
     * A new tiny map holding keys {@code 1..n}, each mapped to {@link #valueOf(long)}.
     *
     * @param n number of keys
     * @return the map
     */
    public static LongLongMap prefilled(final int n) {
        final LongLongMap map = tiny();
        for (long k = 1; k <= n; k++) {
            map.put(k, valueOf(k));
        }
        return map;
    }

    /**
     * The value a test stores for key {@code k}: distinct per key, so a value seen under the
     * wrong key (a torn key/value pair) is recognisable in the outcome.
     *
     * @param k a key
     * @return {@code 100 + k}
     */
    public static long valueOf(final long k) {
        return 100 + k;
    }
}
