package dev.linemap;

import dev.linemap.FileFuzzImage.Extent;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.ExtentDescriptor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
