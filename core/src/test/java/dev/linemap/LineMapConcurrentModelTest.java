package dev.linemap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.linemap.LineMapValues.key;
import static dev.linemap.LineMapValues.value;
import static dev.linemap.LineMapValues.version;
import static dev.linemap.LineMapValues.wellFormed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several threads on one {@code LineMap<String, String>} that grows and shrinks under them
 * ({@code initialCapacity(0)}, helper thread on), bounded by operation counts, never by time:
 * (a) threads on disjoint key ranges check every return value against their own model, and the
 * final map equals the union of the models; (b) threads on overlapping keys update shared counters
 * kept in the values (versions, with values of changing length) with {@code compute} and
 * {@code merge} and lose none, while a reader checks that every value it sees names its key and was
 * written whole, and that a counter never goes back; (c) readers never miss a stable key while churn
 * keys force growths and shrinks; (d) {@code updateValue} from two threads on fixed 32-byte records
 * loses no increment, and {@code readValue} validates only whole records.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LineMapConcurrentModelTest {

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Runs the bodies on their own threads; rethrows the first failure of any of them. */
    static void runAll(final List<ThrowingRunnable> bodies) throws InterruptedException {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            final ThrowingRunnable body = bodies.get(i);
            final Thread t = new Thread(() -> {
                try {
                    body.run();
                } catch (final Throwable e) {
                    if (!failure.compareAndSet(null, e)) {
                        failure.get().addSuppressed(e);
                    }
                }
            }, "linemap-model-" + i);
            t.start();
            threads.add(t);
        }
        for (final Thread t : threads) {
            t.join(TimeUnit.MINUTES.toMillis(4));
            assertFalse(t.isAlive(), t.getName() + " did not finish (deadlock or lost wake-up?)");
        }
        if (failure.get() instanceof AssertionError a) {
            throw a;
        } else if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** Counts the grows and shrinks a map completes. */
    static final class Migrations implements MigrationListener {
        final AtomicInteger grows = new AtomicInteger();
        final AtomicInteger shrinks = new AtomicInteger();

        @Override
        public void migrationCompleted(final MigrationKind kind, final long from, final long to, final long nanos) {
            if (kind == MigrationKind.GROW) {
                grows.incrementAndGet();
            } else if (kind == MigrationKind.SHRINK) {
                shrinks.incrementAndGet();
            }
        }

        @Override
        public String toString() {
            return "grows " + grows + ", shrinks " + shrinks;
        }
    }

    // ------------------------------------------------------------------------------- (a)

    @Test
    void disjointKeyRangesMatchTheirModelsWhileTheMapGrowsAndShrinks() throws InterruptedException {
        final long seed = 0x11E0A;
        final int threads = 3;
        final Migrations migrations = new Migrations();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0)
                .migrationListener(migrations).build()) {
            final List<Map<String, String>> models = new ArrayList<>();
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final Map<String, String> model = new HashMap<>();
                models.add(model);
                final long threadSeed = seed + t;
                final String range = "t" + t + ":";
                bodies.add(() -> runModelThread(map, model, new SplittableRandom(threadSeed), "seed " + threadSeed,
                        range));
            }
            runAll(bodies);
            final Map<String, String> union = new HashMap<>();
            models.forEach(union::putAll);
            final String where = "seed " + seed + ", " + migrations;
            assertEquals(union.size(), map.size(), where + ": size");
            union.forEach((k, v) -> assertEquals(v, map.get(k), where + ": key " + k));
            final Map<String, String> iterated = new HashMap<>();
            map.forEach((k, v) -> assertEquals(null, iterated.put(k, v), where + ": forEach repeated key " + k));
            assertEquals(union, iterated, where + ": forEach content");
            assertEquals(union, map, where);
            assertTrue(migrations.grows.get() >= 5 && migrations.shrinks.get() >= 1,
                    where + ": the run should have grown and shrunk the map");
        }
    }

    private static void runModelThread(final LineMap<String, String> map, final Map<String, String> model,
                                       final SplittableRandom random, final String seedText, final String range) {
        final int keys = 4000;
        final byte[] target = new byte[512];
        for (int phase = 0; phase < 8; phase++) {
            final boolean filling = phase % 2 == 0;
            for (int i = 0; i < 20_000; i++) {
                final String k = key(range, random.nextInt(keys));
                final String old = model.get(k);
                final String v = value(k, random.nextInt(1 << 20));
                final String where = seedText + ", phase " + phase + ", op " + i + ", key " + k;
                final boolean insertish = filling ? random.nextInt(10) < 7 : random.nextInt(10) == 0;
                // Draining phases remove more often than they do anything else, so the map shrinks.
                final int op = !filling && random.nextInt(10) < 6 ? 0 : random.nextInt(6);
                if (insertish) {
                    switch (op) {
                        case 0, 1 -> {
                            assertEquals(old, map.put(k, v), where + " put");
                            model.put(k, v);
                        }
                        case 2 -> {
                            assertEquals(old, map.putIfAbsent(k, v), where + " putIfAbsent");
                            model.putIfAbsent(k, v);
                        }
                        case 3 -> {
                            final String expected = old == null ? v : old + "|";
                            assertEquals(expected, map.merge(k, v, (a, b) -> a + "|"), where + " merge");
                            model.put(k, expected);
                        }
                        case 4 -> {
                            final String expected = old == null ? v : null;
                            assertEquals(expected, map.compute(k, (x, y) -> y == null ? v : null), where + " compute");
                            if (expected == null) {
                                model.remove(k);
                            } else {
                                model.put(k, expected);
                            }
                        }
                        default -> {
                            assertEquals(old == null ? v : old, map.computeIfAbsent(k, x -> v), where + " cIA");
                            model.putIfAbsent(k, v);
                        }
                    }
                } else {
                    switch (op) {
                        case 0, 1 -> {
                            assertEquals(old, map.remove(k), where + " remove");
                            model.remove(k);
                        }
                        case 2 -> {
                            final String expected = old != null && random.nextBoolean() ? old : v;
                            final boolean hit = expected.equals(old);
                            assertEquals(hit, map.remove(k, expected), where + " remove(k, v)");
                            if (hit) {
                                model.remove(k);
                            }
                        }
                        case 3 -> {
                            final String expected = old != null && random.nextBoolean() ? old : v;
                            final boolean hit = expected.equals(old);
                            assertEquals(hit, map.replace(k, expected, v + "r"), where + " replace(k, e, n)");
                            if (hit) {
                                model.put(k, v + "r");
                            }
                        }
                        case 4 -> {
                            assertEquals(old, map.replace(k, v), where + " replace");
                            if (old != null) {
                                model.put(k, v);
                            }
                        }
                        default -> {
                            final byte[] kb = k.getBytes(StandardCharsets.UTF_8);
                            final long n = map.getBytes(MemorySegment.ofArray(kb), MemorySegment.ofArray(target));
                            if (old == null) {
                                assertEquals(-1, n, where + " getBytes of an absent key");
                            } else {
                                assertEquals(old, new String(target, 0, (int) n, StandardCharsets.UTF_8),
                                        where + " getBytes");
                            }
                            assertEquals(old, map.get(k), where + " get");
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------- (b)

    @Test
    void overlappingWritersLoseNoUpdateAndReadersOnlySeeWholeValuesOfTheirKey() throws InterruptedException {
        final long seed = 0x0E71A;
        final int writers = 3;
        final int counters = 64;
        final int ops = 40_000;
        final Migrations migrations = new Migrations();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0)
                .migrationListener(migrations).build()) {
            final long[][] increments = new long[writers][counters];
            final AtomicInteger writersLeft = new AtomicInteger(writers);
            final AtomicLong reads = new AtomicLong();
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final int writer = w;
                final long threadSeed = seed + w;
                bodies.add(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        for (int i = 0; i < ops; i++) {
                            final int c = random.nextInt(counters);
                            final String k = key("c", c);
                            final int dice = random.nextInt(10);
                            final boolean draining = (i / 10_000) % 2 == 1;
                            if (dice < (draining ? 2 : 4)) {
                                // a version + 1, whatever the length of the value before
                                map.compute(k, (x, v) -> value(x, v == null ? 1 : version(x, v) + 1));
                                increments[writer][c]++;
                            } else if (dice < (draining ? 4 : 7)) {
                                map.merge(k, value(k, 1), (a, b) -> value(k, version(k, a) + 1));
                                increments[writer][c]++;
                            } else {
                                // churn on keys every writer touches: growth, then shrink; block reuse
                                final String churn = key("churn", random.nextInt(5000));
                                if (!draining && random.nextBoolean()) {
                                    map.put(churn, value(churn, random.nextInt(1000)));
                                } else {
                                    map.remove(churn);
                                }
                            }
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                });
            }
            bodies.add(() -> {
                final SplittableRandom random = new SplittableRandom(seed + 100);
                final long[] lastVersion = new long[counters];
                long n = 0;
                while (writersLeft.get() > 0) {
                    n++;
                    final boolean counter = random.nextBoolean();
                    final String k = counter ? key("c", random.nextInt(counters)) : key("churn", random.nextInt(5000));
                    final String v = map.get(k);
                    if (v == null) {
                        continue;
                    }
                    if (!wellFormed(k, v)) {
                        fail("seed " + seed + ": read " + n + ": key " + k + " returned a value never written for it: "
                                + v.substring(0, Math.min(80, v.length())));
                    }
                    if (counter) {
                        final int dash = k.indexOf('-');
                        final int c = Integer.parseInt(k.substring(1, dash < 0 ? k.length() : dash));
                        final long version = version(k, v);
                        if (version < lastVersion[c]) {
                            fail("seed " + seed + ": counter " + c + " went back from " + lastVersion[c]
                                    + " to " + version);
                        }
                        lastVersion[c] = version;
                    }
                }
                reads.set(n);
            });
            runAll(bodies);
            final String where = "seed " + seed + ", " + migrations + ", reads " + reads.get();
            for (int c = 0; c < counters; c++) {
                long total = 0;
                for (int w = 0; w < writers; w++) {
                    total += increments[w][c];
                }
                final String k = key("c", c);
                final String v = map.get(k);
                assertNotNull(v, where + ": counter " + c);
                assertEquals(value(k, total), v, where + ": counter " + c + " lost or doubled an update");
            }
            final long[] counted = new long[1];
            map.forEach((k, v) -> {
                counted[0]++;
                assertTrue(wellFormed(k, v), where + ": forEach " + k);
            });
            assertEquals(map.size(), counted[0], where + ": size vs forEach");
            assertTrue(migrations.grows.get() >= 3 && migrations.shrinks.get() >= 1, where);
        }
    }

    // ------------------------------------------------------------------------------- (c)

    @Test
    void readersNeverMissAStableKeyWhileChurnGrowsAndShrinksTheMap() throws InterruptedException {
        final long seed = 0x57AB1E;
        final int stable = 500;
        final Migrations migrations = new Migrations();
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0)
                .migrationListener(migrations).build()) {
            for (int s = 0; s < stable; s++) {
                map.put(key("s", s), value(key("s", s), s));
            }
            final AtomicInteger writersLeft = new AtomicInteger(2);
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                final long threadSeed = seed + w;
                final String range = "w" + w + ":";
                bodies.add(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(threadSeed);
                        for (int i = 0; i < 60_000; i++) {
                            final boolean filling = (i / 15_000) % 2 == 0;
                            final String k = key(range, random.nextInt(6000));
                            if (filling) {
                                map.put(k, value(k, i));
                            } else {
                                map.remove(k);
                            }
                            if (i % 64 == 0) {   // stable keys change value length, never presence
                                final String s = key("s", random.nextInt(stable));
                                map.put(s, value(s, i));
                            }
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                });
            }
            bodies.add(() -> {
                final SplittableRandom random = new SplittableRandom(seed + 9);
                final byte[] target = new byte[512];
                long n = 0;
                while (writersLeft.get() > 0) {
                    n++;
                    final String s = key("s", random.nextInt(stable));
                    final String where = "seed " + seed + ", read " + n + ", stable key " + s;
                    switch (random.nextInt(3)) {
                        case 0 -> {
                            final String v = map.get(s);
                            assertNotNull(v, where + ": missing");
                            assertTrue(wellFormed(s, v), where + ": " + v);
                        }
                        case 1 -> assertTrue(map.containsKey(s), where + ": containsKey");
                        default -> {
                            final MemorySegment k = MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
                            final long len = map.getBytes(k, MemorySegment.ofArray(target));
                            assertTrue(len >= 0, where + ": getBytes missing");
                            assertTrue(len <= target.length, where + ": length " + len);
                            assertTrue(wellFormed(s, new String(target, 0, (int) len, StandardCharsets.UTF_8)), where);
                        }
                    }
                }
            });
            runAll(bodies);
            assertEquals(stable, map.keySet().stream().filter(k -> k.startsWith("s")).count());
            assertTrue(migrations.grows.get() >= 5 && migrations.shrinks.get() >= 1, migrations.toString());
        }
    }

    // ------------------------------------------------------------------------------- (d)

    /** A 32-byte record: [0, 8) a counter, [8, 16) the counter times an odd constant, [16, 32) a tag. */
    private static final java.lang.foreign.ValueLayout.OfLong LE =
            java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ODD = 0x9E37_79B9_7F4A_7C15L;

    private static MemorySegment recordKey(final int r) {
        return MemorySegment.ofArray(("rec" + r).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void updateValueInPlaceLosesNoIncrementAndReadValueOnlySeesWholeRecords() throws InterruptedException {
        final int records = 16;
        final int updates = 20_000;
        final int writers = 2;
        try (LineMap<String, byte[]> map = LineMap.builder(Codecs.utf8(), Codecs.bytes()).initialCapacity(0).build()) {
            for (int r = 0; r < records; r++) {
                map.put("rec" + r, new byte[32]);
            }
            final AtomicInteger writersLeft = new AtomicInteger(writers);
            final long[][] done = new long[writers][records];
            final List<ThrowingRunnable> bodies = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final int writer = w;
                bodies.add(() -> {
                    try {
                        final SplittableRandom random = new SplittableRandom(0xFEED + writer);
                        for (int i = 0; i < updates; i++) {
                            final int r = random.nextInt(records);
                            final MemorySegment key = recordKey(r);
                            assertTrue(map.updateValue(key, v -> {
                                final long c = v.get(LE, 0) + 1;
                                v.set(LE, 0, c);
                                v.set(LE, 8, c * ODD);
                                v.asSlice(16, 16).fill((byte) c);
                            }), "record " + r);
                            done[writer][r]++;
                            if (i % 500 == 0) {   // other entries come and go: growth, shrink, block reuse
                                for (int j = 0; j < 50; j++) {
                                    map.put("churn" + writer + "-" + (i + j),
                                            "x".repeat(j).getBytes(StandardCharsets.UTF_8));
                                }
                                for (int j = 0; j < 50; j++) {
                                    map.remove("churn" + writer + "-" + (i + j));
                                }
                            }
                        }
                    } finally {
                        writersLeft.decrementAndGet();
                    }
                });
            }
            bodies.add(() -> {
                final SplittableRandom random = new SplittableRandom(0xBEEF);
                long n = 0;
                while (writersLeft.get() > 0) {
                    n++;
                    final int r = random.nextInt(records);
                    final MemorySegment key = recordKey(r);
                    final long whole = map.readValue(key, v -> {
                        final long c = v.get(LE, 0);
                        boolean ok = v.byteSize() == 32 && v.get(LE, 8) == c * ODD;
                        for (int b = 16; b < 32 && ok; b++) {
                            ok = v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, b) == (byte) c;
                        }
                        return ok ? 1 : 0;
                    }, -1);
                    if (whole != 1) {
                        fail("read " + n + " of record " + r + ": readValue returned " + whole
                                + " (0: a record mixed from two updates was validated; -1: absent)");
                    }
                }
            });
            runAll(bodies);
            for (int r = 0; r < records; r++) {
                long total = 0;
                for (int w = 0; w < writers; w++) {
                    total += done[w][r];
                }
                final byte[] v = map.get("rec" + r);
                final MemorySegment seg = MemorySegment.ofArray(v);
                assertEquals(total, seg.get(LE, 0), "record " + r + ": an in-place increment was lost");
                assertEquals(total * ODD, seg.get(LE, 8), "record " + r);
            }
            assertEquals(records, map.size());
        }
    }
}
