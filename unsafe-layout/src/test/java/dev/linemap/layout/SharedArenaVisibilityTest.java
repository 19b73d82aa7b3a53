package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Accessors work across threads on a shared arena (Thread.join orders the writes before the reads). */
class SharedArenaVisibilityTest {

    @Test
    void wordsWrittenByAnotherThreadAreReadBackThroughTheAccessors() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            final long line = BucketDescriptor.lineOffset(1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() -> {
                try {
                    BucketDescriptor.setKeyOpaque(seg, line, 2, -7L);
                    BucketDescriptor.setValueOpaque(seg, line, 2, Long.MIN_VALUE);
                    BucketDescriptor.setMetaOpaque(seg, line, MetaWord.of(5, 1));
                    BucketDescriptor.ctrlRelease(seg, line, CtrlWord.of(1, false, CtrlWord.NORMAL, 0b100));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            writer.start();
            writer.join();
            assertNull(failure.get());
            assertEquals(CtrlWord.of(1, false, CtrlWord.NORMAL, 0b100), BucketDescriptor.ctrlAcquire(seg, line));
            assertEquals(MetaWord.of(5, 1), BucketDescriptor.metaOpaque(seg, line));
            assertEquals(-7L, BucketDescriptor.keyOpaque(seg, line, 2));
            assertEquals(Long.MIN_VALUE, BucketDescriptor.valueOpaque(seg, line, 2));
        }
    }
}
