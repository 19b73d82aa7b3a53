package dev.linemap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers racing a writer that grows, shrinks, replaces values across size classes (new blocks,
 * freed blocks reused by other keys) and in place: a reader never sees a torn value, another
 * key's value, or a value its key never had. Every value names its key and carries a checksum.
 * Counts operations, never time.
 */
class LineMapConcurrentTest {

    private static String value(final String key, final int version, final int length) {
        final String head = key + "#" + version + "#";
        final StringBuilder sb = new StringBuilder(head);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + (version + i) % 26));
        }
        return sb.append('|').append(sb.length()).toString();
    }

    private static void check(final String path, final String key, final String v) {
        if (v == null) {
            return;
        }
        final int bar = v.lastIndexOf('|');
        if (bar < 0 || !v.startsWith(key + "#") || Integer.parseInt(v.substring(bar + 1)) != bar + 1) {
            throw new AssertionError(path + ": key " + key + " read torn or foreign value " + v);
        }
        final String[] parts = v.substring(0, bar).split("#", -1);
        final int version = Integer.parseInt(parts[1]);
        for (int i = 0; i < parts[2].length(); i++) {
            if (parts[2].charAt(i) != (char) ('a' + (version + i) % 26)) {
                throw new AssertionError(path + ": key " + key + " read torn value " + v);
            }
        }
    }

    @Test
    void readersNeverSeeATornOrForeignValueWhileTheMapGrowsShrinksAndReusesBlocks() throws InterruptedException {
        final long seed = 4242;
        try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).build()) {
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final int keys = 2000;
            final Thread reader = Thread.ofPlatform().start(() -> {
                final SplittableRandom random = new SplittableRandom(seed + 1);
                final byte[] target = new byte[1024];
                try {
                    while (!done.get()) {
                        final String key = "k" + random.nextInt(keys);
                        check("get " + key, key, map.get(key));
                        final long n = map.getBytes(MemorySegment.ofArray(key.getBytes(StandardCharsets.UTF_8)),
                                MemorySegment.ofArray(target));
                        if (n >= 0) {
                            check("getBytes " + key, key, new String(target, 0, (int) n, StandardCharsets.UTF_8));
                        }
                    }
                    map.forEach((k, v) -> check("forEach", k, v));
                } catch (final Throwable e) {
                    failure.set(e);
                }
            });
            final SplittableRandom random = new SplittableRandom(seed);
            for (int round = 0; round < 6 && failure.get() == null; round++) {
                for (int i = 0; i < keys; i++) {
                    map.put("k" + i, value("k" + i, round, random.nextInt(300)));
                }
                for (int i = 0; i < 20_000; i++) {
                    final String key = "k" + random.nextInt(keys);
                    final int version = i;
                    final int mergedLength = random.nextInt(200);
                    switch (random.nextInt(4)) {
                        case 0 -> map.remove(key);
                        case 1 -> map.merge(key, value(key, i, 3), (a, b) -> value(key, version, mergedLength));
                        default -> map.put(key, value(key, i, random.nextInt(300)));
                    }
                }
                for (int i = 0; i < keys; i++) {
                    map.remove("k" + i);   // shrink, and free every block for reuse
                }
            }
            done.set(true);
            reader.join();
            assertNull(failure.get(), "seed " + seed + ": " + failure.get());
            assertEquals(0, map.size());
            assertTrue(map.stats().entryBytes() == 0 || map.stats().migrating(), map.stats().toString());
        }
    }

    /**
     * Two threads increment shared counters with {@code merge} and {@code compute}, and move
     * tokens with {@code replace(k, old, new)} and {@code remove(k, v)} / {@code putIfAbsent}, while
     * the map grows: no update is lost, so each operation is atomic under its bucket's lock.
     */
    @Test
    void mergeComputeAndConditionalWritesAreAtomicUnderContention() throws InterruptedException {
        final int counters = 64;
        final int perThread = 20_000;
        try (LineMap<String, String> map = LineMap.builder(TestCodecs.UTF8, TestCodecs.UTF8).build()) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread[] threads = new Thread[2];
            for (int t = 0; t < threads.length; t++) {
                final long seed = 77 + t;
                threads[t] = Thread.ofPlatform().start(() -> {
                    final SplittableRandom random = new SplittableRandom(seed);
                    try {
                        for (int i = 0; i < perThread; i++) {
                            final String key = "c" + random.nextInt(counters);
                            if (random.nextBoolean()) {
                                map.merge(key, "1", (a, b) -> Long.toString(Long.parseLong(a) + 1));
                            } else {
                                map.compute(key, (k, v) -> v == null ? "1" : Long.toString(Long.parseLong(v) + 1));
                            }
                            // CAS-style increment of one more counter, retried until it wins.
                            for (;;) {
                                final String old = map.putIfAbsent("cas", "1");
                                if (old == null || map.replace("cas", old, Long.toString(Long.parseLong(old) + 1))) {
                                    break;
                                }
                            }
                            map.put("filler-" + seed + "-" + i, "x".repeat(i % 40));   // growth meanwhile
                        }
                    } catch (final Throwable e) {
                        failure.set(e);
                    }
                });
            }
            for (final Thread t : threads) {
                t.join();
            }
            assertNull(failure.get(), String.valueOf(failure.get()));
            long total = 0;
            for (int c = 0; c < counters; c++) {
                final String v = map.get("c" + c);
                total += v == null ? 0 : Long.parseLong(v);
            }
            assertEquals(2L * perThread, total, "lost merge/compute updates");
            assertEquals(Long.toString(2L * perThread), map.get("cas"), "lost replace(k, old, new) updates");
            assertTrue(map.remove("cas", Long.toString(2L * perThread)));
            assertEquals(counters + 2L * perThread, map.size());
        }
    }
}
