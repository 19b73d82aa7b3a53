package dev.linemap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boxed view ({@link LongLongMap#asConcurrentMap()}) against the JDK's own maps: every method's
 * result (value or exception type) equals {@link ConcurrentHashMap}'s on the same history, including
 * null and non-{@code Long} arguments; the collection views, their iterators and entries behave as
 * {@code ConcurrentHashMap}'s do; {@code equals}, {@code hashCode} and {@code toString} agree with a
 * {@link HashMap} of the same content.
 */
class ConcurrentMapViewContractTest {

    private LongLongMap map;
    private ConcurrentMap<Long, Long> view;

    @BeforeEach
    void open() {
        map = LongLongMap.builder().missingValue(7L).build();   // 7 is also stored below: absence must stay null
        view = map.asConcurrentMap();
    }

    @AfterEach
    void close() {
        map.close();
    }

    /** The value an action returns, or the class of what it throws. */
    private static Object outcome(final Function<ConcurrentMap<Long, Long>, Object> action,
                                  final ConcurrentMap<Long, Long> m) {
        try {
            return action.apply(m);
        } catch (final RuntimeException e) {
            return e.getClass();
        }
    }

    private void assertSameOutcome(final String what, final ConcurrentMap<Long, Long> reference,
                                   final Function<ConcurrentMap<Long, Long>, Object> action) {
        final Object expected = outcome(action, reference);
        final Object actual = outcome(action, view);
        assertEquals(expected, actual, what);
    }

    // Deterministic functions, some returning null (which removes, or does not insert).
    private static final BiFunction<Long, Long, Long> REMAP = (k, v) -> v == null ? (k % 3 == 0 ? null : k * 2)
            : (v % 5 == 0 ? null : v + k);
    private static final Function<Long, Long> MAKE = k -> k % 4 == 0 ? null : k * 3;
    private static final BiFunction<Long, Long, Long> COMBINE = (a, b) -> (a + b) % 7 == 0 ? null : a + b;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomHistoryGivesTheSameResultsAsConcurrentHashMap(final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final ConcurrentMap<Long, Long> reference = new ConcurrentHashMap<>();
        final long keys = 1 + random.nextInt(200);
        for (int i = 0; i < 4000; i++) {
            final Long k = random.nextLong(keys) - keys / 2;
            final Long v = random.nextInt(4) == 0 ? 7L : random.nextLong(100);   // 7 = the primitive missing value
            final Long w = random.nextLong(100);
            final int op = random.nextInt(19);
            final String what = "seed " + seed + ", op " + i + " #" + op + " key " + k + " value " + v;
            final Function<ConcurrentMap<Long, Long>, Object> action = switch (op) {
                case 0 -> m -> m.get(k);
                case 1 -> m -> m.put(k, v);
                case 2 -> m -> m.putIfAbsent(k, v);
                case 3 -> m -> m.remove(k);
                case 4 -> m -> m.remove(k, v);
                case 5 -> m -> m.replace(k, v);
                case 6 -> m -> m.replace(k, v, w);
                case 7 -> m -> m.compute(k, REMAP);
                case 8 -> m -> m.computeIfAbsent(k, MAKE);
                case 9 -> m -> m.computeIfPresent(k, REMAP);
                case 10 -> m -> m.merge(k, v, COMBINE);
                case 11 -> m -> m.getOrDefault(k, w);
                case 12 -> m -> m.containsKey(k);
                case 13 -> m -> m.containsValue(v);
                case 14 -> m -> m.size();
                case 15 -> m -> m.isEmpty();
                case 16 -> m -> m.replace(k, m.getOrDefault(k, v), w);   // a hit when present
                case 17 -> m -> m.remove(k, m.getOrDefault(k, v));
                default -> m -> m.put(k + keys, v);   // more keys: growth
            };
            assertSameOutcome(what, reference, action);
            if (i % 97 == 0) {
                assertEquals(reference, view, what);
            }
        }
        assertEquals(reference, view, "seed " + seed);
        assertEquals(reference.size(), map.size(), "seed " + seed);
    }

    @Test
    void nullKeysValuesAndFunctionsAreRejectedExactlyAsConcurrentHashMapDoes() {
        final ConcurrentMap<Long, Long> reference = new ConcurrentHashMap<>();
        reference.put(1L, 10L);
        view.put(1L, 10L);
        final Map<String, Function<ConcurrentMap<Long, Long>, Object>> actions = new LinkedHashMap<>();
        actions.put("get(null)", m -> m.get(null));
        actions.put("getOrDefault(null, 1)", m -> m.getOrDefault(null, 1L));
        actions.put("containsKey(null)", m -> m.containsKey(null));
        actions.put("containsValue(null)", m -> m.containsValue(null));
        actions.put("put(null, 1)", m -> m.put(null, 1L));
        actions.put("put(1, null)", m -> m.put(1L, null));
        actions.put("put(2, null)", m -> m.put(2L, null));
        actions.put("putIfAbsent(null, 1)", m -> m.putIfAbsent(null, 1L));
        actions.put("putIfAbsent(2, null)", m -> m.putIfAbsent(2L, null));
        actions.put("remove(null)", m -> m.remove(null));
        actions.put("remove(null, 1)", m -> m.remove(null, 1L));
        actions.put("remove(1, null)", m -> m.remove(1L, null));
        actions.put("replace(null, 1)", m -> m.replace(null, 1L));
        actions.put("replace(1, null)", m -> m.replace(1L, null));
        actions.put("replace(null, 1, 2)", m -> m.replace(null, 1L, 2L));
        actions.put("replace(1, null, 2)", m -> m.replace(1L, null, 2L));
        actions.put("replace(1, 10, null)", m -> m.replace(1L, 10L, null));
        actions.put("compute(null, f)", m -> m.compute(null, REMAP));
        actions.put("compute(1, null)", m -> m.compute(1L, null));
        actions.put("computeIfAbsent(null, f)", m -> m.computeIfAbsent(null, MAKE));
        actions.put("computeIfAbsent(2, null)", m -> m.computeIfAbsent(2L, null));
        actions.put("computeIfPresent(null, f)", m -> m.computeIfPresent(null, REMAP));
        actions.put("computeIfPresent(1, null)", m -> m.computeIfPresent(1L, null));
        actions.put("merge(null, 1, f)", m -> m.merge(null, 1L, COMBINE));
        actions.put("merge(1, null, f)", m -> m.merge(1L, null, COMBINE));
        actions.put("merge(1, 1, null)", m -> m.merge(1L, 1L, null));
        actions.put("forEach(null)", m -> {
            m.forEach(null);
            return "returned";
        });
        actions.put("keySet().contains(null)", m -> m.keySet().contains(null));
        actions.put("keySet().remove(null)", m -> m.keySet().remove(null));
        actions.put("values().contains(null)", m -> m.values().contains(null));
        actions.put("values().remove(null)", m -> m.values().remove(null));
        actions.put("entrySet().contains(null)", m -> m.entrySet().contains(null));
        actions.put("entrySet().remove(null)", m -> m.entrySet().remove(null));
        actions.forEach((what, action) -> assertSameOutcome(what, reference, action));
        assertEquals(reference, view, "nothing was changed by the rejected calls");
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes", "SuspiciousMethodCalls"})
    void keysAndValuesOfOtherTypesAreAbsentAsInConcurrentHashMap() {
        final ConcurrentMap<Long, Long> reference = new ConcurrentHashMap<>();
        reference.put(1L, 10L);
        view.put(1L, 10L);
        final Map<String, Function<ConcurrentMap<Long, Long>, Object>> actions = new LinkedHashMap<>();
        actions.put("get(\"1\")", m -> m.get("1"));
        actions.put("get(Integer 1)", m -> m.get(1));
        actions.put("getOrDefault(Integer 1, 5)", m -> ((Map) m).getOrDefault(1, 5L));
        actions.put("containsKey(Integer 1)", m -> m.containsKey(1));
        actions.put("containsValue(Integer 10)", m -> m.containsValue(10));
        actions.put("remove(Integer 1)", m -> m.remove(1));
        actions.put("remove(Integer 1, 10L)", m -> m.remove(1, 10L));
        actions.put("remove(1L, Integer 10)", m -> m.remove(1L, 10));
        actions.put("keySet().contains(\"1\")", m -> m.keySet().contains("1"));
        actions.put("keySet().remove(Integer 1)", m -> m.keySet().remove(1));
        actions.put("values().contains(Integer 10)", m -> m.values().contains(10));
        actions.put("entrySet().contains((1L, Integer 10))", m -> m.entrySet().contains(Map.entry(1L, 10)));
        actions.put("entrySet().contains((Integer 1, 10L))", m -> m.entrySet().contains(Map.entry(1, 10L)));
        actions.put("entrySet().remove((Integer 1, 10L))", m -> m.entrySet().remove(Map.entry(1, 10L)));
        actions.put("entrySet().contains(\"x\")", m -> m.entrySet().contains("x"));
        actions.forEach((what, action) -> assertSameOutcome(what, reference, action));
        assertEquals(reference, view);
    }

    @Test
    void absenceIsNullNeverThePrimitiveMissingValue() {
        assertNull(view.get(3L));
        assertNull(view.put(3L, 7L), "absent key: put returns null even though 7 is the missing value");
        assertEquals(7L, view.get(3L));
        assertEquals(7L, view.put(3L, 8L));
        assertNull(view.putIfAbsent(4L, 7L));
        assertEquals(7L, view.putIfAbsent(4L, 9L));
        assertEquals(7L, view.remove(4L));
        assertNull(view.remove(4L));
        assertNull(view.replace(4L, 1L), "replace of an absent key");
        assertFalse(view.containsKey(4L), "replace must not insert");
        assertEquals(5L, view.getOrDefault(4L, 5L));
        view.put(5L, 7L);
        assertEquals(7L, view.getOrDefault(5L, 5L), "a stored 7 is a value, not absence");
        assertTrue(view.containsValue(7L));
    }

    @Test
    void computeFamilyRemovesOnNullAndLeavesTheMapUnchangedWhenTheFunctionThrows() {
        view.put(1L, 10L);
        assertNull(view.compute(1L, (k, v) -> null));
        assertFalse(view.containsKey(1L));
        assertNull(view.compute(2L, (k, v) -> null), "absent and null: nothing inserted");
        assertFalse(view.containsKey(2L));
        assertEquals(3L, view.compute(2L, (k, v) -> v == null ? 3L : v + 1));
        assertEquals(4L, view.compute(2L, (k, v) -> v == null ? 3L : v + 1));
        assertNull(view.computeIfPresent(2L, (k, v) -> null));
        assertFalse(view.containsKey(2L));
        assertNull(view.computeIfPresent(2L, (k, v) -> 99L), "absent: function not applied");
        assertFalse(view.containsKey(2L));
        assertNull(view.computeIfAbsent(2L, k -> null));
        assertFalse(view.containsKey(2L));
        assertEquals(6L, view.computeIfAbsent(2L, k -> 6L));
        assertEquals(6L, view.computeIfAbsent(2L, k -> 60L), "present: the existing value");
        assertNull(view.merge(2L, 1L, (a, b) -> null));
        assertFalse(view.containsKey(2L));
        assertEquals(1L, view.merge(2L, 1L, (a, b) -> null), "absent: the value, function not applied");
        view.put(3L, 30L);
        assertThrows(ArithmeticException.class, () -> view.compute(3L, (k, v) -> v / 0));
        assertThrows(ArithmeticException.class, () -> view.merge(3L, 0L, (a, b) -> a / b));
        assertThrows(ArithmeticException.class, () -> view.computeIfAbsent(4L, k -> k / 0));
        assertEquals(30L, view.get(3L));
        assertFalse(view.containsKey(4L));
        assertEquals(31L, view.compute(3L, (k, v) -> v + 1), "the bucket was unlocked after the throw");
        assertEquals(Map.of(2L, 1L, 3L, 31L), view);
    }

    @Test
    void collectionViewsHaveTheMapsSizeAndContents() {
        final Map<Long, Long> reference = fillBoth(300, 11);
        assertEquals(reference.size(), view.keySet().size());
        assertEquals(reference.size(), view.values().size());
        assertEquals(reference.size(), view.entrySet().size());
        for (final Map.Entry<Long, Long> e : reference.entrySet()) {
            assertTrue(view.keySet().contains(e.getKey()), "key " + e.getKey());
            assertTrue(view.values().contains(e.getValue()), "value " + e.getValue());
            assertTrue(view.entrySet().contains(Map.entry(e.getKey(), e.getValue())), "entry " + e);
            assertFalse(view.entrySet().contains(Map.entry(e.getKey(), e.getValue() + 1)),
                    "entry with another value " + e);
        }
        assertFalse(view.keySet().contains(-1L));
        assertEquals(reference.keySet(), Set.copyOf(listOf(view.keySet().iterator())));
        assertEquals(sorted(reference.values()), sorted(listOf(view.values().iterator())));
        final Map<Long, Long> fromEntries = new HashMap<>();
        for (final Map.Entry<Long, Long> e : view.entrySet()) {
            assertNull(fromEntries.put(e.getKey(), e.getValue()), "entry iterator repeated " + e);
        }
        assertEquals(reference, fromEntries);
        final Map<Long, Long> fromForEach = new HashMap<>();
        view.forEach((k, v) -> assertNull(fromForEach.put(k, v), "forEach repeated " + k));
        assertEquals(reference, fromForEach);
    }

    @Test
    void iteratorsFollowTheIteratorContract() {
        fillBoth(20, 12);
        for (final Collection<?> c : List.of(view.keySet(), view.values(), view.entrySet())) {
            final Iterator<?> it = c.iterator();
            assertThrows(IllegalStateException.class, it::remove, "remove before next");
            int n = 0;
            while (it.hasNext()) {
                assertTrue(it.hasNext(), "hasNext is idempotent");
                it.next();
                n++;
            }
            assertEquals(20, n);
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        }
        final Iterator<Long> keys = view.keySet().iterator();
        final Long first = keys.next();
        keys.remove();
        assertFalse(view.containsKey(first), "iterator.remove writes through");
        assertThrows(IllegalStateException.class, keys::remove, "second remove for one next");
        assertEquals(19, view.size());
        final Iterator<Long> values = view.values().iterator();
        values.next();
        values.remove();
        assertEquals(18, view.size(), "values iterator remove");
        final Iterator<Map.Entry<Long, Long>> entries = view.entrySet().iterator();
        final Map.Entry<Long, Long> e = entries.next();
        entries.remove();
        assertFalse(view.containsKey(e.getKey()), "entry iterator remove");
        assertThrows(IllegalStateException.class, entries::remove);
        assertEquals(17, view.size());
    }

    @Test
    void entrySetValueWritesThroughAndReturnsTheOldValue() {
        final Map<Long, Long> reference = fillBoth(50, 13);
        for (final Map.Entry<Long, Long> e : view.entrySet()) {
            final long old = e.getValue();
            assertEquals(old, e.setValue(old * 2 + 1), "setValue returns the previous value");
            assertEquals(old * 2 + 1, e.getValue(), "the entry shows the new value");
            assertEquals(old * 2 + 1, view.get(e.getKey()), "setValue writes through");
            reference.put(e.getKey(), old * 2 + 1);
            assertThrows(NullPointerException.class, () -> e.setValue(null));
        }
        assertEquals(reference, view);
        final Map.Entry<Long, Long> any = view.entrySet().iterator().next();
        assertEquals(Map.entry(any.getKey(), any.getValue()), any, "entries equal the JDK's");
        assertEquals(Map.entry(any.getKey(), any.getValue()).hashCode(), any.hashCode());
        assertEquals(any.getKey() + "=" + any.getValue(), any.toString());
    }

    @Test
    void removalsThroughViewsWriteThrough() {
        final Map<Long, Long> reference = fillBoth(400, 14);
        final Long someKey = reference.keySet().iterator().next();
        assertTrue(view.keySet().remove(someKey));
        assertFalse(view.keySet().remove(someKey));
        reference.remove(someKey);
        final Map.Entry<Long, Long> someEntry = reference.entrySet().iterator().next();
        assertFalse(view.entrySet().remove(Map.entry(someEntry.getKey(), someEntry.getValue() + 1)), "other value");
        assertTrue(view.entrySet().remove(Map.entry(someEntry.getKey(), someEntry.getValue())));
        reference.remove(someEntry.getKey());
        final Long someValue = reference.values().iterator().next();
        assertTrue(view.values().remove(someValue));
        assertTrue(reference.values().remove(someValue));
        assertEquals(reference, view);
        assertTrue(view.keySet().removeIf(k -> k % 3 == 0));
        reference.keySet().removeIf(k -> k % 3 == 0);
        assertTrue(view.values().removeIf(v -> v % 5 == 0));
        reference.values().removeIf(v -> v % 5 == 0);
        assertTrue(view.entrySet().removeIf(e -> (e.getKey() ^ e.getValue()) % 7 == 0));
        reference.entrySet().removeIf(e -> (e.getKey() ^ e.getValue()) % 7 == 0);
        assertEquals(reference, view);
        final List<Long> keep = new ArrayList<>(reference.keySet()).subList(0, reference.size() / 2);
        view.keySet().retainAll(keep);
        reference.keySet().retainAll(keep);
        assertEquals(reference, view);
        view.replaceAll((k, v) -> v + k);
        reference.replaceAll((k, v) -> v + k);
        assertEquals(reference, view);
        assertEquals(reference.size(), map.size());
    }

    @Test
    void clearThroughEveryViewEmptiesTheMap() {
        for (int i = 0; i < 4; i++) {
            fillBoth(1000, 15 + i);
            assertFalse(view.isEmpty());
            switch (i) {
                case 0 -> view.clear();
                case 1 -> view.keySet().clear();
                case 2 -> view.values().clear();
                default -> view.entrySet().clear();
            }
            assertTrue(view.isEmpty(), "clear #" + i);
            assertEquals(0, view.size());
            assertEquals(0, map.size());
            assertFalse(view.keySet().iterator().hasNext(), "clear #" + i);
            assertEquals(Map.of(), view);
        }
    }

    @Test
    void equalsHashCodeAndToStringAgreeWithHashMapInBothDirections() {
        assertEquals(new HashMap<Long, Long>(), view);
        assertEquals(view, new HashMap<Long, Long>());
        assertEquals("{}", view.toString());
        view.put(5L, -6L);
        assertEquals(Map.of(5L, -6L).toString(), view.toString());
        view.remove(5L);
        final Map<Long, Long> reference = fillBoth(5000, 16);   // several growths
        assertEquals(reference, view);
        assertEquals(view, reference);
        assertEquals(reference.hashCode(), view.hashCode());
        assertEquals(reference.keySet(), view.keySet());
        assertEquals(view.keySet(), reference.keySet());
        assertEquals(reference.keySet().hashCode(), view.keySet().hashCode());
        assertEquals(reference.entrySet(), view.entrySet());
        assertEquals(view.entrySet(), reference.entrySet());
        assertEquals(reference.entrySet().hashCode(), view.entrySet().hashCode());
        assertEquals(view, map.asConcurrentMap(), "two views of one map");
        // toString: the same entries (iteration order differs from HashMap's), in the AbstractMap format.
        final String s = view.toString();
        assertTrue(s.startsWith("{") && s.endsWith("}"), s.substring(0, Math.min(40, s.length())));
        assertEquals(tokens(reference.toString()), tokens(s));
        // One difference breaks equality, in both directions.
        final Long k = reference.keySet().iterator().next();
        view.put(k, reference.get(k) + 1);
        assertNotEquals(reference, view);
        assertNotEquals(view, reference);
        view.put(k, reference.get(k));
        view.put(Long.MIN_VALUE, 0L);
        assertNotEquals(reference, view);
        assertNotEquals(view, reference);
        view.remove(Long.MIN_VALUE);
        assertEquals(reference, view);
        final Map<Object, Object> withNullKey = new HashMap<>(reference);
        withNullKey.remove(k);
        withNullKey.put(null, 1L);
        assertNotEquals(view, withNullKey, "a map with a null key is not equal (and equals does not throw)");
        final Map<Object, Object> withStringKey = new HashMap<>(reference);
        withStringKey.remove(k);
        withStringKey.put("x", 1L);
        assertNotEquals(view, withStringKey);
        assertNotEquals(withStringKey, view);
    }

    private Map<Long, Long> fillBoth(final int n, final long seed) {
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Long, Long> reference = new HashMap<>();
        while (reference.size() < n) {
            final long k = random.nextLong();
            final long v = random.nextLong(1_000_000);
            reference.put(k, v);
            view.put(k, v);
        }
        return reference;
    }

    private static <T> List<T> listOf(final Iterator<T> it) {
        final List<T> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    private static List<Long> sorted(final Collection<Long> values) {
        final List<Long> list = new ArrayList<>(values);
        list.sort(null);
        return list;
    }

    private static Set<String> tokens(final String s) {
        return new TreeSet<>(Arrays.asList(s.substring(1, s.length() - 1).split(", ")));
    }
}
