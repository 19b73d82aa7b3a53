package dev.linemap;

import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A map file's bytes in native memory, page aligned, so that the layout descriptors read and
 * write them as the engine does (their handles need aligned words): the file fuzzer's working
 * copy. Room is left past the end for appended garbage.
 */
final class FileFuzzImage implements AutoCloseable {

    /** Bytes of a page (and of the header). */
    static final long PAGE = FileHeaderDescriptor.PAGE_BYTES;
    /** The most bytes the mutations of one case may append. */
    static final long SPARE = 16 * PAGE;

    /**
     * One extent as the file's chain reads before the mutation.
     *
     * @param offset its file offset
     * @param pages its pages
     * @param role its role
     * @param serial its table's serial (0 for a free extent)
     */
    record Extent(long offset, long pages, int role, long serial) {
    }

    private final Arena arena = Arena.ofConfined();
    /** The bytes; {@link #length} of them are the file. */
    final MemorySegment bytes;
    /** The file's length. */
    long length;

    FileFuzzImage(final byte[] file) {
        bytes = arena.allocate(file.length + SPARE, PAGE);
        MemorySegment.copy(MemorySegment.ofArray(file), 0, bytes, 0, file.length);
        length = file.length;
    }

    /** Bytes that may still be appended. */
    long room() {
        return bytes.byteSize() - length;
    }

    /** The header page (or what is left of it). */
    MemorySegment header() {
        return bytes.asSlice(0, PAGE);
    }

    long getLong(final long offset) {
        return bytes.get(ValueLayout.JAVA_LONG, offset);
    }

    void setLong(final long offset, final long value) {
        bytes.set(ValueLayout.JAVA_LONG, offset, value);
    }

    int getInt(final long offset) {
        return bytes.get(ValueLayout.JAVA_INT, offset);
    }

    void setInt(final long offset, final int value) {
        bytes.set(ValueLayout.JAVA_INT, offset, value);
    }

    /** Flips bit {@code bit} (0..7) of byte {@code offset}. */
    void flip(final long offset, final int bit) {
        bytes.set(ValueLayout.JAVA_BYTE, offset, (byte) (bytes.get(ValueLayout.JAVA_BYTE, offset) ^ (1 << bit)));
    }

    /**
     * Returns the extents of the file's chain as a correct open reads it (stops at the first header
     * that is not one: the image may be mutated already).
     */
    List<Extent> extents() {
        final List<Extent> all = new ArrayList<>();
        for (long pos = PAGE; pos + ExtentDescriptor.BYTES <= length; ) {
            final long tag = ExtentDescriptor.tagOf(bytes.asSlice(pos));
            final long pages = ExtentDescriptor.pages(tag);
            if (!ExtentDescriptor.hasMagic(tag) || pages == 0 || pages > (length - pos) / PAGE) {
                break;
            }
            all.add(new Extent(pos, pages, ExtentDescriptor.role(tag),
                    ExtentDescriptor.serial(bytes.asSlice(pos))));
            pos += pages * PAGE;
        }
        return all;
    }

    /** The offset of the root record in force (the higher sequence of those whose CRC matches), or -1. */
    long rootInForce() {
        final long o0 = FileHeaderDescriptor.rootOffset(0);
        final long o1 = FileHeaderDescriptor.rootOffset(1);
        final boolean v0 = RootDescriptor.crcMatches(bytes, o0);
        final boolean v1 = RootDescriptor.crcMatches(bytes, o1);
        if (!v0 && !v1) {
            return -1;
        }
        if (!v0) {
            return o1;
        }
        if (!v1) {
            return o0;
        }
        return Long.compareUnsigned(RootDescriptor.read(bytes, o1).sequence(),
                RootDescriptor.read(bytes, o0).sequence()) > 0 ? o1 : o0;
    }

    /**
     * Writes the image to {@code file}, replacing what it held.
     *
     * @param file the file
     * @throws IOException if it cannot be written
     */
    void writeTo(final Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            final ByteBuffer buffer = bytes.asSlice(0, length).asByteBuffer();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
