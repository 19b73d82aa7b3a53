package dev.linemap.engine;

import dev.linemap.LongLongMap;
import dev.linemap.MigrationKind;
import dev.linemap.StoreFileException;
import dev.linemap.layout.FileHeaderDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tables of {@code docs/spec/file.md} that describe the engine rather than a layout (the
 * layouts are checked in unsafe-layout, {@code FileSpecDocumentTest}): map shapes, migration kinds,
 * the pieces of a table and the reasons of {@link StoreFileException}, compared with the constants
 * the code uses. A failure lists the spec's rows against the code's.
 */
class FileSpecEngineTest {

    /** The spec, relative to the core module directory (surefire's working directory). */
    private static final Path SPEC = Path.of(System.getProperty("basedir", ".")).resolve("../docs/spec/file.md");

    @Test
    void shapeTableMatchesFileStoreShapes() {
        assertEquals(List.of(FileStore.SHAPE_LONG_LONG + " | LongLongMap", FileStore.SHAPE_LINE + " | LineMap"),
                columns("file-shapes", 2), "file.md table file-shapes (value | shape)");
    }

    @Test
    void migrationKindTableMatchesMigrationAndMigrationKind() {
        final List<String> fromCode = new ArrayList<>();
        for (final MigrationKind kind : MigrationKind.values()) {
            fromCode.add(kind.ordinal() + " | " + kind.name());
        }
        assertEquals(List.of(Migration.GROW, Migration.SHRINK, Migration.COMPACT, Migration.CLEAR),
                Arrays.stream(MigrationKind.values()).map(MigrationKind::ordinal).toList(),
                "Migration's kinds are the ordinals of MigrationKind (the root stores them)");
        assertEquals(fromCode, columns("migration-kinds", 2), "file.md table migration-kinds (value | kind)");
    }

    @Test
    void pieceGeometryTableMatchesTableAndEntryHeap() {
        assertEquals(List.of(
                        "BUCKETS | 0 | 2^log2",
                        "OVERFLOW | 0 .. n-1 | " + (1L << Table.OVERFLOW_CHUNK_LOG2),
                        "ENTRIES | 0 .. m-1, m <= " + EntryHeap.MAX_CHUNKS + " | " + (EntryHeap.FIRST_CHUNK_BYTES >>> 6)
                                + " .. " + (EntryHeap.MAX_CHUNK_BYTES >>> 6)),
                columns("piece-geometry", 3), "file.md table piece-geometry (role | index | lines)");
    }

    @Test
    void reasonTableNamesEveryStoreFileExceptionReasonInOrder() {
        assertEquals(Arrays.stream(StoreFileException.Reason.values()).map(Enum::name).toList(),
                columns("store-file-reasons", 1), "file.md table store-file-reasons (reason)");
    }

    /**
     * The sync log's table against a log a sync wrote: each header field the table places is read
     * there and compared with what the code and the map file say it holds.
     */
    @Test
    void syncLogTableMatchesALogThatASyncWrote(@TempDir final Path dir) throws IOException {
        final Path file = dir.resolve("spec.map");
        final ByteBuffer log;
        final ByteBuffer header;
        final long pages;
        try (LongLongMap map = LongLongMap.builder().persistTo(file).build()) {
            for (long k = 0; k < 5_000; k++) {
                map.put(k, k);
            }
            map.sync();   // read before the close, which syncs again
            log = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("spec.map.sync-log"))).order(ByteOrder.LITTLE_ENDIAN);
            header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            pages = Files.size(dir.resolve("spec.map.sync-image")) / FileHeaderDescriptor.PAGE_BYTES;
        }
        assertEquals(List.of(
                        "0..7 | magic | `0x" + String.format("%016x", SyncImage.MAGIC) + "`",
                        "8..15 | fileId | " + (log.getLong(8) == header.getLong(168) ? "ok" : "differs"),
                        "16..23 | sequence | " + log.getLong(16),
                        "24..31 | fileLength | " + (log.getLong(24) == pages * FileHeaderDescriptor.PAGE_BYTES),
                        "32..39 | changedPages | " + (log.getLong(32) == pages),
                        "40..47 | pageSums | " + (log.getLong(40) == pages),
                        SyncImage.APPLIED_OFFSET + ".." + (SyncImage.APPLIED_OFFSET + 7) + " | applied | "
                                + log.getLong(SyncImage.APPLIED_OFFSET),
                        "56..63 | reserved | " + log.getLong(56),
                        SyncImage.HEADER + ".. | sums | " + (log.capacity() == SyncImage.HEADER + pages * 8 + 8)),
                columns("sync-log", 3).subList(0, 9).stream().map(FileSpecEngineTest::headerFieldAsFound).toList(),
                "file.md table sync-log (bytes | field | content), read in a log a sync wrote");
    }

    /** The spec's row as the log above shows it: the content column by what the field must hold. */
    private static String headerFieldAsFound(final String row) {
        final String[] c = row.split(" \\| ");
        return c[0] + " | " + c[1] + " | " + switch (c[1]) {
            case "magic" -> c[2].substring(0, c[2].indexOf('`', 1) + 1);
            case "fileId" -> "ok";                       // the header's identity.fileId
            case "sequence" -> "1";                      // the first sync of the file
            case "fileLength", "changedPages", "pageSums", "sums" -> "true";   // whole pages, all of them
            case "applied" -> "1";                       // a sync returns after applying
            case "reserved" -> "0";
            default -> "(unknown field " + c[1] + ")";
        };
    }

    /** The first {@code n} cells of each body row of the table after {@code <!-- spec-table: name -->}. */
    private static List<String> columns(final String name, final int n) {
        final List<String> lines;
        try {
            lines = Files.readAllLines(SPEC);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + SPEC.toAbsolutePath(), e);
        }
        final int at = lines.indexOf("<!-- spec-table: " + name + " -->");
        if (at < 0) {
            throw new AssertionError(SPEC + " has no line '<!-- spec-table: " + name + " -->'");
        }
        final List<String> out = new ArrayList<>();
        for (int i = at + 3; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            final String line = lines.get(i).trim();
            // A cell may hold an escaped pipe (\|), which is part of its text.
            final String[] cells = line.substring(1, line.length() - 1).split("(?<!\\\\)\\|", -1);
            final List<String> first = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                first.add(c < cells.length ? cells[c].trim().replace("\\|", "|") : "(missing)");
            }
            out.add(String.join(" | ", first));
        }
        return out;
    }
}
