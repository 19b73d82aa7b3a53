package dev.linemap.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Holds every writer of a map file out while {@code sync()} copies the file's changed pages
 * ({@link SyncImage}): the copy must be one instant of the file, as a crash would leave it, and
 * the file's writes span many pages (a record, then the slot that names it; an evacuation's
 * destinations, then its source). Readers never pass the gate: they store nothing.
 *
 * <p>A writer is one top-level operation (a put, a remove, a clear, one run of a helper thread's
 * evacuations), not one bucket: the bucket locks do not cover all of an operation's stores (a
 * record is written before its bucket is locked, a destination chunk before its evacuation), and
 * the gate covers them all without reasoning about each. An operation counts itself in one of
 * {@value #STRIPES} padded counters chosen by its thread, so that writers on different cores do
 * not share a line; a map in memory has no gate and pays nothing.
 *
 * <p>Memory ordering: a writer increments its counter (a volatile read-modify-write), then reads
 * {@code shut}; the sync stores {@code shut}, then reads every counter (volatile). All four are
 * synchronization actions in one total order, so either the sync sees the writer's increment and
 * waits for its decrement, or the writer sees {@code shut} and backs out before it stores anything
 * (Dekker). The decrement is a release: the operation's stores to the file come before it, and the
 * sync's acquiring read of the counter orders its copy after them.
 *
 * <p>An operation must not wait for the gate from inside another one of the same thread (a
 * {@code compute} function that writes the map, or calls {@code sync()}): the sync would wait for
 * the outer operation, which waits for the sync. {@link #awaitDrained} gives up after a deadline
 * instead of hanging, and the sync fails.
 */
final class WriteGate {

    private static final int STRIPES = 64;

    /** Longs per counter: 128 bytes, two cache lines (the adjacent-line prefetcher pairs lines). */
    private static final int PAD = 16;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SHUT;

    static {
        try {
            SHUT = MethodHandles.lookup().findVarHandle(WriteGate.class, "shut", boolean.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] counts = new long[(STRIPES + 1) * PAD];

    @SuppressWarnings("unused")   // through SHUT
    private volatile boolean shut;

    /**
     * Enters a map's gate as a writer: waits while a sync holds it shut. A map in memory has no
     * gate ({@code null}), and this does nothing.
     *
     * @param gate the map's gate, or {@code null}
     * @return the counter entered, for {@link #exit(WriteGate, int)}
     */
    static int enter(final WriteGate gate) {
        return gate == null ? 0 : gate.enter();
    }

    /**
     * Leaves what {@link #enter(WriteGate)} entered.
     *
     * @param gate the map's gate, or {@code null}
     * @param counter what {@link #enter(WriteGate)} returned
     */
    static void exit(final WriteGate gate, final int counter) {
        if (gate != null) {
            gate.exit(counter);
        }
    }

    /** Enters as a writer; waits while a sync holds the gate shut. Returns the counter entered. */
    private int enter() {
        final int i = stripe();
        for (int spins = 0; ; ) {
            COUNT.getAndAdd(counts, i, 1L);
            if (!(boolean) SHUT.getVolatile(this)) {
                return i;
            }
            COUNT.getAndAddRelease(counts, i, -1L);   // back out: nothing was stored
            while ((boolean) SHUT.getVolatile(this)) {
                Backoff.pause(spins++);
            }
        }
    }

    /** Leaves {@code counter}; the operation's stores come before (release). */
    private void exit(final int counter) {
        COUNT.getAndAddRelease(counts, counter, -1L);
    }

    /** Shuts the gate: writers that enter from now on wait. */
    void shut() {
        SHUT.setVolatile(this, true);
    }

    /**
     * Waits until no writer that entered before {@link #shut} is still inside. A counter seen at
     * zero after the shut stays free of such writers: a writer that increments it later sees the
     * shut and backs out.
     *
     * @param deadline {@link System#nanoTime()} after which it gives up
     * @return whether every writer left before the deadline
     */
    boolean awaitDrained(final long deadline) {
        for (int s = 0; s < STRIPES; s++) {
            final int i = (s + 1) * PAD;
            for (int spins = 0; (long) COUNT.getVolatile(counts, i) != 0; spins++) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Backoff.pause(spins);
            }
        }
        return true;
    }

    /** Opens the gate again. */
    void open() {
        SHUT.setVolatile(this, false);
    }

    /** The calling thread's counter (the first PAD longs are padding before it). */
    private static int stripe() {
        final long h = Thread.currentThread().threadId() * 0x9E37_79B9_7F4A_7C15L;
        return ((int) (h >>> 58) + 1) * PAD;
    }
}
