package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import dev.linemap.engine.Backoff;
import dev.linemap.engine.Seqlock;
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

import static dev.linemap.stress.jcstress.TinyMaps.MISSING;
import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: the per-bucket seqlock, the engine's {@link Seqlock}. A reader never returns a
 * key/value pair that no writer wrote: at map level through {@link LongLongMap}, at protocol level
 * by calling {@link Seqlock} itself on a raw bucket ({@link RawBucket}).
 *
 * <p>The canary's targets: run with {@code -Dlinemap.canary=skip-read-validation} in the forked
 * JVMs (the {@code canary} command does), {@link Seqlock#validate} skips its re-read of
 * {@code ctrl}, and {@link SlotReuseLoop}, {@link RawBucket} and {@link RawBucketLoop} must then
 * report FORBIDDEN outcomes.
 */
public final class SeqlockReadTest {

    private static final long LINE = BucketDescriptor.lineOffset(0);

    /** Slot words plus {@code meta}. */
    private static final int WORDS = 2 * BucketDescriptor.SLOTS + 1;

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
     * Protocol level: the engine's own {@link Seqlock} on a raw bucket. The writer runs two write
     * sections as the engine's writers do ({@link Seqlock#lock}, opaque stores of all six slot words
     * and {@code meta} with one pattern per section, {@link Seqlock#unlock} of
     * {@link CtrlWord#nextUnlocked}); the reader runs the engine's read section
     * ({@link Seqlock#tryOptimisticRead}, {@link Backoff} while the word is not readable, plain
     * loads through {@code keyPlain} / {@code valuePlain} / {@code metaPlain} in the opposite order
     * to the writer's stores, {@link Seqlock#validate}; again if it fails). Write section {@code p}
     * stores pattern {@code p} and leaves version {@code p}, so a validated read must see pattern
     * = version in every word: a mix of two sections (a torn read) and words from another section
     * than the stamp's (a stale or early read) both fail. r1 = version of the validated stamp,
     * r2 = number of the seven words that differ from r1 (must be 0).
     *
     * <p>A raw line from an automatic arena rather than a bucket of a real tiny table: a
     * {@code Table} can only be built inside the engine's package (its constructor takes the map's
     * memory budget and source), and {@link Seqlock} is handed a segment and an offset and nothing
     * else, so the code under test is the same. What differs is the arena: a table's shared arena
     * can be closed under a writer, which {@code GenerationSwitchTest} covers at map level.
     *
     * <p>A canary target: with {@code -Dlinemap.canary=skip-read-validation} in the forked JVMs
     * {@link Seqlock#validate} always succeeds, and this test must then report FORBIDDEN outcomes.
     * It does, but rarely on a loaded machine (a single read meets a write a few times per million
     * samples); {@link RawBucketLoop} is the reliable catch.
     */
    @JCStressTest
    @Description("Seqlock on a raw bucket: a validated read is exactly the write section of its stamp")
    @Outcome(id = {"0, 0", "1, 0", "2, 0"}, expect = ACCEPTABLE,
            desc = "the read saw exactly the write section its stamp's version names")
    @Outcome(expect = FORBIDDEN, desc = "torn or stale read: words from another write section than the stamp's")
    @State
    public static class RawBucket {
        private final MemorySegment bucket = AlignedSegments.allocateLines(Arena.ofAuto(), 1);

        /** Writer: two write sections, patterns 1 then 2. */
        @Actor
        public void writer() {
            writeSection(bucket, 1);
            writeSection(bucket, 2);
        }

        /**
         * Reader: one read section of the seven words, repeated until it validates.
         *
         * @param r r1 = version of the validated stamp, r2 = words that differ from it
         */
        @Actor
        public void reader(final JJ_Result r) {
            final long[] words = new long[WORDS];
            final long version = readSection(bucket, words);
            r.r1 = version;
            r.r2 = differing(words, version);
        }
    }

    /**
     * Protocol level, widened window: {@link RawBucket}'s sections, but the writer runs 32 of them
     * and then raises a flag, and the reader runs read sections until it sees the flag, so its
     * reads overlap the writes whatever the start skew of the two threads (a single read of seven
     * plain loads is a few nanoseconds wide; on a loaded 2-core machine it rarely meets a write).
     * r1 = validated reads whose words differ from their stamp's version (must be 0), r2 = 1 if some
     * validated read saw an intermediate version (the sign that the reads overlapped the writes).
     *
     * <p>A canary target, like {@link RawBucket}, and the one that catches the canary reliably.
     */
    @JCStressTest
    @Description("Seqlock on a raw bucket, reads looping during 32 write sections: no torn or stale read validates")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE,
            desc = "every validated read matched its stamp (r2 = 1: the reads overlapped the writes)")
    @Outcome(expect = FORBIDDEN, desc = "r1 > 0: a torn or stale read validated")
    @State
    public static class RawBucketLoop {
        private static final int ROUNDS = 32;
        private static final int MAX_READS = 20_000;
        private final MemorySegment bucket = AlignedSegments.allocateLines(Arena.ofAuto(), 1);
        private volatile boolean writerDone;

        /** Writer: write sections with patterns 1 to 32, then the flag. */
        @Actor
        public void writer() {
            for (int p = 1; p <= ROUNDS; p++) {
                writeSection(bucket, p);
            }
            writerDone = true;
        }

        /**
         * Reader: read sections until the writer is done (bounded).
         *
         * @param r r1 = bad validated reads, r2 = whether one saw an intermediate version
         */
        @Actor
        public void reader(final JJ_Result r) {
            final long[] words = new long[WORDS];
            long bad = 0;
            boolean overlapped = false;
            for (int i = 0; i < MAX_READS && !writerDone; i++) {
                final long version = readSection(bucket, words);
                if (differing(words, version) != 0) {
                    bad++;
                }
                overlapped |= version > 0 && version < ROUNDS;
            }
            r.r1 = bad;
            r.r2 = overlapped ? 1 : 0;
        }
    }

    // ------------------------------------------------ the engine's sections, on the raw bucket

    /**
     * One write section as the engine's writers run it: lock, opaque stores of every slot word and
     * {@code meta}, unlock with the next version.
     */
    private static void writeSection(final MemorySegment seg, final long pattern) {
        final long c = Seqlock.lock(seg, LINE);
        if (c == Seqlock.MOVED) {
            throw new IllegalStateException("never evacuated here: " + CtrlWord.toString(c));
        }
        for (int s = 0; s < BucketDescriptor.SLOTS; s++) {
            BucketDescriptor.setKeyOpaque(seg, LINE, s, pattern);
            BucketDescriptor.setValueOpaque(seg, LINE, s, pattern);
        }
        BucketDescriptor.setMetaOpaque(seg, LINE, pattern);
        Seqlock.unlock(seg, LINE, CtrlWord.nextUnlocked(c));
    }

    /**
     * One read section as the engine's general read runs it, repeated until it validates: stamp,
     * wait while not readable, plain loads (in the opposite order to the writer's stores), validate.
     *
     * @return the version of the validated stamp; {@code words} holds what the section read
     */
    private static long readSection(final MemorySegment seg, final long[] words) {
        for (int spins = 0; ; spins++) {
            final long stamp = Seqlock.tryOptimisticRead(seg, LINE);
            if (!Seqlock.isReadable(stamp)) {
                Backoff.pause(spins);   // a write section is under way
                continue;
            }
            int i = 0;
            words[i++] = BucketDescriptor.metaPlain(seg, LINE);
            for (int s = BucketDescriptor.SLOTS - 1; s >= 0; s--) {
                words[i++] = BucketDescriptor.valuePlain(seg, LINE, s);
                words[i++] = BucketDescriptor.keyPlain(seg, LINE, s);
            }
            if (Seqlock.validate(seg, LINE, stamp)) {
                return CtrlWord.version(stamp);
            }
        }
    }

    /** @return how many of {@code words} differ from {@code version} */
    private static long differing(final long[] words, final long version) {
        long n = 0;
        for (final long w : words) {
            if (w != version) {
                n++;
            }
        }
        return n;
    }
}
