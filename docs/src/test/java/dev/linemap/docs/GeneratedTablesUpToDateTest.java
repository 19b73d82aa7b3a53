package dev.linemap.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The committed files in docs/spec/generated are exactly what LayoutPrinter prints for the code now. */
class GeneratedTablesUpToDateTest {

    private static final Path DIR = Path.of(System.getProperty("basedir", ".")).resolve("spec/generated");

    @Test
    void committedLayoutTablesEqualWhatThePrinterGeneratesNow() throws IOException {
        final StringBuilder problems = new StringBuilder();
        for (final Map.Entry<String, String> file : LayoutTables.render().entrySet()) {
            final Path path = DIR.resolve(file.getKey());
            if (!Files.exists(path)) {
                problems.append("missing: ").append(path).append('\n');
                continue;
            }
            final String committed = Files.readString(path, StandardCharsets.UTF_8);
            if (!committed.equals(file.getValue())) {
                problems.append(differences(path, file.getValue(), committed));
            }
        }
        if (!problems.isEmpty()) {
            fail("docs/spec/generated is out of date with the code:\n" + problems
                    + "Regenerate from the repository root with:\n  " + LayoutTables.REGENERATE
                    + "\nthen review git diff docs/spec/generated"
                    + " (and update docs/spec/bucket.md if the layout changed).");
        }
    }

    @Test
    void generatedDirectoryHoldsNoStaleTables() throws IOException {
        final TreeSet<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).forEach(present::add);
        }
        assertEquals(new TreeSet<>(LayoutTables.render().keySet()), present,
                "files in " + DIR + " that the generator does not write are stale; delete them"
                        + " (regenerating with " + LayoutTables.REGENERATE + " does not remove files)");
    }

    @Test
    void generatedBucketTableNamesEveryWordOfTheBucket() {
        final String bucket = LayoutTables.render().get("bucket.txt");
        for (final String field : List.of("ctrl", "meta", "slots[0].key", "slots[2].value")) {
            assertTrue(bucket.contains(field), field + " missing from\n" + bucket);
        }
        assertTrue(LayoutTables.render().get("ctrl-bits.txt").contains("version"));
    }

    @Test
    void generatedDenseLineTableNamesEveryWordOfTheDenseLine() {
        final String dense = LayoutTables.render().get("dense-line.txt");
        for (final String field : List.of("ctrl", "meta", "tags[0]", "tags[5]", "refs[0]", "refs[5]")) {
            assertTrue(dense.contains(field), field + " missing from\n" + dense);
        }
    }

    @Test
    void mainWritesExactlyTheRenderedFiles(@TempDir final Path dir) throws IOException {
        final Path out = dir.resolve("nested/generated");
        LayoutTables.main(new String[] {out.toString()});
        for (final Map.Entry<String, String> file : LayoutTables.render().entrySet()) {
            assertEquals(file.getValue(), Files.readString(out.resolve(file.getKey()), StandardCharsets.UTF_8),
                    file.getKey());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(LayoutTables.render().size(), files.count());
        }
    }

    /** The first few lines that differ, so the failure shows what moved without opening the files. */
    private static String differences(final Path path, final String generated, final String committed) {
        final List<String> want = generated.lines().toList();
        final List<String> have = committed.lines().toList();
        final StringBuilder out = new StringBuilder("differs: " + path + "\n");
        int shown = 0;
        for (int line = 0; line < Math.max(want.size(), have.size()) && shown < 5; line++) {
            final String w = line < want.size() ? want.get(line) : "(end of file)";
            final String h = line < have.size() ? have.get(line) : "(end of file)";
            if (!w.equals(h)) {
                out.append("  line ").append(line + 1).append('\n')
                        .append("    code now : ").append(w).append('\n')
                        .append("    committed: ").append(h).append('\n');
                shown++;
            }
        }
        return out.toString();
    }
}
