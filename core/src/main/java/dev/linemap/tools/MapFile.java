package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.TableGeometry;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The map {@code explain} and {@code inspect} look at with {@code --file F}: the {@code LongLongMap}
 * kept in F, opened as a program opens it ({@code LongLongMap.builder().persistTo(F).build()}, with
 * the load factor the file was created with and background migration off). That open is a real
 * one: a file its last process left open (it crashed) is recovered, and a migration it left running
 * is finished, before the tool looks. The tool closes the map when it is done, which marks the file
 * closed cleanly. Files of {@code LineMap}s are turned away with a message: the tools read
 * {@code LongLongMap}s.
 *
 * @param path the file
 * @param bytes its size when it was opened
 * @param loadPermille the growth load recorded in it
 * @param lastOwner the process that opened it last, as recorded in it
 * @param wasClean whether that process closed it
 */
record MapFile(Path path, long bytes, int loadPermille, long lastOwner, boolean wasClean) {

    private static final int SHAPE_LINE_MAP = 2;

    /**
     * Rejects {@code --file} given with {@code --seed} or {@code --entries}, which describe a map
     * built in memory.
     *
     * @param command the subcommand, for the message
     * @param options its options
     * @throws UsageException if both kinds were given
     */
    static void rejectMixed(final String command, final Options options) throws UsageException {
        if (options.has("file") && (options.has("seed") || options.has("entries"))) {
            throw new UsageException(command + ": --file reads a map from a file, --seed and --entries describe a map"
                    + " built in memory: give one or the other");
        }
    }

    /**
     * Reads the header of the file {@code --file} names, and turns away what the tools cannot open:
     * no such file, an empty one, one without a linemap header, a {@code LineMap}'s file.
     * Anything else wrong with the file is left to the open, whose {@code StoreFileException} says
     * what.
     *
     * @param command the subcommand, for the message
     * @param options its options, with {@code --file}
     * @return the file as its header describes it
     * @throws UsageException if the file is missing, empty, not a map file or a {@code LineMap}'s
     * @throws IOException if the file cannot be read
     */
    static MapFile of(final String command, final Options options) throws UsageException, IOException {
        final String name = options.string("file", "");
        final Path path = Path.of(name);
        if (!Files.isRegularFile(path)) {
            throw new UsageException(command + ": --file " + name + ": no such file");
        }
        final long bytes = Files.size(path);
        if (bytes == 0) {
            throw new UsageException(command + ": --file " + name + ": the file is empty, it holds no map");
        }
        final byte[] page = new byte[FileHeaderDescriptor.PAGE_BYTES];
        final int read;
        try (InputStream in = Files.newInputStream(path)) {
            read = in.readNBytes(page, 0, page.length);
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment header = arena.allocate(page.length, Long.BYTES);
            MemorySegment.copy(MemorySegment.ofArray(page), 0, header, 0, read);
            if (read < page.length || FileHeaderDescriptor.magic(header) != FileHeaderDescriptor.MAGIC) {
                // Checked here, not left to the open: an open takes a file whose first page is
                // all zeros for one whose creation died, and starts an empty map in it.
                throw new UsageException(command + ": --file " + name + ": not a linemap map file (no linemap header"
                        + " in its first " + page.length + " bytes)");
            }
            if (FileHeaderDescriptor.shape(header) == SHAPE_LINE_MAP) {
                throw new UsageException(command + ": --file " + name + ": the file holds a LineMap (key codec "
                        + FileHeaderDescriptor.codecName(header, FileHeaderDescriptor.KEY_CODEC_OFFSET)
                        + ", value codec "
                        + FileHeaderDescriptor.codecName(header, FileHeaderDescriptor.VALUE_CODEC_OFFSET)
                        + "); the tool reads LongLongMap files only (a program reads this one with"
                        + " LineMap.builder(keyCodec, valueCodec).persistTo(file).build().stats())");
            }
            return new MapFile(path, bytes, FileHeaderDescriptor.loadPermille(header),
                    FileHeaderDescriptor.ownerPid(header),
                    FileHeaderDescriptor.clean(header) == FileHeaderDescriptor.CLEAN);
        }
    }

    /**
     * Opens the map; the caller closes it.
     *
     * @return the open map
     * @throws dev.linemap.StoreFileException if the file cannot be used (the message says why)
     */
    LongLongMap open() {
        return LongLongMap.builder().persistTo(path).loadFactor(validLoad() / 1000.0).backgroundMigration(false)
                .build();
    }

    private int validLoad() {
        // A load outside the builder's range is not a file the open would accept: let it say so.
        return Math.clamp(loadPermille, TableGeometry.MIN_LOAD_PERMILLE, TableGeometry.MAX_LOAD_PERMILLE);
    }

    /**
     * One line saying which map this is.
     *
     * @return the description
     */
    String describe() {
        return String.format(Locale.ROOT, "the LongLongMap in %s (%,d bytes, load factor %.3f), opened with"
                        + " LongLongMap.builder().persistTo(file).build()%s", path, bytes, loadPermille / 1000.0,
                wasClean ? "; its last process closed it cleanly"
                        : "; its last process (pid " + lastOwner + ") did not close it: the open recovered it"
                        + " and finished any migration it left running");
    }
}
