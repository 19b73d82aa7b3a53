package dev.linemap.interop;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Views of a heap {@code UnsafeBuffer} allocate nothing when compiled (see {@link ViewAllocation}; its own JVM). */
class AgronaHeapViewAllocationTest {

    @Test
    void viewsInACompiledLoopAllocateNothing() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64], 8, 48);
        ViewAllocation.assertNoAllocation("agrona heap", () -> ViewAllocation.agronaLoop(buffer));
    }
}
