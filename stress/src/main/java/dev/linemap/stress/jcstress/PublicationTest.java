package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: publication of an insert and of a remove (writer's release store of {@code ctrl} at
 * unlock, reader's acquire load). Message passing through the map itself: the writer updates K,
 * then sets flag F; a reader that sees F's new state must see K's new state, with the value K was
 * put with (never the zero of fresh memory, never a previous occupant's value).
 */
public final class PublicationTest {

    private static final long K = 7;
    private static final long F = 9;
    private static final long FLAG = 1;

    private PublicationTest() {
    }

    /** Insert into an empty one-bucket map. */
    @JCStressTest
    @Description("a reader that sees the flag sees K with the value it was put with")
    @Outcome(id = {"-1, -1", "-1, 107", "1, 107"}, expect = ACCEPTABLE,
            desc = "flag not yet seen, or K visible with its value")
    @Outcome(id = "1, -1", expect = FORBIDDEN, desc = "flag visible but the earlier insert of K is not")
    @Outcome(expect = FORBIDDEN, desc = "K returned with a value it was never put with")
    @State
    public static class Insert {
        private final LongLongMap map = TinyMaps.tiny();

        /** Puts K, then the flag. */
        @Actor
        public void writer() {
            map.put(K, valueOf(K));
            map.put(F, FLAG);
        }

        /**
         * Reads the flag, then K.
         *
         * @param r r1 = get(F), r2 = get(K)
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = map.get(F);
            r.r2 = map.get(K);
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * The insert of K is the one that starts a growth (one bucket becomes two) and the flag is
     * written while it runs; the two prefilled keys must survive (r3 counts the missing ones).
     */
    @JCStressTest
    @Description("publication of an insert that starts a growth")
    @Outcome(id = {"-1, -1, 0", "-1, 107, 0", "1, 107, 0"}, expect = ACCEPTABLE,
            desc = "flag not yet seen, or K visible with its value; no key lost")
    @Outcome(id = "1, -1, 0", expect = FORBIDDEN, desc = "flag visible but the earlier insert of K is not")
    @Outcome(expect = FORBIDDEN, desc = "wrong value, or a prefilled key lost by the growth")
    @State
    public static class InsertAcrossGrowth {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** Puts K (starts the growth), then the flag. */
        @Actor
        public void writer() {
            map.put(K, valueOf(K));
            map.put(F, FLAG);
        }

        /**
         * Reads the flag, then K.
         *
         * @param r r1 = get(F), r2 = get(K)
         */
        @Actor
        public void reader(final JJJ_Result r) {
            r.r1 = map.get(F);
            r.r2 = map.get(K);
        }

        /**
         * Counts prefilled keys that are missing or wrong, then frees the map.
         *
         * @param r r3 = lost prefilled keys
         */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            long lost = 0;
            for (long k = 1; k <= TinyMaps.BELOW_FIRST_GROWTH; k++) {
                if (map.get(k) != valueOf(k)) {
                    lost++;
                }
            }
            r.r3 = lost;
            map.close();
        }
    }

    /** A remove of K followed by the flag: a reader that sees the flag must not see K. */
    @JCStressTest
    @Description("a reader that sees the flag does not see the removed K")
    @Outcome(id = {"-1, 107", "-1, -1", "1, -1"}, expect = ACCEPTABLE, desc = "flag not yet seen, or K gone")
    @Outcome(id = "1, 107", expect = FORBIDDEN, desc = "flag visible but the earlier remove of K is not")
    @Outcome(expect = FORBIDDEN, desc = "K returned with a value it was never put with")
    @State
    public static class Remove {
        private final LongLongMap map = TinyMaps.tiny();

        /** K is present before the actors start. */
        public Remove() {
            map.put(K, valueOf(K));
        }

        /** Removes K, then sets the flag. */
        @Actor
        public void writer() {
            map.remove(K);
            map.put(F, FLAG);
        }

        /**
         * Reads the flag, then K.
         *
         * @param r r1 = get(F), r2 = get(K)
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = map.get(F);
            r.r2 = map.get(K);
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * Remove A and, concurrently, insert D into the slot A frees (one bucket, two keys): both
     * operations take effect, B is untouched, and the slot is not double-booked.
     * r1 = remove(A), r2 = put(D), then the arbiter: r3 = get(A), r4 = get(D), r5 = get(B), r6 = size.
     */
    @JCStressTest
    @Description("remove and re-insert into the freed slot: both take effect")
    @Outcome(id = "101, -1, -1, 104, 102, 2", expect = ACCEPTABLE, desc = "both operations took effect")
    @Outcome(expect = FORBIDDEN, desc = "a lost remove, a lost insert, a clobbered neighbour or a wrong size")
    @State
    public static class ReinsertFreedSlot {
        private static final long A = 1;
        private static final long B = 2;
        private static final long D = 4;
        private final LongLongMap map = TinyMaps.tiny();

        /** Slot 0 = A, slot 1 = B. */
        public ReinsertFreedSlot() {
            map.put(A, valueOf(A));
            map.put(B, valueOf(B));
        }

        /**
         * Removes A.
         *
         * @param r r1
         */
        @Actor
        public void remover(final org.openjdk.jcstress.infra.results.JJJJJJ_Result r) {
            r.r1 = map.remove(A);
        }

        /**
         * Inserts D.
         *
         * @param r r2
         */
        @Actor
        public void inserter(final org.openjdk.jcstress.infra.results.JJJJJJ_Result r) {
            r.r2 = map.put(D, valueOf(D));
        }

        /**
         * Final state, then frees the map.
         *
         * @param r r3..r6
         */
        @Arbiter
        public void arbiter(final org.openjdk.jcstress.infra.results.JJJJJJ_Result r) {
            r.r3 = map.get(A);
            r.r4 = map.get(D);
            r.r5 = map.get(B);
            r.r6 = map.size();
            map.close();
        }
    }
}
