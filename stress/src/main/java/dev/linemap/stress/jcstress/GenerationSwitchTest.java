package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static dev.linemap.stress.jcstress.TinyMaps.MISSING;
import static dev.linemap.stress.jcstress.TinyMaps.valueOf;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: start and completion of a growth or shrink (publication of the generation descriptor,
 * retirement of the old generation and release of its segments). Readers racing the switch never
 * crash (an exception escaping an actor fails the test), never read freed memory (that would be a
 * JVM crash or a garbage value) and never miss a key that is present throughout.
 */
public final class GenerationSwitchTest {

    private GenerationSwitchTest() {
    }

    /**
     * Keys 1..5 (two buckets). The writer inserts 6, 7, 8: the 2 to 4 growth starts and the
     * writer's own evacuation work finishes it, retiring the old table while the reader reads.
     * r1 = get misses among 1..5 over three rounds, r2 = wrong values seen for 6..8 (a value
     * that was never stored), r3 = keys 1..8 present at the end.
     */
    @JCStressTest
    @Description("readers racing growth completion and the release of old segments")
    @Outcome(id = "0, 0, 8", expect = ACCEPTABLE, desc = "nothing missed, nothing garbage")
    @Outcome(expect = FORBIDDEN, desc = "a key missed, a garbage value, or a key lost")
    @State
    public static class GrowthCompletion {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH);

        /** Inserts 6, 7, 8. */
        @Actor
        public void writer() {
            for (long k = 6; k <= 8; k++) {
                map.put(k, valueOf(k));
            }
        }

        /** @param r r1 = misses, r2 = garbage values */
        @Actor
        public void reader(final JJJ_Result r) {
            long misses = 0;
            long garbage = 0;
            for (int round = 0; round < 3; round++) {
                for (long k = 1; k <= 8; k++) {
                    final long v = map.get(k);
                    if (k <= TinyMaps.BELOW_SECOND_GROWTH && v != valueOf(k)) {
                        misses++;
                    } else if (k > TinyMaps.BELOW_SECOND_GROWTH && v != MISSING && v != valueOf(k)) {
                        garbage++;
                    }
                }
            }
            r.r1 = misses;
            r.r2 = garbage;
        }

        /** @param r r3 = keys present; then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            long present = 0;
            for (long k = 1; k <= 8; k++) {
                if (map.get(k) == valueOf(k)) {
                    present++;
                }
            }
            r.r3 = present;
            map.close();
        }
    }

    /**
     * Keys 1..6 (the sixth insert grew the table to four buckets). The writer removes 2..6, which
     * makes the map sparse enough to shrink. The reader keeps reading key 1 (present throughout)
     * and key 6 (removed). r1 = misses of key 1, r2 = garbage values, r3 = size at the end.
     */
    @JCStressTest
    @Description("readers racing a shrink and its completion")
    @Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "key 1 always found, no garbage, size 1")
    @Outcome(expect = FORBIDDEN, desc = "a present key missed, a garbage value, or a wrong size")
    @State
    public static class ShrinkCompletion {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH + 1);

        /** Removes 2..6. */
        @Actor
        public void writer() {
            for (long k = 2; k <= TinyMaps.BELOW_SECOND_GROWTH + 1; k++) {
                map.remove(k);
            }
        }

        /** @param r r1 = misses of key 1, r2 = garbage */
        @Actor
        public void reader(final JJJ_Result r) {
            long misses = 0;
            long garbage = 0;
            for (int round = 0; round < 6; round++) {
                if (map.get(1) != valueOf(1)) {
                    misses++;
                }
                final long v6 = map.get(6);
                if (v6 != MISSING && v6 != valueOf(6)) {
                    garbage++;
                }
            }
            r.r1 = misses;
            r.r2 = garbage;
        }

        /** @param r r3 = size; then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.size();
            map.close();
        }
    }

    /**
     * clear() racing a reader of a key that is re-inserted right after: the reader sees the old
     * value, nothing, or the new value, never garbage. r1 = garbage, r2 = get(1) at the end.
     */
    @JCStressTest
    @Description("clear racing readers: old value, nothing or new value")
    @Outcome(id = "0, 201, 1", expect = ACCEPTABLE, desc = "no garbage, the re-insert stays, size 1")
    @Outcome(expect = FORBIDDEN, desc = "garbage value or lost re-insert")
    @State
    public static class ClearAndReinsert {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_SECOND_GROWTH + 1);

        /** Clears, then re-inserts key 1 with a new value. */
        @Actor
        public void writer() {
            map.clear();
            map.put(1, 201);
        }

        /** @param r r1 = garbage values seen for keys 1..6 */
        @Actor
        public void reader(final JJJ_Result r) {
            long garbage = 0;
            for (long k = 1; k <= TinyMaps.BELOW_SECOND_GROWTH + 1; k++) {
                final long v = map.get(k);
                if (v != MISSING && v != valueOf(k) && !(k == 1 && v == 201)) {
                    garbage++;
                }
            }
            r.r1 = garbage;
        }

        /** @param r r2 = get(1); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r2 = map.get(1);
            r.r3 = map.size();
            map.close();
        }
    }
}
