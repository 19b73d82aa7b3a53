package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import dev.linemap.layout.AlignedSegments;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static dev.linemap.stress.jcstress.TinyMaps.MISSING;
import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: the per-bucket seqlock. A reader never returns a key/value pair that no writer wrote.
 *
 * <p>These are the canary's targets: run with {@code -Dlinemap.canary=skip-read-validation} in the
 * forked JVMs (the {@code canary} command does) the reader skips the validating re-read of
 * {@code ctrl}, and these same tests must then report FORBIDDEN outcomes.
 */
public final class SeqlockReadTest {

    private SeqlockReadTest() {
    }

    /**
     * Map level. One bucket holds B (slot 0) and A (slot 1). The writer removes A and inserts D,
     * which reuses A's slot: its key word and value word change under the lock. A reader that
     * matched the old key A and then read D's value (or matched D and read A's stale value) would
     * return a pair nobody wrote; the seqlock re-check must discard that read.
     */
    @JCStressTest
    @Description("get() during remove+insert into the same slot never returns another key's value")
    @Outcome(id = {"101, -1", "-1, -1", "101, 104", "-1, 104"}, expect = ACCEPTABLE,
            desc = "each get saw its own key's value or nothing")
    @Outcome(expect = FORBIDDEN, desc = "torn key/value pair: a value returned under a key it was never put with")
    @State
    public static class SlotReuse {
        private static final long A = 1;
        private static final long B = 2;
        private static final long D = 4;
        private final LongLongMap map = TinyMaps.tiny();

        /** Fills slot 0 with B and slot 1 with A. */
        public SlotReuse() {
            map.put(B, valueOf(B));
            map.put(A, valueOf(A));
        }

        /** Writer: frees A's slot and fills it with D. */
        @Actor
        public void writer() {
            map.remove(A);
            map.put(D, valueOf(D));
        }

        /**
         * Reader.
         *
         * @param r r1 = get(A), r2 = get(D)
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = map.get(A);
            r.r2 = map.get(D);
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * Map level, widened window: the writer swaps A and D in and out of the same slot 32 times
     * and then raises a flag; the reader keeps reading both keys until it sees the flag, so its
     * reads overlap the writes whatever the start skew of the two threads. r1 counts reads that
     * returned a value never stored under the key read; r2 = 1 if some read of A found nothing
     * (allowed, and the sign that the reads really overlapped the writes), else 0.
     */
    @JCStressTest
    @Description("get() looping during repeated slot reuse never returns another key's value")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE,
            desc = "no torn pair (r2 = 1: the reads overlapped the writes)")
    @Outcome(expect = FORBIDDEN, desc = "r1 > 0: a torn key/value pair was returned")
    @State
    public static class SlotReuseLoop {
        private static final int ROUNDS = 32;
        private static final int MAX_READS = 20_000;
        private static final long A = 1;
        private static final long B = 2;
        private static final long D = 4;
        private final LongLongMap map = TinyMaps.tiny();
        private volatile boolean writerDone;

        /** Fills slot 0 with B and slot 1 with A. */
        public SlotReuseLoop() {
            map.put(B, valueOf(B));
            map.put(A, valueOf(A));
        }

        /** Writer: A and D take turns in the same slot, then the flag. */
        @Actor
        public void writer() {
            for (int i = 0; i < ROUNDS; i++) {
                map.remove(A);
                map.put(D, valueOf(D));
                map.remove(D);
                map.put(A, valueOf(A));
            }
            writerDone = true;
        }

        /**
         * Reader: reads A and D until the writer is done (bounded).
         *
         * @param r r1 = torn reads, r2 = whether a read of A found nothing
         */
        @Actor
        public void reader(final JJ_Result r) {
            long torn = 0;
            long absentA = 0;
            for (int i = 0; i < MAX_READS && !writerDone; i++) {
                final long a = map.get(A);
                final long d = map.get(D);
                if (a == MISSING) {
                    absentA++;
                } else if (a != valueOf(A)) {
                    torn++;
                }
                if (d != MISSING && d != valueOf(D)) {
                    torn++;
                }
            }
            r.r1 = torn;
            r.r2 = absentA > 0 ? 1 : 0;
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * Descriptor level: the documented seqlock protocol executed on a raw bucket with the
     * {@link BucketDescriptor} accessors, on a segment from an automatic (shared-access) arena.
     * The writer fills all six slot words and {@code meta} with one pattern per write section; the
     * reader reads them in the opposite order, so an unvalidated read that overlaps a write is
     * almost always mixed. r1 = the pattern of the last word read, r2 = number of words that
     * differ from it (must be 0).
     *
     * <p>Honours {@code linemap.canary=skip-read-validation} itself (the reader then skips the
     * re-read), so the canary is proved on the protocol even where the engine has no such hook.
     */
    @JCStressTest
    @Description("seqlock on a raw bucket: a validated read is never a mix of two write sections")
    @Outcome(id = {"0, 0", "1, 0", "2, 0"}, expect = ACCEPTABLE, desc = "the read saw exactly one write section")
    @Outcome(expect = FORBIDDEN, desc = "torn read: words from different write sections")
    @State
    public static class RawBucket {
        private static final boolean SKIP_VALIDATION =
                "skip-read-validation".equals(System.getProperty("linemap.canary"));
        private static final long LINE = BucketDescriptor.lineOffset(0);
        private final MemorySegment bucket = AlignedSegments.allocateLines(Arena.ofAuto(), 1);

        /** Writer: two write sections, patterns 1 then 2. */
        @Actor
        public void writer() {
            write(1);
            write(2);
        }

        private void write(final long pattern) {
            final MemorySegment seg = bucket;
            long c;
            do {
                c = BucketDescriptor.ctrlAcquire(seg, LINE);
            } while (CtrlWord.isLocked(c) || !BucketDescriptor.casCtrl(seg, LINE, c, CtrlWord.locked(c)));
            for (int s = 0; s < BucketDescriptor.SLOTS; s++) {
                BucketDescriptor.setKeyOpaque(seg, LINE, s, pattern);
                BucketDescriptor.setValueOpaque(seg, LINE, s, pattern);
            }
            BucketDescriptor.setMetaOpaque(seg, LINE, pattern);
            BucketDescriptor.ctrlRelease(seg, LINE, CtrlWord.nextUnlocked(CtrlWord.locked(c)));
        }

        /**
         * Reader: one seqlock read of the seven words.
         *
         * @param r r1 = pattern of the last word read, r2 = words that differ from it
         */
        @Actor
        public void reader(final JJ_Result r) {
            final MemorySegment seg = bucket;
            final long[] words = new long[2 * BucketDescriptor.SLOTS + 1];
            while (true) {
                final long v1 = BucketDescriptor.ctrlAcquire(seg, LINE);
                if (CtrlWord.isLocked(v1)) {
                    Thread.onSpinWait();
                    continue;
                }
                int i = 0;
                words[i++] = BucketDescriptor.metaOpaque(seg, LINE);
                for (int s = BucketDescriptor.SLOTS - 1; s >= 0; s--) {
                    words[i++] = BucketDescriptor.valueOpaque(seg, LINE, s);
                    words[i++] = BucketDescriptor.keyOpaque(seg, LINE, s);
                }
                VarHandle.acquireFence(); // order the word loads before the re-check
                if (SKIP_VALIDATION || BucketDescriptor.ctrlOpaque(seg, LINE) == v1) {
                    break;
                }
            }
            final long last = words[words.length - 1];
            long differing = 0;
            for (final long w : words) {
                if (w != last) {
                    differing++;
                }
            }
            r.r1 = last;
            r.r2 = differing;
        }
    }
}
