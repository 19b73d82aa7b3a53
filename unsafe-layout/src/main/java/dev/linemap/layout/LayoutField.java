package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;

/**
 * One leaf of a flattened {@link MemoryLayout}: a value or padding layout with its full dotted path
 * name (sequence elements get index suffixes, for example {@code slots[0].key}) and its byte offset
 * from the start of the root layout.
 *
 * <p>Produced by {@link LayoutPrinter#fields(MemoryLayout)}; immutable and thread-safe.
 *
 * @param name dotted path name; padding without a name is called {@code padding}
 * @param offset byte offset of the first byte, from the start of the root layout
 * @param size width in bytes, {@code >= 0}
 * @param type {@code long}, {@code int}, ... for value layouts (with the byte order when it is not
 *        the platform's native order), {@code padding} for padding layouts
 * @param alignment byte alignment the layout declares
 * @param padding whether the leaf is a padding layout
 */
public record LayoutField(String name, long offset, long size, String type, long alignment, boolean padding) {

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a number is negative or the name is blank
     */
    public LayoutField {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name=" + name + " must not be blank");
        }
        if (offset < 0 || size < 0 || alignment < 1) {
            throw new IllegalArgumentException("field " + name + ": offset=" + offset + ", size=" + size
                    + ", alignment=" + alignment + " must be >= 0, >= 0, >= 1");
        }
    }

    /**
     * Last byte of the field.
     *
     * @return offset of the last byte of the field (inclusive); {@code offset - 1} for an empty field
     */
    public long lastByte() {
        return offset + size - 1;
    }

    /**
     * Byte range of the field, as the diagrams and the spec write it.
     *
     * @return the inclusive byte range as written in diagrams and the spec, for example {@code 16..23}
     */
    public String range() {
        return offset + ".." + lastByte();
    }
}
