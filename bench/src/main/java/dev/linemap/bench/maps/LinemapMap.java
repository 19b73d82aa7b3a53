package dev.linemap.bench.maps;

import dev.linemap.LongLongMap;

/**
 * linemap {@code LongLongMap} through its primitive API, missing value 0, grown from capacity 0.
 * {@code -Dbench.linemap.hugePages=true} turns on the huge-page advice (off by default) and
 * {@code -Dbench.linemap.loadPermille=1500} sets the load factor (2.5 by default), and
 * {@code -Dbench.linemap.presized=true} builds it with {@code initialCapacity} of the expected entries
 * instead of growing it from empty, for A/B runs.
 */
final class LinemapMap implements BenchMap {
    private static final boolean HUGE_PAGES = Boolean.getBoolean("bench.linemap.hugePages");
    private static final double LOAD = Integer.getInteger("bench.linemap.loadPermille", 2500) / 1000.0;

    private static final boolean PRESIZED = Boolean.getBoolean("bench.linemap.presized");

    private final LongLongMap map;

    /**
     * Creates the map.
     *
     * @param expectedEntries its initial capacity if {@code bench.linemap.presized} is set
     */
    LinemapMap(final long expectedEntries) {
        map = LongLongMap.builder().initialCapacity(PRESIZED ? expectedEntries : 0).missingValue(0L)
                .hugePages(HUGE_PAGES).loadFactor(LOAD).build();
    }

    /**
     * The engine itself, for harnesses that read {@code stats()}.
     *
     * @return the wrapped map
     */
    LongLongMap unwrap() {
        return map;
    }

    @Override
    public long get(long key) {
        return map.get(key);
    }

    @Override
    public void getAll(long[] keys, long[] values) {
        map.getAll(keys, values);
    }

    @Override
    public long put(long key, long value) {
        return map.put(key, value);
    }

    @Override
    public long addAndGet(long key, long delta) {
        return map.addAndGet(key, delta);
    }

    @Override
    public long remove(long key) {
        return map.remove(key);
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public long offHeapBytes() {
        return map.stats().offHeapBytes();
    }

    @Override
    public long completedGrowths() {
        return map.stats().completedMigrations();
    }

    @Override
    public String detail() {
        return map.stats().toString();
    }

    @Override
    public void close() {
        map.close();
    }
}
