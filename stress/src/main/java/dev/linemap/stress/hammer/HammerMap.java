package dev.linemap.stress.hammer;

import dev.linemap.LongLongConsumer;

/**
 * The operations the hammer runs, on {@code long} keys and values, so one model and one checker
 * serve every map shape: {@link LongHammerMap} runs them on a {@code LongLongMap} as they are,
 * {@link LineHammerMap} on a {@code LineMap<String, String>} through an encoding of keys and values
 * as strings of varying length.
 */
interface HammerMap extends AutoCloseable {

    /** A stats snapshot: what the progress lines print. */
    record Shape(long size, long buckets, long overflowLines, boolean growing, long completedMigrations) {
    }

    String name();

    long missingValue();

    long get(long key);

    boolean containsKey(long key);

    long getOrDefault(long key, long defaultValue);

    long put(long key, long value);

    long putIfAbsent(long key, long value);

    long remove(long key);

    boolean remove(long key, long expectedValue);

    long replace(long key, long value);

    boolean replace(long key, long expectedValue, long newValue);

    /** {@code merge(key, value, Long::sum)}: the new value. */
    long mergeSum(long key, long value);

    long addAndGet(long key, long delta);

    long size();

    void clear();

    void forEach(LongLongConsumer action);

    Shape shape();

    @Override
    void close();
}
