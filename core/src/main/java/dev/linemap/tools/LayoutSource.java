package dev.linemap.tools;

import dev.linemap.MapImage.LineImage;
import dev.linemap.layout.BitField;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.LayoutField;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.WordFields;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Everything the tools know about bytes and bits, taken from the descriptors of
 * {@code unsafe-layout} and nowhere else: the line layouts, the bit fields of {@code ctrl} and
 * {@code meta}. The renderers take it as a parameter, so a test can hand them a different layout
 * and see their output change: they print what the descriptors say, they repeat no number.
 *
 * @param bucket the bucket's layout ({@link BucketDescriptor#LAYOUT})
 * @param overflowLine an overflow line's layout ({@link OverflowLineDescriptor#LAYOUT})
 * @param ctrl the bit fields of {@code ctrl} ({@link WordFields#ctrl()})
 * @param meta the bit fields of {@code meta} ({@link WordFields#meta()})
 */
record LayoutSource(StructLayout bucket, StructLayout overflowLine, List<BitField> ctrl, List<BitField> meta) {

    /** The descriptors the engine uses. */
    static final LayoutSource DESCRIPTORS = new LayoutSource(BucketDescriptor.LAYOUT, OverflowLineDescriptor.LAYOUT,
            WordFields.ctrl(), WordFields.meta());

    /**
     * Returns the bytes of one line (a bucket or an overflow line).
     *
     * @return the bucket layout's size
     */
    long lineBytes() {
        return bucket.byteSize();
    }

    /**
     * Returns the key/value slots of one line: the key fields of the bucket layout.
     *
     * @return the number of slots
     */
    int slots() {
        return (int) LayoutPrinter.fields(bucket).stream().filter(f -> f.name().endsWith(".key")).count();
    }

    /**
     * The field of {@code ctrl} or {@code meta} with this name.
     *
     * @param fields {@link #ctrl()} or {@link #meta()}
     * @param name a field name, for example {@code occupancy}
     * @return the field
     */
    static BitField field(final List<BitField> fields, final String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no field " + name + " in " + fields));
    }

    /**
     * The word of a copied line that a layout field names: the descriptors call a line's first two
     * words {@code ctrl}/{@code meta} in a bucket and {@code occ}/{@code next} in an overflow line,
     * and its slots {@code slots[i].key} and {@code slots[i].value}.
     *
     * @param line the copied line
     * @param field a field of {@link #bucket()} or {@link #overflowLine()}
     * @return the word
     */
    static long word(final LineImage line, final LayoutField field) {
        final String name = field.name();
        return switch (name) {
            case "ctrl", "occ" -> line.header();
            case "meta", "next" -> line.link();
            default -> {
                final int slot = Integer.parseInt(name.substring(name.indexOf('[') + 1, name.indexOf(']')));
                yield name.endsWith(".key") ? line.keys().get(slot) : line.values().get(slot);
            }
        };
    }
}
