package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Run by the {@code without-native-access} execution only ({@code --illegal-native-access=deny}, no
 * {@code --enable-native-access}): what a user who did not enable native access for this module
 * gets. Heap views need none; off-heap views throw {@link IllegalCallerException}. Skipped in the
 * default execution (where {@code -Dtest=...} may select it too).
 */
@EnabledIfSystemProperty(named = "linemap.test.nativeAccess", matches = "denied")
class WithoutNativeAccessTest {

    @Test
    void nativeAccessIsReallyDeniedInThisJvm() {
        assertEquals(false, WithoutNativeAccessTest.class.getModule().isNativeAccessEnabled());
    }

    @Test
    void heapViewsWork() {
        assertEquals(4, AgronaSegments.view(new UnsafeBuffer(new byte[8]), 2, 4).byteSize());
        assertEquals(4, ChronicleSegments.view(BytesStore.wrap(new byte[8]), 2, 4).byteSize());
    }

    @Test
    void offHeapViewsThrowIllegalCallerException() {
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
        final IllegalCallerException e = assertThrows(IllegalCallerException.class,
                () -> AgronaSegments.view(direct, 0, 8));
        System.out.println("without native access: " + e.getMessage());
        final BytesStore<?, ?> store = BytesStore.nativeStoreWithFixedCapacity(8);
        try {
            assertThrows(IllegalCallerException.class, () -> ChronicleSegments.view(store, 0, 8));
        } finally {
            store.releaseLast();
        }
    }
}
