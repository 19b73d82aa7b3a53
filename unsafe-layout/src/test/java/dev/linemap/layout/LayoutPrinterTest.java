package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutPrinterTest {

    /**
     * A layout with every kind of member: narrow values, a sequence, a nested struct, padding, a
     * foreign byte order.
     */
    private static final StructLayout MIXED = MemoryLayout.structLayout(
                    JAVA_BYTE.withName("tag"),
                    JAVA_BYTE.withName("kind"),
                    JAVA_SHORT.withName("flags"),
                    JAVA_INT.withName("length"),
                    MemoryLayout.sequenceLayout(2, JAVA_LONG).withName("words"),
                    MemoryLayout.structLayout(JAVA_INT.withName("x"), MemoryLayout.paddingLayout(4)).withName("inner"),
                    MemoryLayout.paddingLayout(16),
                    JAVA_LONG.withOrder(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN
                            ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).withName("foreign"))
            .withName("mixed");

    /** Turns a flattened name such as {@code slots[2].value} back into a layout path. */
    private static MemoryLayout.PathElement[] pathOf(final String name) {
        final List<MemoryLayout.PathElement> path = new ArrayList<>();
        for (final String part : name.split("\\.")) {
            final Matcher m = Pattern.compile("(\\w+)((\\[\\d+])*)").matcher(part);
            assertTrue(m.matches(), part);
            path.add(groupElement(m.group(1)));
            final Matcher index = Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
            while (index.find()) {
                path.add(sequenceElement(Long.parseLong(index.group(1))));
            }
        }
        return path.toArray(MemoryLayout.PathElement[]::new);
    }

    @Test
    void flattenedBucketFieldsHaveTheOffsetsTheLayoutApiComputesForTheirPaths() {
        final List<LayoutField> fields = LayoutPrinter.fields(BucketDescriptor.LAYOUT);
        assertEquals(List.of("ctrl", "meta", "slots[0].key", "slots[0].value", "slots[1].key", "slots[1].value",
                "slots[2].key", "slots[2].value"), fields.stream().map(LayoutField::name).toList());
        for (final LayoutField field : fields) {
            assertEquals(BucketDescriptor.LAYOUT.byteOffset(pathOf(field.name())), field.offset(), field.name());
        }
    }

    @Test
    void flatteningNamesNestedMembersPaddingAndForeignByteOrder() {
        final List<String> rows = LayoutPrinter.fields(MIXED).stream()
                .map(f -> f.range() + " " + f.name() + " " + f.type() + " " + f.alignment()
                        + (f.padding() ? " pad" : ""))
                .toList();
        final String foreign = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? "LITTLE_ENDIAN" : "BIG_ENDIAN";
        assertEquals(List.of(
                "0..0 tag byte 1",
                "1..1 kind byte 1",
                "2..3 flags short 2",
                "4..7 length int 4",
                "8..15 words[0] long 8",
                "16..23 words[1] long 8",
                "24..27 inner.x int 4",
                "28..31 inner.padding padding 1 pad",
                "32..47 padding padding 1 pad",
                "48..55 foreign long " + foreign + " 8"), rows);
    }

    @Test
    void unionMembersShareTheirOffset() {
        final var union = MemoryLayout.structLayout(JAVA_LONG.withName("head"),
                MemoryLayout.unionLayout(JAVA_LONG.withName("asLong"), JAVA_INT.withName("asInt")).withName("u"));
        assertEquals(List.of("head@0", "u.asLong@8", "u.asInt@8"),
                LayoutPrinter.fields(union).stream().map(f -> f.name() + "@" + f.offset()).toList());
    }

    @Test
    void tableHasOneRowPerLeafWithRangeWidthNameTypeAndAlignment() {
        final String table = LayoutPrinter.table(BucketDescriptor.LAYOUT);
        final List<String> lines = table.lines().toList();
        assertEquals("bucket: 64 bytes, 64-byte aligned, values in native byte order", lines.get(0));
        assertEquals(3 + 8, lines.size(), table);
        final List<LayoutField> fields = LayoutPrinter.fields(BucketDescriptor.LAYOUT);
        for (int i = 0; i < fields.size(); i++) {
            final LayoutField f = fields.get(i);
            final String[] cells = lines.get(3 + i).trim().split("\\s+");
            assertEquals(List.of(f.range(), "8", f.name(), "long", "8"), List.of(cells), table);
        }
        assertTrue(table.endsWith("\n"));
    }

    @Test
    void bucketDiagramHasOneBoxPer8ByteWordLabelledWithNameAndRange() {
        final String diagram = LayoutPrinter.diagram(BucketDescriptor.LAYOUT);
        final List<String> rows = diagram.lines().filter(l -> l.matches("^\\s*\\d+ \\|.*")).toList();
        assertEquals(8, rows.size(), diagram);
        final List<LayoutField> fields = LayoutPrinter.fields(BucketDescriptor.LAYOUT);
        for (int i = 0; i < rows.size(); i++) {
            final String row = rows.get(i);
            assertTrue(row.trim().startsWith((8 * i) + " |"), row);
            assertEquals(fields.get(i).name() + " (" + fields.get(i).range() + ")",
                    row.substring(row.indexOf('|') + 1, row.lastIndexOf('|')).trim(), diagram);
            assertEquals(65, row.length() - row.indexOf('|'), "8 columns of 8 characters plus a border: " + row);
        }
        assertFalse(diagram.lines().anyMatch(l -> !l.equals(l.stripTrailing())), "no trailing spaces");
    }

    @Test
    void diagramDrawsNarrowFieldsSideBySideAndWideFieldsAcrossRows() {
        final String diagram = LayoutPrinter.diagram(MIXED);
        final List<String> lines = diagram.lines().toList();
        final String first = lines.stream().filter(l -> l.trim().startsWith("0 |")).findFirst().orElseThrow();
        assertTrue(first.matches(".*\\|\\s*tag\\s*\\|\\s*kind\\s*\\|"
                        + "\\s*flags \\(2\\.\\.3\\)\\s*\\|\\s*length \\(4\\.\\.7\\)\\s*\\|"),
                diagram);
        // The 16-byte padding spans rows 32 and 40: the border between them is open ("|   |"), not dashed.
        final int row32 =
                lines.indexOf(lines.stream().filter(l -> l.trim().startsWith("32 |")).findFirst().orElseThrow());
        assertTrue(lines.get(row32).contains("padding (32..47)"), diagram);
        assertTrue(lines.get(row32 + 1).trim().matches("\\|\\s+\\|"), "open border inside a wide field:\n" + diagram);
        assertTrue(lines.get(row32 + 2).trim().matches("40 \\|\\s+\\|"), "continuation row is unlabelled:\n" + diagram);
    }

    @Test
    void diagramPutsLabelsThatDoNotFitIntoFootnotes() {
        final var bytes = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("octets"))
                .withName("bytes");
        final String diagram = LayoutPrinter.diagram(bytes);
        assertTrue(diagram.lines().anyMatch(l -> l.matches("\\s*0 \\|  \\[1]  \\|  \\[2]  \\|.*")), diagram);
        assertTrue(diagram.contains("\n[1] octets[0] (0..0)\n"), diagram);
        assertTrue(diagram.contains("\n[16] octets[15] (15..15)\n"), diagram);
        // A name that fits without its range is written without it, and needs no footnote.
        final String shortNames = LayoutPrinter.diagram(MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("b"));
        assertTrue(shortNames.contains("| b[0]  | b[1]  |"), shortNames);
        assertFalse(shortNames.lines().anyMatch(l -> l.startsWith("[")), "no footnotes:\n" + shortNames);
    }

    @Test
    void diagramRefusesOverlappingUnionMembersAndHugeLayouts() {
        final var union = MemoryLayout.unionLayout(JAVA_LONG.withName("a"), JAVA_INT.withName("b"));
        final IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                () -> LayoutPrinter.diagram(union));
        assertTrue(overlap.getMessage().contains("a (0..7) and b (0..3) overlap"), overlap.getMessage());
        final IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> LayoutPrinter.diagram(MemoryLayout.sequenceLayout(1024, JAVA_LONG)));
        assertTrue(huge.getMessage().contains("8192 bytes"), huge.getMessage());
    }

    @Test
    void ctrlBitTableListsEveryFieldWithRangeWidthAndMask() {
        final List<String> lines = LayoutPrinter.ctrlBits().lines().toList();
        assertEquals("ctrl: 64-bit word, bit 0 = least significant", lines.get(0));
        final List<String> rows = lines.subList(3, lines.size()).stream()
                .map(l -> String.join(" ", List.of(l.trim().split("\\s+")).subList(0, 4))).toList();
        assertEquals(List.of(
                "0..5 6 occupancy 0x000000000000003f",
                "6..7 2 state 0x00000000000000c0",
                "8 1 lock 0x0000000000000100",
                "9..63 55 version 0xfffffffffffffe00"), rows);
    }

    @Test
    void metaBitTableListsLinkCountAndReserved() {
        final List<String> rows = LayoutPrinter.metaBits().lines().skip(3)
                .map(l -> String.join(" ", List.of(l.trim().split("\\s+")).subList(0, 4))).toList();
        assertEquals(List.of(
                "0..31 32 link 0x00000000ffffffff",
                "32..47 16 count 0x0000ffff00000000",
                "48..63 16 reserved 0xffff000000000000"), rows);
    }

    @Test
    void bitTableShowsUnclaimedBitsAndRejectsOverlappingFields() {
        final String table = LayoutPrinter.bitTable("w", List.of(
                new BitField("low", 0xFL, "a"), new BitField("high", 0xFFL << 56, "b")));
        assertTrue(table.contains("4..55"), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("4\\.\\.55\\s+52\\s+\\(unassigned\\).*")), table);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayoutPrinter.bitTable("w",
                        List.of(new BitField("a", 0b0110, "x"), new BitField("b", 0b1100, "y"))));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void bitDiagramsOfCtrlAndMetaPutEveryBitNumberInsideTheBoxOfItsField() {
        // The same reader that checks the hand-drawn javadoc diagrams checks the printed ones.
        final String ctrl = LayoutPrinter.bitDiagram("ctrl", WordFields.ctrl());
        JavadocDiagramTest.checkBitDiagram("bitDiagram(ctrl)\n" + ctrl, ctrl.lines().toList(), Map.of(
                "occupancy", CtrlWord.OCCUPANCY_MASK, "state", CtrlWord.STATE_MASK,
                "lock", CtrlWord.LOCK, "version", -CtrlWord.VERSION_ONE));
        final String meta = LayoutPrinter.bitDiagram("meta", WordFields.meta());
        JavadocDiagramTest.checkBitDiagram("bitDiagram(meta)\n" + meta, meta.lines().toList(), Map.of(
                "link", MetaWord.LINK_MASK, "count", (long) MetaWord.MAX_COUNT << MetaWord.COUNT_SHIFT,
                "reserved", MetaWord.RESERVED_MASK));
    }

    @Test
    void bitDiagramDrawsUnclaimedBitsAsUnassignedBoxesMostSignificantFirst() {
        final String diagram = LayoutPrinter.bitDiagram("w", List.of(
                new BitField("low", 0xFL, "a"), new BitField("top", Long.MIN_VALUE, "b")));
        final List<String> lines = diagram.lines().toList();
        assertEquals(List.of("63", "62", "4", "3", "0"), List.of(lines.get(2).trim().split("\\s+")), diagram);
        assertEquals(List.of("top", "(unassigned)", "low"),
                List.of(lines.get(4).replaceAll("^\\||\\|$", "").split("\\|")).stream().map(String::trim).toList(),
                diagram);
        assertThrows(IllegalArgumentException.class, () -> LayoutPrinter.bitDiagram("w",
                List.of(new BitField("a", 0b0110, "x"), new BitField("b", 0b1100, "y"))));
    }

    @Test
    void bitFieldRejectsZeroAndNonContiguousMasks() {
        assertThrows(IllegalArgumentException.class, () -> new BitField("z", 0, "zero"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BitField("holes", 0b101, "two runs"));
        assertTrue(e.getMessage().contains("0x5"), e.getMessage());
        assertEquals("63", new BitField("top", Long.MIN_VALUE, "sign").range());
        assertEquals("0..63", new BitField("all", -1L, "all").range());
    }
}
