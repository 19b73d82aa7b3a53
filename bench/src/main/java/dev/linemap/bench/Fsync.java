package dev.linemap.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code fsync} of a map file another object has mapped: writes its dirty shared pages out, so that
 * a measurement starts from clean, cached pages. Not linemap's {@code sync()}, which also writes
 * the file's sync image (a second copy of the file).
 */
public final class Fsync {

    private Fsync() {
    }

    /**
     * Forces {@code file} (data and metadata) to storage.
     *
     * @param file the file
     */
    public static void of(final Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
