package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The pictures in the descriptors' javadoc are read from the SOURCE files and checked against the
 * layouts and constants, so a diagram cannot drift from the code (house style rule 3).
 */
class JavadocDiagramTest {

    private static final String SRC = "src/main/java/dev/linemap/layout/";

    /** A label with an inclusive byte range inside a diagram box: {@code key 0 (16..23)}. */
    private static final Pattern BYTE_LABEL = Pattern.compile("([A-Za-z][\\w\\[\\] ]*?)\\s*\\((\\d+)\\.\\.(\\d+)\\)");

    @Test
    void bucketJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("BucketDescriptor.java", BucketDescriptor.LAYOUT);
    }

    @Test
    void overflowLineJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("OverflowLineDescriptor.java", OverflowLineDescriptor.LAYOUT);
    }

    @Test
    void denseLineJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("DenseLineDescriptor.java", DenseLineDescriptor.LAYOUT);
    }

    @Test
    void fileHeaderJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("FileHeaderDescriptor.java", FileHeaderDescriptor.LAYOUT);
    }

    @Test
    void rootRecordJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("RootDescriptor.java", RootDescriptor.LAYOUT);
    }

    @Test
    void extentHeaderJavadocDiagramByteRangesMatchTheLayout() {
        checkByteDiagram("ExtentDescriptor.java", ExtentDescriptor.LAYOUT);
    }

    @Test
    void ctrlWordJavadocBitDiagramAndLegendMatchTheConstants() {
        final Map<String, Long> masks = Map.of(
                "O", CtrlWord.OCCUPANCY_MASK,
                "S", CtrlWord.STATE_MASK,
                "L", CtrlWord.LOCK,
                "version", -CtrlWord.VERSION_ONE);
        final List<String> pre = SourceText.firstPre(SRC + "CtrlWord.java");
        checkBitDiagram("CtrlWord.java", pre, masks);
        checkLegend("CtrlWord.java", pre, masks);
        final String text = String.join("\n", pre);
        TextDiff.assertSameLines("CtrlWord.java version width and wrap",
                List.of("version (" + CtrlWord.VERSION_BITS + " bits)", "wraps at 2^" + CtrlWord.VERSION_BITS),
                List.of(find(text, "version \\(\\d+ bits\\)"), find(text, "wraps at 2\\^\\d+")));
        final List<String> states = new ArrayList<>();
        final Matcher m = Pattern.compile("(\\d) (NORMAL|EVACUATING|EVACUATED)").matcher(text);
        while (m.find()) {
            states.add(m.group(1) + " " + m.group(2));
        }
        TextDiff.assertSameLines("CtrlWord.java state values", List.of(
                CtrlWord.NORMAL + " NORMAL", CtrlWord.EVACUATING + " EVACUATING", CtrlWord.EVACUATED + " EVACUATED"),
                states);
    }

    @Test
    void metaWordJavadocBitDiagramAndLegendMatchTheConstants() {
        final Map<String, Long> masks = Map.of(
                "link", MetaWord.LINK_MASK,
                "overflow count", (long) MetaWord.MAX_COUNT << MetaWord.COUNT_SHIFT,
                "reserved", MetaWord.RESERVED_MASK);
        final List<String> pre = SourceText.firstPre(SRC + "MetaWord.java");
        checkBitDiagram("MetaWord.java", pre, masks);
        checkLegend("MetaWord.java", pre, masks);
    }

    // ------------------------------------------------------------------------------ byte diagrams

    private static void checkByteDiagram(final String file, final StructLayout layout) {
        final List<String> fromCode = new ArrayList<>();
        final List<String> fromDoc = new ArrayList<>();
        final List<long[]> ranges = new ArrayList<>();
        for (final String line : SourceText.firstPre(SRC + file)) {
            if (!line.strip().startsWith("|")) {
                continue;
            }
            final Matcher m = BYTE_LABEL.matcher(line);
            while (m.find()) {
                final String label = m.group(1).trim();
                final long first = Long.parseLong(m.group(2));
                final long last = Long.parseLong(m.group(3));
                fromDoc.add(label + " (" + first + ".." + last + ")");
                final long[] range = range(file, label, layout);
                fromCode.add(label + " (" + range[0] + ".." + range[1] + ")");
                ranges.add(new long[] {first, last});
            }
        }
        assertFalse(fromDoc.isEmpty(), file + ": no 'name (a..b)' labels found in the javadoc diagram");
        TextDiff.assertSameLines(file + " javadoc diagram byte ranges", fromCode, fromDoc);
        // The labels must tile the whole line: no field left out of the picture, none drawn twice.
        long next = 0;
        final StringBuilder tiling = new StringBuilder();
        for (final long[] r : ranges) {
            tiling.append(r[0] == next ? "" : " [expected a range starting at " + next + ", found " + r[0] + "]");
            next = r[1] + 1;
        }
        tiling.append(next == layout.byteSize() ? "" : " [ranges end at " + (next - 1) + ", layout at "
                + (layout.byteSize() - 1) + "]");
        TextDiff.assertSameLines(file + " javadoc diagram coverage of bytes 0.." + (layout.byteSize() - 1),
                List.of("contiguous"), List.of(tiling.isEmpty() ? "contiguous" : tiling.toString().trim()));
    }

    /** The inclusive byte range a diagram label names: by its layout path, else by the flattened fields. */
    private static long[] range(final String file, final String label, final StructLayout layout) {
        try {
            final LabelPath path = path(file, label, layout);
            final long offset = layout.byteOffset(path.indexed());
            return new long[] {offset, offset + layout.select(path.open()).byteSize() - 1};
        } catch (final IllegalArgumentException noSuchMember) {
            return rangeOfFields(file, label, layout);
        }
    }

    /**
     * A label that is no member of the layout's top level: unnamed padding ({@code padding}, as
     * {@link LayoutPrinter#fields} names it) or a member of a nested named group ({@code magic} in
     * the header's {@code identity}). It names the flattened fields whose name, without the leading
     * group names (those without an index), is the label or starts with the label and {@code [} or
     * {@code .}; they must be contiguous.
     */
    private static long[] rangeOfFields(final String file, final String label, final StructLayout layout) {
        long first = -1;
        long last = -1;
        for (final LayoutField f : LayoutPrinter.fields(layout)) {
            final String local = f.name().replaceFirst("^([A-Za-z_]\\w*\\.)+", "");
            if (!local.equals(label) && !local.startsWith(label + "[") && !local.startsWith(label + ".")) {
                continue;
            }
            if (first >= 0 && f.offset() != last + 1) {
                throw new AssertionError(file + ": diagram label '" + label + "' names fields that are not"
                        + " contiguous (" + first + ".." + last + " and " + f.range() + ")");
            }
            first = first < 0 ? f.offset() : first;
            last = f.lastByte();
        }
        if (first < 0) {
            throw new AssertionError(file + ": diagram label '" + label + "' names no field of " + layout);
        }
        return new long[] {first, last};
    }

    /**
     * A label's layout path: {@code indexed} for {@code byteOffset}, {@code open} (no element index)
     * for {@code select}, which refuses indexed sequence elements.
     */
    private record LabelPath(MemoryLayout.PathElement[] indexed, MemoryLayout.PathElement[] open) {
    }

    /**
     * Resolves a diagram label ({@code ctrl}, {@code key 1}, {@code value 2}, {@code tag 3},
     * {@code ref 4}, {@code slots[3]}) to a path. A dense line's {@code tag i} and {@code ref i}
     * are element {@code i} of its {@code tags} and {@code refs} sequences.
     */
    private static LabelPath path(final String file, final String label, final StructLayout layout) {
        Matcher m = Pattern.compile("(key|value) (\\d+)").matcher(label);
        if (m.matches()) {
            return new LabelPath(
                    new MemoryLayout.PathElement[] {
                            groupElement("slots"),
                            sequenceElement(Long.parseLong(m.group(2))),
                            groupElement(m.group(1))},
                    new MemoryLayout.PathElement[] {
                            groupElement("slots"), sequenceElement(), groupElement(m.group(1))});
        }
        m = Pattern.compile("(tag|ref) (\\d+)").matcher(label);
        if (m.matches()) {
            return new LabelPath(
                    new MemoryLayout.PathElement[] {
                            groupElement(m.group(1) + "s"), sequenceElement(Long.parseLong(m.group(2)))},
                    new MemoryLayout.PathElement[] {groupElement(m.group(1) + "s"), sequenceElement()});
        }
        m = Pattern.compile("(\\w+)\\[(\\d+)]").matcher(label);
        if (m.matches()) {
            final MemoryLayout.PathElement[] path = {groupElement(m.group(1))};
            final long count = ((SequenceLayout) layout.select(path)).elementCount();
            TextDiff.assertSameLines(file + " element count of " + m.group(1),
                    List.of(m.group(1) + "[" + count + "]"), List.of(label));
            return new LabelPath(path, path);
        }
        final MemoryLayout.PathElement[] path = {groupElement(label)};
        return new LabelPath(path, path);
    }

    // ------------------------------------------------------------------------------ bit diagrams

    /**
     * Reads the bit-number header and the field row of a bit diagram: every bit number must sit
     * inside one box (not on a border), and the numbers inside each field's boxes must span exactly
     * the bits of the field's mask.
     */
    static void checkBitDiagram(final String file, final List<String> pre, final Map<String, Long> masks) {
        final int header = indexOf(pre, "^\\s*\\d+(\\s+\\d+)+\\s*$", file);
        final String numbers = pre.get(header);
        final String row = pre.get(indexOf(pre, "^\\s*\\|.*\\|\\s*$", file));
        final Map<String, List<Integer>> bitsByField = new TreeMap<>();
        final List<String> misplaced = new ArrayList<>();
        final Matcher m = Pattern.compile("\\d+").matcher(numbers);
        while (m.find()) {
            final int bit = Integer.parseInt(m.group());
            final int left = row.lastIndexOf('|', m.start());
            final int right = row.indexOf('|', m.start());
            if (left < 0 || right < m.end()) {
                misplaced.add("bit " + bit + " at column " + m.start() + " sits on a box border");
                continue;
            }
            final String key = row.substring(left + 1, right).replaceAll("\\(.*?\\)", "").trim();
            bitsByField.computeIfAbsent(key, k -> new ArrayList<>()).add(bit);
        }
        TextDiff.assertSameLines(file + " bit numbers above the boxes", List.of(), misplaced);
        final List<String> fromCode = new ArrayList<>();
        final List<String> fromDoc = new ArrayList<>();
        for (final Map.Entry<String, List<Integer>> e : bitsByField.entrySet()) {
            final Long mask = masks.get(e.getKey());
            fromDoc.add(e.getKey() + ": bits " + range(e.getValue()));
            fromCode.add(e.getKey() + ": bits " + (mask == null ? "(no such field)" : rangeOf(mask)));
        }
        TextDiff.assertSameLines(file + " bit diagram", fromCode, fromDoc);
        TextDiff.assertSameLines(file + " fields drawn in the bit diagram",
                new ArrayList<>(new TreeMap<>(masks).keySet()), new ArrayList<>(bitsByField.keySet()));
    }

    /** Legend lines {@code KEY: ... (bits a..b)} or {@code KEY (bits a..b): ...} against the masks. */
    private static void checkLegend(final String file, final List<String> pre, final Map<String, Long> masks) {
        final Pattern legend = Pattern.compile("^\\s{2,}([^:|+]+?):\\s.*");
        final Pattern bits = Pattern.compile("\\(bits? (\\d+)(?:\\.\\.(\\d+))?\\)");
        final Map<String, String> fromDoc = new TreeMap<>();
        for (final String line : pre) {
            final Matcher l = legend.matcher(line);
            if (!l.matches()) {
                continue;
            }
            final Matcher b = bits.matcher(line);
            final String key = l.group(1).replaceAll("\\(bits?.*?\\)", "").trim();
            fromDoc.put(key, b.find()
                    ? (b.group(2) == null ? b.group(1) : b.group(1) + ".." + b.group(2))
                    : "(no bits given)");
        }
        final Map<String, String> fromCode = new TreeMap<>();
        masks.forEach((key, mask) -> fromCode.put(key, rangeOf(mask)));
        TextDiff.assertSameLines(file + " legend bit ranges", lines(fromCode), lines(fromDoc));
    }

    private static List<String> lines(final Map<String, String> map) {
        final List<String> out = new ArrayList<>();
        map.forEach((k, v) -> out.add(k + ": bits " + v));
        return out;
    }

    private static String rangeOf(final long mask) {
        final int low = Long.numberOfTrailingZeros(mask);
        final int high = 63 - Long.numberOfLeadingZeros(mask);
        return low == high ? Integer.toString(low) : low + ".." + high;
    }

    private static String range(final List<Integer> bits) {
        final int low = bits.stream().min(Integer::compare).orElseThrow();
        final int high = bits.stream().max(Integer::compare).orElseThrow();
        return low == high ? Integer.toString(low) : low + ".." + high;
    }

    private static int indexOf(final List<String> lines, final String regex, final String file) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches(regex)) {
                return i;
            }
        }
        throw new AssertionError(file + ": no line matching " + regex + " in the javadoc diagram");
    }

    private static String find(final String text, final String regex) {
        final Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group() : "(missing: " + regex + ")";
    }
}
