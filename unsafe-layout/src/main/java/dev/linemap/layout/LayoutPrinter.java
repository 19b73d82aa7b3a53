package dev.linemap.layout;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Renders any {@link MemoryLayout} (and the bit fields of linemap's state words) as text: a byte
 * table, an RFC-style byte diagram and a bit-field table. Everything is computed from the layout
 * object and from the constants of {@link CtrlWord} and {@link MetaWord}; the printer itself knows
 * no offset and no bit position, so what it prints is what the code does.
 *
 * <p>Used by the docs generator (the committed tables in {@code docs/spec/generated}), by the demo
 * and by tests. Typical calls:
 * <pre>{@code
 * System.out.println(LayoutPrinter.table(BucketDescriptor.LAYOUT));
 * System.out.println(LayoutPrinter.diagram(BucketDescriptor.LAYOUT));
 * System.out.println(LayoutPrinter.ctrlBits());
 * }</pre>
 *
 * <p>Flattening: struct members are visited in order; a nested named group prefixes its members'
 * names ({@code header.ctrl}); a sequence expands into its elements with index suffixes
 * ({@code slots[0].key}); union members share their offset; padding layouts appear as
 * {@code padding}. The root's own name titles the output and does not prefix member names. Lines
 * of the output never end in spaces and are separated by {@code '\n'}.
 *
 * <p>Stateless; any thread may call any method.
 */
public final class LayoutPrinter {

    /** Bytes drawn per diagram row: one 64-bit word. */
    private static final int ROW_BYTES = Long.BYTES;

    /** Characters per byte column of the diagram, including the column's right border. */
    private static final int COLUMN_CHARS = 8;

    /** Largest layout {@link #diagram} draws; beyond this a picture stops being readable. */
    private static final long MAX_DIAGRAM_BYTES = 4096;

    /** Owner value of a byte that no field covers. */
    private static final int GAP = -1;

    /** Owner value of a byte outside the layout (before the first or past the last row). */
    private static final int ABSENT = -2;

    private LayoutPrinter() {
    }

    // ------------------------------------------------------------------------------ flattening

    /**
     * Flattens a layout into its leaves (value and padding layouts), in address order of the
     * members as declared.
     *
     * @param layout any memory layout
     * @return the leaves with their full names and byte offsets from the start of {@code layout}
     */
    public static List<LayoutField> fields(final MemoryLayout layout) {
        final List<LayoutField> out = new ArrayList<>();
        // A root group's name is the title, not a prefix (ctrl, not bucket.ctrl); a root sequence
        // or value has no member names of its own, so its name is kept (octets[0]).
        flatten(layout, layout instanceof GroupLayout ? "" : layout.name().orElse(""), 0, out);
        return List.copyOf(out);
    }

    private static void flatten(final MemoryLayout layout, final String name, final long offset,
                                final List<LayoutField> out) {
        switch (layout) {
            case StructLayout struct -> {
                long memberOffset = offset;
                for (final MemoryLayout member : struct.memberLayouts()) {
                    flatten(member, join(name, member), memberOffset, out);
                    memberOffset += member.byteSize();
                }
            }
            case UnionLayout union -> {
                for (final MemoryLayout member : union.memberLayouts()) {
                    flatten(member, join(name, member), offset, out);
                }
            }
            case SequenceLayout sequence -> {
                final MemoryLayout element = sequence.elementLayout();
                for (long i = 0; i < sequence.elementCount(); i++) {
                    flatten(element, name + "[" + i + "]", offset + i * element.byteSize(), out);
                }
            }
            case PaddingLayout padding -> out.add(new LayoutField(name.isEmpty() ? "padding" : name,
                    offset, padding.byteSize(), "padding", padding.byteAlignment(), true));
            case ValueLayout value -> out.add(new LayoutField(name.isEmpty() ? "value@" + offset : name,
                    offset, value.byteSize(), typeName(value), value.byteAlignment(), false));
        }
    }

    /**
     * The name of a member under its parent: unnamed groups and sequences add nothing, unnamed
     * padding is called {@code padding}.
     */
    private static String join(final String parent, final MemoryLayout member) {
        String own = member.name().orElse("");
        if (own.isEmpty() && member instanceof PaddingLayout) {
            own = "padding";
        }
        if (own.isEmpty()) {
            return parent;
        }
        return parent.isEmpty() ? own : parent + "." + own;
    }

    private static String typeName(final ValueLayout value) {
        final String carrier = value instanceof AddressLayout ? "address" : value.carrier().getSimpleName();
        if (value.byteSize() > 1 && value.order() != ByteOrder.nativeOrder()) {
            // Native order is the rule (spec: words are native order); only a deviation is named.
            return carrier + " " + value.order();
        }
        return carrier;
    }

    // ------------------------------------------------------------------------------ byte table

    /**
     * A byte table of a layout: one line per leaf with its inclusive byte range, width, name, type
     * and alignment, under a title line with the layout's size and alignment.
     *
     * <pre>
     * bucket: 64 bytes, 64-byte aligned, values in native byte order
     * bytes   width  field          type  align
     * ------  -----  -------------  ----  -----
     * 0..7        8  ctrl           long      8
     * </pre>
     *
     * @param layout any memory layout
     * @return the table, ending with a newline
     */
    public static String table(final MemoryLayout layout) {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"bytes", "width", "field", "type", "align"});
        for (final LayoutField field : fields(layout)) {
            rows.add(new String[] {field.range(), Long.toString(field.size()), field.name(), field.type(),
                    Long.toString(field.alignment())});
        }
        return title(layout) + ", values in native byte order\n"
                + columns(rows, new boolean[] {false, true, false, false, true});
    }

    private static String title(final MemoryLayout layout) {
        return layout.name().orElse("layout") + ": " + layout.byteSize() + " bytes, "
                + layout.byteAlignment() + "-byte aligned";
    }

    // ------------------------------------------------------------------------------ diagram

    /**
     * An RFC-style diagram of a layout, one row per 8 bytes (one 64-bit word), each field drawn as a
     * box labelled with its name and inclusive byte range, for example {@code ctrl (0..7)}. Byte
     * numbers inside a row run along the top; each row's starting offset is on the left. A field
     * wider than a row continues in the next row without a border; a label too wide for its box
     * becomes a footnote {@code [n]} listed under the diagram.
     *
     * @param layout a memory layout of at most 4096 bytes whose leaves do not overlap (no unions)
     * @return the diagram, ending with a newline
     * @throws IllegalArgumentException if the layout is too large or two leaves overlap
     */
    public static String diagram(final MemoryLayout layout) {
        final long size = layout.byteSize();
        if (size > MAX_DIAGRAM_BYTES) {
            throw new IllegalArgumentException("layout " + layout.name().orElse(layout.toString()) + " is "
                    + size + " bytes; diagram() draws at most " + MAX_DIAGRAM_BYTES + ", use table()");
        }
        final List<LayoutField> fields = fields(layout);
        final int[] owner = new int[(int) size];
        Arrays.fill(owner, GAP);
        for (int i = 0; i < fields.size(); i++) {
            final LayoutField field = fields.get(i);
            for (long b = field.offset(); b <= field.lastByte(); b++) {
                if (owner[(int) b] != GAP) {
                    throw new IllegalArgumentException("fields " + fields.get(owner[(int) b]).name() + " ("
                            + fields.get(owner[(int) b]).range() + ") and " + field.name() + " (" + field.range()
                            + ") overlap; diagram() cannot draw a union, use table()");
                }
                owner[(int) b] = i;
            }
        }
        final int rows = (int) ((size + ROW_BYTES - 1) / ROW_BYTES);
        final int margin = Math.max(3, Long.toString(size).length()) + 1;
        final String pad = " ".repeat(margin);
        final StringBuilder out = new StringBuilder();
        final List<String> footnotes = new ArrayList<>();
        final boolean[] labelled = new boolean[fields.size() + 1];

        out.append(title(layout)).append("; one row = ").append(ROW_BYTES)
                .append(" bytes, row offset on the left\n\n");
        final StringBuilder ruler = new StringBuilder(pad);
        for (int k = 0; k <= Math.min(ROW_BYTES, size); k++) {
            final String number = Integer.toString(k);
            ruler.append(number).append(" ".repeat(Math.max(1, COLUMN_CHARS - number.length())));
        }
        out.append(stripEnd(ruler)).append('\n');
        for (int r = 0; r <= rows; r++) {
            out.append(stripEnd(pad + separator(owner, r - 1, r))).append('\n');
            if (r == rows) {
                break;
            }
            final StringBuilder row = new StringBuilder();
            row.append(String.format("%" + (margin - 1) + "d ", (long) r * ROW_BYTES)).append('|');
            int c = 0;
            while (c < ROW_BYTES && own(owner, r, c) != ABSENT) {
                final int who = own(owner, r, c);
                int end = c;
                while (end + 1 < ROW_BYTES && own(owner, r, end + 1) == who) {
                    end++;
                }
                final int width = (end - c + 1) * COLUMN_CHARS - 1;
                final int key = who == GAP ? fields.size() : who;
                String label = "";
                if (!labelled[key] || who == GAP) {
                    labelled[key] = true;
                    label = label(fields, who, owner, r, c, end, width, footnotes);
                }
                row.append(center(label, width)).append('|');
                c = end + 1;
            }
            out.append(stripEnd(row)).append('\n');
        }
        for (final String footnote : footnotes) {
            out.append(footnote).append('\n');
        }
        return out.toString();
    }

    private static String label(final List<LayoutField> fields, final int who, final int[] owner,
                                final int row, final int first, final int last, final int width,
                                final List<String> footnotes) {
        final String full;
        final String shortName;
        if (who == GAP) {
            final long from = (long) row * ROW_BYTES + first;
            final long to = (long) row * ROW_BYTES + last;
            shortName = "gap";
            full = "gap (" + from + ".." + to + ")";
        } else {
            final LayoutField field = fields.get(who);
            shortName = field.name();
            full = field.name() + " (" + field.range() + ")";
        }
        if (full.length() <= width) {
            return full;
        }
        if (shortName.length() <= width) {
            return shortName;
        }
        final String key = "[" + (footnotes.size() + 1) + "]";
        footnotes.add(key + " " + full);
        return key;
    }

    /** The owner of byte {@code column} of diagram row {@code row}, or {@link #ABSENT}. */
    private static int own(final int[] owner, final int row, final int column) {
        final long b = (long) row * ROW_BYTES + column;
        return row < 0 || b >= owner.length ? ABSENT : owner[(int) b];
    }

    /**
     * The border line between diagram rows {@code up} and {@code down}: dashes under a field that
     * ends, blanks inside a field that continues, '+' where a vertical border meets the line.
     */
    private static String separator(final int[] owner, final int up, final int down) {
        final StringBuilder line = new StringBuilder();
        for (int k = 0; k <= ROW_BYTES; k++) {
            final boolean leftPresent = k > 0 && (own(owner, up, k - 1) != ABSENT || own(owner, down, k - 1) != ABSENT);
            final boolean rightPresent = k < ROW_BYTES
                    && (own(owner, up, k) != ABSENT || own(owner, down, k) != ABSENT);
            if (!leftPresent && !rightPresent) {
                break;
            }
            final boolean leftBlank = !leftPresent || continues(owner, up, down, k - 1);
            final boolean rightBlank = !rightPresent || continues(owner, up, down, k);
            final boolean edgeUp = edge(owner, up, k);
            final boolean edgeDown = edge(owner, down, k);
            final char corner;
            if (edgeUp || edgeDown) {
                corner = edgeUp && edgeDown && leftBlank && rightBlank ? '|' : '+';
            } else {
                corner = leftBlank && rightBlank ? ' ' : '-';
            }
            line.append(corner);
            if (rightPresent) {
                line.append((rightBlank ? " " : "-").repeat(COLUMN_CHARS - 1));
            }
        }
        return line.toString();
    }

    /** Whether the same field owns byte column {@code c} in both rows (no horizontal border). */
    private static boolean continues(final int[] owner, final int up, final int down, final int c) {
        final int above = own(owner, up, c);
        return above != ABSENT && above == own(owner, down, c);
    }

    /** Whether row {@code row} has a vertical border at column boundary {@code k}. */
    private static boolean edge(final int[] owner, final int row, final int k) {
        final int left = k > 0 ? own(owner, row, k - 1) : ABSENT;
        final int right = k < ROW_BYTES ? own(owner, row, k) : ABSENT;
        return (left != ABSENT || right != ABSENT) && left != right;
    }

    // ------------------------------------------------------------------------------ bit tables

    /**
     * A bit-field table of a 64-bit word: one line per field in ascending bit order with its
     * inclusive bit range, width, name, in-place mask and meaning. Bits no field claims appear as
     * {@code (unassigned)} rows, so the table always accounts for all 64 bits.
     *
     * @param word the word's name, for the title line
     * @param fields the fields; masks must not overlap
     * @return the table, ending with a newline
     * @throws IllegalArgumentException if two masks overlap
     */
    public static String bitTable(final String word, final List<BitField> fields) {
        final List<BitField> sorted = withUnassigned(word, fields);
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"bits", "width", "field", "mask", "meaning"});
        for (final BitField field : sorted) {
            rows.add(new String[] {field.range(), Integer.toString(field.width()), field.name(),
                    String.format("0x%016x", field.mask()), field.meaning()});
        }
        return word + ": 64-bit word, bit 0 = least significant\n"
                + columns(rows, new boolean[] {false, true, false, false, false});
    }

    /**
     * A one-row box diagram of a 64-bit word, most significant field on the left, each box labelled
     * with the field's name and topped by its highest and lowest bit number; bits no field claims
     * appear as {@code (unassigned)} boxes. Box widths follow the labels, not the bit counts.
     *
     * <pre>
     *  63      9 8      7     6 5         0
     * +---------+------+-------+-----------+
     * | version | lock | state | occupancy |
     * +---------+------+-------+-----------+
     * </pre>
     *
     * @param word the word's name, for the title line
     * @param fields the fields; masks must not overlap
     * @return the diagram, ending with a newline
     * @throws IllegalArgumentException if two masks overlap
     */
    public static String bitDiagram(final String word, final List<BitField> fields) {
        final List<BitField> all = withUnassigned(word, fields);
        all.sort(Comparator.comparingInt(BitField::lowBit).reversed());
        final StringBuilder numbers = new StringBuilder(" ");
        final StringBuilder border = new StringBuilder("+");
        final StringBuilder boxes = new StringBuilder("|");
        for (final BitField field : all) {
            final String high = Integer.toString(field.highBit());
            final String low = field.width() == 1 ? "" : Integer.toString(field.lowBit());
            final int inner = Math.max(field.name().length() + 2, high.length() + low.length() + 3);
            numbers.append(high).append(" ".repeat(inner - high.length() - low.length())).append(low).append(' ');
            border.append("-".repeat(inner)).append('+');
            boxes.append(center(field.name(), inner)).append('|');
        }
        return word + ": 64-bit word, bit numbers above each field's box\n\n"
                + stripEnd(numbers) + "\n" + border + "\n" + boxes + "\n" + border + "\n";
    }

    /** The fields sorted by low bit, plus an {@code (unassigned)} field for every unclaimed run. */
    private static List<BitField> withUnassigned(final String word, final List<BitField> fields) {
        final List<BitField> sorted = new ArrayList<>(fields);
        sorted.sort(Comparator.comparingInt(BitField::lowBit));
        long claimed = 0;
        for (final BitField field : sorted) {
            if ((claimed & field.mask()) != 0) {
                throw new IllegalArgumentException("field " + field.name() + " (bits " + field.range()
                        + ") overlaps another field of " + word + ": " + fields);
            }
            claimed |= field.mask();
        }
        long unclaimed = ~claimed;
        while (unclaimed != 0) {
            // Lowest run of unclaimed bits: isolate it by adding its lowest bit and masking.
            final long low = Long.lowestOneBit(unclaimed);
            final long run = unclaimed & ~(unclaimed + low);
            sorted.add(new BitField("(unassigned)", run, "no field claims these bits"));
            unclaimed &= ~run;
        }
        sorted.sort(Comparator.comparingInt(BitField::lowBit));
        return sorted;
    }

    /**
     * The bit table of a bucket's {@code ctrl} word, from {@link WordFields#ctrl()}.
     *
     * @return the table, ending with a newline
     */
    public static String ctrlBits() {
        return bitTable("ctrl", WordFields.ctrl());
    }

    /**
     * The bit table of a bucket's {@code meta} word, from {@link WordFields#meta()}.
     *
     * @return the table, ending with a newline
     */
    public static String metaBits() {
        return bitTable("meta", WordFields.meta());
    }

    // ------------------------------------------------------------------------------ text helpers

    /**
     * Renders rows as aligned columns, two spaces apart, with a dashed rule under the first row (the
     * header); the format of every table this class prints, for tools that print tables beside them.
     *
     * @param rows the header row, then the data rows; all of the same length
     * @param rightAlign per column, whether it is right-aligned (numbers)
     * @return the table, ending with a newline; no line ends in a space
     */
    public static String columns(final List<String[]> rows, final boolean[] rightAlign) {
        final int[] widths = new int[rows.getFirst().length];
        for (final String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final List<String[]> all = new ArrayList<>(rows);
        final String[] rule = new String[widths.length];
        for (int i = 0; i < widths.length; i++) {
            rule[i] = "-".repeat(widths[i]);
        }
        all.add(1, rule);
        final StringBuilder out = new StringBuilder();
        for (final String[] row : all) {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                final String gap = " ".repeat(widths[i] - row[i].length());
                line.append(rightAlign[i] ? gap + row[i] : row[i] + gap);
            }
            out.append(stripEnd(line)).append('\n');
        }
        return out.toString();
    }

    private static String center(final String text, final int width) {
        final int left = (width - text.length()) / 2;
        return " ".repeat(left) + text + " ".repeat(width - text.length() - left);
    }

    private static String stripEnd(final CharSequence text) {
        return text.toString().stripTrailing();
    }
}
