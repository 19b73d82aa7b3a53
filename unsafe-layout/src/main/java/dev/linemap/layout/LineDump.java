package dev.linemap.layout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Renders the current contents of one bucket or overflow line in a segment: every word with its
 * byte range, name, hex value and meaning (decoded {@code ctrl}/{@code meta}/{@code occ}/{@code next},
 * keys and values in decimal marked live or free by the occupancy bits). The rows name the fields as
 * {@link LayoutPrinter} does, so a dump reads like the spec's tables. Meant for the tools, test
 * failure messages and debugging; not for hot paths.
 *
 * <p>{@link #words} renders words the caller copied itself (the {@code explain} tool copies a
 * chain inside the bucket's seqlock read section and renders it with that method).
 *
 * <p>Threading: the words are read one by one with opaque loads, without the bucket's seqlock, so
 * each word is a value some store wrote, but a line that is being written concurrently may be shown
 * half old, half new. Call it on a quiescent map for an exact picture. Any thread may call it.
 */
public final class LineDump {

    private LineDump() {
    }

    /**
     * The contents of the bucket at {@code line}.
     *
     * @param segment a line segment
     * @param line byte offset of the bucket in {@code segment}, a multiple of 64
     * @return a table, ending with a newline
     */
    public static String bucket(final MemorySegment segment, final long line) {
        return dump("bucket", BucketDescriptor.LAYOUT, segment, line);
    }

    /**
     * The contents of the overflow line at {@code line}.
     *
     * @param segment a line segment
     * @param line byte offset of the overflow line in {@code segment}, a multiple of 64
     * @return a table, ending with a newline
     */
    public static String overflowLine(final MemorySegment segment, final long line) {
        return dump("overflow line", OverflowLineDescriptor.LAYOUT, segment, line);
    }

    private static String dump(final String what, final StructLayout layout, final MemorySegment segment,
                               final long line) {
        AlignedSegments.requireLineAligned(segment);
        if (line < 0 || line % BucketDescriptor.BYTES != 0 || line > segment.byteSize() - BucketDescriptor.BYTES) {
            throw new IllegalArgumentException("line offset " + line + " must be a multiple of "
                    + BucketDescriptor.BYTES + " in [0, " + (segment.byteSize() - BucketDescriptor.BYTES) + "]");
        }
        // Opaque: each word is read once and atomically; the offsets come from the layout.
        return words(what + " at byte " + line + " (line " + (line / BucketDescriptor.BYTES) + ")", layout,
                field -> (long) JAVA_LONG.varHandle().getOpaque(segment, line + field.offset()));
    }

    /**
     * Renders the words of one line that the caller read itself, for example copied inside a
     * seqlock read section so that they are consistent (the tools do this): the same table as
     * {@link #bucket} and {@link #overflowLine}, one row per field of {@code layout} in its order,
     * each with its byte range, name, hex value and meaning. Slot words are marked live or free by
     * the occupancy bits of the field named {@code ctrl} or {@code occ}.
     *
     * @param title the first line of the output
     * @param layout the line's layout, whose leaves are all 64-bit words ({@link BucketDescriptor#LAYOUT}
     *        or {@link OverflowLineDescriptor#LAYOUT})
     * @param word the value of each field, asked once per field in layout order
     * @return a table under the title, ending with a newline
     */
    public static String words(final String title, final StructLayout layout, final ToLongFunction<LayoutField> word) {
        final List<LayoutField> fields = LayoutPrinter.fields(layout);
        final long[] words = new long[fields.size()];
        int occupancy = 0;
        for (int i = 0; i < words.length; i++) {
            words[i] = word.applyAsLong(fields.get(i));
            if (fields.get(i).name().equals("ctrl") || fields.get(i).name().equals("occ")) {
                occupancy = CtrlWord.occupancy(words[i]);   // a bucket's ctrl, a line's occ: same bits
            }
        }
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"bytes", "field", "hex", "meaning"});
        for (int i = 0; i < words.length; i++) {
            final LayoutField field = fields.get(i);
            rows.add(new String[] {field.range(), field.name(), String.format("0x%016x", words[i]),
                    meaning(field.name(), words[i], occupancy)});
        }
        return title + "\n" + LayoutPrinter.columns(rows, new boolean[] {false, false, false, false});
    }

    private static String meaning(final String name, final long word, final int occupancy) {
        return switch (name) {
            case "ctrl" -> CtrlWord.toString(word);
            case "occ" -> "occ=0b" + Integer.toBinaryString(CtrlWord.occupancy(word))
                    + ((word & ~CtrlWord.OCCUPANCY_MASK) != 0 ? " other bits!=0" : "");
            case "meta" -> MetaWord.toString(word);
            case "next" -> {
                final long link = MetaWord.link(word);
                yield "next=" + (link == MetaWord.NONE ? "none" : Long.toString(link))
                        + ((word & ~MetaWord.LINK_MASK) != 0 ? " other bits!=0" : "");
            }
            default -> {
                final int slot = slotOf(name);
                yield word + (slot >= 0 && (occupancy & (1 << slot)) != 0 ? " (live)" : " (free)");
            }
        };
    }

    /** The slot index of a flattened name {@code slots[i].key} / {@code slots[i].value}, or -1. */
    private static int slotOf(final String name) {
        final int open = name.indexOf('[');
        final int close = name.indexOf(']');
        return open < 0 || close < open ? -1 : Integer.parseInt(name.substring(open + 1, close));
    }
}
