package dev.linemap.engine;

import dev.linemap.layout.AlignedSegments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A table's memory in one shared {@link Arena}: {@link #release()} closes it, and the JDK then
 * guarantees that no access through its segments succeeds afterwards (a racing access throws
 * {@link IllegalStateException}; see {@code docs/design.md}, "Reclamation").
 */
final class SharedArenaRegion implements MemorySource.Region {

    private final Arena arena = Arena.ofShared();

    @Override
    public MemorySegment allocateLines(final long lines) {
        return AlignedSegments.allocateLines(arena, lines);
    }

    @Override
    public void release() {
        arena.close();
    }
}
