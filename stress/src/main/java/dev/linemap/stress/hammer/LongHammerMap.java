package dev.linemap.stress.hammer;

import dev.linemap.LongLongConsumer;
import dev.linemap.LongLongMap;
import dev.linemap.MapStats;

/** The hammer's operations on a {@link LongLongMap}, one to one. */
final class LongHammerMap implements HammerMap {

    private final LongLongMap map;

    LongHammerMap(final LongLongMap map) {
        this.map = map;
    }

    @Override
    public String name() {
        return "LongLongMap";
    }

    @Override
    public long missingValue() {
        return map.missingValue();
    }

    @Override
    public long get(final long key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(final long key) {
        return map.containsKey(key);
    }

    @Override
    public long getOrDefault(final long key, final long defaultValue) {
        return map.getOrDefault(key, defaultValue);
    }

    @Override
    public long put(final long key, final long value) {
        return map.put(key, value);
    }

    @Override
    public long putIfAbsent(final long key, final long value) {
        return map.putIfAbsent(key, value);
    }

    @Override
    public long remove(final long key) {
        return map.remove(key);
    }

    @Override
    public boolean remove(final long key, final long expectedValue) {
        return map.remove(key, expectedValue);
    }

    @Override
    public long replace(final long key, final long value) {
        return map.replace(key, value);
    }

    @Override
    public boolean replace(final long key, final long expectedValue, final long newValue) {
        return map.replace(key, expectedValue, newValue);
    }

    @Override
    public long mergeSum(final long key, final long value) {
        return map.merge(key, value, Long::sum);
    }

    @Override
    public long addAndGet(final long key, final long delta) {
        return map.addAndGet(key, delta);
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public void forEach(final LongLongConsumer action) {
        map.forEach(action);
    }

    @Override
    public Shape shape() {
        final MapStats s = map.stats();
        return new Shape(s.size(), s.bucketCount(), s.overflowLineCount(), s.growing(), s.completedMigrations());
    }

    @Override
    public void close() {
        map.close();
    }
}
