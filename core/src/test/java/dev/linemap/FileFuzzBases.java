package dev.linemap;

import dev.linemap.engine.Hashing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The files the file fuzzer ({@link FileFuzzTest}) mutates, made the same way on every run: fixed
 * seeds (the data's and the hash's) and no migration helper thread, so that the writers alone move
 * every migration and the bytes depend on nothing but the seeds. Each base keeps the keys it was
 * given, which the fuzzer reads back from the mutated copies.
 *
 * <p>What they cover: long and variable-length entries; tables that grew (freed and reused
 * extents), lost keys (free overflow lines and entry blocks), hold chains longer than one
 * overflow chunk (colliding keys), entry chunks of every size up to a dedicated one; and files
 * closed in the middle of a growth, a halving and a clear, whose root names two tables.
 */
final class FileFuzzBases {

    /** The hash seed every base is built with (and reopened with). */
    static final long HASH_SEED = 0x5EED_F11E_0000_0001L;

    /**
     * One base file.
     *
     * @param name what it holds
     * @param line a {@code LineMap<String, String>} (else a {@code LongLongMap})
     * @param bytes the file
     * @param longKeys the keys put and not removed (LongLongMap)
     * @param stringKeys the keys put and not removed (LineMap)
     * @param size the entries a copy of the file opens with (0 for a file closed in a clear)
     */
    record Base(String name, boolean line, byte[] bytes, long[] longKeys, String[] stringKeys, long size) {
        @Override
        public String toString() {
            return name + " (" + bytes.length + " bytes, " + (line ? stringKeys.length : longKeys.length) + " keys, "
                    + size + " entries)";
        }
    }

    private FileFuzzBases() {
    }

    /**
     * The builder of a {@code LongLongMap} on {@code file}, as the bases are made and opened.
     *
     * @param file the file
     * @return the map
     */
    static LongLongMap openLong(final Path file) {
        return openLong(file, false);
    }

    /**
     * Like {@link #openLong(Path)}, with or without the migration helper thread.
     *
     * @param file the file
     * @param helper whether migrations (one resumed from the file too) run on a helper thread
     * @return the map
     */
    static LongLongMap openLong(final Path file, final boolean helper) {
        return LongLongMap.builder().seed(HASH_SEED).backgroundMigration(helper).missingValue(Long.MIN_VALUE)
                .persistTo(file).build();
    }

    /**
     * The builder of a {@code LineMap<String, String>} on {@code file}, as the bases are made and opened.
     *
     * @param file the file
     * @return the map
     */
    static LineMap<String, String> openLine(final Path file) {
        return openLine(file, false);
    }

    /**
     * Like {@link #openLine(Path)}, with or without the migration helper thread.
     *
     * @param file the file
     * @param helper whether migrations (one resumed from the file too) run on a helper thread
     * @return the map
     */
    static LineMap<String, String> openLine(final Path file, final boolean helper) {
        return LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(HASH_SEED).backgroundMigration(helper)
                .persistTo(file).build();
    }

    /**
     * Makes every base in {@code dir}.
     *
     * @param dir a scratch directory
     * @return the bases
     * @throws IOException if a file cannot be read
     */
    static List<Base> make(final Path dir) throws IOException {
        final List<Base> bases = new ArrayList<>();
        bases.add(longGrown(dir.resolve("ll-grown.map")));
        bases.add(longColliding(dir.resolve("ll-colliding.map")));
        bases.add(longMidMigration(dir.resolve("ll-grow-mid.map"), false));
        bases.add(longMidMigration(dir.resolve("ll-shrink-mid.map"), true));
        bases.add(lineGrown(dir.resolve("line-grown.map")));
        bases.add(lineMidGrowth(dir.resolve("line-grow-mid.map")));
        bases.add(lineMidClear(dir.resolve("line-clear-mid.map")));
        bases.add(lineSmall(dir.resolve("line-small-grow-mid.map")));
        bases.add(longSmall(dir.resolve("ll-small.map")));
        final List<Base> measured = new ArrayList<>();
        final Path copy = dir.resolve("measure.map");
        for (final Base b : bases) {
            Files.write(copy, b.bytes());
            final long size;
            if (b.line()) {
                try (LineMap<String, String> map = openLine(copy)) {
                    size = map.size();
                }
            } else {
                try (LongLongMap map = openLong(copy)) {
                    size = map.size();
                }
            }
            Files.delete(copy);
            measured.add(new Base(b.name(), b.line(), b.bytes(), b.longKeys(), b.stringKeys(), size));
        }
        return List.copyOf(measured);
    }

    // ------------------------------------------------------------------------- long -> long

    /** 9,000 random keys put, 1,500 removed, 1,000 more: grown from the smallest table, migrations settled. */
    private static Base longGrown(final Path file) throws IOException {
        final Map<Long, Long> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(1);
        try (LongLongMap map = openLong(file)) {
            putRandom(map, model, random, 8_000);
            removeRandom(map, model, random, 1_500);
            putRandom(map, model, random, 1_000);
        }
        settle(file, false);
        return longBase("ll-grown", file, model);
    }

    /**
     * Three buckets' worth of colliding keys (their hashes agree in the low 16 bits, so they share a
     * bucket in every table up to 65,536 buckets), 1,100 each, among 2,000 random keys: three chains
     * of about 370 overflow lines, two overflow chunks.
     */
    private static Base longColliding(final Path file) throws IOException {
        final Map<Long, Long> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(2);
        try (LongLongMap map = openLong(file)) {
            putRandom(map, model, random, 2_000);
            for (int group = 0; group < 3; group++) {
                final long low = random.nextLong(1 << 16);
                for (int i = 0; i < 1_100; i++) {
                    final long key = keyWithHash(random.nextLong() << 16 | low, HASH_SEED);
                    final long value = random.nextLong();
                    map.put(key, value);
                    model.put(key, value);
                }
            }
            removeRandom(map, model, random, 300);
            if (map.stats().overflowLineCount() <= 1024) {
                throw new IllegalStateException("the colliding base should need two overflow chunks: "
                        + map.stats());
            }
        }
        settle(file, false);
        return longBase("ll-colliding", file, model);
    }

    /**
     * Closed with a migration running (the writers move it; no helper thread): a growth that the
     * put of the 6,000th-odd key started, or a halving that a remove started after 8,000 keys lost
     * most of theirs; a few more writes move it part of the way.
     */
    private static Base longMidMigration(final Path file, final boolean shrink) throws IOException {
        final Map<Long, Long> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(shrink ? 4 : 3);
        try (LongLongMap map = openLong(file)) {
            putRandom(map, model, random, shrink ? 8_000 : 5_000);
            if (shrink) {
                while (!map.stats().growing() || map.stats().oldBucketCount() < 2048) {
                    removeRandom(map, model, random, 1);
                }
                removeRandom(map, model, random, 5);
            } else {
                while (!map.stats().growing() || map.stats().oldBucketCount() < 2048) {
                    putRandom(map, model, random, 1);
                }
                putRandom(map, model, random, 5);
            }
            final MapStats stats = map.stats();
            if (!stats.growing() || stats.evacuatedBuckets() == 0
                    || stats.evacuatedBuckets() >= stats.oldBucketCount()) {
                throw new IllegalStateException("the base should close part-way through a migration: " + stats);
            }
        }
        return longBase(shrink ? "ll-shrink-mid" : "ll-grow-mid", file, model);
    }

    /** 40 keys, settled: a few buckets, one page of them. */
    private static Base longSmall(final Path file) throws IOException {
        final Map<Long, Long> model = new LinkedHashMap<>();
        try (LongLongMap map = openLong(file)) {
            putRandom(map, model, new SplittableRandom(9), 40);
        }
        settle(file, false);
        return longBase("ll-small", file, model);
    }

    private static void putRandom(final LongLongMap map, final Map<Long, Long> model, final SplittableRandom random,
                                  final int n) {
        for (int i = 0; i < n; i++) {
            final long key = random.nextLong();
            final long value = random.nextLong(Long.MIN_VALUE + 1, Long.MAX_VALUE);
            map.put(key, value);
            model.put(key, value);
        }
    }

    private static void removeRandom(final LongLongMap map, final Map<Long, Long> model,
                                     final SplittableRandom random, final int n) {
        final Long[] keys = model.keySet().toArray(new Long[0]);
        for (int i = 0; i < n && i < keys.length; i++) {
            final Long key = keys[random.nextInt(keys.length)];
            map.remove(key);
            model.remove(key);
        }
    }

    private static Base longBase(final String name, final Path file, final Map<Long, Long> model) throws IOException {
        final long[] keys = model.keySet().stream().mapToLong(Long::longValue).toArray();
        return new Base(name, false, Files.readAllBytes(file), keys, null, -1);
    }

    /**
     * Returns the key whose hash under {@code seed} is {@code hash}: {@link Hashing#hash} is a
     * bijection (murmur3's finaliser of {@code key ^ seed}), run backwards here.
     */
    static long keyWithHash(final long hash, final long seed) {
        long z = hash;
        z ^= z >>> 33;   // x ^ (x >>> 33) is its own inverse: the shift is past half the word
        z *= inverse(0xc4ceb9fe1a85ec53L);
        z ^= z >>> 33;
        z *= inverse(0xff51afd7ed558ccdL);
        z ^= z >>> 33;
        final long key = z ^ seed;
        if (Hashing.hash(key, seed) != hash) {
            throw new IllegalStateException("Hashing.hash is no longer murmur3's finaliser:"
                    + " cannot make colliding keys");
        }
        return key;
    }

    /** The inverse of an odd number modulo 2^64 (Newton's iteration doubles the correct bits). */
    private static long inverse(final long odd) {
        long x = odd;   // correct to 3 bits
        for (int i = 0; i < 5; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }

    // ------------------------------------------------------------------------------- LineMap

    /**
     * 6,000 string entries (values of 0 to 200 characters, a few of 2 to 5 KB, one of 300 KB in a
     * dedicated entry chunk), 1,200 removed and 1,200 replaced (a replacement takes a new block and
     * frees the old one), migrations settled.
     */
    private static Base lineGrown(final Path file) throws IOException {
        final Map<String, String> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(5);
        try (LineMap<String, String> map = openLine(file)) {
            putStrings(map, model, random, 6_000, "g");
            map.put("huge", "h".repeat(300_000));
            model.put("huge", "");
            removeStrings(map, model, random, 1_200);
            final String[] keys = model.keySet().toArray(new String[0]);
            for (int i = 0; i < 1_200; i++) {
                final String key = keys[random.nextInt(keys.length)];
                if (model.containsKey(key)) {
                    map.put(key, value(random));
                }
            }
        }
        settle(file, true);
        return lineBase("line-grown", file, model);
    }

    /** Closed part-way through a growth that a put started. */
    private static Base lineMidGrowth(final Path file) throws IOException {
        final Map<String, String> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(6);
        try (LineMap<String, String> map = openLine(file)) {
            putStrings(map, model, random, 4_000, "m");
            removeStrings(map, model, random, 500);
            int n = 0;
            while (!map.stats().migrating() || map.stats().bucketCount() < 4096) {
                putStrings(map, model, random, 1, "n" + n++);
            }
            putStrings(map, model, random, 5, "p");
            if (!map.stats().migrating()) {
                throw new IllegalStateException("the base should close part-way through a growth: " + map.stats());
            }
        }
        return lineBase("line-grow-mid", file, model);
    }

    /**
     * Closed as a clear started: {@code clear()} finishes its migration before it returns, so the
     * listener closes the map from the clearing thread, right after the root naming both tables
     * was written and before any unit was dropped. The keys stay in the model: they are in the
     * file's old table, and the open drops them.
     */
    private static Base lineMidClear(final Path file) throws IOException {
        final Map<String, String> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        final AtomicReference<LineMap<String, String>> self = new AtomicReference<>();
        final MigrationListener closeOnClear = new MigrationListener() {
            @Override
            public void migrationStarted(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
                if (kind == MigrationKind.CLEAR) {
                    self.get().close();
                }
            }
        };
        final LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(HASH_SEED)
                .backgroundMigration(false).migrationListener(closeOnClear).persistTo(file).build();
        self.set(map);
        putStrings(map, model, random, 4_000, "c");
        try {
            map.clear();
            throw new IllegalStateException("the map should have been closed as the clear started");
        } catch (final IllegalStateException expected) {
            if (!map.isClosed()) {
                throw expected;
            }
        }
        return lineBase("line-clear-mid", file, model);
    }

    /** A few entries, closed as the second of them started a growth (1 bucket to 2): structure is dense. */
    private static Base lineSmall(final Path file) throws IOException {
        final Map<String, String> model = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom(8);
        try (LineMap<String, String> map = openLine(file)) {
            while (!map.stats().migrating()) {
                putStrings(map, model, random, 1, "s");
            }
        }
        return lineBase("line-small-grow-mid", file, model);
    }

    private static void putStrings(final LineMap<String, String> map, final Map<String, String> model,
                                   final SplittableRandom random, final int n, final String prefix) {
        for (int i = 0; i < n; i++) {
            final String key = prefix + "-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            final String value = value(random);
            map.put(key, value);
            model.put(key, value);
        }
    }

    private static String value(final SplittableRandom random) {
        final int length = random.nextInt(100) == 0 ? random.nextInt(2_000, 5_000) : random.nextInt(201);
        final StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) random.nextInt('a', 'z' + 1));
        }
        return b.toString();
    }

    private static void removeStrings(final LineMap<String, String> map, final Map<String, String> model,
                                      final SplittableRandom random, final int n) {
        final String[] keys = model.keySet().toArray(new String[0]);
        for (int i = 0; i < n; i++) {
            final String key = keys[random.nextInt(keys.length)];
            map.remove(key);
            model.remove(key);
        }
    }

    private static Base lineBase(final String name, final Path file, final Map<String, String> model)
            throws IOException {
        return new Base(name, true, Files.readAllBytes(file), null, model.keySet().toArray(new String[0]),
                -1);
    }

    /** Opens and closes once: the open finishes a migration left running. */
    private static void settle(final Path file, final boolean line) {
        if (line) {
            try (LineMap<String, String> map = openLine(file)) {
                map.size();
            }
        } else {
            try (LongLongMap map = openLong(file)) {
                map.size();
            }
        }
    }
}
