package dev.linemap.bench.maps;

import java.util.concurrent.ConcurrentHashMap;

/** {@code ConcurrentHashMap<Long, Long>}: the default choice, boxed keys and values. */
final class ChmMap implements BenchMap {
    private final ConcurrentHashMap<Long, Long> map = new ConcurrentHashMap<>();

    @Override
    public long get(long key) {
        Long v = map.get(key);
        return v == null ? 0 : v;
    }

    @Override
    public long put(long key, long value) {
        Long v = map.put(key, value);
        return v == null ? 0 : v;
    }

    @Override
    public long addAndGet(long key, long delta) {
        // merge is CHM's atomic read-modify-write; Long::sum is a non-capturing constant.
        return map.merge(key, delta, Long::sum);
    }

    @Override
    public long remove(long key) {
        Long v = map.remove(key);
        return v == null ? 0 : v;
    }

    @Override
    public long size() {
        return map.mappingCount();
    }
}
