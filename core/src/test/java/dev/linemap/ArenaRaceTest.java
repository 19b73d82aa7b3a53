package dev.linemap;

import dev.linemap.engine.Table;

import dev.linemap.layout.AlignedSegments;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evidence the engine's reclamation rests on ({@code Table.retire} closes the shared arena of a
 * retired table while readers may still be inside it): on this JDK, closing a shared {@link Arena}
 * while another thread reads one of its segments in a tight loop succeeds in the closing thread, and
 * the reading thread gets {@link IllegalStateException}; no read completes after {@code close()}
 * has returned and no read ever returns anything but the word that was stored.
 *
 * <p>A side effect this test records but does not assert (it depends on the JIT tier the reader runs
 * in): a reader unwound by the close may be left with its interrupt flag set. Run outside the suite
 * with {@code java -Xint} or {@code -XX:TieredStopAtLevel=1}, about 20-50% of rounds are.
 */
class ArenaRaceTest {

    private static final int ROUNDS = 300;
    private static final long LINES = 64;
    private static final long WORD = CtrlWord.of(0x5a5a_5a5aL, false, CtrlWord.NORMAL, 0b101);

    /** What one reader thread observed in one round. */
    private static final class Reader extends Thread {
        final MemorySegment segment;
        final AtomicLong reads = new AtomicLong();
        volatile boolean closeReturned;
        volatile IllegalStateException failure;
        volatile boolean interruptedAfterFailure;
        volatile Throwable unexpected;
        volatile long readAfterClose = -1;
        volatile long wrongWord = -1;

        Reader(final MemorySegment segment) {
            super("arena-race-reader");
            this.segment = segment;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                long n = 0;
                for (;;) {
                    // Read the flag before the access: if close() had returned before the access
                    // began, that access must not succeed.
                    final boolean after = closeReturned;
                    // A chain-walk shaped loop of acquire loads, like a reader inside a bucket walk.
                    for (long line = 0; line < LINES; line++) {
                        final long word = BucketDescriptor.ctrlAcquire(segment, BucketDescriptor.lineOffset(line));
                        if (word != WORD) {
                            wrongWord = word;
                            return;
                        }
                    }
                    if (after) {
                        readAfterClose = n;
                        return;
                    }
                    if ((++n & 0xff) == 0) {
                        reads.lazySet(n);
                    }
                }
            } catch (final IllegalStateException e) {
                interruptedAfterFailure = Thread.interrupted();
                failure = e;
            } catch (final Throwable t) {
                unexpected = t;
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void closeOfSharedArenaSucceedsAndRacingReaderGetsIllegalStateException() throws InterruptedException {
        final Map<String, Integer> messages = new TreeMap<>();
        int interrupted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final Arena arena = Arena.ofShared();
            final MemorySegment segment = AlignedSegments.allocateLines(arena, LINES);
            for (long line = 0; line < LINES; line++) {
                BucketDescriptor.ctrlRelease(segment, BucketDescriptor.lineOffset(line), WORD);
            }
            final Reader reader = new Reader(segment);
            reader.start();
            // Let the reader get going (and, in later rounds, run JIT-compiled code) before the close.
            final long target = round % 3 == 0 ? 256 : 4096;
            while (reader.reads.get() < target && reader.isAlive()) {
                Thread.onSpinWait();
            }
            assertTrue(reader.isAlive(), "round " + round + ": reader stopped before the close: wrong word 0x"
                    + Long.toHexString(reader.wrongWord) + ", unexpected " + reader.unexpected);

            final AtomicReference<Throwable> closeFailure = new AtomicReference<>();
            try {
                arena.close();
            } catch (final Throwable t) {
                closeFailure.set(t);
            }
            reader.closeReturned = true;
            reader.join(TimeUnit.SECONDS.toMillis(30));

            assertNull(closeFailure.get(), "round " + round + ": close() threw while a reader was inside the arena");
            assertFalse(reader.isAlive(), "round " + round + ": reader did not stop after the close");
            assertNull(reader.unexpected,
                    "round " + round + ": reader failed with something other than IllegalStateException");
            assertEquals(-1, reader.wrongWord, "round " + round + ": reader read a word that was never stored");
            assertEquals(-1, reader.readAfterClose,
                    "round " + round + ": a read that began after close() returned succeeded");
            final IllegalStateException failure = reader.failure;
            assertNotNull(failure, "round " + round + ": reader ended without an exception");
            messages.merge(String.valueOf(failure.getMessage()), 1, Integer::sum);
            interrupted += reader.interruptedAfterFailure ? 1 : 0;
            assertFalse(arena.scope().isAlive(), "round " + round);
        }
        // The evidence, in the test log: what the reading side sees on this JDK.
        System.out.println("ArenaRaceTest on " + Runtime.version() + ": " + ROUNDS
                + " rounds, close() never threw; reader exception messages: " + messages
                + "; readers left interrupted: " + interrupted + " (HotSpot interrupts a thread when it installs the"
                + " asynchronous exception that unwinds it out of a closing arena; C2-compiled loops are deoptimized"
                + " instead and are rarely hit: see RetirementInterruptTest)");
    }

    @Test
    void accessAfterCloseThrowsIllegalStateExceptionInEveryThread() throws InterruptedException {
        final Arena arena = Arena.ofShared();
        final MemorySegment segment = AlignedSegments.allocateLines(arena, 1);
        BucketDescriptor.ctrlRelease(segment, 0, WORD);
        arena.close();
        final AtomicReference<Throwable> seen = new AtomicReference<>();
        final Thread other = new Thread(() -> {
            try {
                BucketDescriptor.ctrlAcquire(segment, 0);
            } catch (final Throwable t) {
                seen.set(t);
            }
        });
        other.start();
        other.join();
        assertTrue(seen.get() instanceof IllegalStateException, "other thread saw " + seen.get());
        Throwable own = null;
        try {
            BucketDescriptor.casCtrl(segment, 0, WORD, 0L);
        } catch (final Throwable t) {
            own = t;
        }
        assertTrue(own instanceof IllegalStateException, "closing thread saw " + own);
    }
}
