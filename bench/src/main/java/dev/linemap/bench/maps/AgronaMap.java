package dev.linemap.bench.maps;

import org.agrona.collections.Long2LongHashMap;

/** Agrona {@code Long2LongHashMap}: single-threaded open addressing, whole-table rehash on growth. */
final class AgronaMap implements BenchMap {
    private final Long2LongHashMap map = new Long2LongHashMap(0L);

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
        return map.merge(key, delta, Long::sum);
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
