package dev.linemap.interop;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;

/** Views of a heap {@code BytesStore} allocate nothing when compiled (see {@link ViewAllocation}; its own JVM). */
class ChronicleHeapViewAllocationTest {

    @Test
    void viewsInACompiledLoopAllocateNothing() {
        final BytesStore<?, ?> store = BytesStore.wrap(new byte[64]);
        ViewAllocation.assertNoAllocation("chronicle heap", () -> ViewAllocation.chronicleLoop(store));
    }
}
