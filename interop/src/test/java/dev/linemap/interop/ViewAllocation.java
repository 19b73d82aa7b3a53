package dev.linemap.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.DirectBuffer;

/**
 * A view made and used inside a JIT-compiled loop allocates nothing: the segment does not escape,
 * and C2's escape analysis removes it. Counted with the thread's allocated bytes
 * ({@code com.sun.management.ThreadMXBean}), never timed. A round counts only once the loop is
 * compiled, so each case gets several rounds and passes when one of them allocates less than a
 * byte per view (an allocating view costs 40 bytes or more).
 *
 * <p>One kind of buffer per JVM (one test class per kind, and the module's surefire does not reuse
 * forks): once one adapter has returned both a heap and a native segment in a JVM, the compiled
 * caller merges two allocation sites and escape analysis gives up (measured: 72 bytes per view for
 * Chronicle heap views after native ones). That is the case this helper does not claim.
 */
final class ViewAllocation {

    static final int CALLS = 1_000_000;
    /** Up to 200 rounds: on a loaded CI machine C2 may take many rounds to compile the loop. */
    private static final int ROUNDS = 200;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ViewAllocation() {
    }

    static long agronaLoop(DirectBuffer buffer) {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            final MemorySegment view = AgronaSegments.view(buffer, i & 15, 16);
            sum += view.get(ValueLayout.JAVA_BYTE, 3) + view.byteSize();
        }
        return sum;
    }

    static long chronicleLoop(BytesStore<?, ?> store) {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            final MemorySegment view = ChronicleSegments.view(store, i & 15, 16);
            sum += view.get(ValueLayout.JAVA_BYTE, 3) + view.byteSize();
        }
        return sum;
    }

    /** Passes once a whole round of {@link #CALLS} views allocated fewer than {@link #CALLS} bytes. */
    static void assertNoAllocation(String what, LongSupplier loop) {
        final long thread = Thread.currentThread().threadId();
        final StringBuilder rounds = new StringBuilder();
        long sink = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final long before = THREADS.getThreadAllocatedBytes(thread);
            sink += loop.getAsLong();
            final long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            rounds.append(' ').append(allocated);
            if (allocated < CALLS) {
                System.out.println(what + ": bytes allocated by each round of " + CALLS + " views:" + rounds
                        + " (sink " + sink + ")");
                return;
            }
        }
        fail(what + ": every round of " + CALLS + " views allocated at least a byte per view:" + rounds);
    }
}
