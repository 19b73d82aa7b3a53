package dev.linemap;

import java.lang.foreign.MemorySegment;

/**
 * A per-thread heap buffer for the object API's reads: the key's encoding and the copy of the
 * value, so that {@code get} allocates only what the value codec returns. Taken and given back
 * around one read; a nested use on the same thread (a codec that reads the map) gets a fresh one.
 *
 * <p>Only reads use it: a write keeps the key's bytes across a user function (the remapping
 * function of {@code compute} may read the map), so writes encode into their own arrays.
 */
final class Scratch {

    private static final ThreadLocal<Scratch[]> POOL = ThreadLocal.withInitial(
            () -> new Scratch[] {new Scratch(), new Scratch()});

    private byte[] bytes = new byte[256];
    private MemorySegment segment = MemorySegment.ofArray(bytes);
    private boolean taken;

    private Scratch() {
    }

    /**
     * Returns this thread's buffer number {@code which} (0: keys, 1: values), or a fresh one if it
     * is taken.
     */
    static Scratch take(final int which) {
        Scratch s = POOL.get()[which];
        if (s.taken) {
            s = new Scratch();
        }
        s.taken = true;
        return s;
    }

    void giveBack() {
        taken = false;
    }

    /** The buffer as a segment of at least {@code length} bytes (its first bytes are what counts). */
    MemorySegment segment(final long length) {
        if (bytes.length < length) {
            bytes = new byte[(int) Math.max(length, Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length))];
            segment = MemorySegment.ofArray(bytes);
        }
        return segment;
    }

    /** Capacity of the current buffer. */
    long capacity() {
        return bytes.length;
    }
}
