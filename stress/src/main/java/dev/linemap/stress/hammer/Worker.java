package dev.linemap.stress.hammer;

import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One hammer thread: a seeded random mix of every map operation. Results on the keys it owns are
 * checked immediately against its exact {@link OwnedModel}; shared keys get commutative updates
 * only (their sum is checked at checkpoints); keys of other threads are read and must hold a value
 * tagged for that key or nothing.
 *
 * <p>Each thread cycles between filling its range up to a target and draining it almost empty,
 * and the threads share the targets, so the map as a whole grows and shrinks repeatedly.
 */
final class Worker implements Runnable {

    private static final int LOW_LIMIT = 1 << 30; // keep a tagged value's low half below 2^31 under adds

    final int id;
    final OwnedModel model;
    final long[] sharedSum;
    final boolean[] sharedTouched;
    long ops;
    long cycles;

    private final HammerMap map;
    private final KeySpace space;
    private final long missing;
    private final SplittableRandom rnd;
    private final long seed;
    private final HammerControl control;
    private boolean growing = true;
    private int target;

    Worker(final int id, final HammerMap map, final KeySpace space, final long seed, final HammerControl control) {
        this.id = id;
        this.map = map;
        this.space = space;
        this.missing = map.missingValue();
        this.seed = seed;
        this.rnd = new SplittableRandom(seed ^ (0x632BE59BD9B4E019L * (id + 1)));
        this.control = control;
        this.model = new OwnedModel(space.perThread);
        this.sharedSum = new long[space.shared];
        this.sharedTouched = new boolean[space.shared];
        this.target = targetOf(0);
    }

    /**
     * The fill target of cycle {@code c}: the same for every thread, between 1/8 and 3/4 of the
     * range (random inserts into a nearly full range would rarely find a free key).
     */
    private int targetOf(final long c) {
        final long z = new SplittableRandom(seed + 31 * c).nextLong();
        final double fraction = 0.125 + 0.625 * ((z >>> 11) * 0x1.0p-53);
        return Math.max(1, (int) (space.perThread * fraction));
    }

    @Override
    public void run() {
        try {
            while (!control.stop) {
                if (control.pause) {
                    control.barrier.await(10, TimeUnit.MINUTES); // paused: the coordinator checks
                    control.barrier.await(10, TimeUnit.MINUTES); // resumed
                    continue;
                }
                for (int i = 0; i < 512; i++) {
                    step();
                }
            }
        } catch (final MismatchException e) {
            control.fail(e.mismatch);
        } catch (final InterruptedException | BrokenBarrierException | TimeoutException e) {
            // the coordinator gave up on this run (it reports why)
        } catch (final RuntimeException | Error e) {
            control.fail(new Mismatch("thread " + id, "exception " + e, 0, "no exception", stackOf(e)));
        }
    }

    private static String stackOf(final Throwable e) {
        final StringBuilder b = new StringBuilder(e.toString());
        for (final StackTraceElement el : e.getStackTrace()) {
            b.append("\n    at ").append(el);
        }
        return b.toString();
    }

    private void step() {
        ops++;
        final int r = rnd.nextInt(100);
        if (r < 6) {
            sharedUpdate();
            return;
        }
        if (r < 12) {
            foreignRead();
            return;
        }
        final int present = model.presentCount();
        if (growing && present >= target) {
            growing = false;
        } else if (!growing && present <= space.perThread / 256) {
            growing = true;
            cycles++;
            target = targetOf(cycles);
        }
        final int o = rnd.nextInt(100);
        if (growing) {
            if (o < 45) {
                insert(rnd.nextInt(space.perThread));
            } else if (o < 65) {
                read(anyOrPresent());
            } else if (o < 90) {
                update(anyOrPresent());
            } else {
                remove(anyOrPresent());
            }
        } else {
            if (o < 50) {
                remove(presentOrAny());
            } else if (o < 70) {
                read(anyOrPresent());
            } else if (o < 93) {
                update(presentOrAny());
            } else {
                insert(rnd.nextInt(space.perThread));
            }
        }
    }

    private int presentOrAny() {
        final int n = model.presentCount();
        return n == 0 ? rnd.nextInt(space.perThread) : model.presentAt(rnd.nextInt(n));
    }

    private int anyOrPresent() {
        return rnd.nextBoolean() ? rnd.nextInt(space.perThread) : presentOrAny();
    }

    private long expected(final int local) {
        return model.present(local) ? model.values[local] : missing;
    }

    private long newValue(final long key) {
        return KeySpace.taggedValue(key, 1 + rnd.nextInt(1 << 20));
    }

    private void check(final String op, final long key, final long expected, final long actual) {
        if (expected != actual) {
            throw new MismatchException(new Mismatch("thread " + id + " op#" + ops, op, key,
                    Long.toString(expected), Long.toString(actual)));
        }
    }

    private void check(final String op, final long key, final boolean expected, final boolean actual) {
        if (expected != actual) {
            throw new MismatchException(new Mismatch("thread " + id + " op#" + ops, op, key,
                    Boolean.toString(expected), Boolean.toString(actual)));
        }
    }

    private void insert(final int local) {
        final long key = space.ownedKey(id, local);
        final long before = expected(local);
        switch (rnd.nextInt(3)) {
            case 0 -> {
                final long v = newValue(key);
                check("put(k, " + v + ")", key, before, map.put(key, v));
                model.set(local, v);
            }
            case 1 -> {
                final long v = newValue(key);
                check("putIfAbsent(k, " + v + ")", key, before, map.putIfAbsent(key, v));
                if (!model.present(local)) {
                    model.set(local, v);
                }
            }
            default -> {
                if (model.present(local) && (int) before < LOW_LIMIT) {
                    final long d = 1 + rnd.nextInt(1000);
                    check("merge(k, " + d + ", sum)", key, before + d, map.mergeSum(key, d));
                    model.set(local, before + d);
                } else if (!model.present(local)) {
                    final long v = newValue(key);
                    check("merge(k, " + v + ", sum) on absent", key, v, map.mergeSum(key, v));
                    model.set(local, v);
                }
            }
        }
    }

    private void read(final int local) {
        final long key = space.ownedKey(id, local);
        switch (rnd.nextInt(3)) {
            case 0 -> check("get(k)", key, expected(local), map.get(key));
            case 1 -> check("containsKey(k)", key, model.present(local), map.containsKey(key));
            default -> {
                final long dflt = rnd.nextLong();
                check("getOrDefault(k, " + dflt + ")", key, model.present(local) ? model.values[local] : dflt,
                        map.getOrDefault(key, dflt));
            }
        }
    }

    private void update(final int local) {
        final long key = space.ownedKey(id, local);
        final long before = expected(local);
        final boolean present = model.present(local);
        switch (rnd.nextInt(4)) {
            case 0 -> {
                final long v = newValue(key);
                check("replace(k, " + v + ")", key, before, map.replace(key, v));
                if (present) {
                    model.set(local, v);
                }
            }
            case 1 -> {
                final long expectedValue = rnd.nextInt(4) == 0 ? before + 1 : before;
                final long v = newValue(key);
                final boolean shouldReplace = present && expectedValue == before;
                check("replace(k, " + expectedValue + ", " + v + ")", key, shouldReplace,
                        map.replace(key, expectedValue, v));
                if (shouldReplace) {
                    model.set(local, v);
                }
            }
            case 2 -> {
                if (present && (int) before < LOW_LIMIT) {
                    final long d = 1 + rnd.nextInt(1000);
                    check("addAndGet(k, " + d + ")", key, before + d, map.addAndGet(key, d));
                    model.set(local, before + d);
                } else {
                    check("get(k)", key, before, map.get(key));
                }
            }
            default -> {
                final long v = newValue(key);
                check("put(k, " + v + ") [update]", key, before, map.put(key, v));
                model.set(local, v);
            }
        }
    }

    private void remove(final int local) {
        final long key = space.ownedKey(id, local);
        final long before = expected(local);
        if (rnd.nextBoolean()) {
            check("remove(k)", key, before, map.remove(key));
            model.remove(local);
        } else {
            final boolean present = model.present(local);
            final long expectedValue = rnd.nextInt(5) == 0 ? before ^ 1 : before;
            final boolean shouldRemove = present && expectedValue == before;
            check("remove(k, " + expectedValue + ")", key, shouldRemove, map.remove(key, expectedValue));
            if (shouldRemove) {
                model.remove(local);
            }
        }
    }

    private void sharedUpdate() {
        final int s = rnd.nextInt(space.shared);
        final long key = space.sharedKey(s);
        final long d = rnd.nextLong(-1000, 1001);
        if (rnd.nextBoolean()) {
            map.addAndGet(key, d);
        } else {
            map.mergeSum(key, d);
        }
        sharedSum[s] += d;
        sharedTouched[s] = true;
    }

    private void foreignRead() {
        if (space.threads < 2) {
            return;
        }
        int other = rnd.nextInt(space.threads - 1);
        if (other >= id) {
            other++;
        }
        final long key = space.ownedKey(other, rnd.nextInt(space.perThread));
        final long v = map.get(key);
        if (v != missing && !KeySpace.tagged(key, v)) {
            throw new MismatchException(new Mismatch("thread " + id + " op#" + ops,
                    "get(k) of a key owned by thread " + other, key,
                    "missing or a value tagged 0x" + Integer.toHexString(KeySpace.tag(key)) + " in its high half",
                    Long.toString(v) + " (0x" + Long.toHexString(v) + ")"));
        }
    }

    /** Carries a mismatch out of the operation loop. */
    static final class MismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Mismatch mismatch;

        MismatchException(final Mismatch mismatch) {
            super(mismatch.toString(), null, false, false);
            this.mismatch = mismatch;
        }
    }

    /** Shared state between the coordinator and the workers. */
    static final class HammerControl {
        volatile boolean stop;
        volatile boolean pause;
        final CyclicBarrier barrier;
        final AtomicReference<Mismatch> failure = new AtomicReference<>();

        HammerControl(final int threads) {
            barrier = new CyclicBarrier(threads + 1);
        }

        void fail(final Mismatch m) {
            failure.compareAndSet(null, m);
            stop = true;
            barrier.reset();
        }
    }
}
