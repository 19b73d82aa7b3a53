package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The bucket words the recovery rules changed, each with the value it held, so that an open that
 * fails after some repairs (a stale lock cleared, an evacuation undone, a count corrected) puts the
 * file's words back as it found them: damage found late in the walk must not leave a file that
 * differs from the one the user may restore from, or inspect, after the failure.
 *
 * <p>One per thread of the recovery; merged in order, rolled back in reverse.
 */
final class RepairLog {

    private static final int CTRL = 0;
    private static final int META = 1;

    private final List<MemorySegment> segments = new ArrayList<>();
    /** Per change: line, word (CTRL or META), old value. */
    private long[] changes = new long[3 * 16];
    private int count;

    /** Stores {@code value} in a bucket's {@code ctrl} (release), remembering the old word. */
    void ctrl(final MemorySegment segment, final long line, final long value) {
        remember(segment, line, CTRL, BucketDescriptor.ctrlOpaque(segment, line));
        BucketDescriptor.ctrlRelease(segment, line, value);
    }

    /** Stores {@code value} in a bucket's {@code meta} (opaque), remembering the old word. */
    void meta(final MemorySegment segment, final long line, final long value) {
        remember(segment, line, META, BucketDescriptor.metaOpaque(segment, line));
        BucketDescriptor.setMetaOpaque(segment, line, value);
    }

    private void remember(final MemorySegment segment, final long line, final int word, final long old) {
        if (3 * count + 3 > changes.length) {
            changes = java.util.Arrays.copyOf(changes, 2 * changes.length);
        }
        segments.add(segment);
        changes[3 * count] = line;
        changes[3 * count + 1] = word;
        changes[3 * count + 2] = old;
        count++;
    }

    /** Appends another thread's changes, made after this log's. */
    void addAll(final RepairLog other) {
        for (int i = 0; i < other.count; i++) {
            remember(other.segments.get(i), other.changes[3 * i], (int) other.changes[3 * i + 1],
                    other.changes[3 * i + 2]);
        }
    }

    /** Puts every changed word back, the last change first. */
    void rollback() {
        for (int i = count - 1; i >= 0; i--) {
            final MemorySegment segment = segments.get(i);
            final long line = changes[3 * i];
            if (changes[3 * i + 1] == CTRL) {
                BucketDescriptor.ctrlRelease(segment, line, changes[3 * i + 2]);
            } else {
                BucketDescriptor.setMetaOpaque(segment, line, changes[3 * i + 2]);
            }
        }
        segments.clear();
        count = 0;
    }
}
