package dev.linemap.stress.jcstress;

import dev.linemap.engine.Seqlock;
import dev.linemap.layout.AlignedSegments;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.OverflowLineDescriptor;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJ_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.ZZJ_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Every {@code VarHandle} access mode the engine uses, on an off-heap segment (one 64-byte line
 * from an automatic arena, so any thread may access it): acquire/release message passing on
 * {@code ctrl}, volatile CAS on {@code ctrl} (one winner), opaque per-location coherence of every
 * word the descriptors expose, and {@code getAndAdd} of a native long (the counters' mode).
 *
 * <p>These test the layout module's accessors one access mode at a time, so a failure names the
 * accessor. The one test here that needs a protocol, the writer lock's mutual exclusion
 * ({@link CasLockMutualExclusion}), calls the engine's {@link Seqlock} rather than re-coding it;
 * the read section and the evacuation are tested in {@link SeqlockReadTest} and
 * {@link SeqlockProtocolTest}.
 */
public final class VarHandleModesTest {

    private static final long LINE = BucketDescriptor.lineOffset(0);

    private VarHandleModesTest() {
    }

    private static MemorySegment line() {
        return AlignedSegments.allocateLines(Arena.ofAuto(), 1);
    }

    /**
     * Opaque slot and meta stores followed by a release store of ctrl; an acquire load that sees
     * the new ctrl sees every earlier store. r1 = ctrl seen (0, or version 1 with slot 0:
     * 513), r2 = key, r3 = value, r4 = meta.
     *
     * <p>The raw accessors on purpose: this is the pairing {@link Seqlock#unlock} (a
     * {@code ctrlRelease}) and {@link Seqlock#tryOptimisticRead} (a {@code ctrlAcquire}) rely on,
     * isolated, so a failure here points at the accessors rather than the protocol. The same
     * publication through {@link Seqlock}, with the engine's plain loads, is
     * {@code SeqlockReadTest.RawBucket} (a validated stamp of version p must see pattern p).
     */
    @JCStressTest
    @Description("ctrlRelease / ctrlAcquire publish the opaque slot and meta stores")
    @Outcome(id = "0, .*", expect = ACCEPTABLE, desc = "ctrl not yet published: anything goes for the words")
    @Outcome(id = (CtrlWord.VERSION_ONE + 1) + ", 11, 22, 33", expect = ACCEPTABLE,
            desc = "published, and every word visible")
    @Outcome(expect = FORBIDDEN, desc = "ctrl published but an earlier word store not visible")
    @State
    public static class CtrlReleaseAcquire {
        private static final long PUBLISHED = CtrlWord.of(1, false, CtrlWord.NORMAL, 1);
        private final MemorySegment seg = line();

        /** Writes the words, then publishes ctrl. */
        @Actor
        public void writer() {
            BucketDescriptor.setKeyOpaque(seg, LINE, 0, 11);
            BucketDescriptor.setValueOpaque(seg, LINE, 0, 22);
            BucketDescriptor.setMetaOpaque(seg, LINE, 33);
            BucketDescriptor.ctrlRelease(seg, LINE, PUBLISHED);
        }

        /** @param r r1 = ctrl, r2..r4 = words */
        @Actor
        public void reader(final JJJJ_Result r) {
            r.r1 = BucketDescriptor.ctrlAcquire(seg, LINE);
            r.r2 = BucketDescriptor.keyOpaque(seg, LINE, 0);
            r.r3 = BucketDescriptor.valueOpaque(seg, LINE, 0);
            r.r4 = BucketDescriptor.metaOpaque(seg, LINE);
        }
    }

    /** Two lockers CAS the same unlocked ctrl: exactly one wins. r3 = ctrl at the end. */
    @JCStressTest
    @Description("casCtrl: exactly one of two lock attempts on the same word wins")
    @Outcome(id = {"true, false, " + CtrlWord.LOCK, "false, true, " + CtrlWord.LOCK}, expect = ACCEPTABLE,
            desc = "exactly one locked it")
    @Outcome(expect = FORBIDDEN, desc = "two or no winners")
    @State
    public static class CasCtrlOneWinner {
        private final MemorySegment seg = line();

        /** @param r r1 = won */
        @Actor
        public void a(final ZZJ_Result r) {
            r.r1 = BucketDescriptor.casCtrl(seg, LINE, 0, CtrlWord.LOCK);
        }

        /** @param r r2 = won */
        @Actor
        public void b(final ZZJ_Result r) {
            r.r2 = BucketDescriptor.casCtrl(seg, LINE, 0, CtrlWord.LOCK);
        }

        /** @param r r3 = final ctrl */
        @Arbiter
        public void arbiter(final ZZJ_Result r) {
            r.r3 = BucketDescriptor.ctrlAcquire(seg, LINE);
        }
    }

    /**
     * The writer lock, the engine's own: {@link Seqlock#lock}, a read-modify-write of a value under
     * it as the engine's writers do it (plain load, opaque store), {@link Seqlock#unlock} of
     * {@link CtrlWord#nextUnlocked}. Two writers each add one: the value is 2 and the version
     * advanced twice. r1 = value, r2 = version, r3 = lock bit.
     */
    @JCStressTest
    @Description("Seqlock.lock / Seqlock.unlock: mutual exclusion, no lost update")
    @Outcome(id = "2, 2, 0", expect = ACCEPTABLE, desc = "both critical sections ran, one after the other")
    @Outcome(expect = FORBIDDEN, desc = "overlapping critical sections (lost update) or a stuck lock")
    @State
    public static class CasLockMutualExclusion {
        private final MemorySegment seg = line();

        private void increment() {
            final long c = Seqlock.lock(seg, LINE);
            if (c == Seqlock.MOVED) {
                throw new IllegalStateException("never evacuated here: " + CtrlWord.toString(c));
            }
            final long v = BucketDescriptor.valuePlain(seg, LINE, 0);
            BucketDescriptor.setValueOpaque(seg, LINE, 0, v + 1);
            Seqlock.unlock(seg, LINE, CtrlWord.nextUnlocked(c));
        }

        /** First writer. */
        @Actor
        public void a() {
            increment();
        }

        /** Second writer. */
        @Actor
        public void b() {
            increment();
        }

        /** @param r r1 = value, r2 = version, r3 = lock bit */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            final long c = BucketDescriptor.ctrlAcquire(seg, LINE);
            r.r1 = BucketDescriptor.valueOpaque(seg, LINE, 0);
            r.r2 = CtrlWord.version(c);
            r.r3 = CtrlWord.isLocked(c) ? 1 : 0;
        }
    }

    /** Coherence outcomes shared by the opaque tests: writes 1 then 2, reads twice. */
    private static final String COHERENT_DESC = "reads in an order consistent with the write order";

    /** Opaque coherence of a key word: two reads never see the writes out of order. */
    @JCStressTest
    @Description("keyOpaque / setKeyOpaque are coherent")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class KeyOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            BucketDescriptor.setKeyOpaque(seg, LINE, 2, 1);
            BucketDescriptor.setKeyOpaque(seg, LINE, 2, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = BucketDescriptor.keyOpaque(seg, LINE, 2);
            r.r2 = BucketDescriptor.keyOpaque(seg, LINE, 2);
        }
    }

    /** Opaque coherence of a value word. */
    @JCStressTest
    @Description("valueOpaque / setValueOpaque are coherent")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class ValueOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            BucketDescriptor.setValueOpaque(seg, LINE, 1, 1);
            BucketDescriptor.setValueOpaque(seg, LINE, 1, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = BucketDescriptor.valueOpaque(seg, LINE, 1);
            r.r2 = BucketDescriptor.valueOpaque(seg, LINE, 1);
        }
    }

    /** Opaque coherence of the meta word. */
    @JCStressTest
    @Description("metaOpaque / setMetaOpaque are coherent")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class MetaOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            BucketDescriptor.setMetaOpaque(seg, LINE, 1);
            BucketDescriptor.setMetaOpaque(seg, LINE, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = BucketDescriptor.metaOpaque(seg, LINE);
            r.r2 = BucketDescriptor.metaOpaque(seg, LINE);
        }
    }

    /** Opaque re-read of ctrl (the seqlock validation load) against release stores. */
    @JCStressTest
    @Description("ctrlOpaque observes ctrlRelease stores coherently")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class CtrlOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            BucketDescriptor.ctrlRelease(seg, LINE, 1);
            BucketDescriptor.ctrlRelease(seg, LINE, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = BucketDescriptor.ctrlOpaque(seg, LINE);
            r.r2 = BucketDescriptor.ctrlOpaque(seg, LINE);
        }
    }

    /** Opaque coherence of an overflow line's occ word. */
    @JCStressTest
    @Description("occOpaque / setOccOpaque are coherent")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class OccOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            OverflowLineDescriptor.setOccOpaque(seg, LINE, 1);
            OverflowLineDescriptor.setOccOpaque(seg, LINE, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = OverflowLineDescriptor.occOpaque(seg, LINE);
            r.r2 = OverflowLineDescriptor.occOpaque(seg, LINE);
        }
    }

    /** Opaque coherence of an overflow line's next word. */
    @JCStressTest
    @Description("nextOpaque / setNextOpaque are coherent")
    @Outcome(id = {"0, 0", "0, 1", "0, 2", "1, 1", "1, 2", "2, 2"}, expect = ACCEPTABLE, desc = COHERENT_DESC)
    @Outcome(expect = FORBIDDEN, desc = "a later read saw an older value")
    @State
    public static class NextOpaque {
        private final MemorySegment seg = line();

        /** Writes 1 then 2. */
        @Actor
        public void writer() {
            OverflowLineDescriptor.setNextOpaque(seg, LINE, 1);
            OverflowLineDescriptor.setNextOpaque(seg, LINE, 2);
        }

        /** @param r two reads */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = OverflowLineDescriptor.nextOpaque(seg, LINE);
            r.r2 = OverflowLineDescriptor.nextOpaque(seg, LINE);
        }
    }

    /** getAndAdd on a native long (the striped counters' mode): no lost increment. */
    @JCStressTest
    @Description("getAndAdd on an off-heap long: atomic")
    @Outcome(id = {"0, 1, 2", "1, 0, 2"}, expect = ACCEPTABLE, desc = "both adds applied, in some order")
    @Outcome(expect = FORBIDDEN, desc = "lost add")
    @State
    public static class GetAndAdd {
        private static final VarHandle VH_LONG = ValueLayout.JAVA_LONG.varHandle();
        private final MemorySegment seg = line();

        /** @param r r1 = previous */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = (long) VH_LONG.getAndAdd(seg, LINE, 1L);
        }

        /** @param r r2 = previous */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = (long) VH_LONG.getAndAdd(seg, LINE, 1L);
        }

        /** @param r r3 = final */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = (long) VH_LONG.getVolatile(seg, LINE);
        }
    }
}
