package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nulls, use after close and the memory limit: every method rejects a null key, value, function or
 * segment with {@link NullPointerException} and changes nothing; after {@code close()} every use
 * (views and iterators taken before included) throws {@link IllegalStateException}, and
 * {@code close()} is idempotent; a map that reaches {@code maxOffHeapBytes} loses nothing, and once
 * its entries are removed it takes new ones again.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LineMapLifecycleTest {

    private static final MemorySegment KEY = MemorySegment.ofArray(new byte[] {'k'});
    private static final MemorySegment VALUE = MemorySegment.ofArray(new byte[32]);

    /** Every use of a {@code LineMap<String, String>} holding {@code "k" -> "v"}. */
    private static Map<String, Consumer<LineMap<String, String>>> uses() {
        final Map<String, Consumer<LineMap<String, String>>> uses = new LinkedHashMap<>();
        uses.put("get", m -> m.get("k"));
        uses.put("getOrDefault", m -> m.getOrDefault("k", "d"));
        uses.put("containsKey", m -> m.containsKey("k"));
        uses.put("containsValue", m -> m.containsValue("v"));
        uses.put("put", m -> m.put("k", "w"));
        uses.put("putIfAbsent", m -> m.putIfAbsent("n", "w"));
        uses.put("remove", m -> m.remove("k"));
        uses.put("remove(k, v)", m -> m.remove("k", "v"));
        uses.put("replace", m -> m.replace("k", "w"));
        uses.put("replace(k, e, n)", m -> m.replace("k", "v", "w"));
        uses.put("compute", m -> m.compute("k", (k, v) -> "w"));
        uses.put("computeIfAbsent", m -> m.computeIfAbsent("n", k -> "w"));
        uses.put("computeIfPresent", m -> m.computeIfPresent("k", (k, v) -> "w"));
        uses.put("merge", m -> m.merge("k", "w", (a, b) -> a + b));
        uses.put("forEach", m -> m.forEach((k, v) -> fail("forEach on a closed map called its action")));
        uses.put("replaceAll", m -> m.replaceAll((k, v) -> v));
        uses.put("putAll", m -> m.putAll(Map.of("p", "q")));
        uses.put("size", LineMap::size);
        uses.put("longSize", LineMap::longSize);
        uses.put("isEmpty", LineMap::isEmpty);
        uses.put("clear", LineMap::clear);
        uses.put("keySet().iterator().hasNext()", m -> m.keySet().iterator().hasNext());
        uses.put("values().contains", m -> m.values().contains("v"));
        uses.put("entrySet().size()", m -> m.entrySet().size());
        uses.put("equals", m -> m.equals(new HashMap<String, String>()));
        uses.put("hashCode", LineMap::hashCode);
        uses.put("stats", LineMap::stats);
        uses.put("getBytes", m -> m.getBytes(KEY, MemorySegment.ofArray(new byte[8])));
        uses.put("containsKeyBytes", m -> m.containsKeyBytes(KEY));
        uses.put("putBytes", m -> m.putBytes(KEY, VALUE));
        uses.put("removeBytes", m -> m.removeBytes(KEY));
        uses.put("getBytes(offset form)", m -> m.getBytes(KEY, 0, 1, MemorySegment.ofArray(new byte[8]), 0));
        uses.put("containsKeyBytes(offset form)", m -> m.containsKeyBytes(KEY, 0, 1));
        uses.put("putBytes(offset form)", m -> m.putBytes(KEY, 0, 1, VALUE, 0, 32));
        uses.put("removeBytes(offset form)", m -> m.removeBytes(KEY, 0, 1));
        uses.put("readValue", m -> m.readValue(KEY, v -> 1, -1));
        uses.put("updateValue", m -> m.updateValue(KEY, v -> { }));
        return uses;
    }

    private static LineMap<String, String> mapWithOneEntry() {
        final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build();
        map.put("k", "v");
        return map;
    }

    @Test
    void everyUseAfterCloseThrowsIllegalStateException() {
        final LineMap<String, String> map = mapWithOneEntry();
        final var keys = map.keySet();
        final var entries = map.entrySet();
        final Iterator<String> startedIterator = map.values().iterator();
        map.close();
        uses().forEach((what, use) -> assertThrowsClosed(what, () -> use.accept(map)));
        assertThrowsClosed("keySet taken before close: contains", () -> keys.contains("k"));
        assertThrowsClosed("entrySet taken before close: iterator().next()", () -> entries.iterator().next());
        assertThrowsClosed("an iterator created before close: hasNext/next", () -> {
            startedIterator.hasNext();
            startedIterator.next();
        });
    }

    private static void assertThrowsClosed(final String what, final Runnable use) {
        try {
            use.run();
        } catch (final IllegalStateException expected) {
            // The map's own exception, not an access to freed memory that got through (such as the
            // arena's "Already closed" from the hint a write takes before it checks the map).
            assertTrue(String.valueOf(expected.getMessage()).contains("is closed"),
                    () -> what + " after close threw " + expected + ", not the map's closed exception");
            // Nor the interrupt status HotSpot may set on a thread that raced an arena's close.
            assertFalse(Thread.interrupted(), () -> what + " after close left the thread interrupted");
            return;
        } catch (final Throwable t) {
            throw new AssertionError(what + " after close threw " + t + " instead of IllegalStateException", t);
        }
        fail(what + " after close did not throw");
    }

    @Test
    void closeIsIdempotentAndTryWithResourcesCloses() {
        final LineMap<String, String> map = mapWithOneEntry();
        assertFalse(map.isClosed());
        map.close();
        assertTrue(map.isClosed());
        map.close();
        assertTrue(map.isClosed());
        assertThrowsClosed("get after two closes", () -> map.get("k"));
        final LineMap<String, String> other = mapWithOneEntry();
        try (other) {
            assertEquals("v", other.get("k"));
        }
        assertThrowsClosed("get after try-with-resources", () -> other.get("k"));
    }

    @Test
    void everyNullArgumentIsRejectedAndNothingChanges() {
        try (LineMap<String, String> map = mapWithOneEntry()) {
            final Map<String, Runnable> calls = new LinkedHashMap<>();
            calls.put("get(null)", () -> map.get(null));
            calls.put("getOrDefault(null, d)", () -> map.getOrDefault(null, "d"));
            calls.put("containsKey(null)", () -> map.containsKey(null));
            calls.put("containsValue(null)", () -> map.containsValue(null));
            calls.put("put(null, v)", () -> map.put(null, "v"));
            calls.put("put(k, null)", () -> map.put("k", null));
            calls.put("put(new, null)", () -> map.put("n", null));
            calls.put("putIfAbsent(null, v)", () -> map.putIfAbsent(null, "v"));
            calls.put("putIfAbsent(new, null)", () -> map.putIfAbsent("n", null));
            calls.put("remove(null)", () -> map.remove(null));
            calls.put("remove(null, v)", () -> map.remove(null, "v"));
            calls.put("replace(null, v)", () -> map.replace(null, "v"));
            calls.put("replace(k, null)", () -> map.replace("k", null));
            calls.put("replace(null, v, w)", () -> map.replace(null, "v", "w"));
            calls.put("replace(k, null, w)", () -> map.replace("k", null, "w"));
            calls.put("replace(k, v, null)", () -> map.replace("k", "v", null));
            calls.put("compute(null, f)", () -> map.compute(null, (k, v) -> "w"));
            calls.put("compute(k, null)", () -> map.compute("k", null));
            calls.put("computeIfAbsent(null, f)", () -> map.computeIfAbsent(null, k -> "w"));
            calls.put("computeIfAbsent(new, null)", () -> map.computeIfAbsent("n", null));
            calls.put("computeIfPresent(null, f)", () -> map.computeIfPresent(null, (k, v) -> "w"));
            calls.put("computeIfPresent(k, null)", () -> map.computeIfPresent("k", null));
            calls.put("merge(null, v, f)", () -> map.merge(null, "v", (a, b) -> b));
            calls.put("merge(k, null, f)", () -> map.merge("k", null, (a, b) -> b));
            calls.put("merge(k, v, null)", () -> map.merge("k", "v", null));
            calls.put("forEach(null)", () -> map.forEach(null));
            calls.put("replaceAll(null)", () -> map.replaceAll(null));
            calls.put("putAll(null)", () -> map.putAll(null));
            final Map<String, String> withNullValue = new HashMap<>();
            withNullValue.put("z", null);
            calls.put("putAll({z=null})", () -> map.putAll(withNullValue));
            calls.put("getBytes(null, t)", () -> map.getBytes(null, MemorySegment.ofArray(new byte[8])));
            calls.put("getBytes(k, null)", () -> map.getBytes(KEY, null));
            calls.put("containsKeyBytes(null)", () -> map.containsKeyBytes(null));
            calls.put("putBytes(null, v)", () -> map.putBytes(null, VALUE));
            calls.put("putBytes(k, null)", () -> map.putBytes(KEY, null));
            calls.put("removeBytes(null)", () -> map.removeBytes(null));
            final MemorySegment eight = MemorySegment.ofArray(new byte[8]);
            calls.put("getBytes(null, 0, 1, t, 0)", () -> map.getBytes(null, 0, 1, eight, 0));
            calls.put("getBytes(k, 0, 1, null, 0)", () -> map.getBytes(KEY, 0, 1, null, 0));
            calls.put("putBytes(k, 0, 1, null, 0, 0)", () -> map.putBytes(KEY, 0, 1, null, 0, 0));
            calls.put("removeBytes(null, 0, 1)", () -> map.removeBytes(null, 0, 1));
            calls.put("readValue(null, r, a)", () -> map.readValue(null, v -> 1, -1));
            calls.put("readValue(k, null, a)", () -> map.readValue(KEY, null, -1));
            calls.put("updateValue(null, u)", () -> map.updateValue(null, v -> { }));
            calls.put("updateValue(k, null)", () -> map.updateValue(KEY, null));
            calls.forEach((what, call) -> {
                try {
                    call.run();
                    fail(what + " did not throw NullPointerException");
                } catch (final NullPointerException expected) {
                    // as ConcurrentHashMap
                }
                assertEquals(1, map.size(), what + ": size");
                assertEquals("v", map.get("k"), what + ": the stored value");
                assertFalse(map.containsKey("n"), what + ": nothing inserted");
            });
        }
    }

    @Test
    void aMapAtItsMemoryLimitLosesNothingAndTakesEntriesAgainOnceEmptied() {
        final long limit = 1L << 20;
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).maxOffHeapBytes(limit)
                .backgroundMigration(false).build()) {
            final Map<String, String> model = new HashMap<>();
            OutOfMemoryError first = null;
            int i = 0;
            for (; i < 100_000 && first == null; i++) {
                final String k = "key-" + i;
                final String v = ("value " + i + " ").repeat(1 + i % 20);
                try {
                    assertNull(map.put(k, v));
                    model.put(k, v);
                } catch (final OutOfMemoryError e) {
                    first = e;
                    assertFalse(map.containsKey(k), "the failed put of " + k + " left nothing behind");
                }
            }
            assertTrue(first != null, "1 MiB should not hold " + i + " entries of up to 240 bytes");
            assertTrue(map.stats().offHeapBytes() <= limit, map.stats().toString());
            assertEquals(model.size(), map.size(), "size after the failure");
            model.forEach((k, v) -> assertEquals(v, map.get(k), "key " + k));
            // Remove everything: then one small entry must fit again, whatever migration was in progress.
            for (final String k : model.keySet()) {
                assertEquals(model.get(k), map.remove(k), "remove " + k);
            }
            assertEquals(0, map.size());
            for (int j = 0; j < 100; j++) {
                final String k = "again-" + j;
                try {
                    assertNull(map.put(k, "v"), k);
                } catch (final OutOfMemoryError e) {
                    // An AssertionError, not the error itself: surefire ends the fork on OutOfMemoryError.
                    throw new AssertionError("put of " + k + " into the emptied map (limit reached at entry " + i
                            + "): " + e.getMessage() + "; " + map.stats(), e);
                }
            }
            assertEquals(100, map.size());
        }
    }

    /**
     * LineMap's case of {@code LifecycleTest}'s clear at the limit: the limit is reached while a
     * growth is half done (no background migration, so only writes move it and the run is
     * deterministic; the limit is 32 KiB above what an unlimited twin fed the same entries holds once
     * that growth has started). clear() used to finish the growth first, whose evacuations need
     * overflow lines and entry memory in the new table, and threw OutOfMemoryError. It must empty
     * the map, give back everything but a first table, and let the map be filled again.
     */
    @Test
    void clearAfterReachingTheLimitMidGrowthEmptiesTheMapAndItCanBeFilledAgain() {
        final long seed = 0x11E_C1EA;
        final long grownBuckets = 1L << 12;
        final long limit = bytesOnceGrowthStarts(seed, grownBuckets) + (32L << 10);
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).maxOffHeapBytes(limit)
                .seed(seed).backgroundMigration(false).build()) {
            final LineMapStats empty = map.stats();
            int stored = 0;
            try {
                for (; stored < 10_000_000; stored++) {
                    map.put(key(stored), value(stored));
                }
                fail("seed " + seed + ": the limit was never reached");
            } catch (final OutOfMemoryError expected) {
                // the limit
            }
            final LineMapStats atLimit = map.stats();
            final String where = "seed " + seed + ", limit " + limit + ", " + stored + " stored, at the limit "
                    + atLimit;
            assertTrue(atLimit.migrating() && atLimit.bucketCount() == grownBuckets,
                    where + ": set-up: the limit should be reached while a growth is half done");
            try {
                map.clear();
            } catch (final OutOfMemoryError e) {
                // An AssertionError, not the error itself: surefire ends the fork on OutOfMemoryError.
                throw new AssertionError(where + ": clear() after reaching the limit failed: " + e.getMessage(), e);
            }
            final LineMapStats cleared = map.stats();
            assertEquals(0, cleared.size(), where + ": after clear " + cleared);
            assertFalse(cleared.migrating(), where + ": after clear " + cleared);
            assertEquals(empty.bucketCount(), cleared.bucketCount(), where + ": after clear " + cleared);
            assertEquals(empty.offHeapBytes(), cleared.offHeapBytes(), where + ": after clear " + cleared);
            assertEquals(0, cleared.entryBytes(), where + ": after clear " + cleared);
            for (int i = 0; i < stored; i += 97) {
                assertFalse(map.containsKey(key(i)), where + ": " + key(i) + " survived the clear");
            }
            final int refill = stored / 4;
            try {
                for (int i = 0; i < refill; i++) {
                    map.put(key(i), "again " + i);
                }
            } catch (final OutOfMemoryError e) {
                throw new AssertionError(where + ": refilling " + refill + " entries after clear() failed: "
                        + e.getMessage() + "; " + map.stats(), e);
            }
            assertEquals(refill, map.size(), where);
            for (int i = 0; i < refill; i += 31) {
                assertEquals("again " + i, map.get(key(i)), where);
            }
        }
    }

    private static String key(final int i) {
        return "key-" + i;
    }

    private static String value(final int i) {
        return "value " + i + " ".repeat(i % 24);
    }

    /**
     * Returns what a map with this seed and no background migration holds right after its growth to
     * {@code buckets} starts (new buckets and relocation reserved), measured on an unlimited twin fed
     * the same entries: only writes move its migrations, so two such maps agree up to there.
     */
    private static long bytesOnceGrowthStarts(final long seed, final long buckets) {
        try (LineMap<String, String> twin = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed)
                .backgroundMigration(false).build()) {
            for (int i = 0; i < 10_000_000; i++) {
                twin.put(key(i), value(i));
                final LineMapStats stats = twin.stats();
                if (stats.migrating() && stats.bucketCount() == buckets) {
                    return stats.offHeapBytes();
                }
            }
            throw new AssertionError("seed " + seed + ": no growth to " + buckets + " buckets");
        }
    }

    @Test
    void statsCountTheEntriesAndAtLeastTheirPayloadBytes() {
        final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build();
        long payload = 0;
        for (int i = 0; i < 10_000; i++) {
            final String k = "key-" + i;
            final String v = "value-".repeat(1 + i % 7);
            map.put(k, v);
            payload += k.length() + v.length();
        }
        assertEquals(10_000, map.stats().size());
        assertTrue(map.stats().offHeapBytes() >= payload,
                "off-heap bytes below the key and value bytes stored (" + payload + "): " + map.stats());
        map.close();
        assertThrowsClosed("stats", map::stats);
    }
}
