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

    /** @param key key @return value or missing */
    public long get(final long key) {
        return orMissing(map.get(key));
    }

    /** @param key key @return whether present */
    public boolean containsKey(final long key) {
        return map.containsKey(key);
    }

    /** @param key key @param value value @return previous or missing */
    public long put(final long key, final long value) {
        return orMissing(map.put(key, value));
    }

    /** @param key key @param value value @return existing or missing */
    public long putIfAbsent(final long key, final long value) {
        return orMissing(map.putIfAbsent(key, value));
    }

    /** @param key key @return previous or missing */
    public long remove(final long key) {
        return orMissing(map.remove(key));
    }

    /** @param key key @param value expected @return whether removed */
    public boolean removeIfValue(final long key, final long value) {
        return map.remove(key, value);
    }

    /** @param key key @param value new value @return previous or missing */
    public long replace(final long key, final long value) {
        return orMissing(map.replace(key, value));
    }

    /** @param key key @param expected expected @param value new value @return whether replaced */
    public boolean replaceIfValue(final long key, final long expected, final long value) {
        return map.replace(key, expected, value);
    }

    /** @param key key @param value value @return new value */
    public long mergeSum(final long key, final long value) {
        return map.merge(key, value, Long::sum);
    }

    /** @param key key @param value value @return new value */
    public long mergeShift(final long key, final long value) {
        return map.merge(key, value, MapOperations::shift);
    }

    /** @param key key @param delta delta @return new value */
    public long addAndGet(final long key, final long delta) {
        return map.merge(key, delta, Long::sum);
    }
}
