package dev.linemap.stress.hammer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LineMap hammer's encodings must be bijective and must reject what no writer encoded. */
class LineHammerMapTest {

    @Test
    void keysAndValuesRoundTripWithManyLengths() {
        final SplittableRandom rnd = new SplittableRandom(5);
        final Set<Integer> keyLengths = new HashSet<>();
        final Set<Integer> valueLengths = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            final long key = i < 3 ? new long[] {0, -1, Long.MIN_VALUE}[i] : rnd.nextLong();
            final long value = i < 3 ? new long[] {0, -1, Long.MIN_VALUE}[i] : rnd.nextLong();
            final String k = LineHammerMap.encodeKey(key);
            final String v = LineHammerMap.encode(value);
            assertEquals(key, LineHammerMap.decodeKey(k));
            assertEquals(value, LineHammerMap.decode(v));
            keyLengths.add(k.getBytes(StandardCharsets.UTF_8).length);
            valueLengths.add(v.getBytes(StandardCharsets.UTF_8).length);
        }
        assertTrue(keyLengths.size() >= 40, "key lengths " + keyLengths);
        assertTrue(valueLengths.size() >= 200, "value lengths: " + valueLengths.size());
    }

    @Test
    void aTornOrForeignValueFailsToDecode() {
        final String a = LineHammerMap.encode(0x1234_5600L | 40);
        final String b = LineHammerMap.encode(0x7777_0000L | 90);
        assertThrows(IllegalStateException.class, () -> LineHammerMap.decode(a.substring(0, a.length() - 1)));
        assertThrows(IllegalStateException.class, () -> LineHammerMap.decode(a.substring(0, 10) + b.substring(10)));
        assertThrows(IllegalStateException.class, () -> LineHammerMap.decode(b + "x"));
        assertThrows(IllegalStateException.class, () -> LineHammerMap.decode(""));
    }
}
