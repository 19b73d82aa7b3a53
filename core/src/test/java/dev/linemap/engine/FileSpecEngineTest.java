package dev.linemap.engine;

import dev.linemap.MigrationKind;
import dev.linemap.StoreFileException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

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
