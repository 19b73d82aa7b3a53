package dev.linemap.stress.lincheck;

import java.util.HashMap;

/**
 * Sequential specification for {@link MapOperations}: the same operations on a plain
 * {@link HashMap}, with the same missing-value convention. Lincheck checks that every concurrent
 * history of the real map equals some sequential history of this one.
 */
public final class MapSpecification {

    private final HashMap<Long, Long> map = new HashMap<>();

    /** Creates an empty specification map. */
    public MapSpecification() {
    }

    private static long orMissing(final Long v) {
        return v == null ? MapOperations.missingValue : v;
    }

    /**
     * The value of {@code key}.
     *
     * @param key the key
     * @return its value, or the missing value if it is absent
     */
    public long get(final long key) {
        return orMissing(map.get(key));
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the key
     * @return whether it is present
     */
    public boolean containsKey(final long key) {
        return map.containsKey(key);
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or the missing value
     */
    public long put(final long key, final long value) {
        return orMissing(map.put(key, value));
    }

    /**
     * Maps {@code key} to {@code value} if it is absent.
     *
     * @param key the key
     * @param value the new value
     * @return the existing value, or the missing value if it was inserted
     */
    public long putIfAbsent(final long key, final long value) {
        return orMissing(map.putIfAbsent(key, value));
    }

    /**
     * Removes {@code key}.
     *
     * @param key the key
     * @return the removed value, or the missing value
     */
    public long remove(final long key) {
        return orMissing(map.remove(key));
    }

    /**
     * Removes {@code key} if it is mapped to {@code value}.
     *
     * @param key the key
     * @param value the expected value
     * @return whether it was removed
     */
    public boolean removeIfValue(final long key, final long value) {
        return map.remove(key, value);
    }

    /**
     * Replaces the value of {@code key} if it is present.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or the missing value
     */
    public long replace(final long key, final long value) {
        return orMissing(map.replace(key, value));
    }

    /**
     * Replaces the value of {@code key} if it is {@code expected}.
     *
     * @param key the key
     * @param expected the expected value
     * @param value the new value
     * @return whether it was replaced
     */
    public boolean replaceIfValue(final long key, final long expected, final long value) {
        return map.replace(key, expected, value);
    }

    /**
     * Merges {@code value} into {@code key} with {@link Long#sum}.
     *
     * @param key the key
     * @param value the value to merge
     * @return the new value
     */
    public long mergeSum(final long key, final long value) {
        return map.merge(key, value, Long::sum);
    }

    /**
     * Merges {@code value} into {@code key} with {@link MapOperations#shift}, which is not commutative.
     *
     * @param key the key
     * @param value the value to merge
     * @return the new value
     */
    public long mergeShift(final long key, final long value) {
        return map.merge(key, value, MapOperations::shift);
    }

    /**
     * Adds {@code delta} to the value of {@code key} (an absent key counts as 0).
     *
     * @param key the key
     * @param delta the amount to add
     * @return the new value
     */
    public long addAndGet(final long key, final long delta) {
        return map.merge(key, delta, Long::sum);
    }
}
