package dev.linemap;

import dev.linemap.engine.EntryCopy;
import dev.linemap.engine.IterationCursor;

import java.lang.foreign.MemorySegment;
import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The collection views of a {@link LineMap} and the whole-map operations built on iteration
 * ({@code forEach}, {@code containsValue}, {@code equals}, {@code hashCode}, {@code toString}).
 * Every walk is an {@link IterationCursor} that copies each entry's bytes inside the read section
 * that finds it ({@link EntryCopy}); keys and values are decoded from the copies, after the
 * section validated. Weakly consistent, exactly once across growths (see {@link LineMap}).
 */
final class LineMapViews {

    private LineMapViews() {
    }

    /** Calls {@code action} with every entry, decoded. */
    static <K, V> void forEach(final LineMap<K, V> map, final BiConsumer<? super K, ? super V> action) {
        final EntryCopy copy = new EntryCopy();
        final IterationCursor cursor = IterationCursor.over(map, copy);
        while (cursor.advance()) {
            action.accept(key(map, copy), value(map, copy));
        }
    }

    static <K, V> K key(final LineMap<K, V> map, final EntryCopy copy) {
        return LineMap.decode(map.keyCodec, copy.key, copy.key.length());
    }

    static <K, V> V value(final LineMap<K, V> map, final EntryCopy copy) {
        return LineMap.decode(map.valueCodec, copy.value, copy.value.length());
    }

    /** Whether some entry's value bytes equal {@code value}'s. */
    static boolean containsValueBytes(final LineMap<?, ?> map, final MemorySegment value) {
        final EntryCopy copy = new EntryCopy();
        final IterationCursor cursor = IterationCursor.over(map, copy);
        while (cursor.advance()) {
            final int length = copy.value.length();
            if (length == value.byteSize()
                    && MemorySegment.mismatch(copy.value.segment(0), 0, length, value, 0, length) < 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code AbstractMap.equals}, with values compared by encoding when {@code equals} says no. */
    static <K, V> boolean sameMappings(final LineMap<K, V> map, final Map<?, ?> other) {
        if (other.size() != map.size()) {
            return false;
        }
        final EntryCopy copy = new EntryCopy();
        final IterationCursor cursor = IterationCursor.over(map, copy);
        try {
            while (cursor.advance()) {
                final V value = value(map, copy);
                final Object theirs = other.get(key(map, copy));
                if (theirs == null) {
                    return false;
                }
                if (!value.equals(theirs)) {
                    final MemorySegment encoded = map.encodeValue(theirs);
                    final MemorySegment ours = copy.value.segment(0).asSlice(0, copy.value.length());
                    if (ours.mismatch(encoded) >= 0) {
                        return false;
                    }
                }
            }
        } catch (final ClassCastException | NullPointerException e) {
            return false;   // the other map's keys or values are of other types
        }
        return true;
    }

    static int hashCode(final LineMap<?, ?> map) {
        final int[] h = {0};
        map.forEach((k, v) -> h[0] += LineMap.elementHash(k) ^ LineMap.elementHash(v));
        return h[0];
    }

    static String toString(final LineMap<?, ?> map) {
        if (map.isClosed()) {
            return "LineMap[closed]";
        }
        final StringBuilder sb = new StringBuilder("{");
        map.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(text(k)).append('=').append(text(v));
        });
        return sb.append('}').toString();
    }

    private static String text(final Object o) {
        return o instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(o);
    }

    /** The entry an iterator returns: a snapshot; {@code setValue} writes through with {@code put}. */
    static final class Entry<K, V> implements Map.Entry<K, V> {
        private final LineMap<K, V> map;
        private final K key;
        private V value;

        Entry(final LineMap<K, V> map, final K key, final V value) {
            this.map = map;
            this.key = key;
            this.value = value;
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(final V v) {
            Objects.requireNonNull(v, "value");
            final V old = value;
            map.put(key, v);
            value = v;
            return old;
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
        }

        @Override
        public int hashCode() {
            return LineMap.elementHash(key) ^ LineMap.elementHash(value);
        }

        @Override
        public String toString() {
            return text(key) + "=" + text(value);
        }
    }

    /** Iterates entries; {@code remove} removes the last key returned. */
    private abstract static class Walk<K, V, T> implements Iterator<T> {
        final LineMap<K, V> map;
        private final EntryCopy copy = new EntryCopy();
        private final IterationCursor cursor;
        private boolean ready;
        private boolean done;
        private K lastKey;

        Walk(final LineMap<K, V> map) {
            this.map = map;
            this.cursor = IterationCursor.over(map, copy);
        }

        @Override
        public boolean hasNext() {
            if (!ready && !done) {
                if (cursor.advance()) {
                    ready = true;
                } else {
                    done = true;
                }
            }
            return ready;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            final K key = key(map, copy);
            lastKey = key;
            return make(key, copy);
        }

        abstract T make(K key, EntryCopy copy);

        @Override
        public void remove() {
            if (lastKey == null) {
                throw new IllegalStateException("next() has not returned an element since the last remove()");
            }
            map.remove(lastKey);
            lastKey = null;
        }
    }

    static final class KeySet<K, V> extends AbstractSet<K> {
        private final LineMap<K, V> map;

        KeySet(final LineMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<K> iterator() {
            return new Walk<K, V, K>(map) {
                @Override
                K make(final K key, final EntryCopy copy) {
                    return key;
                }
            };
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean contains(final Object o) {
            return map.containsKey(o);
        }

        @Override
        public boolean remove(final Object o) {
            return map.remove(o) != null;
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    static final class Values<K, V> extends AbstractCollection<V> {
        private final LineMap<K, V> map;

        Values(final LineMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<V> iterator() {
            return new Walk<K, V, V>(map) {
                @Override
                V make(final K key, final EntryCopy copy) {
                    return value(map, copy);
                }
            };
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean contains(final Object o) {
            return map.containsValue(o);
        }

        @Override
        public void clear() {
            map.clear();
        }
    }

    static final class EntrySet<K, V> extends AbstractSet<Map.Entry<K, V>> {
        private final LineMap<K, V> map;

        EntrySet(final LineMap<K, V> map) {
            this.map = map;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new Walk<K, V, Map.Entry<K, V>>(map) {
                @Override
                Map.Entry<K, V> make(final K key, final EntryCopy copy) {
                    return new Entry<>(map, key, value(map, copy));
                }
            };
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean contains(final Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null && e.getValue() != null
                    && map.containsEntry(e.getKey(), e.getValue());
        }

        @Override
        public boolean remove(final Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null && e.getValue() != null
                    && map.remove(e.getKey(), e.getValue());
        }

        @Override
        public void clear() {
            map.clear();
        }
    }
}
