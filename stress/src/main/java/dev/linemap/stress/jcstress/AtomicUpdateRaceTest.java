package dev.linemap.stress.jcstress;

import dev.linemap.LongLongMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;
import org.openjdk.jcstress.infra.results.JJJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: read-modify-write under the home bucket's lock. Two threads race on one key of a map
 * prefilled to just below its growth threshold, so the first insert of the key also starts a
 * growth: exactly one winner, no lost update, the final value is the winner's.
 *
 * <p>{@code AddAndGet} and {@code Merge} are the targets of the canary
 * {@code linemap.canary=racy-add} (old value read before the lock: lost updates).
 */
public final class AtomicUpdateRaceTest {

    private static final long K = 50;

    private AtomicUpdateRaceTest() {
    }

    /** putIfAbsent from two threads: exactly one inserts. r1, r2 = results, r3 = get(K), r4 = size. */
    @JCStressTest
    @Description("racing putIfAbsent: exactly one winner, and its value stays")
    @Outcome(id = {"-1, 1, 1, 3", "2, -1, 2, 3"}, expect = ACCEPTABLE,
            desc = "one thread inserted, the other saw its value")
    @Outcome(expect = FORBIDDEN, desc = "two winners, no winner, or a wrong final value/size")
    @State
    public static class PutIfAbsent {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** @param r r1 = putIfAbsent(K, 1) */
        @Actor
        public void a(final JJJJ_Result r) {
            r.r1 = map.putIfAbsent(K, 1);
        }

        /** @param r r2 = putIfAbsent(K, 2) */
        @Actor
        public void b(final JJJJ_Result r) {
            r.r2 = map.putIfAbsent(K, 2);
        }

        /** @param r r3 = get(K), r4 = size; then frees the map */
        @Arbiter
        public void arbiter(final JJJJ_Result r) {
            r.r3 = map.get(K);
            r.r4 = map.size();
            map.close();
        }
    }

    /**
     * replace(K, 0, new) from two threads while a third key's insert starts a growth:
     * exactly one succeeds. r1, r2 = 1 if replaced, r3 = get(K).
     */
    @JCStressTest
    @Description("racing replace(k, expected, new): exactly one winner")
    @Outcome(id = {"1, 0, 1", "0, 1, 2"}, expect = ACCEPTABLE,
            desc = "exactly one replace succeeded and its value stays")
    @Outcome(expect = FORBIDDEN, desc = "two winners, no winner, or a wrong final value")
    @State
    public static class ReplaceExpected {
        private final LongLongMap map = TinyMaps.tiny();

        /** K = 0 plus one more key: the next insert starts a growth. */
        public ReplaceExpected() {
            map.put(K, 0);
            map.put(K + 1, 0);
        }

        /** @param r r1 = replace(K, 0, 1) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.replace(K, 0, 1) ? 1 : 0;
        }

        /** @param r r2 = replace(K, 0, 2), after an insert that starts a growth */
        @Actor
        public void b(final JJJ_Result r) {
            map.put(K + 2, 0);
            r.r2 = map.replace(K, 0, 2) ? 1 : 0;
        }

        /** @param r r3 = get(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(K);
            map.close();
        }
    }

    /** remove(K, v) from two threads: exactly one removes. r1, r2 = 1 if removed, r3 = containsKey. */
    @JCStressTest
    @Description("racing remove(k, expected): exactly one winner")
    @Outcome(id = {"1, 0, 0", "0, 1, 0"}, expect = ACCEPTABLE, desc = "exactly one remove succeeded")
    @Outcome(expect = FORBIDDEN, desc = "two winners, no winner, or K still present")
    @State
    public static class RemoveExpected {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** K = 5 is the third entry: its insert started a growth. */
        public RemoveExpected() {
            map.put(K, 5);
        }

        /** @param r r1 = remove(K, 5) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.remove(K, 5) ? 1 : 0;
        }

        /** @param r r2 = remove(K, 5) */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = map.remove(K, 5) ? 1 : 0;
        }

        /** @param r r3 = containsKey(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.containsKey(K) ? 1 : 0;
            map.close();
        }
    }

    /** addAndGet(K, 1) twice on an absent key: no lost increment. r1, r2 = results, r3 = get(K). */
    @JCStressTest
    @Description("racing addAndGet on an absent key: no lost increment")
    @Outcome(id = {"1, 2, 2", "2, 1, 2"}, expect = ACCEPTABLE, desc = "both increments applied, in some order")
    @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "lost increment (the racy-add canary's signature)")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class AddAndGet {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** @param r r1 = addAndGet(K, 1) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.addAndGet(K, 1);
        }

        /** @param r r2 = addAndGet(K, 1) */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = map.addAndGet(K, 1);
        }

        /** @param r r3 = get(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(K);
            map.close();
        }
    }

    /**
     * addAndGet(K, 1) twice on a present key (K = 10): no lost increment. Unlike {@link AddAndGet},
     * every step is sequentially correct even with the racy-add canary, so only the race can
     * produce the forbidden outcome. r1, r2 = results, r3 = get(K).
     */
    @JCStressTest
    @Description("racing addAndGet on a present key: no lost increment")
    @Outcome(id = {"11, 12, 12", "12, 11, 12"}, expect = ACCEPTABLE, desc = "both increments applied, in some order")
    @Outcome(id = "11, 11, 11", expect = FORBIDDEN,
            desc = "lost increment: both read 10 (the racy-add canary's signature)")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class AddAndGetPresent {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** K = 10 is the third entry: its insert started a growth. */
        public AddAndGetPresent() {
            map.put(K, 10);
        }

        /** @param r r1 = addAndGet(K, 1) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.addAndGet(K, 1);
        }

        /** @param r r2 = addAndGet(K, 1) */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = map.addAndGet(K, 1);
        }

        /** @param r r3 = get(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(K);
            map.close();
        }
    }

    /**
     * merge with a non-commutative function ({@code old * 10 + v}) on an absent key: the function
     * is applied exactly once, to the other thread's result. r1, r2 = results, r3 = get(K).
     */
    @JCStressTest
    @Description("racing merge: applied exactly once each, in some order")
    @Outcome(id = {"1, 12, 12", "21, 2, 21"}, expect = ACCEPTABLE, desc = "one inserted, the other merged into it")
    @Outcome(expect = FORBIDDEN, desc = "a lost or doubled merge")
    @State
    public static class Merge {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** @param r r1 = merge(K, 1) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.merge(K, 1, (old, v) -> old * 10 + v);
        }

        /** @param r r2 = merge(K, 2) */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = map.merge(K, 2, (old, v) -> old * 10 + v);
        }

        /** @param r r3 = get(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(K);
            map.close();
        }
    }

    /** addAndGet on a present key, concurrently with put of the same key. */
    @JCStressTest
    @Description("addAndGet racing put on the same key: linearizable")
    @Outcome(id = {"11, 11, 100", "101, 10, 101"}, expect = ACCEPTABLE, desc = "add before put, or put before add")
    @Outcome(expect = FORBIDDEN, desc = "not linearizable")
    @State
    public static class AddAndGetVsPut {
        private final LongLongMap map = TinyMaps.prefilled(TinyMaps.BELOW_FIRST_GROWTH);

        /** K = 10. */
        public AddAndGetVsPut() {
            map.put(K, 10);
        }

        /** @param r r1 = addAndGet(K, 1) */
        @Actor
        public void a(final JJJ_Result r) {
            r.r1 = map.addAndGet(K, 1);
        }

        /** @param r r2 = put(K, 100) */
        @Actor
        public void b(final JJJ_Result r) {
            r.r2 = map.put(K, 100);
        }

        /** @param r r3 = get(K); then frees the map */
        @Arbiter
        public void arbiter(final JJJ_Result r) {
            r.r3 = map.get(K);
            map.close();
        }
    }
}
