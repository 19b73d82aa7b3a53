package dev.linemap.bench.jmh;

import dev.linemap.interop.AgronaSegments;
import dev.linemap.interop.ChronicleSegments;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interop module's views: make one and read a long through it, per operation. {@code -prof gc}
 * shows whether the view is allocated ({@code bench/bench.sh jmh ViewOps -prof gc}). Each source
 * runs in its own fork, so a JVM sees one kind of buffer, except the {@code *-mixed} sources, which
 * alternate a heap and a native buffer through the same call site.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ViewOps {

    /** Which buffers the views are made of. */
    @Param({"agrona-heap", "agrona-direct", "agrona-mixed", "chronicle-heap", "chronicle-native", "chronicle-mixed"})
    public String source;

    private DirectBuffer[] agrona;
    private BytesStore<?, ?>[] chronicle;
    private int next;

    /** Created by JMH. */
    public ViewOps() {
    }

    /** Two buffers of the source's kinds. */
    @Setup
    public void setup() {
        final DirectBuffer heap = new UnsafeBuffer(new byte[64]);
        final DirectBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        agrona = switch (source) {
            case "agrona-heap" -> new DirectBuffer[] {heap, heap};
            case "agrona-direct" -> new DirectBuffer[] {direct, direct};
            default -> new DirectBuffer[] {heap, direct};
        };
        final BytesStore<?, ?> heapStore = BytesStore.wrap(new byte[64]);
        final BytesStore<?, ?> nativeStore = BytesStore.nativeStoreWithFixedCapacity(64);
        chronicle = switch (source) {
            case "chronicle-heap" -> new BytesStore<?, ?>[] {heapStore, heapStore};
            case "chronicle-native" -> new BytesStore<?, ?>[] {nativeStore, nativeStore};
            default -> new BytesStore<?, ?>[] {heapStore, nativeStore};
        };
    }

    /** Frees the native store. */
    @TearDown
    public void tearDown() {
        for (BytesStore<?, ?> store : chronicle) {
            if (store.isDirectMemory() && store.refCount() > 0) {
                store.releaseLast();
            }
        }
    }

    /**
     * A view of 16 bytes, one long read through it.
     *
     * @return the long
     */
    @Benchmark
    public long view() {
        final int i = next++ & 1;
        final MemorySegment segment = source.startsWith("agrona")
                ? AgronaSegments.view(agrona[i], 8, 16)
                : ChronicleSegments.view(chronicle[i], 8, 16);
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }
}
