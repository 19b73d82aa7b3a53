package dev.linemap;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helper for a known engine bug (see {@link RetirementInterruptTest}): a map operation racing
 * the retirement of a table can come back with the calling thread's interrupt flag set, because the
 * JDK interrupts a thread when it installs the asynchronous exception that unwinds it out of a
 * closing shared arena. Tests that are about something else clear and count such interrupts, so that
 * the bug neither hides their own findings nor breaks their blocking calls.
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
