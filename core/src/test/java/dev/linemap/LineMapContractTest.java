package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LineMap} against {@link ConcurrentHashMap} on seeded random histories of every
 * {@code ConcurrentMap} operation: single-key reads and writes, the compute family and merge with
 * functions that sometimes return {@code null}, bulk operations, the views with their iterators'
 * {@code remove} and entries' {@code setValue}, and {@code equals}/{@code hashCode}/{@code toString}
 * in both directions. Every return value (or exception class) must be the reference's. The histories
 * start at {@code initialCapacity(0)} and alternate filling phases (thousands of keys: many growths)
 * with draining phases (shrinks), on {@code LineMap<String, String>} with values of 0 to 300 UTF-8
 * bytes and on {@code LineMap<Long, Long>}. A failure names the seed and the operation.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LineMapContractTest {

    /** What a history needs to know about a key and value type. */
    private record Flavor<K, V>(String name, Supplier<LineMap<K, V>> factory, IntFunction<K> key,
                                Function<SplittableRandom, V> value, BiFunction<K, V, V> remap,
                                Function<K, V> make, BinaryOperator<V> combine) {
    }

    private static int hash(final Object o) {
        return o.hashCode() & 0x7fff_ffff;
    }

    /** Keys of 1 to 60 bytes, some with two-byte characters; the same n always gives the same key. */
    private static String stringKey(final int n) {
        return "k" + n + (n % 5 == 0 ? "\u00e9" : "") + "-".repeat(n % 50);
    }

    private static String stringValue(final SplittableRandom random) {
        final int length = random.nextInt(8) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 20 : 300);
        final StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(random.nextInt(16) == 0 ? '\u00fc' : (char) ('a' + random.nextInt(26)));
        }
        return random.nextInt(20) == 0 ? "same" : b.toString();   // a shared value: containsValue, remove(k, v)
    }

    private static final Flavor<String, String> STRINGS = new Flavor<>("LineMap<String, String>",
            () -> LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0).build(),
            LineMapContractTest::stringKey, LineMapContractTest::stringValue,
            (k, v) -> v == null ? (hash(k) % 3 == 0 ? null : k + "!")
                    : (hash(v) % 5 == 0 ? null : v + "+" + k.length()),
            k -> hash(k) % 4 == 0 ? null : "made " + k,
            (a, b) -> hash(a + b) % 7 == 0 ? null : b + a);

    private static final Flavor<Long, Long> LONGS = new Flavor<>("LineMap<Long, Long>",
            () -> LineMap.builder(Codecs.int64(), Codecs.int64()).initialCapacity(0).build(),
            n -> n * 0x9E37_79B9_7F4A_7C15L, random -> random.nextInt(10) == 0 ? 0L : random.nextLong(100),
            (k, v) -> v == null ? (k % 3 == 0 ? null : k * 2) : (v % 5 == 0 ? null : v + k),
            k -> k % 4 == 0 ? null : k * 3,
            (a, b) -> (a + b) % 7 == 0 ? null : a * 4 + b);

    /** The value an action returns, or the class of what it throws. */
    private static <K, V> Object outcome(final Function<ConcurrentMap<K, V>, Object> action,
                                         final ConcurrentMap<K, V> m) {
        try {
            return action.apply(m);
        } catch (final RuntimeException e) {
            return e.getClass();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void stringHistoriesGiveTheResultsOfConcurrentHashMap(final long seed) {
        history(STRINGS, seed, 12_000);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void longHistoriesGiveTheResultsOfConcurrentHashMap(final long seed) {
        history(LONGS, seed, 12_000);
    }

    private static <K, V> void history(final Flavor<K, V> f, final long seed, final int ops) {
        final SplittableRandom random = new SplittableRandom(seed);
        final ConcurrentMap<K, V> reference = new ConcurrentHashMap<>();
        int maxSize = 0;
        int shrinkSteps = 0;
        try (LineMap<K, V> map = f.factory().get()) {
            for (int i = 0; i < ops; i++) {
                final boolean filling = (i / 3000) % 2 == 0;
                final int keys = filling ? 4000 : 400;
                final K k = f.key().apply(random.nextInt(keys));
                final V v = f.value().apply(random);
                final V w = f.value().apply(random);
                final K other = f.key().apply(keys + random.nextInt(keys));   // for putAll
                final int op = random.nextInt(filling ? 30 : 40);
                final String what = f.name() + ", seed " + seed + ", op " + i + " #" + op + " key " + k
                        + " value " + v;
                final Function<ConcurrentMap<K, V>, Object> action = switch (op) {
                    case 0 -> m -> m.get(k);
                    case 1 -> m -> m.put(k, v);
                    case 2 -> m -> m.putIfAbsent(k, v);
                    case 3 -> m -> m.remove(k);
                    case 4 -> m -> m.remove(k, v);
                    case 5 -> m -> m.replace(k, v);
                    case 6 -> m -> m.replace(k, v, w);
                    case 7 -> m -> m.compute(k, f.remap());
                    case 8 -> m -> m.computeIfAbsent(k, f.make());
                    case 9 -> m -> m.computeIfPresent(k, f.remap());
                    case 10 -> m -> m.merge(k, v, f.combine());
                    case 11 -> m -> m.getOrDefault(k, w);
                    case 12 -> m -> m.containsKey(k);
                    case 13 -> m -> m.containsValue(v);
                    case 14 -> m -> m.size();
                    case 15 -> m -> m.isEmpty();
                    case 16 -> m -> m.replace(k, m.getOrDefault(k, v), w);   // a hit when present
                    case 17 -> m -> m.remove(k, m.getOrDefault(k, v));
                    case 18 -> m -> m.keySet().remove(k);
                    case 19 -> m -> m.keySet().contains(k);
                    case 20 -> m -> m.entrySet().contains(Map.entry(k, m.getOrDefault(k, v)));
                    case 21 -> m -> m.entrySet().remove(Map.entry(k, m.getOrDefault(k, v)));
                    case 22 -> m -> {
                        final Map<K, V> batch = new HashMap<>();
                        batch.put(k, v);
                        batch.put(other, w);
                        m.putAll(batch);
                        return m.size();
                    };
                    default -> filling ? m -> m.put(k, v) : m -> m.remove(k);
                };
                final Object expected = outcome(action, reference);
                final Object actual = outcome(action, map);
                assertEquals(expected, actual, what);
                if (reference.size() < maxSize) {
                    shrinkSteps++;
                }
                maxSize = Math.max(maxSize, reference.size());
                if (i % 1000 == 999) {
                    compareWhole(f, seed, i, reference, map, random);
                }
            }
            compareWhole(f, seed, ops, reference, map, random);
            assertTrue(maxSize > 1000 && shrinkSteps > 1000, f.name() + ", seed " + seed
                    + ": the history should grow the map past 1000 entries and shrink it, max " + maxSize);
        }
    }

    /** Whole-map comparisons, then one pass of iterator removal and setValue on both maps. */
    private static <K, V> void compareWhole(final Flavor<K, V> f, final long seed, final int op,
                                            final ConcurrentMap<K, V> reference, final LineMap<K, V> map,
                                            final SplittableRandom random) {
        final String where = f.name() + ", seed " + seed + ", after op " + op;
        assertEquals(reference, map, where + ": reference.equals(map)");
        assertEquals(map, reference, where + ": map.equals(reference)");
        assertEquals(reference.hashCode(), map.hashCode(), where + ": hashCode");
        assertEquals(reference.keySet(), map.keySet(), where + ": keySet");
        assertEquals(reference.entrySet(), map.entrySet(), where + ": entrySet");
        assertEquals(reference.keySet().hashCode(), map.keySet().hashCode(), where + ": keySet hashCode");
        assertEquals(sorted(reference.values()), sorted(map.values()), where + ": values");
        assertEquals(tokens(reference.toString()), tokens(map.toString()), where + ": toString entries");
        final String s = map.toString();
        assertTrue(s.startsWith("{") && s.endsWith("}"), where + ": toString shape");
        final Map<K, V> forEach = new HashMap<>();
        map.forEach((k, v) -> assertEquals(null, forEach.put(k, v), where + ": forEach repeated " + k));
        assertEquals(reference, forEach, where + ": forEach");
        // Iterator removal through each view, with the same choice on both maps (by key, not by order).
        final int modulus = 5 + random.nextInt(10);
        final int which = random.nextInt(3);
        final int removedFromReference = removeThroughIterator(reference, which, modulus);
        final int removedFromMap = removeThroughIterator(map, which, modulus);
        assertEquals(removedFromReference, removedFromMap, where + ": removed through iterator view #" + which);
        assertEquals(reference, map, where + ": after iterator removal through view #" + which);
        // setValue through the entry iterator for some keys.
        final List<Object> oldReference = setValues(reference, f, modulus);
        final List<Object> oldMap = setValues(map, f, modulus);
        assertEquals(sorted(oldReference), sorted(oldMap), where + ": setValue's returned values");
        assertEquals(reference, map, where + ": after setValue");
        assertEquals(reference.size(), map.size(), where + ": size");
    }

    private static <K, V> int removeThroughIterator(final Map<K, V> m, final int which, final int modulus) {
        final Iterator<?> it = switch (which) {
            case 0 -> m.keySet().iterator();
            case 1 -> m.values().iterator();
            default -> m.entrySet().iterator();
        };
        int removed = 0;
        while (it.hasNext()) {
            final Object x = it.next();
            final Object key = x instanceof Map.Entry<?, ?> e ? e.getKey() : x;
            if (hash(key) % modulus == 0 || (which == 1 && hash(x) % (modulus * 3) == 0)) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    private static <K, V> List<Object> setValues(final Map<K, V> m, final Flavor<K, V> f, final int modulus) {
        final List<Object> old = new ArrayList<>();
        for (final Map.Entry<K, V> e : m.entrySet()) {
            if (hash(e.getKey()) % modulus == 1) {
                final V replacement = f.make().apply(e.getKey());
                if (replacement != null) {
                    old.add(e.setValue(replacement));
                }
            }
        }
        return old;
    }

    private static List<String> sorted(final Iterable<?> values) {
        final List<String> list = new ArrayList<>();
        values.forEach(v -> list.add(String.valueOf(v)));
        list.sort(null);
        return list;
    }

    private static TreeSet<String> tokens(final String s) {
        return new TreeSet<>(Arrays.asList(s.substring(1, s.length() - 1).split(", ")));
    }

    @Test
    void functionsThatReturnNullRemoveOrInsertNothingExactlyAsInConcurrentHashMap() {
        final ConcurrentMap<String, String> reference = new ConcurrentHashMap<>();
        try (LineMap<String, String> map = STRINGS.factory().get()) {
            for (final ConcurrentMap<String, String> m : List.of(reference, map)) {
                m.put("a", "1");
                m.put("b", "2");
                assertEquals(null, m.compute("a", (k, v) -> null));
                assertEquals(null, m.compute("x", (k, v) -> null));
                assertEquals(null, m.computeIfPresent("b", (k, v) -> null));
                assertEquals(null, m.computeIfAbsent("y", k -> null));
                m.put("c", "3");
                assertEquals(null, m.merge("c", "4", (a, b) -> null));
                assertEquals("5", m.merge("z", "5", (a, b) -> null), "absent: the given value, no call");
            }
            assertEquals(reference, map);
            assertEquals(Map.of("z", "5"), new HashMap<>(map));
        }
    }
}
