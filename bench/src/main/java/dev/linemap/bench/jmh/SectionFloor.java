package dev.linemap.bench.jmh;

import dev.linemap.bench.Keys;
import dev.linemap.engine.AccessMode;
import dev.linemap.engine.Hashing;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of linemap's get and put under JMH: the engine's seqlock read section, or its locked
 * write section, and nothing else, over the engine's bucket layout, through one constant segment
 * (the fast access path). Same keys, same lookup order and the same {@link Cursor} as
 * {@link MapOps#getHit} and {@link MapOps#put}, so they run side by side:
 * {@code jmh 'jmh.(MapOps|SectionFloor).(getHit|put)$' -p impl=linemap,agrona -p size=1000,16777216}.
 *
 * <p>What it leaves out of the engine: the generation load and its migration check, the
 * retirement re-check, the reachability fence, the missing-value handling, the put's choice of
 * operation. What it keeps: the engine's hash ({@link Hashing#hash}), 64-byte buckets of three
 * slots (ctrl, meta, then key/value pairs), the engine's bucket count for the size (the smallest
 * power of two with {@code size <= loadFactor * buckets}, as growing from empty reaches), overflow
 * lines for what does not fit, walked through the meta word, and the engine's ctrl bits (lock,
 * state, version) and memory orderings. Measurement only: a get or put of a key it does not hold
 * fails.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class SectionFloor {

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    /** The engine's constant segment (the whole address space): the JIT folds its checks away. */
    private static final MemorySegment ALL = AccessMode.ALL;

    /** ctrl's lock bit and state field: a section runs only on an unlocked NORMAL bucket. */
    private static final long LOCK_OR_STATE = 0x98;
    /** ctrl's lock bit. */
    private static final long LOCK = 0x80;
    /** One step of ctrl's version field. */
    private static final long VERSION_ONE = 0x100;

    /** Created by JMH. */
    public SectionFloor() {
    }

    /** A bare table filled with the keys {@link FilledMap} stores. */
    @State(Scope.Benchmark)
    public static class Bare {
        /** Entries, as {@link FilledMap#size}. */
        @Param({"1000", "16777216"})
        public int size;

        /** Entries per bucket at which the engine would grow: sets the bucket count. */
        @Param({"2.5"})
        public double loadFactor;

        /** Stored keys in random lookup order. */
        public long[] hits;

        private Arena arena;
        private long base;
        private long mask;
        private final long seed = Hashing.randomSeed();

        /** Created by JMH. */
        public Bare() {
        }

        /** Allocates and fills the table. */
        @Setup(Level.Trial)
        public void fill() {
            if (!AccessMode.FAST) {
                throw new IllegalStateException("SectionFloor goes through the fast path's constant segment:"
                        + " run it with --enable-native-access=ALL-UNNAMED on Linux (linemap.access="
                        + System.getProperty("linemap.access") + ")");
            }
            long buckets = 1;
            while (size > loadFactor * buckets) {
                buckets <<= 1;
            }
            mask = buckets - 1;
            arena = Arena.ofShared();
            base = arena.allocate(buckets * 64, 64).address();
            final MemorySegment overflow = arena.allocate(Math.max(64, (long) size / 4 * 64), 64);
            long used = 0;
            final long[] keys = Keys.random(size, Keys.KEY_SEED);
            for (int i = 0; i < size; i++) {
                final long key = keys[i];
                final long value = Keys.valueFor(i);
                final long line = base + ((Hashing.hash(key, seed) & mask) << 6);
                long at = line;
                while (true) {
                    final long occupancy = (long) WORD.get(ALL, at);
                    final int slot = Long.numberOfTrailingZeros(~occupancy);
                    if (slot < 3) {
                        WORD.set(ALL, at + 16 + 16L * slot, key);
                        WORD.set(ALL, at + 24 + 16L * slot, value);
                        WORD.set(ALL, at, occupancy | (1L << slot));
                        break;
                    }
                    final long next = (long) WORD.get(ALL, at + 8);
                    if (next == 0) {
                        if (64 * (used + 1) > overflow.byteSize()) {
                            throw new IllegalStateException("overflow area full at " + used + " lines");
                        }
                        final long fresh = overflow.address() + 64 * used++;
                        WORD.set(ALL, at + 8, fresh);
                        at = fresh;
                    } else {
                        at = next;
                    }
                }
            }
            hits = Keys.shuffled(keys, Keys.ORDER_SEED);
            for (int i = 0; i < size; i++) {
                if (get(keys[i]) != Keys.valueFor(i)) {
                    throw new IllegalStateException("bare table lost key " + keys[i]);
                }
            }
        }

        /** Frees the table. */
        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }

        /**
         * The engine's read section: acquire ctrl, plain loads of the home line's occupied slots
         * (then of the overflow lines), acquire fence, re-read ctrl; retry if it changed.
         */
        long get(final long key) {
            while (true) {
                final long line = base + ((Hashing.hash(key, seed) & mask) << 6);
                final long ctrl = (long) WORD.getAcquire(ALL, line);
                final int occupancy = (int) ctrl & 7;
                long result = 0;
                int s = 0;
                for (; s < 3; s++) {
                    if ((occupancy & (1 << s)) != 0 && (long) WORD.get(ALL, line + 16 + 16L * s) == key) {
                        result = (long) WORD.get(ALL, line + 24 + 16L * s);
                        break;
                    }
                }
                if (s == 3) {
                    result = (long) WORD.get(ALL, chainValueAddress((long) WORD.get(ALL, line + 8), key));
                }
                VarHandle.acquireFence();
                if ((long) WORD.get(ALL, line) == ctrl) {
                    return result;
                }
            }
        }

        /**
         * The engine's write section for a stored key: spin until the bucket is unlocked and NORMAL,
         * take its lock with a volatile CAS, release fence (the lock store before the slot store),
         * opaque store of the value, release store of ctrl with the version advanced.
         */
        long put(final long key, final long value) {
            final long line = base + ((Hashing.hash(key, seed) & mask) << 6);
            long ctrl;
            while (true) {
                ctrl = (long) WORD.getAcquire(ALL, line);
                if ((ctrl & LOCK_OR_STATE) == 0 && WORD.compareAndSet(ALL, line, ctrl, ctrl | LOCK)) {
                    break;
                }
                Thread.onSpinWait();
            }
            VarHandle.releaseFence();
            final int occupancy = (int) ctrl & 7;
            long at = -1;
            for (int s = 0; s < 3; s++) {
                if ((occupancy & (1 << s)) != 0 && (long) WORD.get(ALL, line + 16 + 16L * s) == key) {
                    at = line + 24 + 16L * s;
                    break;
                }
            }
            if (at < 0) {
                at = chainValueAddress((long) WORD.get(ALL, line + 8), key);
            }
            final long old = (long) WORD.get(ALL, at);
            WORD.setOpaque(ALL, at, value);
            WORD.setRelease(ALL, line, ctrl + VERSION_ONE);
            return old;
        }

        /** Where a chained key's value is: the overflow walk, out of line as in the engine. */
        private static long chainValueAddress(final long first, final long key) {
            for (long at = first; at != 0; at = (long) WORD.get(ALL, at + 8)) {
                final int occupancy = (int) (long) WORD.get(ALL, at);
                for (int s = 0; s < 3; s++) {
                    if ((occupancy & (1 << s)) != 0 && (long) WORD.get(ALL, at + 16 + 16L * s) == key) {
                        return at + 24 + 16L * s;
                    }
                }
            }
            throw new IllegalStateException("bare table lost key " + key);
        }

    }

    /**
     * Random get of a stored key through the bare read section.
     *
     * @param s the table
     * @param c the cursor
     * @return the value (consumed by JMH)
     */
    @Benchmark
    public long getHit(Bare s, Cursor c) {
        return s.get(s.hits[c.next(s.size)]);
    }

    /**
     * Put of a new value under a stored key through the bare write section.
     *
     * @param s the table
     * @param c the cursor
     * @return the previous value (consumed by JMH)
     */
    @Benchmark
    public long put(Bare s, Cursor c) {
        return s.put(s.hits[c.next(s.size)], c.tick());
    }
}
