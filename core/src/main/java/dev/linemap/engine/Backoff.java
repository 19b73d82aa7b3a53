package dev.linemap.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a bucket another thread holds: spin briefly (the holder is normally a few
 * dozen nanoseconds from done), then yield so that a preempted holder on a small machine gets the
 * core back, then park for short sleeps.
 *
 * <p>The parking is for virtual threads. A holder can be unmounted while it holds a bucket: a
 * writer evacuating a unit holds the unit's source bucket, and if the copy needs a new overflow
 * chunk it blocks on the table's monitor. Once the monitor is free it needs a carrier again,
 * and waiters that only ever yield are requeued and run again, ahead of it: with four writers and
 * two readers on two carriers that livelocked in 6 runs out of 8 (VirtualThreadsTest, before this
 * class parked). A parked waiter leaves its carrier to the holder.
 */
public final class Backoff {

    private static final int SPINS_BEFORE_YIELD = 64;

    private static final int SPINS_BEFORE_PARK = 128;

    /** Long next to a holder's critical section, short next to a scheduler slice. */
    private static final long PARK_NANOS = 50_000;

    private Backoff() {
    }

    /**
     * Waits once: a spin, a yield or a short park, by how long the caller has waited.
     *
     * @param spins how many times the caller has waited already
     */
    public static void pause(final int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Counters.spun();      // protocol counters: folded away when off
            Thread.onSpinWait();
        } else if (spins < SPINS_BEFORE_PARK) {
            Counters.yielded();
            Thread.yield();
        } else {
            Counters.parked();
            // parkNanos returns at once for an interrupted thread, which would make this a hot spin
            // again: park without the status and give it back.
            final boolean interrupted = Thread.interrupted();
            LockSupport.parkNanos(PARK_NANOS);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
