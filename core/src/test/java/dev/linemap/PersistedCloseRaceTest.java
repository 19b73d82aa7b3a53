package dev.linemap;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * close() of a map file while writers run: every write that returned is in the reopened file, a
 * write that threw (the map closed under it) may be there or not, and nothing else changed. In
 * fast mode close() cuts tables off the file piece by piece; it must wait for the writers first
 * (Engine.quiesce), or a write spanning two pieces (a slot and its record, a bucket and its
 * overflow line) leaves the file a state no crash leaves.
 */
class PersistedCloseRaceTest {

    private static final int WRITERS = 3;
    private static final int KEYS = 6_000;

    @TempDir
    Path dir;

    /** What one writer knows: the last value each of its keys got, and an op that threw. */
    private static final class Writer {
        final Map<String, String> done = new HashMap<>();
        String inFlightKey;
        String inFlightValue;   // null: a remove
    }

    @Test
    void writesRacingCloseLeaveTheFileAsIfTheProcessHadStoppedThere() throws Exception {
        final Path file = dir.resolve("close-race.map");
        final Map<String, String> model = new HashMap<>();
        final SplittableRandom seeds = new SplittableRandom(42);
        for (int round = 0; round < 12; round++) {
            final Writer[] writers = new Writer[WRITERS];
            final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                    .backgroundMigration(round % 2 == 0).persistTo(file).build();
            assertEquals(model.size(), map.size(), "round " + round);
            final CountDownLatch started = new CountDownLatch(WRITERS);
            final Thread[] threads = new Thread[WRITERS];
            for (int t = 0; t < WRITERS; t++) {
                final Writer w = new Writer();
                writers[t] = w;
                final int id = t;
                final long seed = seeds.nextLong();
                threads[t] = new Thread(() -> {
                    final SplittableRandom random = new SplittableRandom(seed);
                    started.countDown();
                    for (long i = 0; ; i++) {
                        final String key = "w" + id + ":" + random.nextInt(KEYS);
                        final String value = random.nextInt(4) == 0 ? null : "v" + i + "x".repeat(random.nextInt(90));
                        w.inFlightKey = key;
                        w.inFlightValue = value;
                        try {
                            if (value == null) {
                                map.remove(key);
                            } else {
                                map.put(key, value);
                            }
                        } catch (final IllegalStateException closed) {
                            return;
                        }
                        w.done.put(key, value);
                        w.inFlightKey = null;
                    }
                });
                threads[t].start();
            }
            started.await();
            Thread.sleep(20 + seeds.nextInt(60));
            map.close();
            for (final Thread t : threads) {
                t.join();
            }
            final Map<String, String> inFlight = new HashMap<>();
            for (final Writer w : writers) {
                w.done.forEach((k, v) -> {
                    if (v == null) {
                        model.remove(k);
                    } else {
                        model.put(k, v);
                    }
                });
                if (w.inFlightKey != null) {
                    inFlight.put(w.inFlightKey, w.inFlightValue == null ? "" : w.inFlightValue);
                }
            }
            try (LineMap<String, String> reopened = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                    .persistTo(file).build()) {
                final Map<String, String> seen = new HashMap<>();
                reopened.forEach(seen::put);
                for (final String k : inFlight.keySet()) {
                    final String now = seen.get(k);
                    final String after = inFlight.get(k).isEmpty() ? null : inFlight.get(k);
                    assertTrue(java.util.Objects.equals(now, model.get(k)) || java.util.Objects.equals(now, after),
                            "round " + round + ", key " + k + " in flight at close: " + now);
                    if (now == null) {
                        model.remove(k);
                    } else {
                        model.put(k, now);
                    }
                }
                final java.util.List<String> wrong = new java.util.ArrayList<>();
                for (final String k : model.keySet()) {
                    if (!model.get(k).equals(seen.get(k)) && wrong.size() < 5) {
                        wrong.add(k + ": written " + model.get(k) + ", reopened " + seen.get(k));
                    }
                }
                for (final String k : seen.keySet()) {
                    if (!model.containsKey(k) && wrong.size() < 10) {
                        wrong.add(k + ": never written (or removed), reopened " + seen.get(k));
                    }
                }
                assertTrue(wrong.isEmpty(), "round " + round + " (" + model.size() + " written, " + seen.size()
                        + " reopened): " + wrong);
                assertEquals(model.size(), reopened.size(), "round " + round);
            }
        }
    }
}
