package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: weakly consistent iteration across generations (walk the new table; for a new bucket
 * whose old source is not evacuated, read the old bucket and keep only the keys bound for it).
 * Every key present for the whole iteration is reported exactly once; no key twice; no garbage.
 */
public final class IterationTest {

    private static final int MAX_KEY = 16;

    private IterationTest() {
    }

    /** Tallies one forEach: per-key counts and values never stored. */
    private static final class Tally {
        final int[] seen = new int[MAX_KEY + 1];
        long garbage;

        void accept(final long k, final long v) {
            if (k < 1 || k > MAX_KEY || v != valueOf(k)) {
                garbage++;
            } else {
                seen[(int) k]++;
            }
        }

        void report(final JJJ_Result r, final int stableFrom, final int stableTo) {
            long stableOnce = 0;
            long duplicates = 0;
            for (int k = 1; k <= MAX_KEY; k++) {
                if (seen[k] > 1) {
                    duplicates++;
                }
                if (k >= stableFrom && k <= stableTo && seen[k] == 1) {
                    stableOnce++;
                }
            }
            r.r1 = stableOnce;
            r.r2 = duplicates;
            r.r3 = garbage;
        }
    }

    /**
     * Keys 1..5 stay; the mutator inserts 6..9 (growth 2 to 4 starts and runs) and removes 6.
     * r1 = stable keys seen exactly once (5), r2 = keys seen twice (0), r3 = garbage (0).
     */
    @JCStressTest
    @Description("forEach racing a growth: each stable key exactly once")
    @Outcome(id = "5, 0, 0", expect = ACCEPTABLE, desc = "every stable key once, nothing twice, no garbage")
    @Outcome(expect = FORBIDDEN, desc = "a stable key missed or repeated, a key twice, or garbage")
    @State
    public static class DuringGrowth {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH);

        /** Inserts 6..9, removes 6. */
        @Actor
        public void mutator() {
            for (long k = 6; k <= 9; k++) {
                map.put(k, valueOf(k));
            }
            map.remove(6);
        }

        /** @param r r1..r3 as described */
        @Actor
        public void iterator(final JJJ_Result r) {
            final Tally tally = new Tally();
            map.forEach(tally::accept);
            tally.report(r, 1, TinyMaps.BELOW_SECOND_GROWTH);
        }

        /** Frees the map. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * Keys 1..12 (four or eight buckets); the mutator removes 3..12 (a shrink starts) while
     * keys 1 and 2 stay. r1 = stable keys seen exactly once (2), r2 = duplicates, r3 = garbage.
     */
    @JCStressTest
    @Description("forEach racing a shrink: each stable key exactly once")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "both stable keys once, nothing twice, no garbage")
    @Outcome(expect = FORBIDDEN, desc = "a stable key missed or repeated, a key twice, or garbage")
    @State
    public static class DuringShrink {
        private final LongLongMap map = TinyMaps.prefilled(12);

        /** Removes 3..12. */
        @Actor
        public void mutator() {
            for (long k = 3; k <= 12; k++) {
                map.remove(k);
            }
        }

        /** @param r r1..r3 as described */
        @Actor
        public void iterator(final JJJ_Result r) {
            final Tally tally = new Tally();
            map.forEach(tally::accept);
            tally.report(r, 1, 2);
        }

        /** Frees the map. */
        @Arbiter
        public void close() {
            map.close();
        }
    }
}
