package dev.linemap;

import dev.linemap.engine.HeapBytes;

/**
 * A per-thread heap buffer for the object API: a key's encoding, a value's encoding, and the copy
 * of a value read or replaced (or the expected value of a conditional write), so that {@code get},
 * {@code put}, {@code putIfAbsent}, {@code replace} and {@code remove} allocate only what the value
 * codec returns, and {@code remove(k, v)} and {@code replace(k, v, w)} nothing. Taken and given
 * back around one operation; a nested use on the same thread (a codec that reads the map) gets a
 * fresh one.
 *
 * <p>The operations that run a user function under the bucket lock ({@code compute} and its
 * kind) encode into their own arrays: the function may use the map, and the key's bytes must
 * outlive it.
 */
final class Scratch extends HeapBytes {

    /** Buffer 0 holds keys, 1 values to store, 2 values read or replaced. */
    static final int KEY = 0;
    /** The value a write stores. */
    static final int VALUE = 1;
    /** The value a read or a write returns, or the one a conditional write expects. */
    static final int OLD = 2;

    /**
     * The most a buffer keeps between operations: a longer value (up to 16 MiB) gets a buffer
     * that is dropped when given back, so that no thread keeps a huge one. Keys always fit.
     */
    static final int KEEP_LIMIT = 1 << 16;

    private static final int INITIAL = 256;

    private static final ThreadLocal<Scratch[]> POOL = ThreadLocal.withInitial(
            () -> new Scratch[] {new Scratch(), new Scratch(), new Scratch()});

    private boolean taken;

    private Scratch() {
        super(INITIAL);
    }

    /**
     * Returns this thread's buffer number {@code which} ({@link #KEY}, {@link #VALUE},
     * {@link #OLD}), or a fresh one if it is taken.
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
        shrinkTo(KEEP_LIMIT);
        taken = false;
    }
}
