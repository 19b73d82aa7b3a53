package dev.linemap.engine;

import dev.linemap.StoreFileException;
import dev.linemap.StoreFileException.Reason;
import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;
import dev.linemap.layout.RootDescriptor.Root;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One map file: its header page, and the extents after it (free, or one piece of one table). Owns
 * the file's space: which extents exist, which are free, where a new piece goes. Knows nothing of
 * buckets; {@link FileSource} hands pieces to tables and {@link Recovery} checks what they hold.
 *
 * <p><b>Space.</b> A piece goes to the smallest free extent that holds it, else to the end of the
 * file. Freed extents merge with free neighbours; a free extent at the end is cut off; in fast
 * mode a freed extent's pages after its first are punched out of the file (its disk blocks go
 * back, and a reused extent reads as zeros without a write).
 *
 * <p><b>Crash safety of the extent chain.</b> Every change of an extent header is a
 * {@code pwrite} ({@link FileChannel#write(ByteBuffer, long)}), finished when the call returns, in
 * an order that leaves a walkable chain at every instant:
 * <ul>
 *   <li>A piece taken from a free extent: the free remainder's header is written first (inside the
 *       still-free extent, where nothing reads it), then the piece header's words after the tag,
 *       then the tag, which changes role and length in one 8-byte store.</li>
 *   <li>A piece appended: a free header for it is written past the end (the file grows by one
 *       line), the file is extended to the extent's end, then the piece header is written as
 *       above. A free extent that passes the end of the file is the trace of an append that died:
 *       the open cuts it off, once the tables passed recovery ({@link #settle}).</li>
 *   <li>A piece freed: one store of its tag (FREE, same length). Merging free neighbours rewrites
 *       the first one's tag; the second header is then inside a free extent, unread.</li>
 * </ul>
 * A piece belongs to a table only while a root record names the table's serial; the root is
 * written before a new table's pieces can hold anything that matters, and after an old table's last
 * entry has moved; pieces of any other serial are freed at the next open.
 *
 * <p>Threading: the allocation methods are {@code synchronized}; the root is written under the
 * engine's migration-start lock.
 */
final class FileStore implements AutoCloseable {

    private static final long PAGE = FileHeaderDescriptor.PAGE_BYTES;

    /** Shapes stored in the header. */
    static final int SHAPE_LONG_LONG = 1;
    /** Shapes stored in the header. */
    static final int SHAPE_LINE = 2;

    /**
     * What the builder expects the file to hold.
     *
     * @param shape {@link #SHAPE_LONG_LONG} or {@link #SHAPE_LINE}
     * @param loadPermille the growth load
     * @param keyCodec the key codec's name ("" for long keys)
     * @param valueCodec the value codec's name
     */
    record Identity(int shape, int loadPermille, String keyCodec, String valueCodec) {
    }

    /**
     * One extent holding a piece.
     *
     * @param offset file offset of the extent (its header line)
     * @param pages its length in pages
     * @param role {@link ExtentDescriptor#BUCKETS}, {@link ExtentDescriptor#OVERFLOW} or
     *        {@link ExtentDescriptor#ENTRIES}
     * @param serial the table's serial
     * @param index which piece of the table
     * @param lines the piece's lines
     */
    record Extent(long offset, long pages, int role, long serial, long index, long lines) {
    }

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    /** Maps the header page; closed last. */
    private final Arena headerArena;
    private final MemorySegment header;
    /** Free extents: offset to pages; guarded by {@code this}. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Pieces found by the open, by serial; handed to the tables once. */
    private final Map<Long, List<Extent>> found = new HashMap<>();
    /** File length; guarded by {@code this}. */
    private long length;
    /**
     * What the open found to repair in the extent chain, applied by {@link #settle} only once the
     * tables opened: where an append that died begins (-1: none), and the pieces of tables no
     * root names. Until then the open has written nothing but the header's owner and clean words,
     * so an open that fails leaves the file as it found it: a damaged length field of a free
     * extent looks like a died append and would otherwise cut off every extent after it.
     */
    private long diedAppendAt = -1;
    private final List<Extent> orphans = new ArrayList<>();
    /**
     * Fast mode: a descriptor for punching holes into freed extents (their disk blocks go back, so
     * the space the file takes follows the map even where a freed extent is not at its end); -1
     * in checked mode (no native calls there: freed extents are reused, and cut off at the end).
     */
    private final int holesFd;
    /** The copy {@code sync()} keeps (it may not exist yet). */
    private final SyncImage image;
    private long nextSerial = 1;
    private Root root;
    private int rootSlot;
    private boolean closed;

    private FileStore(final Path path, final FileChannel channel, final FileLock lock, final Arena headerArena,
                      final MemorySegment header, final SyncImage image) {
        this.path = path;
        this.image = image;
        this.headerArena = headerArena;
        this.channel = channel;
        this.lock = lock;
        this.header = header;
        this.holesFd = AccessMode.FAST ? MmapSource.openForHoles(path) : -1;
    }

    /**
     * Opens {@code path}, creating it if it does not exist (or is empty), and checks its header and
     * extent chain. Pieces that no root names, and an append that died, are found here and
     * released by {@link #settle}.
     *
     * @param path the file
     * @param identity what the builder expects
     * @return the open store, holding the file's lock
     * @throws StoreFileException if the file cannot be used
     */
    static FileStore open(final Path path, final Identity identity) {
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (final IOException | RuntimeException e) {
            throw new StoreFileException(path, Reason.IO, "cannot open for reading and writing: " + e, e);
        }
        Arena headerArena = null;
        FileStore opened = null;
        try {
            final FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (final OverlappingFileLockException e) {
                throw new StoreFileException(path, Reason.LOCKED, "already open in this JVM by another map;"
                        + " close that map first, or share it", e);
            }
            if (lock == null) {
                throw new StoreFileException(path, Reason.LOCKED, "open for writing by another process"
                        + " (it holds the file's lock); close the map in that process first");
            }
            long size = channel.size();
            boolean create = size == 0;
            if (!create && size < PAGE) {
                throw new StoreFileException(path, Reason.NOT_A_MAP_FILE, "only " + size
                        + " bytes, shorter than a linemap header (" + PAGE + " bytes); not a linemap file,"
                        + " or truncated: restore it from a copy");
            }
            if (create) {
                channel.truncate(0);
                writeNewHeader(channel, identity);
            }
            final Arena arena = Arena.ofShared();
            final MemorySegment page;
            try {
                page = channel.map(FileChannel.MapMode.READ_WRITE, 0, PAGE, arena);
            } catch (final IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
            headerArena = arena;
            if (!create && isBlank(page) && size > PAGE) {
                // Extents follow a header of zeros: no creator leaves that (the header page is one
                // pwrite before any extent), so the header was lost. Found by the file fuzzer: a
                // zeroed first page made the open below cut a whole map file to one page and open
                // it empty, silently.
                throw new StoreFileException(path, Reason.CORRUPT, "the header page is all zeros, but "
                        + (size - PAGE) + " bytes of extents follow it: the header was lost; restore the file"
                        + " from a copy (or delete it to start an empty map there)");
            }
            if (!create && isBlank(page)) {
                // A header page of zeros and nothing else: no root ever named anything in the file
                // (a creator that wrote zeros first and died, as the first cut of this code did): a
                // new map.
                channel.truncate(PAGE);
                writeNewHeader(channel, identity);   // the mapping sees it: one page cache
                size = PAGE;
                create = true;
            }
            if (!create) {
                checkIdentity(path, page, identity);
            }
            final SyncImage image = SyncImage.open(path, FileHeaderDescriptor.fileId(page));
            final long boot = BootId.current();
            final long ownerBoot = FileHeaderDescriptor.ownerBoot(page);
            if (!create && boot != 0 && ownerBoot != 0 && ownerBoot != boot) {
                // The machine restarted since the last process that had the file open. If that
                // process did not close it, its pages since its last sync reached the disk in any
                // order, or not at all; if it did, close() synced. Either way the image is the map
                // (docs/spec/file.md 11). The mapping sees the rewritten header: one page cache.
                if (image.damage() != null) {
                    throw new StoreFileException(path, Reason.CHECKSUM, "the machine restarted while the map was"
                            + " open, so its pages after the last sync() are not to be trusted, and its sync log is"
                            + " damaged (" + image.damage() + "): restore the map file from a copy");
                }
                if (image.exists()) {
                    image.restoreInto(channel);
                    size = channel.size();
                    checkIdentity(path, page, identity);
                }
            }
            // The clean word is not read: every open runs the recovery rules (docs/spec/file.md 10).
            final FileStore store = new FileStore(path, channel, lock, arena, page, image);
            opened = store;
            store.length = create ? PAGE : size;
            if (!create) {
                store.readRoot();
                store.walkExtents();
                store.refuseWrittenPiecesWithoutRoot();
            }
            FileHeaderDescriptor.setOwnerPid(page, ProcessHandle.current().pid());
            FileHeaderDescriptor.setOwnerBoot(page, boot);
            FileHeaderDescriptor.setClean(page, 0L);   // open: a crash from here on is seen by the next open
            return store;
        } catch (final StoreFileException e) {
            closeQuietly(opened, headerArena, channel);
            throw e;
        } catch (final IOException | RuntimeException e) {
            closeQuietly(opened, headerArena, channel);
            throw new StoreFileException(path, Reason.IO, "cannot read or map the file: " + e, e);
        }
    }

    /**
     * Writes a new file's header page with one {@code pwrite}: the identity with its CRC, and root
     * record 0 with sequence 0 ("no table yet"). A process that dies after it, before the first
     * table's root is written (or a first table that does not fit), leaves a file that opens as an
     * empty map; without the sequence-0 record, no root record would pass its checksum and the open
     * would call the header damaged.
     */
    private static void writeNewHeader(final FileChannel channel, final Identity identity) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment page = arena.allocate(PAGE, PAGE);
            FileHeaderDescriptor.writeIdentity(page, identity.shape(), identity.loadPermille(),
                    identity.keyCodec(), identity.valueCodec(), newFileId());
            RootDescriptor.write(page, FileHeaderDescriptor.rootOffset(0),
                    new Root(0, 0, 0, 0, 0, 0, 0, RootDescriptor.NO_MIGRATION));
            final ByteBuffer bytes = page.asByteBuffer();
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
        }
    }

    private static long newFileId() {
        long id;
        do {
            id = new java.security.SecureRandom().nextLong();
        } while (id == 0);
        return id;
    }

    private static boolean isBlank(final MemorySegment page) {
        return page.asSlice(0, FileHeaderDescriptor.LAYOUT.byteSize()).mismatch(
                MemorySegment.ofArray(new byte[(int) FileHeaderDescriptor.LAYOUT.byteSize()])) < 0;
    }

    private static void closeQuietly(final FileStore opened, final Arena headerArena, final FileChannel channel) {
        try {
            if (opened != null && opened.holesFd >= 0) {
                MmapSource.closeFd(opened.holesFd);
            }
            if (headerArena != null) {
                headerArena.close();
            }
            channel.close();
        } catch (final IOException | RuntimeException ignored) {
            // the original failure is what the caller needs to see
        }
    }

    private static void checkIdentity(final Path path, final MemorySegment page, final Identity identity) {
        if (FileHeaderDescriptor.magic(page) != FileHeaderDescriptor.MAGIC) {
            throw new StoreFileException(path, Reason.NOT_A_MAP_FILE, "no linemap magic at byte 0 (found 0x"
                    + Long.toHexString(FileHeaderDescriptor.magic(page)) + "); not a linemap map file: pick"
                    + " another path, or delete the file to start an empty map there");
        }
        if (FileHeaderDescriptor.storedIdentityCrc(page) != FileHeaderDescriptor.identityCrc(page)) {
            throw new StoreFileException(path, Reason.CHECKSUM, "header checksum mismatch (stored 0x"
                    + Integer.toHexString(FileHeaderDescriptor.storedIdentityCrc(page)) + ", computed 0x"
                    + Integer.toHexString(FileHeaderDescriptor.identityCrc(page))
                    + "): the header is damaged; restore the file from a copy");
        }
        if (FileHeaderDescriptor.version(page) != FileHeaderDescriptor.VERSION) {
            throw new StoreFileException(path, Reason.VERSION, "format version " + FileHeaderDescriptor.version(page)
                    + ", this linemap reads version " + FileHeaderDescriptor.VERSION
                    + ": open it with the linemap release that wrote it");
        }
        if (FileHeaderDescriptor.byteOrder(page) != FileHeaderDescriptor.BYTE_ORDER_MARK) {
            throw new StoreFileException(path, Reason.LAYOUT, "written on a machine of the other byte order (marker"
                    + " reads 0x" + Long.toHexString(FileHeaderDescriptor.byteOrder(page))
                    + "): map files are not portable across byte orders");
        }
        if (FileHeaderDescriptor.pageBytes(page) != PAGE
                || FileHeaderDescriptor.fingerprint(page) != FileHeaderDescriptor.layoutFingerprint()) {
            throw new StoreFileException(path, Reason.LAYOUT, "layout fingerprint 0x"
                    + Long.toHexString(FileHeaderDescriptor.fingerprint(page))
                    + " (page " + FileHeaderDescriptor.pageBytes(page)
                    + "), this linemap has 0x" + Long.toHexString(FileHeaderDescriptor.layoutFingerprint()) + " (page "
                    + PAGE + "): written by a build with another byte layout; open it with that build");
        }
        final int shape = FileHeaderDescriptor.shape(page);
        if (shape != identity.shape()) {
            throw new StoreFileException(path, Reason.SHAPE, "holds a " + shapeName(shape) + ", opened as a "
                    + shapeName(identity.shape()) + ": open it with the matching builder");
        }
        final String key = FileHeaderDescriptor.codecName(page, FileHeaderDescriptor.KEY_CODEC_OFFSET);
        final String value = FileHeaderDescriptor.codecName(page, FileHeaderDescriptor.VALUE_CODEC_OFFSET);
        final String wantKey = new String(FileHeaderDescriptor.codecNameBytes(identity.keyCodec()),
                java.nio.charset.StandardCharsets.UTF_8);
        final String wantValue = new String(FileHeaderDescriptor.codecNameBytes(identity.valueCodec()),
                java.nio.charset.StandardCharsets.UTF_8);
        if (!key.equals(wantKey) || !value.equals(wantValue)) {
            throw new StoreFileException(path, Reason.CONFIGURATION, "holds codecs key=" + key + ", value=" + value
                    + "; the builder has key=" + wantKey + ", value=" + wantValue + ": build with the file's codecs");
        }
        if (FileHeaderDescriptor.loadPermille(page) != identity.loadPermille()) {
            throw new StoreFileException(path, Reason.CONFIGURATION, "was created with loadFactor "
                    + FileHeaderDescriptor.loadPermille(page) / 1000.0 + ", the builder asks for "
                    + identity.loadPermille() / 1000.0 + ": build with loadFactor("
                    + FileHeaderDescriptor.loadPermille(page) / 1000.0 + ")");
        }
    }

    private static String shapeName(final int shape) {
        return switch (shape) {
            case SHAPE_LONG_LONG -> "LongLongMap";
            case SHAPE_LINE -> "LineMap";
            default -> "map of unknown shape " + shape;
        };
    }

    private void readRoot() {
        final long o0 = FileHeaderDescriptor.rootOffset(0);
        final long o1 = FileHeaderDescriptor.rootOffset(1);
        final Root r0 = RootDescriptor.crcMatches(header, o0) ? RootDescriptor.read(header, o0) : null;
        final Root r1 = RootDescriptor.crcMatches(header, o1) ? RootDescriptor.read(header, o1) : null;
        if (r0 == null && r1 == null) {
            throw new StoreFileException(path, Reason.CHECKSUM, "neither root record passes its checksum:"
                    + " the header is damaged; restore the file from a copy");
        }
        // The newer of two valid records is the one ahead in serial-number order (RFC 1982: the
        // signed difference is positive), not the larger number: the count may wrap, and the root
        // written after any record the open accepts must win over it at the next open. With the
        // larger number winning, a sequence of -1 (damage, CRC valid) won, its successor 0 then
        // lost to it, and a file the map had just closed reopened tables retired since; any bound
        // on the value has the same edge just below it (both found by the file fuzzer).
        final boolean pickOne = r0 == null || r1 != null && r1.sequence() - r0.sequence() > 0;
        root = pickOne ? r1 : r0;
        rootSlot = pickOne ? 1 : 0;
        if (root.sequence() == 0) {
            root = null;   // created, but the first table's root never written: an empty map
            return;
        }
        checkRoot(root);
    }

    private void checkRoot(final Root r) {
        final int maxLog2 = dev.linemap.layout.TableGeometry.MAX_LOG2;
        final boolean migrating = r.kind() != RootDescriptor.NO_MIGRATION;
        if (r.current() <= 0 || r.currentLog2() < 0 || r.currentLog2() > maxLog2
                || migrating && (r.kind() < Migration.GROW || r.kind() > Migration.CLEAR || r.old() <= 0
                || r.old() == r.current() || r.oldLog2() < 0 || r.oldLog2() > maxLog2
                || !migrationGeometryFits(r) || !migrationSeedsFit(r))
                || !migrating && r.old() != 0) {
            throw new StoreFileException(path, Reason.CORRUPT, "impossible root record " + r
                    + ": restore the file from a copy");
        }
    }

    /**
     * A growth, a halving or a compaction keeps the table's seed; only a clear draws a new one.
     * Found by the file fuzzer: a LineMap root of a growth whose currentSeed or oldSeed was
     * changed (CRC valid) passed recovery, which checks each slot's stored hash against its
     * bucket, not against the seed, and the map then iterated few or none of the entries its
     * size() counted (the cursor reads a seed change as a clear).
     */
    private static boolean migrationSeedsFit(final Root r) {
        return r.kind() == Migration.CLEAR || r.currentSeed() == r.oldSeed();
    }

    private static boolean migrationGeometryFits(final Root r) {
        return switch (r.kind()) {
            case Migration.GROW -> r.currentLog2() == r.oldLog2() + 1;
            case Migration.SHRINK -> r.currentLog2() == r.oldLog2() - 1;
            case Migration.COMPACT -> r.currentLog2() == r.oldLog2();
            default -> true;
        };
    }

    private void walkExtents() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            walkExtents(arena.allocate(ExtentDescriptor.LAYOUT));
        }
    }

    private void walkExtents(final MemorySegment line) throws IOException {
        final ByteBuffer buffer = line.asByteBuffer();
        long maxSerial = 0;
        for (long pos = PAGE; pos < length; ) {
            if (length - pos < ExtentDescriptor.BYTES) {
                diedAppendAt = pos;   // the first line of an append that died
                break;
            }
            buffer.clear();
            readFully(buffer, pos);
            final long tag = ExtentDescriptor.tagOf(line);
            final long pages = ExtentDescriptor.pages(tag);
            final int role = ExtentDescriptor.role(tag);
            if (!ExtentDescriptor.hasMagic(tag) || pages == 0 || role < ExtentDescriptor.FREE
                    || role > ExtentDescriptor.ENTRIES || pages > (Long.MAX_VALUE - pos) / PAGE) {
                throw new StoreFileException(path, Reason.CORRUPT, "no valid extent header at offset " + pos
                        + " (tag 0x" + Long.toHexString(tag) + "): the file is damaged; restore it from a copy");
            }
            final long end = pos + pages * PAGE;
            if (role == ExtentDescriptor.FREE) {
                if (end > length) {
                    diedAppendAt = pos;   // an append that died before its piece header
                    break;
                }
                addFree(pos, pages);
                pos = end;
                continue;
            }
            if (!ExtentDescriptor.crcMatches(line)) {
                throw new StoreFileException(path, Reason.CHECKSUM, "extent header at offset " + pos
                        + " fails its checksum: the file is damaged; restore it from a copy");
            }
            final long lines = ExtentDescriptor.lines(line);
            final long serial = ExtentDescriptor.serial(line);
            final long index = ExtentDescriptor.index(line);
            if (lines <= 0 || lines > (pages * PAGE - ExtentDescriptor.BYTES) >>> 6 || serial <= 0 || index < 0) {
                throw new StoreFileException(path, Reason.CORRUPT, "extent at offset " + pos + " claims " + lines
                        + " lines of table " + serial + " (index " + index + ") in " + pages
                        + " pages: the file is damaged; restore it from a copy");
            }
            if (end > length) {
                throw new StoreFileException(path, Reason.TRUNCATED, "the extent at offset " + pos + " ends at " + end
                        + ", the file at " + length + ": the file was truncated; restore it from a copy");
            }
            maxSerial = Math.max(maxSerial, serial);
            found.computeIfAbsent(serial, s -> new ArrayList<>())
                    .add(new Extent(pos, pages, role, serial, index, lines));
            pos = end;
        }
        nextSerial = maxSerial + 1;
        // Pieces of tables no root names: a table whose migration never started, or one retired
        // after its last entry moved (the root already named only its successor).
        for (final Long serial : List.copyOf(found.keySet())) {
            if (root == null || serial != root.current() && serial != root.old()) {
                orphans.addAll(found.remove(serial));
            }
        }
        if (diedAppendAt >= 0) {
            length = diedAppendAt;   // as if cut off: nothing past it is a piece or free
        }
        if (root != null) {
            nextSerial = Math.max(nextSerial, Math.max(root.current(), root.old()) + 1);
        }
    }

    /**
     * A file whose newest valid root record is the sequence-0 record of a new file may hold pieces
     * only from a creator that died between appending the first table and writing its root; those
     * pieces were never written (new extents read as zeros, and no write runs before the root).
     * A piece with any written byte means a root did name it, so the root records were damaged:
     * refused, file unchanged, rather than opened empty with the pieces freed (the file fuzzer's
     * "opened empty" cases: a map that never grew, whose one root record was broken).
     */
    private void refuseWrittenPiecesWithoutRoot() throws IOException {
        if (root != null || orphans.isEmpty()) {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
        for (final Extent e : orphans) {
            final long end = e.offset() + e.pages() * PAGE;
            for (long pos = e.offset() + ExtentDescriptor.BYTES; pos < end; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - pos));
                readFully(buffer, pos);
                buffer.flip();
                while (buffer.remaining() >= Long.BYTES) {
                    if (buffer.getLong() != 0) {
                        throw new StoreFileException(path, Reason.CORRUPT, "its newest valid root record is the"
                                + " one a new file starts with (no table yet), but table " + e.serial()
                                + "'s piece at offset " + e.offset() + " holds written data (at byte "
                                + (pos + buffer.position() - Long.BYTES) + "): a root named it, and the root records"
                                + " are damaged; restore the file from a copy");
                    }
                }
                pos += buffer.limit();
            }
        }
    }

    private void readFully(final ByteBuffer buffer, final long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            final int n = channel.read(buffer, p);
            if (n < 0) {
                throw new StoreFileException(path, Reason.TRUNCATED, "ends at " + p + " inside an extent header");
            }
            p += n;
        }
    }

    /**
     * Applies the repairs of the extent chain the open found: cuts off an append that died and
     * frees the pieces of tables no root names. Called once the tables the root names opened and
     * passed recovery (or at once for a file without a root), before anything is allocated.
     *
     * @throws StoreFileException if the file cannot be written
     */
    synchronized void settle() {
        try {
            if (diedAppendAt >= 0) {
                channel.truncate(diedAppendAt);
                diedAppendAt = -1;
            }
            for (final Extent e : orphans) {
                freeExtent(e.offset(), e.pages());
            }
            orphans.clear();
        } catch (final IOException e) {
            throw new StoreFileException(path, Reason.IO, "cannot cut off a died append or free the pieces of"
                    + " retired tables: " + e, e);
        }
    }

    // ------------------------------------------------------------------------------ root

    /**
     * Returns the root the open found, or {@code null} for a new (or never filled) file.
     *
     * @return the root the open found, or {@code null}
     */
    Root root() {
        return root;
    }

    /**
     * Writes a new root into the record that is not in force, then (by its higher sequence and
     * matching CRC) it is. Caller: the engine, under its migration-start lock.
     *
     * @param current serial of the current table
     * @param currentSeed its seed
     * @param currentLog2 its size
     * @param old serial of the table a migration empties, 0 for none
     * @param oldSeed its seed
     * @param oldLog2 its size
     * @param kind the migration kind, {@link RootDescriptor#NO_MIGRATION} for none
     */
    synchronized void writeRoot(final long current, final long currentSeed, final int currentLog2,
                                final long old, final long oldSeed, final int oldLog2, final int kind) {
        if (closed) {
            return;   // a migration completing after close(): the next open finishes it from the file
        }
        // 0 is skipped when the count wraps: it means "never written" (see readRoot).
        final long sequence = root == null || root.sequence() == -1 ? 1 : root.sequence() + 1;
        final Root next = new Root(sequence, current, currentSeed, currentLog2, old, oldSeed, oldLog2, kind);
        final int slot = 1 - rootSlot;
        RootDescriptor.write(header, FileHeaderDescriptor.rootOffset(slot), next);
        root = next;
        rootSlot = slot;
    }

    /**
     * Returns a serial no extent of this file carries yet.
     *
     * @return a serial no extent of this file carries yet
     */
    synchronized long newSerial() {
        return nextSerial++;
    }

    /**
     * Takes the pieces the open found for a table (once).
     *
     * @param serial the table's serial
     * @return its extents, possibly empty
     */
    synchronized List<Extent> takePieces(final long serial) {
        final List<Extent> pieces = found.remove(serial);
        return pieces == null ? List.of() : pieces;
    }

    // ------------------------------------------------------------------------------ space

    /**
     * Makes an extent for a piece of {@code lines} lines: the first free extent it fits in, else
     * appended at the end of the file.
     *
     * @param role the piece's role
     * @param serial its table
     * @param index which piece
     * @param lines its lines
     * @return the extent; its payload lines read as zero
     * @throws OutOfMemoryError if the file cannot grow (the disk is full)
     */
    synchronized Extent allocate(final int role, final long serial, final long index, final long lines) {
        final long pages = (ExtentDescriptor.BYTES + (lines << 6) + PAGE - 1) / PAGE;
        try {
            // Best fit (the smallest free extent that holds it, the lowest of equals): a small piece
            // must not split the large hole a retired table left, or the next table of that size
            // goes to the end of the file and the file only grows.
            long offset = -1;
            long fit = Long.MAX_VALUE;
            for (final Map.Entry<Long, Long> f : free.entrySet()) {
                if (f.getValue() >= pages && f.getValue() < fit) {
                    offset = f.getKey();
                    fit = f.getValue();
                }
            }
            final Extent extent = new Extent(offset < 0 ? length : offset, pages, role, serial, index, lines);
            if (offset >= 0) {
                final long have = free.remove(offset);
                if (have > pages) {
                    writeHeader(offset + pages * PAGE, ExtentDescriptor.tag(ExtentDescriptor.FREE, have - pages),
                            0, 0, 0, true);
                    free.put(offset + pages * PAGE, have - pages);
                }
                // The payload of a reused extent held another piece: zero it before the tag makes it
                // this table's (a crash in between leaves a free extent).
                zero(offset, pages);
            } else {
                writeHeader(length, ExtentDescriptor.tag(ExtentDescriptor.FREE, pages), 0, 0, 0, true);
                final long end = length + pages * PAGE;
                // Extending: the new bytes read as zero, and have their disk blocks now, so a full
                // disk fails this allocation instead of a later store into the mapping (SIGBUS).
                // From after the free header just written: the checked path reserves by writing
                // zeros, which would wipe it, and a crash before the piece's tag would then leave
                // an extent chain with no header (CORRUPT) instead of a died append.
                if (!reserveBlocks(length + ExtentDescriptor.BYTES, end - length - ExtentDescriptor.BYTES)) {
                    channel.truncate(length);   // the free header past the end, as after a crash
                    throw new IOException("no space for " + pages + " pages (fallocate failed)");
                }
                channel.write(ByteBuffer.allocate(1), end - 1);
                length = end;
            }
            writeHeader(extent.offset(), ExtentDescriptor.tag(role, pages), serial, index, lines, false);
            return extent;
        } catch (final IOException e) {
            final OutOfMemoryError oom = new OutOfMemoryError("cannot extend map file " + path + " by " + pages
                    + " pages: " + e + " (nothing stored was lost)");
            oom.initCause(e);
            throw oom;
        }
    }

    /**
     * Frees an extent (its table is retired and no root names it; its mappings are gone).
     *
     * @param extent the extent
     */
    synchronized void release(final Extent extent) {
        if (closed) {
            return;
        }
        try {
            freeExtent(extent.offset(), extent.pages());
        } catch (final IOException e) {
            // The extent stays a piece of a serial no root names: the next open frees it.
        }
    }

    private void freeExtent(final long offset, final long pages) throws IOException {
        writeHeader(offset, ExtentDescriptor.tag(ExtentDescriptor.FREE, pages), 0, 0, 0, true);
        addFree(offset, pages);
        // Merged with its neighbours, and cut off if it is the file's tail.
        final Map.Entry<Long, Long> before = free.lowerEntry(offset);
        long start = offset;
        long n = free.get(offset);
        if (before != null && before.getKey() + before.getValue() * PAGE == offset) {
            free.remove(offset);
            start = before.getKey();
            n += before.getValue();
        }
        final Long after = free.get(start + n * PAGE);
        if (after != null) {
            free.remove(start + n * PAGE);
            n += after;
        }
        free.put(start, n);
        if (start != offset || n != pages) {
            writeHeader(start, ExtentDescriptor.tag(ExtentDescriptor.FREE, n), 0, 0, 0, true);
        }
        if (start + n * PAGE == length) {
            free.remove(start);
            channel.truncate(start);
            length = start;
        } else if (holesFd >= 0 && pages > 1) {
            // The first page keeps the header line; the rest gives its blocks back.
            MmapSource.punchHole(holesFd, offset + PAGE, (pages - 1) * PAGE);
        }
    }

    private void addFree(final long offset, final long pages) {
        free.put(offset, pages);
    }

    private void zero(final long offset, final long pages) throws IOException {
        // Fast mode: a punched hole reads as zeros, and fallocate gives it blocks again (unwritten:
        // no data is written); only the first page is written.
        final long end = pages > 1 && holesFd >= 0 && MmapSource.punchHole(holesFd, offset + PAGE, (pages - 1) * PAGE)
                ? offset + PAGE : offset + pages * PAGE;
        if (end < offset + pages * PAGE && !reserveBlocks(end, offset + pages * PAGE - end)) {
            throw new IOException("no space to reuse " + pages + " pages (fallocate failed)");
        }
        writeZeros(offset + ExtentDescriptor.BYTES, end);
    }

    /** Writes zeros over {@code [from, to)} of the file. */
    private void writeZeros(final long from, final long to) throws IOException {
        final ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(to - from, 1 << 20));
        for (long p = from; p < to; ) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), to - p));
            p += channel.write(zeros, p);
        }
    }

    /**
     * Gives a byte range of the file disk blocks, so that no store into its mapping can fault for
     * want of space (a SIGBUS, which the checked path would report as an {@code InternalError}
     * and the fast path not at all). Fast mode: {@code fallocate} (mode 0: unwritten blocks, no
     * data written). Checked mode, which makes no native calls: writes zeros over the range, so
     * a growth there pays a write of the new table's size.
     *
     * @return whether the blocks are there ({@code false}: no space on the device)
     */
    private boolean reserveBlocks(final long offset, final long bytes) throws IOException {
        if (java.nio.file.Files.getFileStore(path).getUsableSpace() < bytes) {
            return false;   // cheap (statvfs): a full disk fails fast, before any write
        }
        if (holesFd >= 0) {
            return MmapSource.allocateBlocks(holesFd, offset, bytes);
        }
        try {
            writeZeros(offset, offset + bytes);
        } catch (final IOException e) {
            return false;
        }
        return true;
    }

    /**
     * Writes an extent header: the whole line (a free extent's), or the words after the tag and
     * then the tag (a piece's: the tag store switches it from free in one word).
     */
    private void writeHeader(final long offset, final long tag, final long serial, final long index,
                             final long lines, final boolean whole) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment line = arena.allocate(ExtentDescriptor.LAYOUT);
            ExtentDescriptor.fill(line, tag, serial, index, lines);
            final ByteBuffer bytes = line.asByteBuffer();
            if (whole) {
                writeFully(bytes, offset);
                return;
            }
            bytes.position(Long.BYTES);
            writeFully(bytes, offset);   // bytes 8..63: writeFully starts at the buffer's position
            bytes.clear().limit(Long.BYTES);
            writeFully(bytes, offset);
        }
    }

    /** Writes the buffer's remaining bytes at {@code offset + position}. */
    private void writeFully(final ByteBuffer bytes, final long offset) throws IOException {
        long p = offset + bytes.position();
        while (bytes.hasRemaining()) {
            p += channel.write(bytes, p);
        }
    }

    /**
     * Maps an extent, whole (header line included), into {@code arena}.
     *
     * @param extent the extent
     * @param arena the arena that unmaps it when closed
     * @return the piece's lines (after the header line)
     */
    MemorySegment map(final Extent extent, final Arena arena) {
        try {
            final MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, extent.offset(),
                    extent.pages() * PAGE, arena);
            return whole.asSlice(ExtentDescriptor.BYTES, extent.lines() << 6);
        } catch (final IOException e) {
            final OutOfMemoryError oom = new OutOfMemoryError("cannot map " + extent + " of " + path + ": " + e);
            oom.initCause(e);
            throw oom;
        }
    }

    /**
     * Returns the file's length now.
     *
     * @return the file's length now
     */
    synchronized long length() {
        return length;
    }

    /**
     * Returns the file.
     *
     * @return the file
     */
    Path path() {
        return path;
    }

    /**
     * Returns whether the file has a sync image (a sync made one, here or in an earlier process).
     *
     * @return whether the file has a sync image
     */
    boolean hasSyncImage() {
        return image.exists();
    }

    /**
     * Copies the file's changed pages for the sync image. The caller holds every writer out; the
     * monitor holds out the rest (extent allocations and releases, root writes), so that what is
     * copied is one instant of the file.
     *
     * @return the capture, for {@link #commitSync}
     */
    synchronized SyncImage.Capture captureSync() {
        if (closed) {
            throw new IllegalStateException("map file " + path + " is closed");
        }
        try {
            return image.capture(channel);
        } catch (final IOException e) {
            throw new StoreFileException(path, Reason.IO, "sync() cannot copy the file to its sync image: " + e, e);
        }
    }

    /**
     * Returns the sync image (tests).
     *
     * @return the sync image
     */
    SyncImage syncImage() {
        return image;
    }

    /**
     * Makes a capture durable in the sync image; writers run meanwhile.
     *
     * @param capture what {@link #captureSync} copied
     */
    void commitSync(final SyncImage.Capture capture) {
        try {
            image.commit(capture);
        } catch (final IOException e) {
            throw new StoreFileException(path, Reason.IO, "sync() cannot write the file's sync image: " + e, e);
        }
    }

    /**
     * Marks the file closed cleanly and gives up the file and its lock. The tables' mappings must
     * be detached first.
     */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Gives up the file and its lock without marking it closed cleanly (an open that failed after
     * the file was opened: the next open applies the recovery rules as after a crash).
     */
    void abandon() {
        close(false);
    }

    private synchronized void close(final boolean clean) {
        if (closed) {
            return;
        }
        closed = true;
        if (clean) {
            FileHeaderDescriptor.setClean(header, FileHeaderDescriptor.CLEAN);
        }
        try {
            headerArena.close();
        } finally {
            try {
                if (holesFd >= 0) {
                    MmapSource.closeFd(holesFd);   // before the channel: closing any descriptor drops the lock
                }
                lock.release();
                channel.close();
            } catch (final IOException e) {
                // the map is closed either way; the lock goes with the channel
            }
        }
    }
}
