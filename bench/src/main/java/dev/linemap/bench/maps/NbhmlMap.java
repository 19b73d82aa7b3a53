package dev.linemap.bench.maps;

import org.jctools.maps.NonBlockingHashMapLong;

/** JCTools {@code NonBlockingHashMapLong<Long>}: primitive keys, boxed values, lock-free incremental copy. */
final class NbhmlMap implements BenchMap {
    private final NonBlockingHashMapLong<Long> map = new NonBlockingHashMapLong<>();

    @Override
    public long get(long key) {
        Long v = map.get(key);
        return v == null ? 0 : v;
    }

    @Override
    public long put(long key, long value) {
        Long v = map.put(key, Long.valueOf(value));
        return v == null ? 0 : v;
    }

    @Override
    public long addAndGet(long key, long delta) {
        // NBHML has no primitive merge: the usual CAS loop on replace/putIfAbsent.
        while (true) {
            Long old = map.get(key);
            if (old == null) {
                Long boxed = delta;
                if (map.putIfAbsent(key, boxed) == null) {
                    return delta;
                }
            } else {
                long next = old + delta;
                if (map.replace(key, old, Long.valueOf(next))) {
                    return next;
                }
            }
        }
    }

    @Override
    public long remove(long key) {
        Long v = map.remove(key);
        return v == null ? 0 : v;
    }

    @Override
    public long size() {
        return map.size();
    }
}
