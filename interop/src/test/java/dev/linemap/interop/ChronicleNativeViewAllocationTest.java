package dev.linemap.interop;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;

/** Views of a native {@code BytesStore} allocate nothing when compiled (see {@link ViewAllocation}; its own JVM). */
class ChronicleNativeViewAllocationTest {

    @Test
    void viewsInACompiledLoopAllocateNothing() {
        final BytesStore<?, ?> store = BytesStore.nativeStoreWithFixedCapacity(64);
        try {
            ViewAllocation.assertNoAllocation("chronicle native", () -> ViewAllocation.chronicleLoop(store));
        } finally {
            store.releaseLast();
        }
    }
}
