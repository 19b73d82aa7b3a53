package dev.linemap.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which boot of the machine this process runs in, as a nonzero word (0: unknown). A map file
 * records it when it is opened; an unclean file found under another boot lost its page cache with
 * the machine, which a process crash never does ({@link SyncImage}).
 *
 * <p>Linux publishes a random id per boot in {@code /proc/sys/kernel/random/boot_id}. Elsewhere
 * there is none, and the open treats every unclean file as a process crash (the file's own pages
 * are trusted). Tests pretend a reboot with the system property {@value #TEST_PROPERTY}.
 */
final class BootId {

    /** Tests: replaces the machine's boot id (any string; empty means unknown). */
    static final String TEST_PROPERTY = "linemap.test.bootId";

    private static final Path PROC_BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private BootId() {
    }

    /**
     * Returns the current boot's hash, 0 if the platform has no boot id. Read on every call (a
     * test may change the property between opens).
     *
     * @return the current boot's hash, 0 if unknown
     */
    static long current() {
        String id = System.getProperty(TEST_PROPERTY);
        if (id == null) {
            try {
                id = Files.readString(PROC_BOOT_ID, StandardCharsets.US_ASCII).strip();
            } catch (final IOException | SecurityException e) {
                return 0L;
            }
        }
        if (id.isEmpty()) {
            return 0L;
        }
        final long h = hash(id);
        return h == 0 ? 1 : h;
    }

    /** FNV-1a: the id is random already; this only folds its text into a word. */
    private static long hash(final String id) {
        long h = 0xcbf2_9ce4_8422_2325L;
        for (final byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100_0000_01b3L;
        }
        return h;
    }
}
