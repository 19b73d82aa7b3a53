package dev.linemap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper for threads racing {@code close()}: the JDK interrupts a thread when it installs the
 * asynchronous exception that unwinds it out of a closing shared arena (see
 * {@link RetirementInterruptTest}); an operation that fails because the map was closed under it may
 * therefore come back interrupted. Such threads clear and count the flag so that it cannot disturb
 * the test's own blocking calls.
 */
final class SpuriousInterrupts {

    private static final AtomicLong COUNT = new AtomicLong();

    private SpuriousInterrupts() {
    }

    /** Clears the current thread's interrupt flag; counts it if it was set. */
    static void clearAndCount() {
        if (Thread.interrupted()) {
            COUNT.incrementAndGet();
        }
    }

    /** @return interrupts cleared so far in this JVM */
    static long count() {
        return COUNT.get();
    }
}
