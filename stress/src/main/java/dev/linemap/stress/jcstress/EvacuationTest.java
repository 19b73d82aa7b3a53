package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJJJ_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: evacuation of an old bucket into the new table (EVACUATING, plain fills of the new
 * buckets, release store of EVACUATED; readers follow the state). One actor's insert starts a
 * growth of a map at its threshold and helps evacuate; the other actor reads or writes keys that
 * were there before: a reader never misses them, a writer's update is never lost.
 */
public final class EvacuationTest {

    private static final long NEW_KEY = 60;

    private EvacuationTest() {
    }

    /** One bucket (A=1, B=2) grows to two while a reader looks both up. r1, r2 = gets, r3 = get(new). */
    @JCStressTest
    @Description("a key present before growth is never missing for a reader racing the evacuation")
    @Outcome(id = "101, 102, 160", expect = ACCEPTABLE, desc = "both old keys found, the new key present after")
    @Outcome(expect = FORBIDDEN, desc = "an old key reported missing or wrong during evacuation")
    @State
    public static class ReaderFirstGrowth {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** Starts the growth. */
        @Actor
        public void grower() {
            map.put(NEW_KEY, valueOf(NEW_KEY));
        }

        /** @param r r1 = get(1), r2 = get(2) */
        @Actor
        public void reader(final JJJ_Result r) {
            r.r1 = map.get(1);
            r.r2 = map.get(2);
        }

        /** @param r r3 = get(new key); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(NEW_KEY);
            map.close();
        }
    }

    /**
     * Two buckets (keys 1..5) grow to four: the cursor evacuates two old buckets. The reader looks
     * up all five keys twice. r1 = misses or wrong values (0), r2 = containsKey misses (0),
     * r3 = get(new key).
     */
    @JCStressTest
    @Description("no key missing while two old buckets are evacuated")
    @Outcome(id = "0, 0, 160", expect = ACCEPTABLE, desc = "every old key found every time")
    @Outcome(expect = FORBIDDEN, desc = "a key missing or wrong during evacuation")
    @State
    public static class ReaderSecondGrowth {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH);

        /** Starts the 2 to 4 growth. */
        @Actor
        public void grower() {
            map.put(NEW_KEY, valueOf(NEW_KEY));
        }

        /** @param r r1 = get misses, r2 = containsKey misses */
        @Actor
        public void reader(final JJJ_Result r) {
            long misses = 0;
            long containsMisses = 0;
            for (int round = 0; round < 2; round++) {
                for (long k = 1; k <= TinyMaps.BELOW_SECOND_GROWTH; k++) {
                    if (map.get(k) != valueOf(k)) {
                        misses++;
                    }
                    if (!map.containsKey(k)) {
                        containsMisses++;
                    }
                }
            }
            r.r1 = misses;
            r.r2 = containsMisses;
        }

        /** @param r r3 = get(new key); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(NEW_KEY);
            map.close();
        }
    }

    /**
     * A write to an old key races the evacuation of its bucket: it must land in whichever table
     * ends up holding the key. r1 = put(1, 201) (old value), r2 = remove(2); arbiter: r3 = get(1),
     * r4 = get(2), r5 = size.
     */
    @JCStressTest
    @Description("a write racing the evacuation of its bucket is never lost")
    @Outcome(id = "101, 102, 201, -1, 1", expect = ACCEPTABLE,
            desc = "the update and the remove both survived the growth")
    @Outcome(expect = FORBIDDEN, desc = "an update or remove lost (or resurrected) by the evacuation")
    @State
    public static class WriterRacesEvacuation {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** Starts the growth, then removes the key it added. */
        @Actor
        public void grower() {
            map.put(NEW_KEY, valueOf(NEW_KEY));
            map.remove(NEW_KEY);
        }

        /** @param r r1 = put(1, 201), r2 = remove(2) */
        @Actor
        public void writer(final JJJJJ_Result r) {
            r.r1 = map.put(1, 201);
            r.r2 = map.remove(2);
        }

        /** @param r r3 = get(1), r4 = get(2), r5 = size; then frees the map */
        @Arbiter
        public void arbiter(final JJJJJ_Result r) {
            r.r3 = map.get(1);
            r.r4 = map.get(2);
            r.r5 = map.size();
            map.close();
        }
    }

    /**
     * Two inserts race, each able to start the growth of a two-bucket map (keys 1..5): only one
     * growth may start, and both keys survive it. r1 = missing among 1..7, r2 = size,
     * r3 = bucket count at the end is a power of two (1) and at least 4 (1).
     */
    @JCStressTest
    @Description("two writers cross the growth threshold together: one growth, nothing lost")
    @Outcome(id = "0, 7, 1", expect = ACCEPTABLE, desc = "all seven keys present, sane table")
    @Outcome(expect = FORBIDDEN, desc = "a key lost, a wrong size, or a broken table size")
    @State
    public static class TwoWritersStartGrowth {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH);

        /** Inserts key 6. */
        @Actor
        public void a() {
            map.put(6, valueOf(6));
        }

        /** Inserts key 7. */
        @Actor
        public void b() {
            map.put(7, valueOf(7));
        }

        /** @param r r1 = keys missing, r2 = size, r3 = table size sane; then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            long missing = 0;
            for (long k = 1; k <= 7; k++) {
                if (map.get(k) != valueOf(k)) {
                    missing++;
                }
            }
            r.r1 = missing;
            r.r2 = map.size();
            final long buckets = map.stats().bucketCount();
            r.r3 = (Long.bitCount(buckets) == 1 && buckets >= 2) ? 1 : 0;
            map.close();
        }
    }
}
