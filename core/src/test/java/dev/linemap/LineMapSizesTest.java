package dev.linemap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Key and value sizes at the edges, on {@code LineMap<byte[], byte[]>} and {@code LineMap<String, String>}:
 * 0 bytes, 1 byte, the documented maxima {@link LineMap#MAX_KEY_BYTES} / {@link LineMap#MAX_VALUE_BYTES}
 * (stored and read back exactly), and one byte more: {@link IllegalArgumentException} naming the size
 * and the maximum, from every writing method, with nothing stored changed (size, the old value).
 */
class LineMapSizesTest {

    private LineMap<byte[], byte[]> bytes;

    @BeforeEach
    void open() {
        bytes = LineMap.builder(Codecs.bytes(), Codecs.bytes()).initialCapacity(0).seed(11).build();
    }

    @AfterEach
    void close() {
        bytes.close();
    }

    /** {@code n} bytes of a pattern that differs per {@code salt}, so two arrays of one length differ. */
    static byte[] pattern(final int n, final int salt) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + salt * 7 + (i >>> 8));
        }
        return b;
    }

    @Test
    void everyCombinationOfEdgeSizesIsStoredAndReadBackExactly() {
        final int[] keySizes = {0, 1, 2, 7, 8, 9, 63, 64, 65, LineMap.MAX_KEY_BYTES - 1, LineMap.MAX_KEY_BYTES};
        final int[] valueSizes = {0, 1, 8, 255, 256, LineMap.MAX_VALUE_BYTES - 1, LineMap.MAX_VALUE_BYTES};
        final Map<Integer, byte[]> model = new LinkedHashMap<>();
        int salt = 0;
        for (final int ks : keySizes) {
            for (final int vs : valueSizes) {
                salt++;
                final byte[] key = pattern(ks, 0);
                final byte[] value = pattern(vs, salt);
                final byte[] old = model.put(ks, value);
                final byte[] returned = bytes.put(key, value);
                final String what = "key of " + ks + " bytes, value of " + vs + " bytes";
                if (old == null) {
                    assertNull(returned, what + ": put of a new key");
                } else {
                    assertArrayEquals(old, returned, what + ": put returns the previous value");
                }
                assertArrayEquals(value, bytes.get(pattern(ks, 0)), what + ": get (a fresh array of equal bytes)");
                assertTrue(bytes.containsKey(key), what);
                assertEquals(model.size(), bytes.size(), what + ": size");
            }
        }
        // The keys of different lengths are different keys, also the empty one.
        for (final Map.Entry<Integer, byte[]> e : model.entrySet()) {
            assertArrayEquals(e.getValue(), bytes.get(pattern(e.getKey(), 0)), "key of " + e.getKey() + " bytes");
        }
        for (final Map.Entry<Integer, byte[]> e : model.entrySet()) {
            assertArrayEquals(e.getValue(), bytes.remove(pattern(e.getKey(), 0)), "remove, key of " + e.getKey());
            assertFalse(bytes.containsKey(pattern(e.getKey(), 0)), "removed, key of " + e.getKey());
        }
        assertTrue(bytes.isEmpty());
    }

    @Test
    void theEmptyKeyAndTheEmptyValueAreOrdinaryEntries() {
        assertNull(bytes.put(new byte[0], new byte[0]));
        assertTrue(bytes.containsKey(new byte[0]));
        assertArrayEquals(new byte[0], bytes.get(new byte[0]), "the empty value is a value, not absence");
        assertTrue(bytes.containsValue(new byte[0]));
        assertFalse(bytes.containsKey(new byte[1]), "one zero byte is not the empty key");
        assertNull(bytes.put(new byte[1], new byte[1]));
        assertEquals(2, bytes.size());
        assertTrue(bytes.remove(new byte[0], new byte[0]));
        assertArrayEquals(new byte[1], bytes.get(new byte[1]));
        try (LineMap<String, String> strings = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
            assertNull(strings.put("", ""));
            assertEquals("", strings.get(""));
            assertEquals("", strings.putIfAbsent("", "x"));
            assertEquals("{=}", strings.toString());
        }
    }

    /** Asserts the call throws IAE whose message names both numbers. */
    private static void assertTooLong(final String what, final long size, final long max, final Executable call) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what);
        final String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(Long.toString(size)) && message.contains(Long.toString(max)),
                what + ": the message should name the size " + size + " and the maximum " + max + ": " + message);
    }

    @Test
    void aKeyOneByteOverTheMaximumIsRejectedByEveryWriteAndNothingChanges() {
        final byte[] old = pattern(5, 1);
        final byte[] kept = pattern(3, 0);
        bytes.put(kept, old);
        final byte[] tooLong = pattern(LineMap.MAX_KEY_BYTES + 1, 0);
        final long size = tooLong.length;
        final long max = LineMap.MAX_KEY_BYTES;
        final byte[] v = pattern(4, 2);
        final Map<String, Executable> writes = new LinkedHashMap<>();
        writes.put("put", () -> bytes.put(tooLong, v));
        writes.put("putIfAbsent", () -> bytes.putIfAbsent(tooLong, v));
        writes.put("compute", () -> bytes.compute(tooLong, (k, x) -> v));
        writes.put("computeIfAbsent", () -> bytes.computeIfAbsent(tooLong, k -> v));
        writes.put("merge", () -> bytes.merge(tooLong, v, (a, b) -> b));
        writes.put("putAll", () -> bytes.putAll(Map.of(tooLong, v)));
        writes.forEach((what, call) -> {
            assertTooLong(what, size, max, call);
            assertEquals(1, bytes.size(), what + ": size after the rejected call");
            assertArrayEquals(old, bytes.get(kept), what + ": the other entry");
        });
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocate(size);
            final MemorySegment value = arena.allocate(4);
            assertTooLong("putBytes", size, max, () -> bytes.putBytes(key, value));
        }
        assertEquals(1, bytes.size());
        // Reads and removes of a key that can never be stored: absent, or the same exception; never a hit.
        final Map<String, Executable> reads = new LinkedHashMap<>();
        reads.put("get", () -> assertNull(bytes.get(tooLong)));
        reads.put("containsKey", () -> assertFalse(bytes.containsKey(tooLong)));
        reads.put("remove", () -> assertNull(bytes.remove(tooLong)));
        reads.put("replace", () -> assertNull(bytes.replace(tooLong, v)));
        reads.forEach((what, call) -> {
            try {
                call.execute();
            } catch (final IllegalArgumentException acceptable) {
                // rejected like a write
            } catch (final Throwable t) {
                fail(what + " of a too-long key threw " + t);
            }
        });
        assertEquals(1, bytes.size());
        assertArrayEquals(old, bytes.get(kept));
    }

    @Test
    void aValueOneByteOverTheMaximumIsRejectedByEveryWriteAndTheOldValueStays() {
        final byte[] key = pattern(9, 0);
        final byte[] old = pattern(LineMap.MAX_VALUE_BYTES, 3);   // the largest value: the old one stays whole
        bytes.put(key, old);
        final byte[] absentKey = pattern(10, 0);
        final byte[] tooLong = pattern(LineMap.MAX_VALUE_BYTES + 1, 4);
        final long size = tooLong.length;
        final long max = LineMap.MAX_VALUE_BYTES;
        final Map<String, Executable> writes = new LinkedHashMap<>();
        writes.put("put (present)", () -> bytes.put(key, tooLong));
        writes.put("put (absent)", () -> bytes.put(absentKey, tooLong));
        writes.put("putIfAbsent", () -> bytes.putIfAbsent(absentKey, tooLong));
        writes.put("replace(k, v)", () -> bytes.replace(key, tooLong));
        writes.put("replace(k, old, new)", () -> bytes.replace(key, old, tooLong));
        writes.put("compute (present)", () -> bytes.compute(key, (k, x) -> tooLong));
        writes.put("compute (absent)", () -> bytes.compute(absentKey, (k, x) -> tooLong));
        writes.put("computeIfAbsent", () -> bytes.computeIfAbsent(absentKey, k -> tooLong));
        writes.put("computeIfPresent", () -> bytes.computeIfPresent(key, (k, x) -> tooLong));
        writes.put("merge (present)", () -> bytes.merge(key, new byte[1], (a, b) -> tooLong));
        writes.put("merge (absent)", () -> bytes.merge(absentKey, tooLong, (a, b) -> b));
        writes.put("entry.setValue", () -> bytes.entrySet().iterator().next().setValue(tooLong));
        writes.put("replaceAll", () -> bytes.replaceAll((k, x) -> tooLong));
        writes.forEach((what, call) -> {
            assertTooLong(what, size, max, call);
            assertEquals(1, bytes.size(), what + ": size after the rejected call");
            assertArrayEquals(old, bytes.get(key), what + ": the old value");
            assertFalse(bytes.containsKey(absentKey), what + ": nothing inserted");
        });
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment k = arena.allocate(key.length);
            MemorySegment.copy(key, 0, k, ValueLayout.JAVA_BYTE, 0, key.length);
            final MemorySegment value = arena.allocate(size);
            assertTooLong("putBytes", size, max, () -> bytes.putBytes(k, value));
        }
        assertEquals(1, bytes.size());
        assertArrayEquals(old, bytes.get(key));
    }

    @Test
    void stringSizesAreCountedInEncodedBytesNotInChars() {
        try (LineMap<String, String> strings = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
            final String keyAtMax = utf8OfLength(LineMap.MAX_KEY_BYTES);
            final String keyOver = utf8OfLength(LineMap.MAX_KEY_BYTES + 1);
            assertTrue(keyOver.length() <= LineMap.MAX_KEY_BYTES, "set-up: fewer chars than the maximum");
            assertNull(strings.put(keyAtMax, "v"));
            assertEquals("v", strings.get(keyAtMax));
            assertTooLong("put of a key of MAX + 1 UTF-8 bytes", LineMap.MAX_KEY_BYTES + 1L, LineMap.MAX_KEY_BYTES,
                    () -> strings.put(keyOver, "v"));
            final String valueAtMax = utf8OfLength(LineMap.MAX_VALUE_BYTES);
            final String valueOver = utf8OfLength(LineMap.MAX_VALUE_BYTES + 1);
            assertEquals("v", strings.put(keyAtMax, valueAtMax));
            assertEquals(valueAtMax, strings.get(keyAtMax));
            assertTooLong("put of a value of MAX + 1 UTF-8 bytes", LineMap.MAX_VALUE_BYTES + 1L,
                    LineMap.MAX_VALUE_BYTES, () -> strings.put(keyAtMax, valueOver));
            assertEquals(valueAtMax, strings.get(keyAtMax), "the old value stays");
            assertEquals(1, strings.size());
        }
    }

    /** A string of exactly {@code n} UTF-8 bytes, mostly two-byte chars (fewer chars than bytes). */
    private static String utf8OfLength(final int n) {
        final String s = (n % 2 == 1 ? "a" : "") + "\u00e9".repeat(n / 2);
        assertEquals(n, s.getBytes(StandardCharsets.UTF_8).length);
        return s;
    }

    @Test
    void valuesOfEveryLengthReplaceEachOtherInPlaceOfOneKey() {
        // Shrinking and growing the value of one key, so a value block is freed and reused each time.
        final byte[] key = pattern(16, 0);
        byte[] previous = null;
        for (final int n : new int[] {0, 1, 300, 2, 4096, 0, 17, 16, 15, 1000, 1}) {
            final byte[] v = pattern(n, n + 1);
            final byte[] returned = bytes.put(key, v);
            if (previous == null) {
                assertNull(returned);
            } else {
                assertArrayEquals(previous, returned, "put of " + n + " bytes returns the previous value");
            }
            assertArrayEquals(v, bytes.get(key), "value of " + n + " bytes");
            previous = v;
        }
        assertEquals(1, bytes.size());
        assertTrue(Arrays.equals(previous, bytes.get(key)));
    }
}
