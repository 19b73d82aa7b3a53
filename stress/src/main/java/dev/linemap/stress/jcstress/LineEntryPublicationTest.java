package dev.linemap.stress.jcstress;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Protocol: publication of a {@link dev.linemap.LineMap} entry, whose key and value bytes live in
 * entry memory that a slot word points to. A reader never returns a half-written key or value, nor
 * one key with another key's value: not while a writer replaces a value by one of another length
 * (a new block, the old one freed), not while a writer removes a key and inserts another whose
 * entry reuses the freed block, and an insert is published whole.
 *
 * <p>Maps are {@code LineMap<byte[], byte[]>} at {@code initialCapacity(0)} with a fixed seed, built
 * per state and closed by the arbiter. Values name their key and their version in their first two
 * bytes and fill the rest with a pattern of both ({@link #value}); {@link #classify} returns the
 * version of a whole value of the key read, {@link #ABSENT}, or {@link #BAD} for anything else.
 *
 * <p>The canary's targets: with {@code -Dlinemap.canary=skip-read-validation} in the forked JVMs
 * (the {@code canary} command) the engine's {@code Seqlock.validate} always succeeds, and
 * {@link ValueReplaceLoop} and {@link BlockReuseLoop} must then report FORBIDDEN outcomes: that
 * requires LineMap's read section to close with {@code Seqlock.validate}, as every other read of the
 * engine does.
 */
public final class LineEntryPublicationTest {

    /** {@link #classify}: the key is absent. */
    public static final long ABSENT = -1;

    /** {@link #classify}: a value that is not a whole version of the key read. */
    public static final long BAD = -2;

    private LineEntryPublicationTest() {
    }

    /**
     * A new tiny map.
     *
     * @return a {@code LineMap<byte[], byte[]>} with one bucket and a fixed seed
     */
    static LineMap<byte[], byte[]> tiny() {
        return LineMap.builder(Codecs.bytes(), Codecs.bytes()).initialCapacity(0).seed(42L).build();
    }

    /**
     * Key {@code id}: {@code length} bytes, equal for every id but the last byte, so a key compare
     * that read a half-rewritten key could take one for the other.
     *
     * @param id key number, 1..100
     * @param length at least 1
     * @return the key
     */
    static byte[] key(final int id, final int length) {
        final byte[] k = new byte[length];
        for (int i = 0; i < length; i++) {
            k[i] = (byte) ('k' + i % 7);
        }
        k[length - 1] = (byte) id;
        return k;
    }

    /**
     * Version {@code version} of key {@code id}'s value: {@code length} bytes (at least 2).
     *
     * @param id key number
     * @param version 0..100
     * @param length at least 2
     * @return the value
     */
    static byte[] value(final int id, final int version, final int length) {
        final byte[] v = new byte[length];
        v[0] = (byte) id;
        v[1] = (byte) version;
        for (int i = 2; i < length; i++) {
            v[i] = (byte) (id * 67 + version * 13 + i);
        }
        return v;
    }

    /**
     * What a read of key {@code id} returned.
     *
     * @param id the key read
     * @param v the value returned, or null
     * @param lengthOf the length every version of this key has, given its version
     * @return the version, {@link #ABSENT} or {@link #BAD}
     */
    static long classify(final int id, final byte[] v, final java.util.function.IntUnaryOperator lengthOf) {
        if (v == null) {
            return ABSENT;
        }
        if (v.length < 2 || v[0] != (byte) id) {
            return BAD;
        }
        final int version = v[1];
        return v.length == lengthOf.applyAsInt(version)
                && java.util.Arrays.equals(v, value(id, version, v.length)) ? version : BAD;
    }

    /** Message passing through the map: the writer puts K, then the flag F. */
    @JCStressTest
    @Description("a reader that sees the flag sees K whole, with the value it was put with")
    @Outcome(id = {"-1, -1", "-1, 0", "0, 0"}, expect = ACCEPTABLE,
            desc = "flag not yet seen, or K visible with its whole value")
    @Outcome(id = "0, -1", expect = FORBIDDEN, desc = "flag visible but the earlier insert of K is not")
    @Outcome(expect = FORBIDDEN, desc = "a half-written or foreign value returned")
    @State
    public static class Insert {
        private final LineMap<byte[], byte[]> map = tiny();

        /** Puts K (40-byte key, 120-byte value), then F. */
        @Actor
        public void writer() {
            map.put(key(1, 40), value(1, 0, 120));
            map.put(key(2, 3), value(2, 0, 2));
        }

        /**
         * Reads F, then K.
         *
         * @param r r1 = F's version or -1, r2 = K's version, -1, or -2 if not whole
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = classify(2, map.get(key(2, 3)), v -> 2);
            r.r2 = classify(1, map.get(key(1, 40)), v -> 120);
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /** One replacement of a 24-byte value by a 200-byte one, read by get and by getBytes. */
    @JCStressTest
    @Description("a value replaced by one of another length is read whole, old or new")
    @Outcome(id = {"0, 0", "0, 1", "1, 1"}, expect = ACCEPTABLE, desc = "each read saw a whole version, in order")
    @Outcome(expect = FORBIDDEN, desc = "absent, half-written or mixed value, or the later read went back to 0")
    @State
    public static class ValueReplace {
        private static final int ID = 5;
        private final LineMap<byte[], byte[]> map = tiny();
        private final byte[] target = new byte[256];

        /** Stores version 0 (24 bytes). */
        public ValueReplace() {
            map.put(key(ID, 17), value(ID, 0, 24));
        }

        private static int lengthOf(final int version) {
            return version == 0 ? 24 : 200;
        }

        /** Replaces it by version 1 (200 bytes). */
        @Actor
        public void writer() {
            map.put(key(ID, 17), value(ID, 1, 200));
        }

        /**
         * Reads the key with get, then with getBytes into a heap target.
         *
         * @param r r1 = version by get, r2 = version by getBytes (-2 if not whole)
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = classify(ID, map.get(key(ID, 17)), ValueReplace::lengthOf);
            final long n = map.getBytes(MemorySegment.ofArray(key(ID, 17)), MemorySegment.ofArray(target));
            r.r2 = n < 0 ? ABSENT : classify(ID, java.util.Arrays.copyOf(target, (int) n), ValueReplace::lengthOf);
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * Widened window: the writer replaces the value 64 times, three times in four by a version of the
     * same length (600 bytes, overwritten in place, under the lock) and every fourth time by one of
     * 2,000 bytes (a new block; the old one freed and reused by a later version), then raises a flag;
     * the reader reads until the flag. r1 = reads that were absent or not a whole
     * version (must be 0); r2 = 1 if the reader saw more than one version (the reads overlapped the
     * writes).
     */
    @JCStressTest
    @Description("get() looping during repeated value replacement only returns whole versions")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = "every read was a whole version")
    @Outcome(expect = FORBIDDEN, desc = "r1 > 0: a read returned nothing, or a half-written or mixed value")
    @State
    public static class ValueReplaceLoop {
        private static final int ID = 6;
        private static final int ROUNDS = 64;
        private static final int MAX_READS = 20_000;
        private final LineMap<byte[], byte[]> map = tiny();
        private volatile boolean writerDone;

        /** Stores version 0, with a neighbour in the same bucket. */
        public ValueReplaceLoop() {
            map.put(key(9, 17), value(9, 0, 30));
            map.put(key(ID, 17), value(ID, 0, lengthOf(0)));
        }

        private static int lengthOf(final int version) {
            return version % 4 == 3 ? 2000 : 600;   // long copies: a wide window for a torn read
        }

        /** Versions 1..64, then the flag. */
        @Actor
        public void writer() {
            for (int v = 1; v <= ROUNDS; v++) {
                map.put(key(ID, 17), value(ID, v, lengthOf(v)));
            }
            writerDone = true;
        }

        /**
         * Reads until the writer is done (bounded).
         *
         * @param r r1 = bad reads, r2 = whether more than one version was seen
         */
        @Actor
        public void reader(final JJ_Result r) {
            long bad = 0;
            long first = -3;
            boolean several = false;
            final byte[] k = key(ID, 17);
            for (int i = 0; i < MAX_READS && !writerDone; i++) {
                final long v = classify(ID, map.get(k), ValueReplaceLoop::lengthOf);
                if (v < 0) {
                    bad++;
                } else if (first == -3) {
                    first = v;
                } else if (v != first) {
                    several = true;
                }
            }
            r.r1 = bad;
            r.r2 = several ? 1 : 0;
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * The writer removes key 1 and inserts key 2 (same key length, same value length: its entry can
     * reuse key 1's freed block; the keys differ only in their last byte). The reader looks up key
     * 1, then key 2.
     */
    @JCStressTest
    @Description("remove of key 1 and insert of key 2 into its freed block: never key 1 with key 2's value")
    @Outcome(id = {"0, -1", "0, 0", "-1, 0", "-1, -1"}, expect = ACCEPTABLE,
            desc = "each read saw its own key's whole value, or nothing")
    @Outcome(expect = FORBIDDEN, desc = "a key returned with another key's value, or a half-written one")
    @State
    public static class BlockReuse {
        private final LineMap<byte[], byte[]> map = tiny();

        /** Key 1 and a neighbour (key 3). */
        public BlockReuse() {
            map.put(key(3, 33), value(3, 0, 48));
            map.put(key(1, 33), value(1, 0, 48));
        }

        /** Removes key 1, inserts key 2. */
        @Actor
        public void writer() {
            map.remove(key(1, 33));
            map.put(key(2, 33), value(2, 0, 48));
        }

        /**
         * Reads key 1, then key 2.
         *
         * @param r r1 = key 1's version, -1 or -2; r2 = key 2's
         */
        @Actor
        public void reader(final JJ_Result r) {
            r.r1 = classify(1, map.get(key(1, 33)), v -> 48);
            r.r2 = classify(2, map.get(key(2, 33)), v -> 48);
        }

        /** Frees the map's native memory; the neighbour must be intact. */
        @Arbiter
        public void close() {
            try {
                if (classify(3, map.get(key(3, 33)), v -> 48) != 0) {
                    throw new IllegalStateException("the neighbour's value changed");
                }
            } finally {
                map.close();
            }
        }
    }

    /**
     * Widened window: keys 1 and 2 take turns in the same block, 32 times each way, with new value
     * versions each time; the reader reads both until the flag. r1 = reads that returned a value that
     * is not a whole version of the key read (must be 0); r2 = 1 if a read of key 1 found nothing
     * (the reads overlapped the writes).
     */
    @JCStressTest
    @Description("get() looping during repeated block reuse never returns another key's value")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = "no foreign or torn value")
    @Outcome(expect = FORBIDDEN, desc = "r1 > 0: a key returned with another key's value, or a half-written one")
    @State
    public static class BlockReuseLoop {
        private static final int ROUNDS = 32;
        private static final int MAX_READS = 20_000;
        private final LineMap<byte[], byte[]> map = tiny();
        private volatile boolean writerDone;

        /** Key 1 (version 0) and a neighbour. */
        public BlockReuseLoop() {
            map.put(key(3, 33), value(3, 0, 48));
            map.put(key(1, 33), value(1, 0, 48));
        }

        /** Swaps key 1 and key 2 through the same block, then the flag. */
        @Actor
        public void writer() {
            for (int i = 1; i <= ROUNDS; i++) {
                map.remove(key(1, 33));
                map.put(key(2, 33), value(2, i, 48));
                map.remove(key(2, 33));
                map.put(key(1, 33), value(1, i, 48));
            }
            writerDone = true;
        }

        /**
         * Reads keys 1 and 2 until the writer is done (bounded).
         *
         * @param r r1 = foreign or torn reads, r2 = whether a read of key 1 found nothing
         */
        @Actor
        public void reader(final JJ_Result r) {
            long bad = 0;
            long absent = 0;
            final byte[] k1 = key(1, 33);
            final byte[] k2 = key(2, 33);
            for (int i = 0; i < MAX_READS && !writerDone; i++) {
                final long a = classify(1, map.get(k1), v -> 48);
                final long b = classify(2, map.get(k2), v -> 48);
                if (a == ABSENT) {
                    absent++;
                }
                if (a == BAD || b == BAD) {
                    bad++;
                }
            }
            r.r1 = bad;
            r.r2 = absent > 0 ? 1 : 0;
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }

    /**
     * {@link BlockReuseLoop} with another split of the same record size: key 2 is short (5 bytes)
     * and its value long (76 bytes), key 1 long (33) and its value short (48), so a reader that
     * located key 1's value by key 1's key length and then read the length key 2 wrote would reach
     * past the block. The reads go through {@code get} (a heap copy), {@code getBytes} (into a
     * caller's segment) and {@code readValue} (a view). r1 = reads that returned anything but a whole
     * version of the key read, or threw (must be 0); r2 = 1 if a read of key 1 found nothing.
     */
    @JCStressTest
    @Description("block reuse by an entry with a shorter key and a longer value: never a foreign, torn or failed read")
    @Outcome(id = {"0, 0", "0, 1"}, expect = ACCEPTABLE, desc = "no foreign or torn value, no exception")
    @Outcome(expect = FORBIDDEN, desc = "r1 > 0: another key's value, a half-written one, or an exception")
    @State
    public static class BlockReuseOtherSplitLoop {
        private static final int ROUNDS = 32;
        private static final int MAX_READS = 20_000;
        private final LineMap<byte[], byte[]> map = tiny();
        private final byte[] target = new byte[128];
        private volatile boolean writerDone;

        /** Key 1 (version 0) and a neighbour. */
        public BlockReuseOtherSplitLoop() {
            map.put(key(3, 33), value(3, 0, 48));
            map.put(key(1, 33), value(1, 0, 48));
        }

        /** Swaps key 1 and key 2 through blocks of one size, then the flag. */
        @Actor
        public void writer() {
            for (int i = 1; i <= ROUNDS; i++) {
                map.remove(key(1, 33));
                map.put(key(2, 5), value(2, i, 76));
                map.remove(key(2, 5));
                map.put(key(1, 33), value(1, i, 48));
            }
            writerDone = true;
        }

        /**
         * Reads key 1 three ways until the writer is done (bounded).
         *
         * @param r r1 = foreign, torn or failed reads, r2 = whether a read of key 1 found nothing
         */
        @Actor
        public void reader(final JJ_Result r) {
            long bad = 0;
            long absent = 0;
            final byte[] k1 = key(1, 33);
            final MemorySegment k1s = MemorySegment.ofArray(k1);
            final MemorySegment out = MemorySegment.ofArray(target);
            for (int i = 0; i < MAX_READS && !writerDone; i++) {
                try {
                    final long a = classify(1, map.get(k1), v -> 48);
                    final long n = map.getBytes(k1s, out);
                    final long b = n < 0 ? ABSENT
                            : n > target.length ? BAD : classify(1, java.util.Arrays.copyOf(target, (int) n), v -> 48);
                    final long c = map.readValue(k1s, v -> v.byteSize() == 48 && v.get(
                            java.lang.foreign.ValueLayout.JAVA_BYTE, 0) == 1 ? 0 : BAD, ABSENT);
                    if (a == ABSENT) {
                        absent++;
                    }
                    if (a == BAD || b == BAD || c == BAD) {
                        bad++;
                    }
                } catch (final RuntimeException e) {
                    bad++;
                }
            }
            r.r1 = bad;
            r.r2 = absent > 0 ? 1 : 0;
        }

        /** Frees the map's native memory. */
        @Arbiter
        public void close() {
            map.close();
        }
    }
}
