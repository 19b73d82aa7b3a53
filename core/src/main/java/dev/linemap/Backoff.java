package dev.linemap;

/**
 * How a thread waits for a bucket another thread holds: spin briefly (the holder is normally a few
 * dozen nanoseconds from done), then yield so that a preempted holder on a small machine gets
 * the core back.
 */
final class Backoff {

    private static final int SPINS_BEFORE_YIELD = 64;

    private Backoff() {
    }

    /**
     * @param spins how many times the caller has waited already
     */
    static void pause(final int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
