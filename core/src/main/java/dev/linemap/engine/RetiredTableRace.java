package dev.linemap.engine;

/**
 * What to do after an access to a table that was retired under the accessing thread.
 *
 * <p>Retiring a table closes its shared arena. On JDK 25 the closing thread always succeeds; a
 * thread that is accessing the arena at that moment is stopped by HotSpot with an asynchronous
 * {@code ScopedAccessError}, which surfaces as {@link IllegalStateException} ("Already closed").
 * HotSpot delivers it like an asynchronous {@code Thread.stop}: it may also <em>set the accessing
 * thread's interrupt status</em> so that a thread blocked in {@code wait} or {@code park} wakes up
 * (measured: 2 in 300 races; see {@code docs/design.md}, "Reclamation"). Our caller was interrupted
 * by nobody, so an engine that retried silently would leak a spurious interrupt into the caller's
 * next {@code join} or {@code take}. Every engine loop therefore notes the interrupt status before
 * it touches a table and, after such a race, clears a flag that was not set before.
 *
 * <p>The exception can also come <em>after</em> an access took effect: HotSpot stops the thread
 * wherever it is inside the JDK's scoped access method, and a thread preempted between the store
 * and the method's return is still "accessing". That matters for the one store after which a table
 * may be retired: the release that ends a critical section ({@link Seqlock#unlock}).
 */
public final class RetiredTableRace {

    private RetiredTableRace() {
    }

    /**
     * Returns the current thread's interrupt status, to hand to {@link #recover} later.
     *
     * @return the current thread's interrupt status, to hand to {@link #recover} later
     */
    public static boolean interruptStatus() {
        return Thread.currentThread().isInterrupted();
    }

    /**
     * Called after an {@link IllegalStateException} from a retired (closed) table: clears the
     * interrupt status the JVM may have set, unless the thread was interrupted before.
     *
     * @param interruptedBefore the status from {@link #interruptStatus()} before the access
     */
    public static void recover(final boolean interruptedBefore) {
        if (!interruptedBefore) {
            Thread.interrupted();
        }
    }
}
