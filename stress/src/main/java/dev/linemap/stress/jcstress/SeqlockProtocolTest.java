package dev.linemap.stress.jcstress;

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
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: the engine's {@link Seqlock} where a bucket is evacuated, on a raw bucket (one line from
 * an automatic arena; why not a bucket of a real table: see {@code SeqlockReadTest.RawBucket}). The
 * actors call {@link Seqlock} and the {@link BucketDescriptor} accessors exactly as the engine's
 * writers ({@code LongLongStore}), readers and evacuator ({@code Migration}) do; nothing of the
 * protocol is re-coded here.
 *
 * <p>A read section racing a lock/unlock that changed the bucket is {@code SeqlockReadTest.RawBucket}.
 */
public final class SeqlockProtocolTest {

    /**
     * {@code AbortRestoresWord}'s initial ctrl word, version 5, NORMAL, unlocked, slot 0 occupied
     * (2561 since the six occupancy bits), as a constant expression so that the outcomes follow
     * {@link CtrlWord}'s layout.
     */
    static final long INITIAL_WORD = 5 * CtrlWord.VERSION_ONE + 1;

    private static final long LINE = BucketDescriptor.lineOffset(0);
    private static final long KEY = 7;
    private static final long VALUE = 107;

    private SeqlockProtocolTest() {
    }

    private static MemorySegment line() {
        return AlignedSegments.allocateLines(Arena.ofAuto(), 1);
    }

    /**
     * A writer and an evacuator race for an empty NORMAL bucket (version 0). The writer inserts
     * (KEY, VALUE) into slot 0 under {@link Seqlock#lock} and unlocks with the occupancy bit set and
     * the version bumped, as an insert does; if {@code lock} returns {@link Seqlock#MOVED} it stops,
     * as the engine's writer does before it retries in the next table. The evacuator runs
     * {@link Seqlock#beginEvacuation}, copies the slots the returned word marks occupied with opaque
     * loads (as {@code Migration.fill} does) and {@link Seqlock#publishEvacuated}.
     *
     * <p>Exactly one owns the bucket first: either the writer (its insert unlocked before the
     * evacuation began, so the evacuator copies it) or the evacuator (the writer then waits out
     * EVACUATING and gets {@code MOVED}). A writer that locked an EVACUATING bucket, an evacuator
     * that began on a locked one, or a copy that misses an unlocked insert shows up as a forbidden
     * outcome. r1 = 1 if the writer inserted, 0 if it got {@code MOVED}; r2 = the value the
     * evacuator copied for KEY (-1: nothing occupied, -2: slot 0 held another key, -3: it got
     * {@code MOVED} itself); r3, r4 = state and version of the final word.
     */
    @JCStressTest
    @Description("Seqlock.lock vs beginEvacuation: the evacuator copies an insert that unlocked first,"
            + " or the writer gets MOVED")
    @Outcome(id = "1, 107, 2, 2", expect = ACCEPTABLE,
            desc = "writer first: the evacuator copied its insert; EVACUATED, version 2")
    @Outcome(id = "0, -1, 2, 1", expect = ACCEPTABLE,
            desc = "evacuator first: nothing to copy, the writer got MOVED; EVACUATED, version 1")
    @Outcome(expect = FORBIDDEN,
            desc = "both owned the bucket, or the evacuator missed an insert that unlocked before it")
    @State
    public static class EvacuationVsWriter {
        private final MemorySegment seg = line();

        /** @param r r1 = whether the writer inserted */
        @Actor
        public void writer(final JJJJ_Result r) {
            final long c = Seqlock.lock(seg, LINE);
            if (c == Seqlock.MOVED) {
                r.r1 = 0;
                return;
            }
            BucketDescriptor.setKeyOpaque(seg, LINE, 0, KEY);
            BucketDescriptor.setValueOpaque(seg, LINE, 0, VALUE);
            Seqlock.unlock(seg, LINE, CtrlWord.nextUnlocked(CtrlWord.withOccupancy(c, CtrlWord.occupancy(c) | 1)));
            r.r1 = 1;
        }

        /** @param r r2 = what the evacuator copied */
        @Actor
        public void evacuator(final JJJJ_Result r) {
            final long c = Seqlock.beginEvacuation(seg, LINE);
            if (c == Seqlock.MOVED) {
                r.r2 = -3;
                return;
            }
            if ((CtrlWord.occupancy(c) & 1) == 0) {
                r.r2 = -1;
            } else {
                final long key = BucketDescriptor.keyOpaque(seg, LINE, 0);
                r.r2 = key == KEY ? BucketDescriptor.valueOpaque(seg, LINE, 0) : -2;
            }
            Seqlock.publishEvacuated(seg, LINE, c);
        }

        /** @param r r3 = final state, r4 = final version */
        @Arbiter
        public void arbiter(final JJJJ_Result r) {
            final long c = BucketDescriptor.ctrlAcquire(seg, LINE);
            r.r3 = CtrlWord.state(c);
            r.r4 = CtrlWord.version(c);
        }
    }

    /**
     * An evacuation begun and abandoned ({@link Seqlock#beginEvacuation}, then
     * {@link Seqlock#abortEvacuation}, as {@code Migration.evacuate} does when filling the
     * destinations fails) restores the exact word the bucket had, so it is invisible to readers: a
     * read section that spans the begin and the abort still validates, and sees the old entry.
     *
     * <p>The bucket holds (KEY, VALUE) in slot 0 under version 5. The evacuator begins, reads the
     * slot it would copy, aborts, then raises a flag. The reader opens a read section
     * ({@link Seqlock#tryOptimisticRead}), reads the slot with plain loads, reads the flag and closes
     * with {@link Seqlock#validate}. If it saw the flag, the abort happened before its re-check,
     * so the re-check sees the restored word: a NORMAL stamp (taken before the begin or after the
     * abort) must validate, an EVACUATING one (taken in between) must not. r1 = state of the stamp
     * (0 NORMAL, 1 EVACUATING), r2 = 1 if the reader saw the flag, r3 = the value read if the
     * section validated (-2 if the key was wrong), else -1; r4 = the final word (2561 = version 5,
     * NORMAL, unlocked, slot 0 occupied: the initial word).
     *
     * <p>A canary target: with {@code -Dlinemap.canary=skip-read-validation}, {@link Seqlock#validate}
     * always succeeds, so an EVACUATING stamp validates after the abort ({@code 1, 1, 107, 2561}).
     */
    @JCStressTest
    @Description("Seqlock.abortEvacuation restores the exact word: a read spanning begin+abort validates")
    @Outcome(id = {"0, 0, 107, " + INITIAL_WORD, "0, 0, -1, " + INITIAL_WORD}, expect = ACCEPTABLE,
            desc = "NORMAL stamp, abort not seen: validated, or re-checked while EVACUATING")
    @Outcome(id = "0, 1, 107, " + INITIAL_WORD, expect = ACCEPTABLE,
            desc = "NORMAL stamp, abort seen before the re-check: validated (the word was restored)")
    @Outcome(id = {"1, 0, 107, " + INITIAL_WORD, "1, 0, -1, " + INITIAL_WORD}, expect = ACCEPTABLE,
            desc = "EVACUATING stamp, abort not seen: validated (slots unchanged), or re-checked after the abort")
    @Outcome(id = "1, 1, -1, " + INITIAL_WORD, expect = ACCEPTABLE,
            desc = "EVACUATING stamp, abort seen before the re-check: rejected")
    @Outcome(expect = FORBIDDEN,
            desc = "the abort changed the word, or an EVACUATING stamp validated after it, or a wrong entry")
    @State
    public static class AbortRestoresWord {
        private static final long INITIAL = CtrlWord.of(5, false, CtrlWord.NORMAL, 1);

        static {
            if (INITIAL != INITIAL_WORD) {
                throw new ExceptionInInitializerError(CtrlWord.toString(INITIAL) + " != " + INITIAL_WORD);
            }
        }
        private final MemorySegment seg = line();
        private volatile boolean aborted;

        /** Fills slot 0 and sets the initial word (plain stores: no actor runs yet). */
        public AbortRestoresWord() {
            BucketDescriptor.setSlotPlain(seg, LINE, 0, KEY, VALUE);
            BucketDescriptor.setCtrlPlain(seg, LINE, INITIAL);
        }

        /** Begins an evacuation, reads the slot it would copy, aborts, raises the flag. */
        @Actor
        public void evacuator() {
            final long c = Seqlock.beginEvacuation(seg, LINE);
            if (c == Seqlock.MOVED) {
                throw new IllegalStateException("never evacuated here: " + CtrlWord.toString(c));
            }
            if ((CtrlWord.occupancy(c) & 1) != 0) {
                BucketDescriptor.keyOpaque(seg, LINE, 0);
                BucketDescriptor.valueOpaque(seg, LINE, 0);
            }
            Seqlock.abortEvacuation(seg, LINE, c);
            aborted = true;
        }

        /** @param r r1 = stamp state, r2 = flag seen, r3 = value of a validated read or -1 */
        @Actor
        public void reader(final JJJJ_Result r) {
            final long stamp = Seqlock.tryOptimisticRead(seg, LINE);
            final long key = BucketDescriptor.keyPlain(seg, LINE, 0);
            final long value = BucketDescriptor.valuePlain(seg, LINE, 0);
            final boolean abortSeen = aborted;
            final boolean valid = Seqlock.isReadable(stamp) && Seqlock.validate(seg, LINE, stamp);
            r.r1 = CtrlWord.state(stamp);
            r.r2 = abortSeen ? 1 : 0;
            r.r3 = !valid ? -1 : key == KEY ? value : -2;
        }

        /** @param r r4 = the final word */
        @Arbiter
        public void arbiter(final JJJJ_Result r) {
            r.r4 = BucketDescriptor.ctrlAcquire(seg, LINE);
        }
    }
}
