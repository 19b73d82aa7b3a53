package dev.linemap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The public codecs through a real map: what goes in comes out, and the bytes are the codec's. */
class LineMapCodecsTest {

    @Test
    void utf8KeysAndValuesOfEveryWidthRoundTripThroughTheMap() {
        final long seed = new SplittableRandom().nextLong();
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<String, String> model = new HashMap<>();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                .backgroundMigration(false).build()) {
            for (int i = 0; i < 5_000; i++) {
                final String key = randomString(random, 1 + random.nextInt(64)) + i;
                final String value = randomString(random, random.nextInt(256));
                map.put(key, value);
                model.put(key, value);
            }
            map.put("", "empty key");
            model.put("", "empty key");
            assertEquals(model.size(), map.size(), "seed=" + seed);
            for (Map.Entry<String, String> e : model.entrySet()) {
                assertEquals(e.getValue(), map.get(e.getKey()), "seed=" + seed);
            }
            // The map stores exactly the JDK's UTF-8 bytes: a zero-copy read by those bytes finds it.
            final String key = "caf\u00e9 \ud83d\ude00";
            map.put(key, "\u20ac 12");
            final MemorySegment target = MemorySegment.ofArray(new byte[16]);
            final long length = map.getBytes(MemorySegment.ofArray(key.getBytes(StandardCharsets.UTF_8)), target);
            assertEquals(6, length);
            assertArrayEquals("\u20ac 12".getBytes(StandardCharsets.UTF_8),
                    target.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aLoneSurrogateKeyAndItsQuestionMarkAreOneKeyInTheMap() {
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                .backgroundMigration(false).build()) {
            map.put("a\ud800", "first");
            assertEquals("first", map.put("a?", "second"));
            assertEquals(1, map.size());
            assertEquals("a?", map.keySet().iterator().next());
        }
    }

    @Test
    void int64KeysAreLittleEndianInTheMapAndValuesUpdateInPlace() {
        try (LineMap<Long, Long> map = LineMap.builder(Codecs.int64(), Codecs.int64())
                .backgroundMigration(false).build()) {
            for (long k = -500; k < 500; k++) {
                map.put(k, k * 7);
            }
            final MemorySegment key = MemorySegment.ofArray(new byte[8]);
            key.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, 42L);
            assertTrue(map.updateValue(key, v -> v.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(
                    ByteOrder.LITTLE_ENDIAN), 0, v.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(
                    ByteOrder.LITTLE_ENDIAN), 0) + 1)));
            assertEquals(42L * 7 + 1, map.get(42L));
            assertEquals(-3500L, map.get(-500L));
            assertNull(map.get(500L));
        }
    }

    @Test
    void int32BytesAndSegmentCodecsRoundTripThroughTheMap() {
        try (LineMap<Integer, byte[]> map = LineMap.builder(Codecs.int32(), Codecs.bytes())
                .backgroundMigration(false).build()) {
            for (int k = 0; k < 1000; k++) {
                final byte[] value = new byte[k % 97];
                if (value.length > 0) {
                    value[0] = (byte) k;
                }
                map.put(k, value);
            }
            for (int k = 0; k < 1000; k++) {
                final byte[] value = map.get(k);
                assertEquals(k % 97, value.length);
                if (value.length > 0) {
                    assertEquals((byte) k, value[0]);
                }
            }
        }
        try (LineMap<MemorySegment, MemorySegment> map = LineMap.builder(Codecs.segment(), Codecs.segment())
                .backgroundMigration(false).build()) {
            final MemorySegment key = MemorySegment.ofArray(new byte[] {1, 2, 3});
            final MemorySegment value = MemorySegment.ofArray(new byte[] {9, 8, 7, 6});
            assertNull(map.put(key, value));
            assertEquals(-1, map.get(MemorySegment.ofArray(new byte[] {1, 2, 3})).mismatch(value));
            assertFalse(map.containsKey(MemorySegment.ofArray(new byte[] {1, 2})));
        }
    }

    private static String randomString(SplittableRandom random, int length) {
        final StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> b.append((char) (0x80 + random.nextInt(0x780)));
                case 1 -> b.append((char) (0x800 + random.nextInt(0xD000)));
                case 2 -> b.appendCodePoint(0x10000 + random.nextInt(0x100000));
                default -> b.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return b.toString();
    }
}
