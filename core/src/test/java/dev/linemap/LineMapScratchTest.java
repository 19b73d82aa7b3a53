package dev.linemap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object API's per-thread buffers ({@link Scratch}): {@code get}, {@code put},
 * {@code putIfAbsent}, {@code replace} and {@code remove} encode the key and the value into them
 * and copy the previous value into one under the bucket lock. A codec that uses the map from
 * inside gets buffers of its own, and a large value leaves no large buffer behind. (That a put
 * then allocates only the value it returns is checked in {@code bench}, whose tests can read the
 * thread's allocation counter: {@code ObjectApiAllocationTest}.)
 */
class LineMapScratchTest {

    @Test
    void aValueCodecThatReadsTheMapWhileDecodingGetsBuffersOfItsOwn() {
        // The codec reads another key of the same map before it decodes its own bytes. Were the
        // nested get given the outer operation's buffers, it would overwrite the bytes the outer
        // decode is about to read, and the outer call would return the other key's value.
        final AtomicReference<LineMap<String, String>> self = new AtomicReference<>();
        final ThreadLocal<Boolean> inside = ThreadLocal.withInitial(() -> false);
        final Codec<String> utf8 = Codecs.utf8();
        final Codec<String> peeking = new Codec<>() {
            @Override
            public int encodedLength(final String value) {
                return utf8.encodedLength(value);
            }

            @Override
            public void encode(final String value, final MemorySegment target, final long offset) {
                utf8.encode(value, target, offset);
            }

            @Override
            public String decode(final MemorySegment source, final long offset, final int length) {
                if (!inside.get()) {
                    inside.set(true);
                    try {
                        assertEquals(300, self.get().get("other").length());
                    } finally {
                        inside.set(false);
                    }
                }
                return utf8.decode(source, offset, length);
            }

            @Override
            public String id() {
                return "test-peeking";
            }
        };
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), peeking).build()) {
            self.set(map);
            map.put("other", "o".repeat(300));   // longer than a buffer's first size
            map.put("k", "first");
            assertEquals("first", map.put("k", "second"));
            assertEquals("second", map.get("k"));
            assertEquals("second", map.replace("k", "third"));
            assertEquals("third", map.putIfAbsent("k", "fourth"));
            assertEquals("third", map.remove("k"));
            assertNull(map.remove("k"));
            assertNull(map.replace("k", "fifth"));
            assertNull(map.putIfAbsent("k", "sixth"));
            assertEquals("sixth", map.get("k"));
        }
    }

    @Test
    void largeValuesComeBackWholeAndLeaveNoLargeBufferOnTheThread() {
        try (LineMap<byte[], byte[]> map = LineMap.builder(Codecs.bytes(), Codecs.bytes()).build()) {
            final byte[] key = {1, 2, 3};
            final byte[] large = filled(LineMap.MAX_VALUE_BYTES, 7);
            final byte[] medium = filled(Scratch.KEEP_LIMIT + 1, 9);
            assertNull(map.put(key, large));
            assertArrayEquals(large, map.put(key, medium));
            assertArrayEquals(medium, map.get(key));
            assertArrayEquals(medium, map.replace(key, new byte[] {5}));
            assertArrayEquals(new byte[] {5}, map.remove(key));
            for (int which = Scratch.KEY; which <= Scratch.OLD; which++) {
                final Scratch s = Scratch.take(which);
                try {
                    assertTrue(s.capacity() <= Scratch.KEEP_LIMIT,
                            "buffer " + which + " kept " + s.capacity() + " bytes");
                } finally {
                    s.giveBack();
                }
            }
        }
    }

    private static byte[] filled(final int length, final int value) {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
