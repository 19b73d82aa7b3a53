package dev.linemap.bench.maps;

import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map {@code ChronicleMap<Long, Long>}, in-memory (not persisted). Chronicle Map is sized at
 * creation ({@code entries}); it does not grow like the others, so the harnesses create it with the number
 * of entries they will insert.
 */
final class ChronicleLongMap implements BenchMap {
    /** Chronicle Map rejects tiny sizes for its segment math; below this we ask for this many. */
    private static final long MIN_ENTRIES = 1_000;

    private final ChronicleMap<Long, Long> map;

    ChronicleLongMap(long entries) {
        map = ChronicleMap.of(Long.class, Long.class)
                .name("bench")
                .entries(Math.max(MIN_ENTRIES, entries))
                .create();
    }

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
        return map.merge(key, delta, Long::sum);
    }

    @Override
    public long remove(long key) {
        Long v = map.remove(key);
        return v == null ? 0 : v;
    }

    @Override
    public long size() {
        return map.longSize();
    }

    @Override
    public long offHeapBytes() {
        return map.offHeapMemoryUsed();
    }

    @Override
    public void close() {
        map.close();
    }
}
