package dev.linemap.layout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static dev.linemap.layout.SpecDocumentTest.bitRows;
import static dev.linemap.layout.SpecDocumentTest.byteRows;
import static dev.linemap.layout.SpecDocumentTest.columns;
import static dev.linemap.layout.SpecDocumentTest.diagram;
import static dev.linemap.layout.SpecDocumentTest.table;

/**
 * The normative spec of the map file, {@code docs/spec/file.md}, is checked against the code as
 * {@code bucket.md} is ({@link SpecDocumentTest}): its byte tables against
 * {@link FileHeaderDescriptor#LAYOUT}, {@link RootDescriptor#LAYOUT} and {@link ExtentDescriptor#LAYOUT},
 * its tag bit table, roles and constants against the descriptors' constants, its diagrams against
 * {@link LayoutPrinter#diagram}. The tables about the engine (shapes, migration kinds, pieces,
 * exception reasons) are checked in core ({@code FileSpecEngineTest}).
 */
class FileSpecDocumentTest {

    /** The spec, relative to the unsafe-layout module directory. */
    static final String SPEC = "../docs/spec/file.md";

    @Test
    void headerByteTableMatchesFileHeaderDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table file-header-bytes (bytes | width | field | type)",
                headerRows(FileHeaderDescriptor.LAYOUT), columns(table(SPEC, "file-header-bytes"), 4));
    }

    @Test
    void rootByteTableMatchesRootDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table root-bytes (bytes | width | field | type)",
                byteRows(RootDescriptor.LAYOUT), columns(table(SPEC, "root-bytes"), 4));
    }

    @Test
    void extentByteTableMatchesExtentDescriptorLayout() {
        TextDiff.assertSameLines(SPEC + " table extent-bytes (bytes | width | field | type)",
                byteRows(ExtentDescriptor.LAYOUT), columns(table(SPEC, "extent-bytes"), 4));
    }

    @Test
    void extentTagBitTableMatchesExtentDescriptorTagFunctions() {
        // The fields as the decoders see them: pages() and role() of an all-ones word, shifted to
        // where tag() puts a role; the magic is the rest of the word.
        final long pages = ExtentDescriptor.pages(-1L);
        final long role = (long) ExtentDescriptor.role(-1L)
                << Long.numberOfTrailingZeros(ExtentDescriptor.tag(1, 0) ^ ExtentDescriptor.tag(0, 0));
        final long magic = ~(pages | role);
        final long tag = ExtentDescriptor.tag(ExtentDescriptor.ENTRIES, ExtentDescriptor.MAX_PAGES);
        TextDiff.assertSameLines("ExtentDescriptor: tag() and its decoders agree",
                List.of("disjoint", "magic in its field", "round trip"),
                List.of((pages & role) == 0 ? "disjoint" : "pages and role overlap",
                        ExtentDescriptor.tag(0, 0) == ExtentDescriptor.MAGIC << Long.numberOfTrailingZeros(magic)
                                && ExtentDescriptor.hasMagic(tag) ? "magic in its field" : "magic elsewhere",
                        ExtentDescriptor.role(tag) == ExtentDescriptor.ENTRIES
                                && ExtentDescriptor.pages(tag) == ExtentDescriptor.MAX_PAGES ? "round trip" : "lost"));
        TextDiff.assertSameLines(SPEC + " table extent-tag-bits (bits | width | field | mask)",
                bitRows(List.of(new BitField("pages", pages, ""), new BitField("role", role, ""),
                        new BitField("magic", magic, ""))),
                columns(table(SPEC, "extent-tag-bits"), 4));
    }

    @Test
    void extentRoleTableMatchesExtentDescriptorRoles() {
        TextDiff.assertSameLines(SPEC + " table extent-roles (value | role)",
                List.of(ExtentDescriptor.FREE + " | FREE", ExtentDescriptor.BUCKETS + " | BUCKETS",
                        ExtentDescriptor.OVERFLOW + " | OVERFLOW", ExtentDescriptor.ENTRIES + " | ENTRIES"),
                columns(table(SPEC, "extent-roles"), 2));
    }

    @Test
    void constantTableMatchesTheDescriptorsConstantsAndTheLayoutFingerprint() {
        TextDiff.assertSameLines(SPEC + " table file-constants (constant | value); a changed fingerprint means"
                        + " a changed layout: a new format version, and this spec first",
                List.of("FileHeaderDescriptor.MAGIC | " + hex(FileHeaderDescriptor.MAGIC),
                        "FileHeaderDescriptor.VERSION | " + FileHeaderDescriptor.VERSION,
                        "FileHeaderDescriptor.PAGE_BYTES | " + FileHeaderDescriptor.PAGE_BYTES,
                        "FileHeaderDescriptor.BYTE_ORDER_MARK | " + hex(FileHeaderDescriptor.BYTE_ORDER_MARK),
                        "FileHeaderDescriptor.CLEAN | " + hex(FileHeaderDescriptor.CLEAN),
                        "FileHeaderDescriptor.CODEC_NAME_BYTES | " + FileHeaderDescriptor.CODEC_NAME_BYTES,
                        "FileHeaderDescriptor.layoutFingerprint() | " + hex(FileHeaderDescriptor.layoutFingerprint()),
                        "RootDescriptor.NO_MIGRATION | " + RootDescriptor.NO_MIGRATION,
                        "ExtentDescriptor.MAGIC | " + String.format("0x%04x", ExtentDescriptor.MAGIC),
                        "ExtentDescriptor.MAX_PAGES | " + hex(ExtentDescriptor.MAX_PAGES)),
                columns(table(SPEC, "file-constants"), 2));
    }

    @Test
    void rootAndExtentDiagramsInTheSpecAreWhatLayoutPrinterDrawsNow() {
        TextDiff.assertSameLines(SPEC + " root diagram (copy LayoutPrinter.diagram(RootDescriptor.LAYOUT) into it)",
                LayoutPrinter.diagram(RootDescriptor.LAYOUT).lines().toList(), diagram(SPEC, "root"));
        TextDiff.assertSameLines(SPEC + " extent diagram (copy LayoutPrinter.diagram(ExtentDescriptor.LAYOUT) into it)",
                LayoutPrinter.diagram(ExtentDescriptor.LAYOUT).lines().toList(), diagram(SPEC, "extent"));
    }

    // ------------------------------------------------------------------------------ helpers

    private static String hex(final long value) {
        return String.format("0x%016x", value);
    }

    /**
     * Rows {@code bytes | width | field | type} of the header: the leaves of the layout as
     * {@link LayoutPrinter#fields} names them, except that a byte array is one row of type
     * {@code byte[n]} ({@code identity.keyCodec}) and each element of a sequence of records is one
     * row typed with the record's layout name ({@code root[0]}, type {@code root}).
     */
    static List<String> headerRows(final java.lang.foreign.StructLayout layout) {
        final Pattern indexed = Pattern.compile("(.*?)\\[(\\d+)](\\..+)?");
        final List<String> rows = new ArrayList<>();
        String key = null;
        String type = null;
        long first = 0;
        long last = 0;
        int count = 0;
        for (final LayoutField f : LayoutPrinter.fields(layout)) {
            final Matcher m = indexed.matcher(f.name());
            final String k;
            final String t;
            if (m.matches() && m.group(3) == null && f.type().equals("byte")) {
                k = m.group(1);
                t = "byte";
            } else if (m.matches() && m.group(3) != null) {
                k = m.group(1) + "[" + m.group(2) + "]";
                t = recordName(layout, m.group(1));
            } else {
                k = f.name();
                t = f.type();
            }
            if (k.equals(key)) {
                last = f.lastByte();
                count++;
                continue;
            }
            if (key != null) {
                rows.add(row(first, last, key, type, count));
            }
            key = k;
            type = t;
            first = f.offset();
            last = f.lastByte();
            count = 1;
        }
        rows.add(row(first, last, key, type, count));
        return rows;
    }

    private static String row(final long first, final long last, final String name, final String type,
                              final int count) {
        return first + ".." + last + " | " + (last - first + 1) + " | " + name + " | "
                + (type.equals("byte") ? "byte[" + count + "]" : type);
    }

    private static String recordName(final java.lang.foreign.StructLayout layout, final String sequence) {
        return ((java.lang.foreign.SequenceLayout) layout.select(
                java.lang.foreign.MemoryLayout.PathElement.groupElement(sequence)))
                .elementLayout().name().orElse("record");
    }
}
