package dev.linemap;

import dev.linemap.engine.EntryRemapper;
import dev.linemap.engine.IterationCursor;
import dev.linemap.engine.LongLongStore;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The boxed {@link ConcurrentMap} view of a {@link LongLongMap} ({@link LongLongMap#asConcurrentMap()}).
 *
 * <p>Every single-key method maps onto one atomic primitive operation (compute and merge run their
 * function under the bucket's lock, so they are atomic too, unlike the {@code ConcurrentMap}
 * defaults). Absence is {@code null}, never the primitive map's missing value. Null keys and values
 * are rejected with {@link NullPointerException}, as in {@code ConcurrentHashMap}. Iterators are
 * weakly consistent (see {@link LongLongMap}) and support {@code remove}; {@code Entry.setValue}
 * writes through. Threading: as the backing map.
 */
final class ConcurrentMapView extends AbstractMap<Long, Long> implements ConcurrentMap<Long, Long> {

    private final LongLongMap map;

    ConcurrentMapView(final LongLongMap map) {
        this.map = map;
    }

    private static long key(final Object key) {
        return (Long) Objects.requireNonNull(key, "key");
    }

    private static long value(final Long value) {
        return Objects.requireNonNull(value, "value");
    }

    private Long previous(final long[] out) {
        return out[0] != 0 ? out[1] : null;
    }

    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, map.size());
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public boolean containsKey(final Object key) {
        Objects.requireNonNull(key, "key");
        return key instanceof Long k && map.containsKey(k);
    }

    @Override
    public boolean containsValue(final Object value) {
        Objects.requireNonNull(value, "value");
        if (!(value instanceof Long v)) {
            return false;
        }
        final IterationCursor cursor = IterationCursor.over(map);
        while (cursor.advance()) {
            if (cursor.value == v) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Long get(final Object key) {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof Long k)) {
            return null;
        }
        final long[] value = new long[1];
        return map.readEntry(k, value) ? value[0] : null;
    }

    @Override
    public Long getOrDefault(final Object key, final Long defaultValue) {
        final Long value = get(key);
        return value != null ? value : defaultValue;
    }

    @Override
    public Long put(final Long key, final Long value) {
        final long[] out = new long[2];
        LongLongStore.update(map, map.missingValue, LongLongStore.PUT, key(key), value(value), 0, null, null, out);
        return previous(out);
    }

    @Override
    public Long putIfAbsent(final Long key, final Long value) {
        final long[] out = new long[2];
        LongLongStore.update(map, map.missingValue, LongLongStore.PUT_IF_ABSENT,
                key(key), value(value), 0, null, null, out);
        return previous(out);
    }

    @Override
    public Long remove(final Object key) {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof Long k)) {
            return null;
        }
        final long[] out = new long[2];
        LongLongStore.update(map, map.missingValue, LongLongStore.REMOVE, k, 0, 0, null, null, out);
        return previous(out);
    }

    @Override
    public boolean remove(final Object key, final Object value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            return false;
        }
        return key instanceof Long k && value instanceof Long v && map.remove(k, v);
    }

    @Override
    public boolean replace(final Long key, final Long oldValue, final Long newValue) {
        return map.replace(key(key), value(oldValue), value(newValue));
    }

    @Override
    public Long replace(final Long key, final Long value) {
        final long[] out = new long[2];
        LongLongStore.update(map, map.missingValue, LongLongStore.REPLACE, key(key), value(value), 0, null, null, out);
        return previous(out);
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Long compute(final Long key, final BiFunction<? super Long, ? super Long, ? extends Long> remapping) {
        Objects.requireNonNull(remapping, "remappingFunction");
        final long k = key(key);
        return compute(k, (kk, present, old, result) -> {
            final Long next = remapping.apply(kk, present ? old : null);
            if (next == null) {
                return false;
            }
            result[0] = next;
            return true;
        });
    }

    @Override
    public Long computeIfAbsent(final Long key, final Function<? super Long, ? extends Long> mapping) {
        Objects.requireNonNull(mapping, "mappingFunction");
        final long k = key(key);
        final Long existing = get(key);
        if (existing != null) {
            return existing;   // common case without the lock, as ConcurrentHashMap does
        }
        return compute(k, (kk, present, old, result) -> {
            if (present) {
                result[0] = old;
                return true;
            }
            final Long next = mapping.apply(kk);
            if (next == null) {
                return false;
            }
            result[0] = next;
            return true;
        });
    }

    @Override
    public Long computeIfPresent(final Long key,
                                 final BiFunction<? super Long, ? super Long, ? extends Long> remapping) {
        Objects.requireNonNull(remapping, "remappingFunction");
        final long k = key(key);
        return compute(k, (kk, present, old, result) -> {
            if (!present) {
                return false;
            }
            final Long next = remapping.apply(kk, old);
            if (next == null) {
                return false;
            }
            result[0] = next;
            return true;
        });
    }

    @Override
    public Long merge(final Long key, final Long value,
                      final BiFunction<? super Long, ? super Long, ? extends Long> remapping) {
        Objects.requireNonNull(remapping, "remappingFunction");
        final long k = key(key);
        final long v = value(value);
        return compute(k, (kk, present, old, result) -> {
            if (!present) {
                result[0] = v;
                return true;
            }
            final Long next = remapping.apply(old, v);
            if (next == null) {
                return false;
            }
            result[0] = next;
            return true;
        });
    }

    private Long compute(final long key, final EntryRemapper remapper) {
        final long[] out = new long[3];
        final long[] result = new long[1];
        LongLongStore.update(map, map.missingValue, LongLongStore.COMPUTE, key, 0, 0, null, (k, present, old, r) -> {
            final boolean keep = remapper.remap(k, present, old, r);
            result[0] = r[0];
            return keep;
        }, out);
        return out[2] != 0 ? result[0] : null;
    }

    @Override
    public void forEach(final BiConsumer<? super Long, ? super Long> action) {
        Objects.requireNonNull(action, "action");
        map.forEach(action::accept);
    }

    @Override
    public Set<Entry<Long, Long>> entrySet() {
        return new EntrySet();
    }

    @Override
    public Set<Long> keySet() {
        return new KeySet();
    }

    @Override
    public Collection<Long> values() {
        return new Values();
    }

    /** Weakly consistent iterator over the backing map; {@code remove} removes the last key. */
    private abstract class BaseIterator<T> implements Iterator<T> {
        private final IterationCursor cursor = IterationCursor.over(map);
        private boolean ready;
        private boolean hasLast;
        long lastKey;
        long lastValue;

        @Override
        public boolean hasNext() {
            if (!ready) {
                ready = cursor.advance();
                if (!ready) {
                    return false;
                }
            }
            return true;
        }

        final void step() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            hasLast = true;
            lastKey = cursor.key;
            lastValue = cursor.value;
        }

        @Override
        public void remove() {
            if (!hasLast) {
                throw new IllegalStateException("next() has not been called, or remove() was called already");
            }
            hasLast = false;
            map.remove(lastKey);
        }
    }

    private final class EntrySet extends AbstractSet<Entry<Long, Long>> {
        @Override
        public Iterator<Entry<Long, Long>> iterator() {
            return new BaseIterator<>() {
                @Override
                public Entry<Long, Long> next() {
                    step();
                    return new WriteThroughEntry(lastKey, lastValue);
                }
            };
        }

        @Override
        public int size() {
            return ConcurrentMapView.this.size();
        }

        @Override
        public boolean contains(final Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || !(e.getKey() instanceof Long k)
                    || !(e.getValue() instanceof Long v)) {
                return false;
            }
            final long[] value = new long[1];
            return map.readEntry(k, value) && value[0] == v;
        }

        @Override
        public boolean remove(final Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() instanceof Long k && e.getValue() instanceof Long v
                    && map.remove(k, v);
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    private final class KeySet extends AbstractSet<Long> {
        @Override
        public Iterator<Long> iterator() {
            return new BaseIterator<>() {
                @Override
                public Long next() {
                    step();
                    return lastKey;
                }
            };
        }

        @Override
        public int size() {
            return ConcurrentMapView.this.size();
        }

        @Override
        public boolean contains(final Object o) {
            return ConcurrentMapView.this.containsKey(o);
        }

        @Override
        public boolean remove(final Object o) {
            Objects.requireNonNull(o, "key");
            return o instanceof Long k && ConcurrentMapView.this.remove(k) != null;
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    private final class Values extends AbstractCollection<Long> {
        @Override
        public Iterator<Long> iterator() {
            return new BaseIterator<>() {
                @Override
                public Long next() {
                    step();
                    return lastValue;
                }
            };
        }

        @Override
        public int size() {
            return ConcurrentMapView.this.size();
        }

        @Override
        public boolean contains(final Object o) {
            return ConcurrentMapView.this.containsValue(o);
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    /** An entry whose {@code setValue} writes through to the map, as ConcurrentHashMap's does. */
    private final class WriteThroughEntry extends SimpleEntry<Long, Long> {
        private static final long serialVersionUID = 1L;

        WriteThroughEntry(final long key, final long value) {
            super(key, value);
        }

        @Override
        public Long setValue(final Long value) {
            final Long previous = super.setValue(value(value));
            map.put(getKey(), value);
            return previous;
        }
    }
}
