package dev.linemap.engine;

import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.FileHeaderDescriptor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Table memory from a map file ({@link FileStore}): every piece a table asks for is an extent of
 * the file, mapped shared, so what the engine writes is what the file holds. One region per table,
 * named by the table's serial; its pieces carry that serial in their extent headers.
 *
 * <p>Reclamation keeps the anonymous sources' guarantees. Checked mode: the region's shared arena
 * is closed at retirement (the JDK's guarantee: a racing access throws). Fast mode: each mapping
 * is replaced, in place, by zero pages ({@code mmap(MAP_FIXED | MAP_ANONYMOUS)}): a thread still
 * inside the table reads zeros and re-checks {@link Table#isRetired()}, as with a decommitted
 * anonymous table, and can no longer reach the file; the address range goes when the table is
 * unreachable ({@link FileRegion#unmapper()}). Only then are the extents freed (at retirement) or left as
 * they are (at the map's close): no late thread can write into space the file has handed on.
 */
final class FileSource implements MemorySource {

    private final FileStore store;

    FileSource(final FileStore store) {
        this.store = store;
    }

    @Override
    public Region newRegion() {
        return new FileRegion(store, store.newSerial(), List.of());
    }

    /**
     * Returns the region of a table the file already holds, with its pieces mapped.
     *
     * @param serial the table's serial
     * @return its region
     */
    FileRegion reopen(final long serial) {
        return new FileRegion(store, serial, store.takePieces(serial));
    }

    /**
     * Returns the store.
     *
     * @return the store
     */
    FileStore store() {
        return store;
    }

    /** One table's extents. */
    static final class FileRegion implements Region {

        private final FileStore store;
        /** The table's serial. */
        final long serial;
        private final Arena arena = Arena.ofShared();
        /** The extents and their mapped lines, in the same order; guarded by {@code this}. */
        private final List<FileStore.Extent> extents = new ArrayList<>();
        private final List<MemorySegment> segments = new ArrayList<>();
        private final List<Piece> reopened;
        private boolean released;

        FileRegion(final FileStore store, final long serial, final List<FileStore.Extent> found) {
            this.store = store;
            this.serial = serial;
            final List<Piece> pieces = new ArrayList<>();
            try {
                for (final FileStore.Extent e : found) {
                    final MemorySegment segment = store.map(e, arena);
                    extents.add(e);
                    segments.add(segment);
                    pieces.add(new Piece(use(e.role()), e.index(), segment));
                }
            } catch (final RuntimeException | Error e) {
                arena.close();
                throw e;
            }
            this.reopened = List.copyOf(pieces);
        }

        private static Use use(final int role) {
            return switch (role) {
                case ExtentDescriptor.BUCKETS -> Use.BUCKETS;
                case ExtentDescriptor.OVERFLOW -> Use.OVERFLOW;
                default -> Use.ENTRIES;
            };
        }

        private static int role(final Use use) {
            return switch (use) {
                case BUCKETS -> ExtentDescriptor.BUCKETS;
                case OVERFLOW -> ExtentDescriptor.OVERFLOW;
                case ENTRIES -> ExtentDescriptor.ENTRIES;
            };
        }

        @Override
        public MemorySegment allocateLines(final long lines) {
            throw new IllegalStateException("a file region needs to know which piece it hands out");
        }

        @Override
        public synchronized MemorySegment allocateLines(final Use use, final long index, final long lines) {
            if (released) {
                throw new IllegalStateException("table memory already released");
            }
            final FileStore.Extent extent = store.allocate(role(use), serial, index, lines);
            final MemorySegment segment;
            try {
                segment = store.map(extent, arena);
            } catch (final RuntimeException | Error e) {
                store.release(extent);
                throw e;
            }
            extents.add(extent);
            segments.add(segment);
            return segment;
        }

        @Override
        public boolean persistent() {
            return true;
        }

        @Override
        public List<Piece> pieces() {
            return reopened;
        }

        @Override
        public void release() {
            if (detachMappings()) {
                final List<FileStore.Extent> all;
                synchronized (this) {
                    all = List.copyOf(extents);
                }
                for (final FileStore.Extent e : all) {
                    store.release(e);
                }
            }
        }

        @Override
        public void detach() {
            detachMappings();
        }

        /** Cuts the region off the file, once; returns whether this call did it. */
        private boolean detachMappings() {
            synchronized (this) {
                if (released) {
                    return false;
                }
                released = true;
            }
            if (AccessMode.FAST) {
                for (final MemorySegment s : segments) {
                    final long start = s.address() - ExtentDescriptor.BYTES;
                    MmapSource.replaceWithZeroPages(start, roundUp(s.byteSize() + ExtentDescriptor.BYTES));
                }
            } else {
                arena.close();
            }
            return true;
        }

        private static long roundUp(final long bytes) {
            final long page = FileHeaderDescriptor.PAGE_BYTES;
            return (bytes + page - 1) / page * page;
        }

        @Override
        public Runnable unmapper() {
            // Fast mode: the (zero-page) ranges go with the table object; the arena's close unmaps
            // them. It must not reference the table: it captures the arena only.
            final Arena a = arena;
            return AccessMode.FAST ? a::close : null;
        }

        @Override
        public void sync() {
            final List<MemorySegment> all;
            synchronized (this) {
                if (released) {
                    return;
                }
                all = List.copyOf(segments);
            }
            try {
                for (final MemorySegment s : all) {
                    s.force();
                }
            } catch (final IllegalStateException retiredMeanwhile) {
                // Checked mode: a migration retired the table during the sync; its entries live in
                // the next table, which the caller syncs too.
            }
        }
    }
}
