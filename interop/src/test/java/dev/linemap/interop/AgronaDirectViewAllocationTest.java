package dev.linemap.interop;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Views of a direct {@code UnsafeBuffer} allocate nothing when compiled (see {@link ViewAllocation}; its own JVM). */
class AgronaDirectViewAllocationTest {

    @Test
    void viewsInACompiledLoopAllocateNothing() {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64), 8, 48);
        ViewAllocation.assertNoAllocation("agrona direct", () -> ViewAllocation.agronaLoop(buffer));
    }
}
