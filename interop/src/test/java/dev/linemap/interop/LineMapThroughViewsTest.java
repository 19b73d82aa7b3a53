package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The views through LineMap's zero-copy methods: keys and values never copied to the Java heap. */
class LineMapThroughViewsTest {

    /** Chronicle's writeLong order. */
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    @Test
    void agronaKeysAndValuesGoInAndComeOutThroughViews() {
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
            final int keyLength = direct.putStringWithoutLengthUtf8(0, "order-4711");
            final int valueLength = direct.putStringWithoutLengthUtf8(64, "filled \u20ac 12.50");
            assertTrue(map.putBytes(AgronaSegments.view(direct, 0, keyLength),
                    AgronaSegments.view(direct, 64, valueLength)));
            assertEquals("filled \u20ac 12.50", map.get("order-4711"), "the bytes are utf8's");

            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
            final long length = map.getBytes(AgronaSegments.view(direct, 0, keyLength), AgronaSegments.view(out));
            assertEquals(valueLength, length);
            assertEquals("filled \u20ac 12.50", out.getStringWithoutLengthUtf8(0, (int) length));

            final UnsafeBuffer heapKey = new UnsafeBuffer("order-4711".getBytes(StandardCharsets.UTF_8));
            assertTrue(map.containsKeyBytes(AgronaSegments.view(heapKey)));
            assertEquals(-1, map.getBytes(AgronaSegments.view(direct, 0, keyLength - 1), AgronaSegments.view(out)));
            assertTrue(map.removeBytes(AgronaSegments.view(heapKey)));
            assertFalse(map.containsKey("order-4711"));
        }
    }

    @Test
    void chronicleRecordsAreReadAndUpdatedInPlaceThroughViews() {
        try (LineMap<String, byte[]> map = LineMap.builder(Codecs.utf8(), Codecs.bytes()).build()) {
            final Bytes<?> key = Bytes.allocateElasticDirect(32);
            final BytesStore<?, ?> record = BytesStore.nativeStoreWithFixedCapacity(32);
            try {
                key.write("EURUSD".getBytes(StandardCharsets.US_ASCII));
                record.writeLong(0, 100L);   // a 32-byte record: position, then three more longs
                record.writeLong(8, 7L);
                assertTrue(map.putBytes(ChronicleSegments.readable(key), ChronicleSegments.view(record, 0, 32)));
                assertTrue(map.updateValue(ChronicleSegments.readable(key),
                        v -> v.set(LONG, 0, v.get(LONG, 0) + 25)));
                assertEquals(125L, map.readValue(ChronicleSegments.readable(key), v -> v.get(LONG, 0), -1));
                assertEquals(-1L, map.readValue(ChronicleSegments.view(key, 0, 3), v -> v.get(LONG, 0), -1));

                final BytesStore<?, ?> heapOut = BytesStore.wrap(new byte[40]);
                assertEquals(32, map.getBytes(ChronicleSegments.readable(key), ChronicleSegments.view(heapOut, 8, 32)));
                assertEquals(125L, heapOut.readLong(8));
                assertEquals(7L, heapOut.readLong(16));
                assertEquals(32, map.get("EURUSD").length);
            } finally {
                key.releaseLast();
                record.releaseLast();
            }
        }
    }
}
