package dev.linemap;

import dev.linemap.engine.Engine;
import dev.linemap.engine.EngineConfig;
import dev.linemap.engine.EngineStats;
import dev.linemap.engine.EntryFormat;
import dev.linemap.engine.EntryHeap;
import dev.linemap.engine.EntryRemapperBytes;
import dev.linemap.engine.EntryStore;
import dev.linemap.engine.HeapBytes;
import dev.linemap.engine.MemorySource;
import dev.linemap.layout.EntryDescriptor;
import dev.linemap.layout.TableGeometry;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An off-heap, concurrent hash map of any keys and values, stored as the bytes their
 * {@link Codec}s write: the buckets, the key bytes and the value bytes all live in native memory,
 * so a million entries cost the Java heap nothing. Built on the same engine as
 * {@link LongLongMap}: lock-free reads, per-bucket locks for writes, incremental growth and
 * shrink (no operation ever waits for a whole-table rehash), and memory that goes back to the
 * operating system when the map shrinks or closes.
 *
 * <pre>{@code
 * try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
 *     map.put("AAPL", "Apple Inc.");
 *     String name = map.get("AAPL");
 *     map.merge("AAPL", " (NASDAQ)", String::concat);
 * }
 * }</pre>
 *
 * <h2>Keys and values</h2>
 * Two keys are the same key exactly when their encodings are equal bytes; {@code remove(k, v)},
 * {@code replace(k, old, new)} and {@code containsValue} compare values by their encodings too.
 * Lengths from 0 bytes up to {@link #MAX_KEY_BYTES} and {@link #MAX_VALUE_BYTES}; a longer one is
 * rejected with {@link IllegalArgumentException} naming both sizes, and nothing stored changes.
 * Null keys, values and functions are rejected with {@link NullPointerException}. {@code get},
 * {@code put}, {@code putIfAbsent}, {@code replace(k, v)} and {@code remove(k)} encode into
 * per-thread buffers and allocate only the value they return (what the value codec decodes).
 *
 * <h2>Zero-copy and in-place access</h2>
 * {@link #getBytes}, {@link #containsKeyBytes}, {@link #putBytes} and {@link #removeBytes} take
 * the key as its encoded bytes in a {@link MemorySegment} (on or off heap) and allocate nothing.
 * {@link #readValue} reads a value where it is stored; {@link #updateValue} changes it in place
 * under the bucket's lock (fixed-size records: no copy out and back).
 *
 * <h2>Threading contract</h2>
 * Every method may be called by any thread at any time, concurrently. Reads are lock-free and
 * never write shared memory; writes lock only the key's home bucket. Every single-key operation
 * is linearizable; {@code putIfAbsent}, {@code replace}, {@code remove(k, v)}, {@code compute},
 * {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge} are atomic: their functions
 * run under the bucket's lock (keep them short and do not use this map from them). Iteration
 * ({@link #forEach}, the views' iterators) is weakly consistent: every key present for the whole
 * iteration is seen exactly once, even across growths and among keys of equal hash; no key twice;
 * a key removed before the iteration reaches it is not seen. {@link #size()} is exact when no
 * write is in flight. {@link #clear()} is not atomic with respect to concurrent writes.
 * {@link #close()} frees all native memory; afterwards every method throws
 * {@link IllegalStateException} (a call racing the close completes or throws it, never touches
 * freed memory).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
// "exports": the superclass lives in the engine package, which is not exported (see LongLongMap).
@SuppressWarnings("exports")
public final class LineMap<K, V> extends Engine implements ConcurrentMap<K, V>, AutoCloseable {

    /*
     * A thin API over the engine: EntryStore runs every operation (EntryFormat compares keys,
     * EntryHeap holds the records of each table), Engine owns generations, migration, lifecycle and
     * counting, IterationCursor the iteration. This class encodes and decodes through the codecs,
     * checks lengths and documents the contract; LineMapViews holds the collection views.
     */

    /**
     * The longest key, in encoded bytes: 64 KiB. Keys are compared and hashed on every lookup;
     * longer ones belong in the value.
     */
    public static final int MAX_KEY_BYTES = 1 << 16;

    /**
     * The longest value, in encoded bytes: 16 MiB. A record (header, key, value) must fit in one
     * chunk of entry memory ({@code EntryHeap.MAX_CHUNK_BYTES}, 128 MiB); records above 256 KiB get
     * a chunk of their own.
     */
    public static final int MAX_VALUE_BYTES = 1 << 24;

    static {
        if (EntryDescriptor.recordBytes(MAX_KEY_BYTES, MAX_VALUE_BYTES) > EntryHeap.MAX_CHUNK_BYTES) {
            throw new ExceptionInInitializerError("the largest record must fit one entry chunk");
        }
    }

    final Codec<K> keyCodec;
    final Codec<V> valueCodec;

    LineMap(final LineMapBuilder<K, V> builder) {
        super(new EngineConfig("LineMap", EntryFormat.FORMAT, MemorySource.anonymous(false, false),
                builder.initialCapacity, TableGeometry.DENSE_LOAD_PERMILLE, builder.seedSet ? builder.seed : null,
                builder.backgroundMigration, builder.maxOffHeapBytes, builder.migrationListener,
                builder.file, builder.keyCodec.id(), builder.valueCodec.id()));
        this.keyCodec = builder.keyCodec;
        this.valueCodec = builder.valueCodec;
    }

    /**
     * Returns a builder for a map with these codecs; defaults: initial capacity 0, random seed, no
     * memory limit, background migration.
     *
     * @param keyCodec how keys become bytes
     * @param valueCodec how values become bytes
     * @param <K> the key type
     * @param <V> the value type
     * @return the builder
     */
    public static <K, V> LineMapBuilder<K, V> builder(final Codec<K> keyCodec, final Codec<V> valueCodec) {
        return new LineMapBuilder<>(keyCodec, valueCodec);
    }

    // ============================================================================ encoding

    /** The key's encoding in a fresh heap segment; checks null and length. */
    @SuppressWarnings("unchecked")
    MemorySegment encodeKey(final Object key) {
        Objects.requireNonNull(key, "key");
        final K k = (K) key;   // a key of another type: the codec throws ClassCastException
        final int length = keyCodec.encodedLength(k);
        checkKeyLength(length);
        final MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        keyCodec.encode(k, segment, 0);
        return segment;
    }

    /** The value's encoding in a fresh heap segment; checks null and length. */
    @SuppressWarnings("unchecked")
    MemorySegment encodeValue(final Object value) {
        Objects.requireNonNull(value, "value");
        final V v = (V) value;
        final int length = valueCodec.encodedLength(v);
        checkValueLength(length);
        final MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        valueCodec.encode(v, segment, 0);
        return segment;
    }

    private static void checkKeyLength(final long length) {
        if (length < 0 || length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key of " + length + " bytes: keys must be 0 to " + MAX_KEY_BYTES
                    + " bytes (LineMap.MAX_KEY_BYTES)");
        }
    }

    private static void checkValueLength(final long length) {
        if (length < 0 || length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + length + " bytes: values must be 0 to "
                    + MAX_VALUE_BYTES + " bytes (LineMap.MAX_VALUE_BYTES)");
        }
    }

    // ============================================================================= reading

    /** Encodes a key into a scratch buffer; returns its length. Checks null and length. */
    @SuppressWarnings("unchecked")
    private int encodeKeyInto(final Object key, final Scratch scratch) {
        Objects.requireNonNull(key, "key");
        final K k = (K) key;   // a key of another type: the codec throws ClassCastException
        final int length = keyCodec.encodedLength(k);
        checkKeyLength(length);
        encode(keyCodec, k, scratch, length);
        return length;
    }

    /** Encodes a value into a scratch buffer; returns its length. Checks null and length. */
    @SuppressWarnings("unchecked")
    private int encodeValueInto(final Object value, final Scratch scratch) {
        Objects.requireNonNull(value, "value");
        final V v = (V) value;
        final int length = valueCodec.encodedLength(v);
        checkValueLength(length);
        encode(valueCodec, v, scratch, length);
        return length;
    }

    /** Encodes into a per-thread buffer, as an array where the codec can ({@link BufferCodec}). */
    private static <T> void encode(final Codec<T> codec, final T value, final Scratch buffer, final int length) {
        if (codec instanceof BufferCodec<T> arrays) {
            arrays.encode(value, buffer, length);
        } else {
            codec.encode(value, buffer.segment(length), 0);
        }
    }

    /**
     * Decodes the first {@code length} bytes of a per-thread buffer or an iteration's copy, as an
     * array where the codec can ({@link BufferCodec}).
     */
    static <T> T decode(final Codec<T> codec, final HeapBytes buffer, final int length) {
        return codec instanceof BufferCodec<T> arrays ? arrays.decode(buffer, length)
                : codec.decode(buffer.segment(0), 0, length);
    }

    /**
     * Returns the value of {@code key}, or {@code null}. Allocates the decoded value only: the key
     * is encoded into, and the value copied to, per-thread buffers.
     */
    @Override
    public V get(final Object key) {
        final Scratch keyBytes = Scratch.take(Scratch.KEY);
        final Scratch valueBytes = Scratch.take(Scratch.OLD);
        try {
            final int keyLength = encodeKeyInto(key, keyBytes);
            checkOpen();
            final MemorySegment k = keyBytes.segment(keyLength);
            for (;;) {
                final MemorySegment target = valueBytes.segment(0);
                // Copied only if it fits; only the validated attempt's length counts.
                final long length = EntryStore.read(this, k, 0, keyLength, EntryStore.MODE_COPY, target, 0, null, 0,
                        null);
                if (length < 0) {
                    return null;
                }
                if (length <= valueBytes.capacity()) {
                    return decode(valueCodec, valueBytes, (int) length);
                }
                valueBytes.segment(length);   // grow, read again (the value may have changed meanwhile)
            }
        } finally {
            keyBytes.giveBack();
            valueBytes.giveBack();
        }
    }

    @Override
    public boolean containsKey(final Object key) {
        final Scratch keyBytes = Scratch.take(Scratch.KEY);
        try {
            final int keyLength = encodeKeyInto(key, keyBytes);
            checkOpen();
            return EntryStore.read(this, keyBytes.segment(keyLength), 0, keyLength, EntryStore.MODE_LENGTH, null,
                    0, null, 0, null) >= 0;
        } finally {
            keyBytes.giveBack();
        }
    }

    /**
     * Returns whether some key maps to a value whose encoding equals {@code value}'s. O(size).
     *
     * @param value the value
     * @return whether it is stored
     */
    @Override
    public boolean containsValue(final Object value) {
        final MemorySegment v = encodeValue(value);
        checkOpen();
        return LineMapViews.containsValueBytes(this, v);
    }

    /**
     * Returns whether the key maps to a value whose encoding equals {@code value}'s (one
     * linearizable read).
     */
    boolean containsEntry(final Object key, final Object value) {
        final MemorySegment k = encodeKey(key);
        final MemorySegment v = encodeValue(value);
        checkOpen();
        final byte[][] out = new byte[1][];
        return EntryStore.read(this, k, 0, k.byteSize(), EntryStore.MODE_HEAP, null, 0, null, 0, out) >= 0
                && MemorySegment.ofArray(out[0]).mismatch(v) < 0;
    }

    // ============================================================================= writing

    /**
     * A write that returns the previous value: the key, the new value and the copy of the old one
     * go through this thread's buffers, so that only the decoded old value is allocated.
     */
    private V writeReturningOld(final int op, final Object key, final Object value) {
        final Scratch keyBytes = Scratch.take(Scratch.KEY);
        final Scratch valueBytes = op == EntryStore.REMOVE ? null : Scratch.take(Scratch.VALUE);
        final Scratch old = Scratch.take(Scratch.OLD);
        try {
            final int keyLength = encodeKeyInto(key, keyBytes);
            final int valueLength;
            if (valueBytes == null) {
                valueLength = 0;
            } else {
                // The bucket's miss runs while the value is encoded (its bytes are often cold too).
                EntryStore.touchHome(this, keyBytes.segment(keyLength), 0, keyLength);
                valueLength = encodeValueInto(value, valueBytes);
            }
            checkOpen();
            EntryStore.update(this, op, keyBytes.segment(keyLength), 0, keyLength,
                    valueBytes == null ? null : valueBytes.segment(valueLength), 0, valueLength, null, null, null,
                    old);
            return old.length() < 0 ? null : decode(valueCodec, old, old.length());
        } finally {
            keyBytes.giveBack();
            if (valueBytes != null) {
                valueBytes.giveBack();
            }
            old.giveBack();
        }
    }

    @Override
    public V put(final K key, final V value) {
        return writeReturningOld(EntryStore.PUT, key, value);
    }

    @Override
    public V putIfAbsent(final K key, final V value) {
        return writeReturningOld(EntryStore.PUT_IF_ABSENT, key, value);
    }

    @Override
    public V remove(final Object key) {
        return writeReturningOld(EntryStore.REMOVE, key, null);
    }

    /**
     * Removes the key if its value's encoding equals {@code value}'s. Allocates nothing once this
     * thread's buffers have grown to the sizes used: the key and the expected value are encoded into
     * them.
     *
     * @param key the key
     * @param value the expected value
     * @return whether it was removed
     */
    @Override
    public boolean remove(final Object key, final Object value) {
        return writeIfValue(EntryStore.REMOVE_IF, key, value, null);
    }

    /**
     * Replaces the key's value if its encoding equals {@code oldValue}'s. Allocates nothing once
     * this thread's buffers have grown to the sizes used: the key and both values are encoded into
     * them.
     *
     * @param key the key
     * @param oldValue the expected value
     * @param newValue the new value
     * @return whether it was replaced
     */
    @Override
    public boolean replace(final K key, final V oldValue, final V newValue) {
        return writeIfValue(EntryStore.REPLACE_IF, key, oldValue, newValue);
    }

    /**
     * A conditional write ({@link EntryStore#REMOVE_IF}, {@link EntryStore#REPLACE_IF}): the key,
     * the expected value and the new one (none for a remove) go through this thread's buffers.
     */
    private boolean writeIfValue(final int op, final Object key, final Object expectedValue, final Object newValue) {
        final Scratch keyBytes = Scratch.take(Scratch.KEY);
        final Scratch expected = Scratch.take(Scratch.OLD);
        final Scratch valueBytes = op == EntryStore.REMOVE_IF ? null : Scratch.take(Scratch.VALUE);
        try {
            final int keyLength = encodeKeyInto(key, keyBytes);
            EntryStore.touchHome(this, keyBytes.segment(keyLength), 0, keyLength);
            expected.filled(encodeValueInto(expectedValue, expected));
            final int valueLength = valueBytes == null ? 0 : encodeValueInto(newValue, valueBytes);
            checkOpen();
            return EntryStore.update(this, op, keyBytes.segment(keyLength), 0, keyLength,
                    valueBytes == null ? null : valueBytes.segment(valueLength), 0, valueLength, expected, null,
                    null, null) != 0;
        } finally {
            keyBytes.giveBack();
            expected.giveBack();
            if (valueBytes != null) {
                valueBytes.giveBack();
            }
        }
    }

    @Override
    public V replace(final K key, final V value) {
        return writeReturningOld(EntryStore.REPLACE, key, value);
    }

    @Override
    public void putAll(final Map<? extends K, ? extends V> m) {
        for (final Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            put(e.getKey(), e.getValue());
        }
    }

    /**
     * Atomic under the bucket's lock: the function runs there.
     */
    @Override
    public V compute(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        final Object[] result = new Object[1];
        remap(key, (present, segment, offset, length) -> {
            final V next = remappingFunction.apply(key, present ? valueCodec.decode(segment, offset, length) : null);
            result[0] = next;
            return next == null ? null : encodeValue(next);
        });
        return cast(result[0]);
    }

    /**
     * Atomic under the bucket's lock: the function runs there, only if the key is absent.
     */
    @Override
    public V computeIfAbsent(final K key, final Function<? super K, ? extends V> mappingFunction) {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        final Object[] result = new Object[1];
        remap(key, (present, segment, offset, length) -> {
            if (present) {
                result[0] = valueCodec.decode(segment, offset, length);
                return EntryRemapperBytes.KEEP;
            }
            final V next = mappingFunction.apply(key);
            result[0] = next;
            return next == null ? EntryRemapperBytes.KEEP : encodeValue(next);
        });
        return cast(result[0]);
    }

    /**
     * Atomic under the bucket's lock: the function runs there, only if the key is present.
     */
    @Override
    public V computeIfPresent(final K key, final BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        final Object[] result = new Object[1];
        remap(key, (present, segment, offset, length) -> {
            if (!present) {
                return EntryRemapperBytes.KEEP;
            }
            final V next = remappingFunction.apply(key, valueCodec.decode(segment, offset, length));
            result[0] = next;
            return next == null ? null : encodeValue(next);
        });
        return cast(result[0]);
    }

    /**
     * Atomic under the bucket's lock: the function runs there, only if the key is present.
     */
    @Override
    public V merge(final K key, final V value, final BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        final MemorySegment given = encodeValue(value);
        final Object[] result = new Object[1];
        remap(key, (present, segment, offset, length) -> {
            if (!present) {
                result[0] = value;
                return given;
            }
            final V next = remappingFunction.apply(valueCodec.decode(segment, offset, length), value);
            result[0] = next;
            return next == null ? null : encodeValue(next);
        });
        return cast(result[0]);
    }

    private void remap(final K key, final EntryRemapperBytes remapper) {
        final MemorySegment k = encodeKey(key);
        checkOpen();
        EntryStore.update(this, EntryStore.COMPUTE, k, 0, k.byteSize(), null, 0, 0, null, remapper, null, null);
    }

    @SuppressWarnings("unchecked")
    private V cast(final Object value) {
        return (V) value;
    }

    // ========================================================================== zero-copy

    /**
     * Copies the value of a key given as its encoded bytes into {@code target}, allocating
     * nothing.
     *
     * @param key the key's encoding (the whole segment)
     * @param target receives the value's bytes at offset 0, only if it is large enough
     * @return the value's length (copied only if {@code target.byteSize()} is at least that), or -1
     *         if the key is absent
     */
    public long getBytes(final MemorySegment key, final MemorySegment target) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        return getBytes(key, 0, key.byteSize(), target, 0);
    }

    /**
     * Copies the value of a key given as encoded bytes inside a larger segment into a part of
     * {@code target}, allocating nothing (for buffers wrapped once as segments: no slice per call).
     *
     * @param key holds the key's encoding
     * @param keyOffset offset of the key's bytes in {@code key}
     * @param keyLength the key's length
     * @param target receives the value's bytes at {@code targetOffset}, only if they fit before its end
     * @param targetOffset where the value goes in {@code target}
     * @return the value's length (copied only if it fits), or -1 if the key is absent
     * @throws IndexOutOfBoundsException if a range lies outside its segment
     */
    public long getBytes(final MemorySegment key, final long keyOffset, final long keyLength,
                         final MemorySegment target, final long targetOffset) {
        checkKeyRange(key, keyOffset, keyLength);
        Objects.requireNonNull(target, "target");
        Objects.checkFromIndexSize(targetOffset, 0, target.byteSize());
        checkOpen();
        return EntryStore.read(this, key, keyOffset, keyLength, EntryStore.MODE_COPY, target, targetOffset, null, 0,
                null);
    }

    /**
     * Returns whether a key given as its encoded bytes is mapped, allocating nothing.
     *
     * @param key the key's encoding (the whole segment)
     * @return whether it is mapped
     */
    public boolean containsKeyBytes(final MemorySegment key) {
        Objects.requireNonNull(key, "key");
        return containsKeyBytes(key, 0, key.byteSize());
    }

    /**
     * Returns whether a key given as encoded bytes inside a larger segment is mapped, allocating
     * nothing.
     *
     * @param key holds the key's encoding
     * @param keyOffset offset of the key's bytes
     * @param keyLength the key's length
     * @return whether it is mapped
     * @throws IndexOutOfBoundsException if the range lies outside the segment
     */
    public boolean containsKeyBytes(final MemorySegment key, final long keyOffset, final long keyLength) {
        checkKeyRange(key, keyOffset, keyLength);
        checkOpen();
        return EntryStore.read(this, key, keyOffset, keyLength, EntryStore.MODE_LENGTH, null, 0, null, 0, null) >= 0;
    }

    /**
     * Maps a key to a value, both given as encoded bytes, allocating nothing.
     *
     * @param key the key's encoding (the whole segment)
     * @param value the value's encoding (the whole segment)
     * @return {@code true} if the key was absent
     */
    public boolean putBytes(final MemorySegment key, final MemorySegment value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return putBytes(key, 0, key.byteSize(), value, 0, value.byteSize());
    }

    /**
     * Maps a key to a value, both given as encoded bytes inside larger segments, allocating
     * nothing.
     *
     * @param key holds the key's encoding
     * @param keyOffset offset of the key's bytes
     * @param keyLength the key's length
     * @param value holds the value's encoding
     * @param valueOffset offset of the value's bytes
     * @param valueLength the value's length
     * @return {@code true} if the key was absent
     * @throws IndexOutOfBoundsException if a range lies outside its segment
     */
    public boolean putBytes(final MemorySegment key, final long keyOffset, final long keyLength,
                            final MemorySegment value, final long valueOffset, final long valueLength) {
        checkKeyRange(key, keyOffset, keyLength);
        Objects.requireNonNull(value, "value");
        Objects.checkFromIndexSize(valueOffset, valueLength, value.byteSize());
        checkValueLength(valueLength);
        checkOpen();
        return EntryStore.update(this, EntryStore.PUT, key, keyOffset, keyLength, value, valueOffset, valueLength,
                null, null, null, null) == 0;
    }

    /**
     * Removes a key given as its encoded bytes, allocating nothing.
     *
     * @param key the key's encoding (the whole segment)
     * @return {@code true} if it was present
     */
    public boolean removeBytes(final MemorySegment key) {
        Objects.requireNonNull(key, "key");
        return removeBytes(key, 0, key.byteSize());
    }

    /**
     * Removes a key given as encoded bytes inside a larger segment, allocating nothing.
     *
     * @param key holds the key's encoding
     * @param keyOffset offset of the key's bytes
     * @param keyLength the key's length
     * @return {@code true} if it was present
     * @throws IndexOutOfBoundsException if the range lies outside the segment
     */
    public boolean removeBytes(final MemorySegment key, final long keyOffset, final long keyLength) {
        checkKeyRange(key, keyOffset, keyLength);
        checkOpen();
        return EntryStore.update(this, EntryStore.REMOVE, key, keyOffset, keyLength, null, 0, 0, null, null, null,
                null) != 0;
    }

    private static void checkKeyRange(final MemorySegment key, final long offset, final long length) {
        Objects.requireNonNull(key, "key");
        Objects.checkFromIndexSize(offset, length, key.byteSize());
        checkKeyLength(length);
    }

    /**
     * Reads a value where it is stored, inside its bucket's read section (see {@link ValueReader}
     * for what the reader may and may not do).
     *
     * @param key the key's encoding (the whole segment)
     * @param reader computes the result from the value's bytes
     * @param absent the result for an absent key
     * @return the reader's result, or {@code absent}
     */
    public long readValue(final MemorySegment key, final ValueReader reader, final long absent) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reader, "reader");
        checkKeyLength(key.byteSize());
        checkOpen();
        return EntryStore.read(this, key, 0, key.byteSize(), EntryStore.MODE_READER, null, 0, reader, absent, null);
    }

    /**
     * Updates a value in place under its bucket's lock (see {@link ValueUpdater}); its length
     * cannot change.
     *
     * @param key the key's encoding (the whole segment)
     * @param updater changes the value's bytes
     * @return {@code false} if the key is absent (the updater did not run)
     */
    public boolean updateValue(final MemorySegment key, final ValueUpdater updater) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(updater, "updater");
        checkKeyLength(key.byteSize());
        checkOpen();
        return EntryStore.update(this, EntryStore.UPDATE, key, 0, key.byteSize(), null, 0, 0, null, null, updater,
                null) != 0;
    }

    // ============================================================================ whole map

    /**
     * Returns the number of entries, at most {@link Integer#MAX_VALUE}; exact when no write is in flight.
     *
     * @return the number of entries
     */
    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, entryCount());
    }

    /**
     * Returns the number of entries as a {@code long}; exact when no write is in flight.
     *
     * @return the number of entries
     */
    public long longSize() {
        return entryCount();
    }

    @Override
    public boolean isEmpty() {
        return entryCount() == 0;
    }

    /**
     * Removes every entry: installs a fresh, small table (with a new random seed unless the seed
     * was fixed) and drops the old one with its entry memory. Not atomic with respect to
     * concurrent writes. A migration in progress is abandoned, not finished, so a clear needs no
     * memory but the small table's, even on a map that has reached its {@code maxOffHeapBytes}.
     */
    @Override
    public void clear() {
        clearEntries();
    }

    @Override
    public void forEach(final BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        checkOpen();
        LineMapViews.forEach(this, action);
    }

    @Override
    public Set<K> keySet() {
        checkOpen();
        return new LineMapViews.KeySet<>(this);
    }

    @Override
    public Collection<V> values() {
        checkOpen();
        return new LineMapViews.Values<>(this);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        checkOpen();
        return new LineMapViews.EntrySet<>(this);
    }

    /**
     * Returns a snapshot of shape and memory (see {@link LineMapStats}).
     *
     * @return the snapshot
     */
    public LineMapStats stats() {
        final EngineStats s = engineStats();
        final long[] entries = EntryStore.entryBytes(this);
        return new LineMapStats(s.size(), s.bucketCount(), s.overflowLineCount(), s.offHeapBytes(), entries[0],
                entries[1], s.migrating(), s.completedMigrations());
    }

    /**
     * Frees all native memory. Idempotent. Afterwards every method throws
     * {@link IllegalStateException}. A map kept in a file that has a sync image (a {@link #sync()}
     * made one, now or in an earlier process) is synced first.
     */
    @Override
    public void close() {
        closeEngine();
    }

    /**
     * Makes what the map holds survive a power loss, for a map kept in a file ({@code persistTo}):
     * when it returns, every operation that completed before the call is on storage, and stays
     * there whatever happens to the writes after it (a process crash needs no sync: the file is
     * recovered on the next open either way). It copies the pages changed since the last sync to
     * the file's sync image: writers wait while it reads the file once (readers never wait), then
     * the copy is forced while they run. The first sync writes the whole file to the image. For a
     * map in memory it does nothing.
     *
     * <p>Do not call it from a function passed to {@code compute} or {@code merge}, nor write the
     * map from one while another thread syncs: the sync waits for the function's operation, and
     * gives up after 10 s with {@link IllegalStateException}.
     *
     * @throws IllegalStateException if the map is closed
     * @throws StoreFileException if the sync image cannot be written (the last image stays whole)
     */
    public void sync() {
        syncEngine();
    }

    /**
     * Returns whether {@link #close()} was called.
     *
     * @return whether {@link #close()} was called
     */
    public boolean isClosed() {
        return engineClosed();
    }

    /**
     * Map equality as {@link java.util.AbstractMap} defines it; values that are not equal by
     * {@code equals} (arrays, segments) are compared by their encodings.
     */
    @Override
    public boolean equals(final Object o) {
        return o == this || o instanceof Map<?, ?> other && LineMapViews.sameMappings(this, other);
    }

    /**
     * The sum of the entries' hash codes ({@code key.hashCode() ^ value.hashCode()}; arrays hash by
     * content).
     */
    @Override
    public int hashCode() {
        return LineMapViews.hashCode(this);
    }

    @Override
    public String toString() {
        return LineMapViews.toString(this);
    }

    /** Hash code of an element: arrays by content, like the encodings that make them equal here. */
    static int elementHash(final Object o) {
        return o instanceof byte[] bytes ? Arrays.hashCode(bytes) : o.hashCode();
    }
}
