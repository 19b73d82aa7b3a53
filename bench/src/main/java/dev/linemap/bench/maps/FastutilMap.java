package dev.linemap.bench.maps;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;

/** fastutil {@code Long2LongOpenHashMap}: single-threaded open addressing, whole-table rehash on growth. */
final class FastutilMap implements BenchMap {
    private final Long2LongOpenHashMap map = new Long2LongOpenHashMap();

    @Override
    public long get(long key) {
        return map.get(key);
    }

    @Override
    public long put(long key, long value) {
        return map.put(key, value);
    }

    @Override
    public long addAndGet(long key, long delta) {
        return map.addTo(key, delta) + delta;
    }

    @Override
    public long remove(long key) {
        return map.remove(key);
    }

    @Override
    public long size() {
        return map.size();
    }
}
