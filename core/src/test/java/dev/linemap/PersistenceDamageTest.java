package dev.linemap;

import dev.linemap.FileFuzzImage.Extent;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;
import dev.linemap.layout.RootDescriptor.Root;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage the file fuzzer ({@link FileFuzzTest}) found accepted, one test each, so that it stays
 * rejected whatever the fuzzer's seed reaches.
 */
class PersistenceDamageTest {

    @TempDir
    Path dir;

    /** Fuzzer case 506: a slot's key word copied over another slot's of the same bucket. */
    @Test
    void aKeyTwiceInOneBucketIsCorrupt() throws Exception {
        final Path file = filled("twice.map");
        try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
            final Extent buckets = image.extents().stream()
                    .filter(e -> e.role() == ExtentDescriptor.BUCKETS).findFirst().orElseThrow();
            long line = buckets.offset() + ExtentDescriptor.BYTES;
            while (CtrlWord.occupancy(image.getLong(line + BucketDescriptor.CTRL_OFFSET)) != 0b11) {
                line += BucketDescriptor.BYTES;
            }
            image.setLong(line + BucketDescriptor.KEY0_OFFSET,
                    image.getLong(line + BucketDescriptor.KEY0_OFFSET + BucketDescriptor.SLOT_STRIDE));
            image.writeTo(file);
        }
        final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLong(file));
        assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
    }

    /**
     * Fuzzer cases 1986 (sequence -1) and 7805 of seed 20261130 (sequence 2^62, against a first fix
     * that bounded the value): a root sequence near the top of the word, CRC valid, was the root,
     * and the root the map wrote after it lost to it at the next open, which then looked for
     * tables retired since. Whatever the sequence of either record, a file that opens must reopen
     * after the map has written roots (growths).
     */
    @Test
    void aFileThatOpensReopensAfterGrowthWhateverItsRootSequences() throws Exception {
        final long[] sequences = {-2, -1, 0, 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, (1L << 62) - 1};
        int opened = 0;
        for (final long sequence : sequences) {
            for (final boolean inForce : new boolean[] {true, false}) {
                final Path file = filled("sequence" + sequence + inForce + ".map");
                try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
                    final long root = image.rootInForce();
                    final long at = inForce ? root : FileHeaderDescriptor.rootOffset(0) + FileHeaderDescriptor
                            .rootOffset(1) - root;
                    final Root r = RootDescriptor.read(image.bytes, at);
                    RootDescriptor.write(image.bytes, at, new Root(sequence, r.current(), r.currentSeed(),
                            r.currentLog2(), r.old(), r.oldSeed(), r.oldLog2(), r.kind()));
                    image.writeTo(file);
                }
                final long size;
                try (LongLongMap map = FileFuzzBases.openLong(file)) {
                    final SplittableRandom random = new SplittableRandom(sequence);
                    for (int i = 0; i < 20_000; i++) {
                        map.put(random.nextLong(), i);   // growths: roots written
                    }
                    size = map.size();
                    opened++;
                } catch (final StoreFileException e) {
                    continue;   // damage found: the other outcome the fuzzer allows
                }
                try (LongLongMap map = FileFuzzBases.openLong(file)) {
                    assertEquals(size, map.size(), "sequence " + sequence + (inForce ? " in force" : " in the other"));
                }
            }
        }
        assertTrue(opened >= sequences.length, "most of these files hold a whole map: " + opened + " opened");
    }

    /**
     * Fuzzer case 8189 (fast mode, a file closed mid-growth): an old bucket's ctrl word became a
     * random word that read EVACUATED with the lock bit set; recovery skipped it, and the evacuator
     * resuming the growth (a writer, here) waits on the lock forever.
     */
    @Test
    void aLockedEvacuatedOldBucketIsCorruptNotAHang() throws Exception {
        final Path file = closedMidGrowth("evacuated.map", 10);
        setBitsInFirstOldBucket(file, CtrlWord.EVACUATED, CtrlWord.LOCK);
        final StoreFileException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(StoreFileException.class, () -> {
                    try (LongLongMap map = FileFuzzBases.openLong(file)) {
                        for (int i = 0; i < 100_000; i++) {
                            map.put(i, i);   // the writers resume the growth (no helper thread)
                        }
                    }
                }));
        assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
    }

    /**
     * Fuzzer cases 214, 1877 and 8 more (after the migration began to resume after the open): a
     * LineMap root of a growth with currentSeed or oldSeed changed, CRC valid. Recovery checks a
     * slot's stored hash against its bucket, not against the seed, so the file opened, and the map
     * then iterated few or none of the entries its size() counted.
     */
    @Test
    void aGrowthRootWithTwoSeedsIsCorrupt() throws Exception {
        for (final boolean current : new boolean[] {true, false}) {
            final Path file = dir.resolve("seeds-" + current + ".map");
            final SplittableRandom random = new SplittableRandom(11);
            try (LineMap<String, String> map = FileFuzzBases.openLine(file)) {
                while (!map.stats().migrating() || map.stats().bucketCount() < 64) {
                    map.put("k" + random.nextLong(), "v");
                }
            }
            try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
                final long at = image.rootInForce();
                final Root r = RootDescriptor.read(image.bytes, at);
                assertEquals(0, r.kind(), "a growth: " + r);
                RootDescriptor.write(image.bytes, at, new Root(r.sequence(), r.current(),
                        current ? r.currentSeed() + 1 : r.currentSeed(), r.currentLog2(), r.old(),
                        current ? r.oldSeed() : r.oldSeed() + 1, r.oldLog2(), r.kind()));
                image.writeTo(file);
            }
            final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLine(file));
            assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
        }
    }

    /**
     * Found once the fuzzer required every iterated key to read back: a LineMap slot's hash word
     * with a high bit flipped (its bucket unchanged), or the root's seed changed, CRC valid, opened,
     * and the map iterated keys get() could not find.
     */
    @Test
    void aLineMapKeyThatDoesNotHashToItsSlotsWordIsCorrupt() throws Exception {
        for (final boolean seed : new boolean[] {true, false}) {
            final Path file = dir.resolve("hash-" + seed + ".map");
            try (LineMap<String, String> map = FileFuzzBases.openLine(file)) {
                for (int i = 0; i < 500; i++) {
                    map.put("key-" + i, "value-" + i);
                }
            }
            try (LineMap<String, String> map = FileFuzzBases.openLine(file)) {
                map.size();   // finishes nothing, writes no root: the next open reads this file as it is
            }
            try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
                final long at = image.rootInForce();
                final Root r = RootDescriptor.read(image.bytes, at);
                if (seed) {
                    RootDescriptor.write(image.bytes, at, new Root(r.sequence(), r.current(), r.currentSeed() ^ 1,
                            r.currentLog2(), r.old(), r.oldSeed(), r.oldLog2(), r.kind()));
                } else {
                    final Extent buckets = image.extents().stream().filter(e -> e.role() == ExtentDescriptor.BUCKETS
                            && e.serial() == r.current()).findFirst().orElseThrow();
                    long line = buckets.offset() + ExtentDescriptor.BYTES;
                    while ((CtrlWord.occupancy(image.getLong(line + BucketDescriptor.CTRL_OFFSET)) & 1) == 0) {
                        line += BucketDescriptor.BYTES;
                    }
                    image.setLong(line + BucketDescriptor.KEY0_OFFSET,
                            image.getLong(line + BucketDescriptor.KEY0_OFFSET) ^ Long.MIN_VALUE);
                }
                image.writeTo(file);
            }
            final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLine(file));
            assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
        }
    }

    /**
     * Found by the fuzzer's "opened empty" outcome: a zeroed first page was taken for a creator
     * that died, and the open cut the whole map file to one page and opened it empty.
     */
    @Test
    void aZeroedHeaderPageBeforeExtentsIsCorruptAndOnlyABlankPageIsANewFile() throws Exception {
        final Path file = filled("zeroed.map");
        final long before = Files.size(file);
        try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
            image.header().fill((byte) 0);
            image.writeTo(file);
        }
        final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLong(file));
        assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
        assertEquals(before, Files.size(file), "the refused open leaves the file's length as it was");
        final Path blank = dir.resolve("blank.map");
        Files.write(blank, new byte[(int) FileFuzzImage.PAGE]);
        try (LongLongMap map = FileFuzzBases.openLong(blank)) {
            assertEquals(0, map.size());
            map.put(1, 2);
        }
        try (LongLongMap map = FileFuzzBases.openLong(blank)) {
            assertEquals(2, map.get(1));
        }
    }

    /** Fuzzer case 3823 (an "opened empty" case): an old bucket's state field 3 was made NORMAL. */
    @Test
    void anOldBucketOfNoStateIsCorrupt() throws Exception {
        final Path file = closedMidGrowth("state3.map", 12);
        setBitsInFirstOldBucket(file, CtrlWord.NORMAL, CtrlWord.STATE_MASK);
        final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLong(file));
        assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
    }

    /**
     * Found on review of the open: a free extent whose length field was damaged to end past the
     * file looked like an append that died, and the open cut the file there, dropping every table
     * piece after it, before it failed for the pieces it no longer found. The open now changes the
     * extent chain only once the tables passed recovery: the failed open leaves the file as it was,
     * and with the field restored every key is there.
     */
    @Test
    void aFailedOpenDoesNotCutTheFileAtADamagedFreeExtent() throws Exception {
        final Path file = dir.resolve("cut.map");
        final SplittableRandom random = new SplittableRandom(13);
        final long[] keys = new long[20_000];
        try (LongLongMap map = FileFuzzBases.openLong(file)) {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = random.nextLong();
                map.put(keys[i], i);
            }
        }
        final byte[] intact = Files.readAllBytes(file);
        final long freeAt;
        final long tag;
        try (FileFuzzImage image = new FileFuzzImage(intact)) {
            final java.util.List<Extent> extents = image.extents();
            int f = 0;
            while (extents.get(f).role() != ExtentDescriptor.FREE || f + 1 == extents.size()) {
                f++;   // a free extent with pieces after it (a grown table's retired predecessor)
            }
            freeAt = extents.get(f).offset();
            tag = image.getLong(freeAt);
            image.setLong(freeAt, ExtentDescriptor.tag(ExtentDescriptor.FREE, (intact.length - freeAt) / 4096 + 1));
            image.writeTo(file);
        }
        final byte[] damaged = Files.readAllBytes(file);
        assertThrows(StoreFileException.class, () -> FileFuzzBases.openLong(file).close());
        final byte[] after = Files.readAllBytes(file);
        assertEquals(damaged.length, after.length, "the failed open cut the file");
        assertTrue(java.util.Arrays.equals(damaged, 4096, damaged.length, after, 4096, after.length),
                "the failed open changed the extents");
        try (FileFuzzImage image = new FileFuzzImage(after)) {
            image.setLong(freeAt, tag);
            image.writeTo(file);
        }
        try (LongLongMap map = FileFuzzBases.openLong(file)) {
            assertEquals(keys.length, map.size());
            for (int i = 0; i < keys.length; i++) {
                assertEquals(i, map.get(keys[i]));
            }
        }
    }

    /**
     * Found on review: the recovery rules repair in place (a stale lock cleared, an evacuation
     * undone, a count corrected), and an open that then found damage further on failed with those
     * repairs already in the file. Now the open puts the words back: after a failed open the file
     * is as it was. Here a stale lock in the first bucket (repaired) and an impossible state in
     * the last one (CORRUPT); in the fast-mode run the two halves are walked by two threads.
     */
    @Test
    void aFailedOpenPutsBackTheWordsItsRecoveryRepaired() throws Exception {
        final Path file = filled("repaired.map");
        try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
            final long current = RootDescriptor.read(image.bytes, image.rootInForce()).current();
            final Extent buckets = image.extents().stream()
                    .filter(e -> e.role() == ExtentDescriptor.BUCKETS && e.serial() == current).findFirst()
                    .orElseThrow();
            final long first = buckets.offset() + ExtentDescriptor.BYTES + BucketDescriptor.CTRL_OFFSET;
            image.setLong(first, image.getLong(first) | CtrlWord.LOCK);
            final long lines = ExtentDescriptor.lines(image.bytes.asSlice(buckets.offset()));
            final long last = first + (lines - 1) * BucketDescriptor.BYTES;
            image.setLong(last, image.getLong(last) | CtrlWord.STATE_MASK);
            image.writeTo(file);
        }
        final byte[] damaged = Files.readAllBytes(file);
        final StoreFileException e = assertThrows(StoreFileException.class, () -> FileFuzzBases.openLong(file));
        assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
        final byte[] after = Files.readAllBytes(file);
        assertEquals(damaged.length, after.length);
        assertTrue(java.util.Arrays.equals(damaged, 4096, damaged.length, after, 4096, after.length),
                "the failed open left its repairs in the file");
    }

    /** A {@code LongLongMap} file closed in the middle of a growth from at least 64 buckets. */
    private Path closedMidGrowth(final String name, final long seed) {
        final Path file = dir.resolve(name);
        final SplittableRandom random = new SplittableRandom(seed);
        try (LongLongMap map = FileFuzzBases.openLong(file)) {
            while (map.stats().evacuatedBuckets() == 0 || map.stats().oldBucketCount() < 64) {
                map.put(random.nextLong(), 1);
            }
        }
        return file;
    }

    /** Sets {@code bits} in the ctrl word of the old table's first bucket whose state is {@code state}. */
    private static void setBitsInFirstOldBucket(final Path file, final int state, final long bits)
            throws java.io.IOException {
        try (FileFuzzImage image = new FileFuzzImage(Files.readAllBytes(file))) {
            final long old = RootDescriptor.read(image.bytes, image.rootInForce()).old();
            final Extent buckets = image.extents().stream()
                    .filter(e -> e.role() == ExtentDescriptor.BUCKETS && e.serial() == old).findFirst().orElseThrow();
            long line = buckets.offset() + ExtentDescriptor.BYTES;
            while (CtrlWord.state(image.getLong(line + BucketDescriptor.CTRL_OFFSET)) != state) {
                line += BucketDescriptor.BYTES;
            }
            image.setLong(line + BucketDescriptor.CTRL_OFFSET, image.getLong(line + BucketDescriptor.CTRL_OFFSET)
                    | bits);
            image.writeTo(file);
        }
    }

    /**
     * The file fuzzer's "opened empty" cases (seed 20261201, verification 5f): a map whose only
     * root record written was broken, the other record being the sequence-0 record a new file
     * starts with, opened as an empty map and freed its pieces, so one damaged header line lost
     * every entry. Now refused with the file unchanged; with the record put back, every entry is
     * there. A creator that died before its first root (its pieces never written) still opens
     * empty: {@code FileCrashStatesTest}.
     */
    @Test
    void aBrokenOnlyRootOfAMapThatNeverGrewIsCorruptNotAnEmptyMap() throws Exception {
        for (final boolean line : new boolean[] {false, true}) {
            final Path file = dir.resolve("one-root-" + line + ".map");
            // Sized up front, so that the first table's root is the only one written.
            if (line) {
                try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                        .seed(FileFuzzBases.HASH_SEED).initialCapacity(1_000).persistTo(file).build()) {
                    for (int i = 0; i < 10; i++) {
                        map.put("key" + i, "value" + i);
                    }
                }
            } else {
                try (LongLongMap map = LongLongMap.builder().seed(FileFuzzBases.HASH_SEED).initialCapacity(1_000)
                        .missingValue(Long.MIN_VALUE).persistTo(file).build()) {
                    for (int i = 0; i < 10; i++) {
                        map.put(i, 7L * i);
                    }
                }
            }
            final byte[] whole = Files.readAllBytes(file);
            try (FileFuzzImage image = new FileFuzzImage(whole)) {
                final long root = image.rootInForce();
                assertEquals(1, RootDescriptor.read(image.bytes, root).sequence(), "the map never grew");
                final long at = root + Long.BYTES;   // inside the record: its CRC no longer matches
                image.bytes.set(ValueLayout.JAVA_BYTE, at, (byte) (image.bytes.get(ValueLayout.JAVA_BYTE, at) ^ 1));
                image.writeTo(file);
            }
            final byte[] damaged = Files.readAllBytes(file);
            final StoreFileException e = assertThrows(StoreFileException.class,
                    () -> (line ? FileFuzzBases.openLine(file) : FileFuzzBases.openLong(file)).close());
            assertEquals(StoreFileException.Reason.CORRUPT, e.reason(), e.getMessage());
            final byte[] after = Files.readAllBytes(file);
            final int page = FileHeaderDescriptor.PAGE_BYTES;
            assertEquals(damaged.length, after.length, "the refused open changed the file's length");
            assertArrayEquals(Arrays.copyOfRange(damaged, page, damaged.length),
                    Arrays.copyOfRange(after, page, after.length), "the refused open wrote past the header");
            Files.write(file, whole);   // the record put back
            if (line) {
                try (LineMap<String, String> map = FileFuzzBases.openLine(file)) {
                    assertEquals(10, map.size());
                    for (int i = 0; i < 10; i++) {
                        assertEquals("value" + i, map.get("key" + i));
                    }
                }
            } else {
                try (LongLongMap map = FileFuzzBases.openLong(file)) {
                    assertEquals(10, map.size());
                    for (int i = 0; i < 10; i++) {
                        assertEquals(7L * i, map.get(i));
                    }
                }
            }
        }
    }

    private Path filled(final String name) {
        final Path file = dir.resolve(name);
        final SplittableRandom random = new SplittableRandom(9);
        try (LongLongMap map = FileFuzzBases.openLong(file)) {
            for (int i = 0; i < 2_000; i++) {
                map.put(random.nextLong(), i);
            }
        }
        return file;
    }
}
