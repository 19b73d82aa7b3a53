package dev.linemap.layout;

import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The normative spec {@code docs/spec/bucket.md} is checked against the code: every table marked
 * {@code <!-- spec-table: NAME -->} is parsed and its defining columns are compared with the
 * layouts and the constants. A failure prints a line diff of code versus spec.
 */
class SpecDocumentTest {

    /** The spec, relative to the unsafe-layout module directory. */
    static final String SPEC = "../docs/spec/bucket.md";

    @Test
    void bucketByteTableMatchesBucketDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table bucket-bytes (bytes | width | field | type)",
                byteRows(BucketDescriptor.LAYOUT), columns(table("bucket-bytes"), 4));
    }

    @Test
    void overflowLineByteTableMatchesOverflowLineDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table overflow-line-bytes (bytes | width | field | type)",
                byteRows(OverflowLineDescriptor.LAYOUT), columns(table("overflow-line-bytes"), 4));
    }

    @Test
    void denseLineByteTableMatchesDenseLineDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table dense-line-bytes (bytes | width | field | type)",
                byteRows(DenseLineDescriptor.LAYOUT), columns(table("dense-line-bytes"), 4));
    }

    @Test
    void ctrlBitTableMatchesCtrlWordMasks() {
        TextDiff.assertSameLines(SPEC + " table ctrl-bits (bits | width | field | mask)",
                bitRows(WordFields.ctrl()), columns(table("ctrl-bits"), 4));
    }

    @Test
    void metaBitTableMatchesMetaWordMasks() {
        TextDiff.assertSameLines(SPEC + " table meta-bits (bits | width | field | mask)",
                bitRows(WordFields.meta()), columns(table("meta-bits"), 4));
    }

    @Test
    void ctrlStateTableMatchesCtrlWordStateValues() {
        final int max = (int) (CtrlWord.STATE_MASK >>> CtrlWord.STATE_SHIFT);
        final List<String> fromCode = new ArrayList<>();
        for (int state = 0; state <= max; state++) {
            final String name = WordFields.stateName(state);
            fromCode.add(state + " | " + (name.equals("reserved") ? "(reserved)" : name));
        }
        TextDiff.assertSameLines(SPEC + " table ctrl-states (value | state)",
                fromCode, columns(table("ctrl-states"), 2));
    }

    @Test
    void bucketDiagramInTheSpecIsWhatLayoutPrinterDrawsNow() {
        TextDiff.assertSameLines(SPEC + " bucket diagram (copy LayoutPrinter.diagram(BucketDescriptor.LAYOUT)"
                        + " or docs/spec/generated/bucket.txt into it)",
                LayoutPrinter.diagram(BucketDescriptor.LAYOUT).lines().toList(), diagram(SPEC, "bucket"));
    }

    @Test
    void denseLineDiagramInTheSpecIsWhatLayoutPrinterDrawsNow() {
        TextDiff.assertSameLines(SPEC + " dense line diagram (copy LayoutPrinter.diagram(DenseLineDescriptor.LAYOUT)"
                        + " or docs/spec/generated/dense-line.txt into it)",
                LayoutPrinter.diagram(DenseLineDescriptor.LAYOUT).lines().toList(), diagram(SPEC, "dense-line"));
    }

    @Test
    void specStatesTheRegenerateCommandOfTheGeneratedTables() {
        final String spec = SourceText.read(SPEC);
        assertTrue(spec.contains("mvn -B -q -pl unsafe-layout,docs -am -Pregenerate verify"),
                SPEC + " must state the command that regenerates docs/spec/generated");
    }

    // ------------------------------------------------------------------------------ helpers

    /** The ``` block after {@code <!-- spec-diagram: name ... -->} in {@code spec}, line by line. */
    static List<String> diagram(final String spec, final String name) {
        final List<String> lines = SourceText.read(spec).lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("<!-- spec-diagram: " + name + " ")) {
                at = i;
            }
        }
        if (at < 0 || !lines.get(at + 1).equals("```")) {
            throw new AssertionError(spec + " has no '<!-- spec-diagram: " + name
                    + " ... -->' followed by a ``` block");
        }
        final List<String> block = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && !lines.get(i).equals("```"); i++) {
            block.add(lines.get(i));
        }
        return block;
    }

    /** Rows {@code bytes | width | field | type}: every leaf of a layout, named as LayoutPrinter.fields does. */
    static List<String> byteRows(final StructLayout layout) {
        return LayoutPrinter.fields(layout).stream()
                .map(f -> f.range() + " | " + f.size() + " | " + f.name() + " | " + f.type())
                .toList();
    }

    /** Rows {@code bits | width | field | mask} of bit fields. */
    static List<String> bitRows(final List<BitField> fields) {
        return fields.stream()
                .map(f -> f.range() + " | " + f.width() + " | " + f.name() + " | " + String.format("0x%016x", f.mask()))
                .toList();
    }

    /** The body rows of the markdown table after {@code <!-- spec-table: name -->} in bucket.md, as cell arrays. */
    static List<String[]> table(final String name) {
        return table(SPEC, name);
    }

    /** The body rows of the markdown table after {@code <!-- spec-table: name -->} in {@code spec}, as cell arrays. */
    static List<String[]> table(final String spec, final String name) {
        final List<String> lines = SourceText.read(spec).lines().toList();
        final String marker = "<!-- spec-table: " + name + " -->";
        final int at = lines.indexOf(marker);
        if (at < 0) {
            throw new AssertionError(spec + " has no line '" + marker + "' followed by a table");
        }
        final List<String[]> rows = new ArrayList<>();
        for (int i = at + 1; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            final String line = lines.get(i).trim();
            final String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            for (int c = 0; c < cells.length; c++) {
                cells[c] = cells[c].trim();
            }
            rows.add(cells);
        }
        if (rows.size() < 2 || !rows.get(1)[0].matches("-+")) {
            throw new AssertionError(spec + ": '" + marker
                    + "' must be followed by a markdown table with a header row");
        }
        return rows.subList(2, rows.size());
    }

    /** The first {@code n} cells of each row, joined with {@code " | "}. */
    static List<String> columns(final List<String[]> rows, final int n) {
        final List<String> out = new ArrayList<>();
        for (final String[] row : rows) {
            final List<String> cells = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                cells.add(c < row.length ? row[c] : "(missing)");
            }
            out.add(String.join(" | ", cells));
        }
        return out;
    }
}
