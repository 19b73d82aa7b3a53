package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@code LineMap.getBytes} through views made once and reused allocates nothing once compiled (its
 * own JVM, see {@link ViewAllocation}). Views made per call do not get this: they escape into the
 * map's read path, which is not inlined into the caller, and cost 40 bytes each (80 per
 * {@code getBytes(view, view)}, measured; docs/notes/codecs.md).
 */
class ReusedViewsGetBytesAllocationTest {

    @Test
    void getBytesThroughViewsMadeOnceAllocatesNothing() {
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).build()) {
            for (int i = 0; i < 16; i++) {
                map.put("key-" + (char) ('a' + i), "value-" + Integer.toHexString(i));
            }
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            key.putStringWithoutLengthAscii(0, "key-a");
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final MemorySegment keyView = AgronaSegments.view(key, 0, 5);
            final MemorySegment outView = AgronaSegments.view(out);
            ViewAllocation.assertNoAllocation("getBytes through reused views", () -> {
                long sum = 0;
                for (int i = 0; i < ViewAllocation.CALLS; i++) {
                    key.putByte(4, (byte) ('a' + (i & 15)));
                    sum += map.getBytes(keyView, outView);
                }
                return sum;
            });
            key.putByte(4, (byte) 'p');
            assertEquals(7, map.getBytes(keyView, outView));
            assertEquals("value-f", out.getStringWithoutLengthAscii(0, 7));
        }
    }
}
