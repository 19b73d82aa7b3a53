package dev.linemap.engine;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.StoreFileException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power loss, simulated: the disk after a power loss holds, page by page, either what was forced
 * (the file as the last sync left it) or something written later, some pages torn at a sector. The
 * test builds such a file from the file at the sync and the file at the "crash", and opens it as a
 * process after a restart of the machine would (another boot id): the map must be exactly what it
 * held at the sync. The same file opened without the sync image shows the harness can fail.
 */
class PowerLossTest {

    private static final int PAGE = 4096;
    private static final int SECTOR = 512;
    /** Keys per writer thread in the sync-while-writing test: bounds the map and the checks. */
    private static final long WRITES_EACH = 300_000;

    @TempDir
    Path dir;

    @BeforeEach
    void bootA() {
        System.setProperty(BootId.TEST_PROPERTY, "boot-A");
    }

    @AfterEach
    void realBoot() {
        System.clearProperty(BootId.TEST_PROPERTY);
    }

    // ------------------------------------------------------------------ the guarantee

    @Test
    void aLongLongMapComesBackAsOfItsLastSyncWhateverPagesOfLaterWritesReachedTheDisk() throws IOException {
        comesBackAsOfItsLastSync(false);
    }

    @Test
    void aLineMapComesBackAsOfItsLastSyncWhateverPagesOfLaterWritesReachedTheDisk() throws IOException {
        comesBackAsOfItsLastSync(true);
    }

    private void comesBackAsOfItsLastSync(final boolean line) throws IOException {
        for (int seed = 1; seed <= 6; seed++) {
            final Path file = dir.resolve((line ? "line-" : "long-") + seed + ".map");
            final Scenario s = Scenario.run(Subject.open(line, file), file, seed);
            reboot("boot-B" + seed);
            assertReopensAs(line, file, s.atSync, "seed " + seed);
        }
    }

    /**
     * The canary: the same mixed files opened as after a process crash (same boot: the file's own
     * pages are trusted) do not all come back as of the sync. Without it, the tests above could
     * pass on a harness whose mixed files were always harmless.
     */
    @Test
    void withoutTheImageTheMixedFilesLoseOrBreakSyncedEntries() throws IOException {
        int wrong = 0;
        for (int seed = 1; seed <= 6; seed++) {
            for (final boolean line : new boolean[] {false, true}) {
                final Path file = dir.resolve("canary-" + line + seed + ".map");
                final Scenario s = Scenario.run(Subject.open(line, file), file, seed);
                try (Subject reopened = Subject.open(line, file)) {
                    if (!s.atSync.equals(reopened.contents())) {
                        wrong++;
                    }
                } catch (final StoreFileException | IllegalStateException e) {
                    wrong++;
                }
            }
        }
        assertTrue(wrong > 0, "every mixed file opened as of the sync without the image: the harness mixes nothing");
    }

    @Test
    void aProcessCrashOnTheSameBootKeepsTheWritesAfterTheSync() throws IOException {
        final Path file = dir.resolve("same-boot.map");
        final Map<Object, Object> atCrash;
        try (LongSubject map = new LongSubject(file)) {
            final Random random = new Random(7);
            final Map<Object, Object> model = new HashMap<>();
            map.randomOps(random, 3_000, model);
            map.sync();
            map.randomOps(random, 3_000, model);
            atCrash = new HashMap<>(model);
            map.crash();
        }
        assertReopensAs(false, file, atCrash, "after the crash");
    }

    @Test
    void closeSyncsAMapThatHasAnImageSoARestartAfterACleanCloseLosesNothing() throws IOException {
        final Path file = dir.resolve("clean.map");
        final Map<Object, Object> model = new HashMap<>();
        try (LineSubject map = new LineSubject(file)) {
            final Random random = new Random(8);
            map.randomOps(random, 2_000, model);
            map.sync();
            map.randomOps(random, 2_000, model);
        }
        assertImageIsTheFile(file);
        reboot("boot-C");
        assertReopensAs(true, file, model, "after the restart");
    }

    // ------------------------------------------------------------------ the image

    @Test
    void afterEachSyncTheImageIsTheFileByteForByte() throws IOException {
        final Path file = dir.resolve("image.map");
        try (LineSubject map = new LineSubject(file)) {
            final Random random = new Random(9);
            final Map<Object, Object> model = new HashMap<>();
            for (int round = 0; round < 5; round++) {
                map.randomOps(random, 1_500, model);
                map.sync();
                assertImageIsTheFile(file);
            }
        }
    }

    @Test
    void aSyncThatDiedBeforeItsLogWasInPlaceLeavesTheImageOfThePreviousSync() throws IOException {
        final Path file = dir.resolve("died-capture.map");
        final Map<Object, Object> atSync = new HashMap<>();
        try (LongSubject map = new LongSubject(file)) {
            final Random random = new Random(10);
            map.randomOps(random, 3_000, atSync);
            map.sync();
            final Map<Object, Object> later = new HashMap<>(atSync);
            map.randomOps(random, 3_000, later);
            map.store().captureSync();   // the second sync copied its pages, and died before the rename
            map.crash();
        }
        assertTrue(Files.exists(dir.resolve("died-capture.map.sync-log.tmp")));
        reboot("boot-D");
        assertReopensAs(false, file, atSync, "after the restart");
    }

    @Test
    void aSyncThatDiedRightAfterItsLogWasInPlaceIsAppliedByTheNextOpen() throws IOException {
        final Path file = dir.resolve("died-published.map");
        final Map<Object, Object> model = new HashMap<>();
        try (LineSubject map = new LineSubject(file)) {
            final Random random = new Random(15);
            map.randomOps(random, 2_000, model);
            map.sync();
            map.randomOps(random, 2_000, model);
            final FileStore store = map.store();
            store.captureSync();
            store.syncImage().publish();   // the durability point passed; the image not touched yet
            map.randomOps(random, 1_000, new HashMap<>(model));   // after the sync: lost with the power
            map.crash();
        }
        reboot("boot-H");
        assertReopensAs(true, file, model, "after the restart");
    }

    @Test
    void aSyncThatDiedWhileApplyingItsLogIsFinishedByTheNextOpen() throws IOException {
        final Path file = dir.resolve("died-apply.map");
        final Map<Object, Object> model = new HashMap<>();
        final byte[] imageBefore;
        try (LongSubject map = new LongSubject(file)) {
            final Random random = new Random(11);
            map.randomOps(random, 3_000, model);
            map.sync();
            imageBefore = Files.readAllBytes(dir.resolve("died-apply.map.sync-image"));
            map.randomOps(random, 3_000, model);
            map.sync();
            map.crash();
        }
        // Put the log back as it was before it was applied: the died sync's rename happened, then a
        // part of its pages reached the image. Rebuilt from the image before and after.
        final Path image = dir.resolve("died-apply.map.sync-image");
        final byte[] after = Files.readAllBytes(image);
        final byte[] half = Arrays.copyOf(imageBefore, after.length);
        System.arraycopy(after, 0, half, 0, after.length / 2);
        Files.write(image, half);
        markLogUnapplied(file, imageBefore, after);
        reboot("boot-E");
        assertReopensAs(false, file, model, "after the restart");
    }

    @Test
    void aDamagedImageFailsTheOpenAfterARestartAndLeavesTheFileAsItWas() throws IOException {
        final Path file = dir.resolve("damaged.map");
        try (LongSubject map = new LongSubject(file)) {
            map.randomOps(new Random(12), 2_000, new HashMap<>());
            map.sync();
            map.randomOps(new Random(13), 2_000, new HashMap<>());
            map.crash();
        }
        final Path image = dir.resolve("damaged.map.sync-image");
        final byte[] bytes = Files.readAllBytes(image);
        bytes[bytes.length - 100] ^= 1;
        Files.write(image, bytes);
        final byte[] before = Files.readAllBytes(file);
        reboot("boot-F");
        final StoreFileException e = assertThrows(StoreFileException.class, () -> new LongSubject(file));
        assertEquals(StoreFileException.Reason.CHECKSUM, e.reason());
        assertTrue(e.getMessage().contains("sync image"), e.getMessage());
        final byte[] afterOpen = Files.readAllBytes(file);
        assertArrayEquals(before, afterOpen, "a failed restore changed the map file");
    }

    /**
     * The sync log is untrusted input: each damage below fails the open after a restart (the
     * file's own pages cannot be trusted then, and the image cannot be either) without changing
     * the map file, and is ignored on the same boot (the file is then the truth).
     */
    @Test
    void aDamagedSyncLogFailsTheOpenAfterARestartAndIsIgnoredOnTheSameBoot() throws IOException {
        final Path base = dir.resolve("base.map");
        final Map<Object, Object> atCrash = new HashMap<>();
        try (LongSubject map = new LongSubject(base)) {
            final Random random = new Random(14);
            map.randomOps(random, 3_000, atCrash);
            map.sync();
            map.randomOps(random, 3_000, atCrash);
            map.crash();
        }
        final byte[] file = Files.readAllBytes(base);
        final byte[] image = Files.readAllBytes(dir.resolve("base.map.sync-image"));
        final byte[] log = Files.readAllBytes(dir.resolve("base.map.sync-log"));
        final Map<String, byte[]> damaged = new java.util.LinkedHashMap<>();
        damaged.put("a flipped sum", flip(log, 64 + 8 * 3));
        damaged.put("a flipped header word", flip(log, 16));
        damaged.put("cut to 30 bytes", Arrays.copyOf(log, 30));
        damaged.put("no magic", flip(log, 0));
        // pageSums 2^61, whose sums' byte count overflows a long to 0, with fileLength to match and
        // a checksum made for it: a crafted log whose image of no pages would cut the file to nothing
        final byte[] huge = log.clone();
        final ByteBuffer h = ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putLong(40, 1L << 61).putLong(24, (1L << 61) * PAGE).putLong(32, 0);
        final java.util.zip.CRC32C crafted = new java.util.zip.CRC32C();
        crafted.update(huge, 0, 48);
        h.putLong(64, crafted.getValue());
        damaged.put("an overflowing page count", huge);
        for (final Map.Entry<String, byte[]> d : damaged.entrySet()) {
            final Path sub = Files.createTempDirectory(dir, "damage");
            final Path copy = sub.resolve("x.map");
            Files.write(copy, file);
            Files.write(sub.resolve("x.map.sync-image"), image);
            Files.write(sub.resolve("x.map.sync-log"), d.getValue());
            reboot("boot-G");
            final StoreFileException e = assertThrows(StoreFileException.class, () -> new LongSubject(copy),
                    d.getKey());
            assertTrue(e.getMessage().contains("sync log is damaged"), d.getKey() + ": " + e.getMessage());
            assertArrayEquals(file, Files.readAllBytes(copy), d.getKey() + ": the failed open changed the map file");
            reboot("boot-A");
            assertReopensAs(false, copy, atCrash, d.getKey() + ", same boot");
        }
    }

    private static byte[] flip(final byte[] bytes, final int at) {
        final byte[] out = bytes.clone();
        out[at] ^= 0x10;
        return out;
    }

    // ------------------------------------------------------------------ writers during a sync

    /**
     * Writers run through repeated syncs; each image, opened as a map, must hold every write that
     * completed before its sync began (the gate made the copy one instant of the file, not a mix of
     * pages before and after some write).
     */
    @Test
    void eachImageHoldsEveryWriteThatCompletedBeforeItsSyncWhileWritersRun() throws Exception {
        final Path file = dir.resolve("writers.map");
        final int writers = 2;
        final AtomicLongArray done = new AtomicLongArray(writers);
        final AtomicBoolean stop = new AtomicBoolean();
        try (LongLongMap map = LongLongMap.builder().initialCapacity(1_000).persistTo(file).build()) {
            final Thread[] threads = new Thread[writers];
            final Throwable[] failures = new Throwable[writers];
            for (int t = 0; t < writers; t++) {
                final int id = t;
                threads[t] = new Thread(() -> {
                    try {
                        for (long i = 1; !stop.get() && i <= WRITES_EACH; i++) {
                            map.put(id * 1_000_000_000L + i, i);
                            if (i % 3 == 0) {
                                map.remove(id * 1_000_000_000L + i - 1);
                            }
                            done.set(id, i);
                        }
                    } catch (final Throwable e) {
                        failures[id] = e;
                    }
                });
                threads[t].start();
            }
            try {
                for (int round = 0; round < 8; round++) {
                    Thread.sleep(15);
                    final long[] before = new long[writers];
                    for (int t = 0; t < writers; t++) {
                        before[t] = done.get(t);
                    }
                    map.sync();
                    checkImage(file, round, before);
                }
            } finally {
                stop.set(true);
                for (final Thread t : threads) {
                    t.join();
                }
            }
            for (final Throwable f : failures) {
                if (f != null) {
                    throw new AssertionError(f);
                }
            }
        }
    }

    private void checkImage(final Path file, final int round, final long[] before) throws IOException {
        final Path copy = dir.resolve("image-" + round + ".map");
        Files.copy(file.resolveSibling(file.getFileName() + ".sync-image"), copy);
        try (LongLongMap image = LongLongMap.builder().initialCapacity(1_000).persistTo(copy).build()) {
            for (int t = 0; t < before.length; t++) {
                for (long i = 1; i <= before[t]; i++) {
                    final long key = t * 1_000_000_000L + i;
                    if (i % 3 == 2 && i + 1 > before[t]) {
                        continue;   // its removal may have raced the sync's start
                    }
                    if (i % 3 == 2) {
                        assertTrue(!image.containsKey(key), "round " + round + ": removed key " + key + " is back");
                    } else {
                        assertEquals(i, image.get(key), "round " + round + ": key " + key + " of writer " + t);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ harness

    /** Opens {@code file} as the next process does and requires exactly {@code expected}. */
    private static void assertReopensAs(final boolean line, final Path file, final Map<Object, Object> expected,
                                        final String what) {
        try (Subject reopened = Subject.open(line, file)) {
            assertSameEntries(expected, reopened.contents(), what);
        }
    }

    /** Fails with what differs (counts and a few keys), not two whole maps. */
    private static void assertSameEntries(final Map<Object, Object> expected, final Map<Object, Object> actual,
                                          final String what) {
        if (expected.equals(actual)) {
            return;
        }
        final java.util.List<String> diffs = new java.util.ArrayList<>();
        int missing = 0;
        int wrong = 0;
        for (final Map.Entry<Object, Object> e : expected.entrySet()) {
            final Object got = actual.get(e.getKey());
            if (got == null) {
                missing++;
            } else if (!got.equals(e.getValue())) {
                wrong++;
            } else {
                continue;
            }
            if (diffs.size() < 5) {
                diffs.add(e.getKey() + ": expected " + e.getValue() + ", found " + got);
            }
        }
        int extra = 0;
        for (final Object k : actual.keySet()) {
            if (!expected.containsKey(k)) {
                extra++;
            }
        }
        throw new AssertionError(what + ": " + expected.size() + " entries expected, " + actual.size() + " found; "
                + missing + " missing, " + wrong + " with another value, " + extra + " never written or removed; "
                + diffs);
    }

    private static void reboot(final String boot) {
        System.setProperty(BootId.TEST_PROPERTY, boot);
    }

    private static void assertImageIsTheFile(final Path file) throws IOException {
        final byte[] image = Files.readAllBytes(file.resolveSibling(file.getFileName() + ".sync-image"));
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(bytes.length, image.length, "image length");
        for (int p = 0; p < bytes.length / PAGE; p++) {
            // The header's clean word differs after a close (written after its sync): compare the rest.
            final int from = p * PAGE;
            final int to = from + PAGE;
            if (p == 0) {
                assertArrayEquals(Arrays.copyOfRange(bytes, 0, 320), Arrays.copyOfRange(image, 0, 320), "header");
                assertArrayEquals(Arrays.copyOfRange(bytes, 328, to), Arrays.copyOfRange(image, 328, to), "header");
            } else {
                assertArrayEquals(Arrays.copyOfRange(bytes, from, to), Arrays.copyOfRange(image, from, to),
                        "page " + p);
            }
        }
    }

    /**
     * Rewrites the sync log as it was before it was applied: its pages are every page where the
     * images before and after differ.
     */
    private static void markLogUnapplied(final Path file, final byte[] before, final byte[] after)
            throws IOException {
        final Path log = file.resolveSibling(file.getFileName() + ".sync-log");
        final byte[] head = Files.readAllBytes(log);
        final ByteBuffer h = ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final int pages = after.length / PAGE;
        final ByteBuffer records = ByteBuffer.allocate(pages * (8 + PAGE)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long changed = 0;
        for (int p = 0; p < pages; p++) {
            final int from = p * PAGE;
            if (from + PAGE > before.length || !Arrays.equals(before, from, from + PAGE, after, from, from + PAGE)) {
                records.putLong(p).put(after, from, PAGE);
                changed++;
            }
        }
        records.flip();
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(records.duplicate());
        h.putLong(32, changed);
        h.putLong(48, 0L);   // not applied
        final java.util.zip.CRC32C headCrc = new java.util.zip.CRC32C();
        headCrc.update(head, 0, 48);
        headCrc.update(head, 64, pages * 8);
        h.putLong(64 + pages * 8, headCrc.getValue());
        try (FileChannel out = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(head), 0);
            long at = head.length;
            at += out.write(records, at);
            out.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, crc.getValue()), at);
        }
    }

    /** What a scenario left: the map's contents at its last sync. */
    private record Scenario(Map<Object, Object> atSync) {

        /**
         * Random writes, a sync, random writes (across growths and shrinks), a second sync, more
         * writes; then the process dies and the power goes: the file becomes a page mix of itself at
         * the last sync and at the crash.
         */
        static Scenario run(final Subject map, final Path file, final int seed) throws IOException {
            final Random random = new Random(seed);
            final Map<Object, Object> model = new HashMap<>();
            final Map<Object, Object> atSync;
            final byte[] synced;
            try (map) {
                map.randomOps(random, 4_000, model);
                map.sync();
                map.randomOps(random, 4_000, model);
                map.sync();
                atSync = new HashMap<>(model);
                // What the disk holds of the file as of the sync: the image is that instant.
                synced = Files.readAllBytes(file.resolveSibling(file.getFileName() + ".sync-image"));
                map.randomOps(random, 6_000, model);
                map.removeMost(random, model);
                map.randomOps(random, 2_000, model);
                map.crash();
            }
            final byte[] now = Files.readAllBytes(file);
            final byte[] disk = mix(synced, now, random);
            Files.write(file, disk);
            return new Scenario(atSync);
        }

        /**
         * The disk after the power went: each page of the crash-time file reached it, or did not
         * (then the synced page is there), or reached it torn after some sectors.
         */
        private static byte[] mix(final byte[] synced, final byte[] now, final Random random) {
            final byte[] disk = Arrays.copyOf(now, random.nextBoolean() ? now.length : Math.max(synced.length, PAGE));
            for (int at = 0; at < disk.length; at += PAGE) {
                final int kind = random.nextInt(3);
                final int keep = kind == 0 ? 0 : kind == 1 ? PAGE : random.nextInt(PAGE / SECTOR) * SECTOR;
                for (int b = keep; b < PAGE && at + b < disk.length; b++) {
                    disk[at + b] = at + b < synced.length ? synced[at + b] : 0;
                }
            }
            return disk;
        }
    }

    /** A map under test, with its model operations. */
    private abstract static class Subject implements AutoCloseable {
        private final Engine engine;

        Subject(final Engine engine) {
            this.engine = engine;
        }

        static Subject open(final boolean line, final Path file) {
            return line ? new LineSubject(file) : new LongSubject(file);
        }

        abstract void put(Random random, Map<Object, Object> model);

        abstract void remove(Object key, Map<Object, Object> model);

        abstract Map<Object, Object> contents();

        final void sync() {
            engine.syncEngine();
        }

        final FileStore store() {
            return engine.store();
        }

        /** The process dies here: no close(), the file let go as the tables are. */
        final void crash() {
            engine.simulateCrash();
        }

        @Override
        public final void close() {
            engine.closeEngine();
        }

        final void randomOps(final Random random, final int n, final Map<Object, Object> model) {
            for (int i = 0; i < n; i++) {
                if (random.nextInt(4) == 0 && !model.isEmpty()) {
                    remove(model.keySet().iterator().next(), model);
                } else {
                    put(random, model);
                }
            }
        }

        /** Removes nine in ten entries: the map shrinks. */
        final void removeMost(final Random random, final Map<Object, Object> model) {
            for (final Object k : model.keySet().toArray()) {
                if (random.nextInt(10) != 0) {
                    remove(k, model);
                }
            }
        }
    }

    private static final class LongSubject extends Subject {
        final LongLongMap map;

        LongSubject(final Path file) {
            this(LongLongMap.builder().initialCapacity(100).backgroundMigration(false).persistTo(file).build());
        }

        private LongSubject(final LongLongMap map) {
            super(map);
            this.map = map;
        }

        @Override
        void put(final Random random, final Map<Object, Object> model) {
            final long k = random.nextInt(20_000);
            final long v = random.nextLong();
            map.put(k, v);
            model.put(k, v);
        }

        @Override
        void remove(final Object key, final Map<Object, Object> model) {
            map.remove((long) key);
            model.remove(key);
        }

        @Override
        Map<Object, Object> contents() {
            final Map<Object, Object> all = new HashMap<>();
            map.forEach((k, v) -> all.put(k, v));
            return all;
        }
    }

    private static final class LineSubject extends Subject {
        final LineMap<String, String> map;

        LineSubject(final Path file) {
            this(LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(100).backgroundMigration(false)
                    .persistTo(file).build());
        }

        private LineSubject(final LineMap<String, String> map) {
            super(map);
            this.map = map;
        }

        @Override
        void put(final Random random, final Map<Object, Object> model) {
            final String k = "key-" + random.nextInt(20_000);
            final String v = "v".repeat(random.nextInt(200)) + random.nextLong();
            map.put(k, v);
            model.put(k, v);
        }

        @Override
        void remove(final Object key, final Map<Object, Object> model) {
            map.remove(key);
            model.remove(key);
        }

        @Override
        Map<Object, Object> contents() {
            return new HashMap<>(map);
        }
    }
}
