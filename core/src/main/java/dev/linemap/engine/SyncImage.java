package dev.linemap.engine;

import dev.linemap.StoreFileException;
import dev.linemap.StoreFileException.Reason;
import dev.linemap.layout.FileHeaderDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The copy of a map file that {@code sync()} makes durable, and the only thing a map trusts after
 * the machine went down with it.
 *
 * <p><b>Why a copy.</b> The map writes its file in place through a shared mapping, and the kernel
 * writes dirty pages back whenever and in whatever order it likes. A process crash loses nothing
 * (the page cache holds every store, in order). A power loss or an OS crash keeps an arbitrary
 * subset of the pages written since they were last forced, and the map's crash rules need its
 * stores in order (an evacuation's EVACUATED source page can reach the disk without its
 * destination page: synced entries gone). Forcing the file cannot help the pages written after the
 * force. So {@code sync()} copies the file, as it is at one instant, to {@code <file>.sync-image},
 * which nothing writes between syncs, and after a restart of the machine the open puts that copy
 * back ({@link #restoreInto}).
 *
 * <p><b>Only the changed pages are copied.</b> The image's pages are known by a 64-bit sum each
 * (CRC32C and CRC32: two independent 32-bit checks, kept in memory, 8 bytes per 4 KiB page). A
 * sync, with every writer held out ({@link WriteGate}), reads the whole file, sums each page and
 * writes the pages whose sum changed to a log; the writers go on, and the log is forced and then
 * applied to the image. Its cost is a read of the file with writers held (readers never wait) plus
 * a write of the changed pages, twice.
 *
 * <p><b>The log keeps the image whole across a crash of the sync itself.</b>
 * {@code <file>.sync-log} is written as {@code .sync-log.tmp}, forced, and renamed over the last
 * log (then the directory is forced): a log in place is always complete. It holds the new sums of
 * every page, then the changed pages. Applying it rewrites those pages of the image, forces the
 * image, and only then marks the log applied and cuts the pages off it. An open that finds a log
 * not marked applied applies it again (the same pages, the same bytes). An image is therefore at
 * any instant either the last complete log's state, or being moved to it by a log that is in
 * place.
 *
 * <pre>
 *   sync-log: header (64 bytes) | sums (8 bytes per page) | headCrc (8) | pages | pagesCrc (8)
 *   header:   magic, fileId, sequence, fileLength, changedPages, pageSums, applied, reserved
 *   page:     page index (8 bytes), the page (4096 bytes)
 * </pre>
 * {@code headCrc} is the CRC32C of the header's first 48 bytes and the sums ({@code applied} is
 * outside it: it is written in place); {@code pagesCrc} that of every page record. Little-endian.
 *
 * <p>Threading: one sync at a time (the engine's sync lock), and the open before any.
 */
final class SyncImage {

    private static final int PAGE = FileHeaderDescriptor.PAGE_BYTES;

    /** The log's magic word: "YNCLOG01" read little-endian. */
    static final long MAGIC = 0x3130_474F_4C43_4E59L;

    /** Bytes of the log's header, before the sums. */
    static final int HEADER = 64;

    /** Where the log's {@code applied} word is (the CRC covers the header before it). */
    static final int APPLIED_OFFSET = 48;

    private static final int RECORD = 8 + PAGE;

    /** The most pages a log can sum (its sums are one Java array, and one read). */
    private static final long MAX_PAGES = (Integer.MAX_VALUE - HEADER - 16) / 8;

    /** Pages per read of the map file. */
    private static final int BATCH = 256;

    private final Path file;
    private final Path image;
    private final Path log;
    private final Path logTmp;
    private final long fileId;
    /** Sums of the image's pages; {@code null}: no image for this file yet. */
    private long[] sums;
    private long sequence;
    /** What is wrong with the log found at the open, or {@code null}. */
    private String damage;

    private SyncImage(final Path file, final long fileId) {
        this.file = file;
        this.image = sibling(file, ".sync-image");
        this.log = sibling(file, ".sync-log");
        this.logTmp = sibling(file, ".sync-log.tmp");
        this.fileId = fileId;
    }

    private static Path sibling(final Path file, final String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /**
     * Finds the map file's image, if it has one, and finishes a log that was not applied. The log
     * is untrusted input: one that is not whole (it cannot be, short of damage: only forced, whole
     * logs are renamed into place) leaves the file without an image and says why in
     * {@link #damage()}; the open fails on it only if it needed the image.
     *
     * @param file the map file
     * @param fileId the map file's id: an image of another file at this path is not this one's
     * @return the image; {@link #exists()} says whether there is one
     * @throws StoreFileException if the log cannot be read, or applied, for a reason other than
     *         its bytes (the operating system refused)
     */
    static SyncImage open(final Path file, final long fileId) {
        final SyncImage s = new SyncImage(file, fileId);
        if (!Files.exists(s.log)) {
            return s;
        }
        try (FileChannel in = FileChannel.open(s.log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            s.damage = s.load(in, fileId);
            return s;
        } catch (final IOException e) {
            throw new StoreFileException(file, Reason.IO, "cannot read or apply its sync log " + s.log + ": " + e
                    + "; to open the map without its sync image, move " + s.log + " and " + s.image
                    + " away (a restart of the machine then finds nothing to put back)", e);
        }
    }

    /** Reads the log; returns what is wrong with it, or {@code null} (image found, or another file's log). */
    private String load(final FileChannel in, final long fileId) throws IOException {
        final long size = in.size();
        if (size < HEADER) {
            return size + " bytes, shorter than its " + HEADER + "-byte header";
        }
        final ByteBuffer header = read(in, 0, HEADER);
        if (header.getLong(0) != MAGIC) {
            return "no sync-log magic at byte 0 (found 0x" + Long.toHexString(header.getLong(0)) + ")";
        }
        final long length = header.getLong(24);
        final long records = header.getLong(32);
        final long count = header.getLong(40);
        if (count < 1 || count > MAX_PAGES || length != count * PAGE || records < 0 || records > count
                || size < HEADER + count * 8 + 8) {
            return "impossible header: fileLength " + length + ", changedPages " + records + ", pageSums " + count
                    + ", in " + size + " bytes";
        }
        final ByteBuffer sumBytes = read(in, HEADER, (int) (count * 8));
        final CRC32C crc = new CRC32C();
        crc.update(header.slice(0, APPLIED_OFFSET));
        crc.update(sumBytes.duplicate());
        final long stored = read(in, HEADER + count * 8, 8).getLong(0);
        if (stored != crc.getValue()) {
            return "header and sums checksum 0x" + Long.toHexString(stored) + ", computed 0x"
                    + Long.toHexString(crc.getValue());
        }
        if (header.getLong(8) != fileId) {
            return null;   // a whole log of another file once at this path: this file has no image yet
        }
        if (header.getLong(APPLIED_OFFSET) == 0) {
            final String pages = checkPages(in, records, count);
            if (pages != null) {
                return pages;
            }
            apply(in, length, records, count);
        }
        sums = new long[(int) count];
        sumBytes.asLongBuffer().get(sums);
        sequence = header.getLong(16);
        return null;
    }

    /**
     * Returns what is wrong with the file's sync log, or {@code null}: a log that is not whole, so
     * the file has no image it can trust.
     *
     * @return what is wrong with the log, or {@code null}
     */
    String damage() {
        return damage;
    }

    /**
     * Returns whether the file has an image (a sync made one, in this process or an earlier one).
     *
     * @return whether the file has an image
     */
    boolean exists() {
        return sums != null;
    }

    /**
     * The open after a restart of the machine: makes the map file what the image holds. One pass
     * reads the image and the file side by side: it checks every image page against its sum (a
     * damaged image fails the open and changes nothing) and notes the file's pages whose sum
     * differs. Only those are then read from the image again (checked again) and written; the file
     * is cut to the image's length and forced. A crash in the middle leaves the file to be
     * restored again.
     *
     * @param main the map file, open for writing
     * @return how many pages were rewritten
     * @throws StoreFileException if the image is missing or does not match its sums
     */
    long restoreInto(final FileChannel main) {
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
            final long length = (long) sums.length * PAGE;
            if (in.size() != length) {
                throw new StoreFileException(file, Reason.TRUNCATED, "the machine restarted while the map was"
                        + " open, so its pages after the last sync() are not to be trusted, and its sync image "
                        + image + " has " + in.size() + " bytes where its log says " + length
                        + ": restore the map file from a copy");
            }
            final ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * PAGE);
            final ByteBuffer mine = ByteBuffer.allocateDirect(BATCH * PAGE);
            final Summer sum = new Summer();
            final BitSet differs = new BitSet(sums.length);
            final long mainSize = main.size();
            for (long p = 0; p < sums.length; p += BATCH) {
                final int n = (int) Math.min(BATCH, sums.length - p);
                readFully(in, buf.clear().limit(n * PAGE), p * PAGE);
                final int have = (int) Math.max(0, Math.min(n * PAGE, mainSize - p * PAGE));
                readFully(main, mine.clear().limit(have), p * PAGE);
                for (int i = 0; i < n; i++) {
                    final int page = (int) (p + i);
                    checkImagePage(sum.of(buf, i), page);
                    if ((i + 1) * PAGE > have || sum.of(mine, i) != sums[page]) {
                        differs.set(page);
                    }
                }
            }
            for (int page = differs.nextSetBit(0); page >= 0; page = differs.nextSetBit(page + 1)) {
                readFully(in, buf.clear().limit(PAGE), (long) page * PAGE);
                checkImagePage(sum.of(buf, 0), page);
                writeFully(main, buf.flip(), (long) page * PAGE);
            }
            main.truncate(length);
            main.force(true);
            return differs.cardinality();
        } catch (final IOException e) {
            throw new StoreFileException(file, Reason.IO, "the machine restarted while the map was open, and its"
                    + " sync image " + image + " cannot be put back: " + e, e);
        }
    }

    private void checkImagePage(final long found, final int page) {
        if (found != sums[page]) {
            throw new StoreFileException(file, Reason.CHECKSUM, "the machine restarted while the map was open, so"
                    + " its pages after the last sync() are not to be trusted, and page " + page + " of its sync image "
                    + image + " does not match the image's log: the image is damaged; restore the map file from a"
                    + " copy");
        }
    }

    /**
     * What a sync copied while writers were held out: a complete log, not yet forced.
     *
     * @param sums the sums of every page of the file at the copy
     * @param changed how many pages the log holds
     */
    record Capture(long[] sums, long changed) {
    }

    /**
     * Copies every page of {@code main} whose sum differs from the image's into a new log. The
     * caller holds every writer out and the file's space still ({@link FileStore#captureSync}).
     *
     * @param main the map file
     * @return the capture, for {@link #commit}
     * @throws IOException if the file cannot be read or the log written
     */
    Capture capture(final FileChannel main) throws IOException {
        final long length = main.size();
        final int count = pagesOf(length);
        final long[] next = new long[count];
        final ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * PAGE);
        final ByteBuffer out = ByteBuffer.allocateDirect(BATCH * RECORD).order(ByteOrder.LITTLE_ENDIAN);
        final Summer sum = new Summer();
        final CRC32C pagesCrc = new CRC32C();
        long changed = 0;
        try (FileChannel tmp = FileChannel.open(logTmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long at = HEADER + (long) count * 8 + 8;
            for (long p = 0; p < count; p += BATCH) {
                final int n = (int) Math.min(BATCH, count - p);
                buf.clear();
                final int have = readFully(main, buf.limit(n * PAGE), p * PAGE);
                for (int b = have; b < n * PAGE; b++) {
                    buf.put(b, (byte) 0);   // the end of a file that is not whole pages reads as zeros
                }
                out.clear();
                for (int i = 0; i < n; i++) {
                    final long page = p + i;
                    next[(int) page] = sum.of(buf, i);
                    if (sums == null || page >= sums.length || sums[(int) page] != next[(int) page]) {
                        out.putLong(page).put(buf.slice(i * PAGE, PAGE));
                        changed++;
                    }
                }
                out.flip();
                pagesCrc.update(out.duplicate());
                at += writeFully(tmp, out, at);
            }
            final ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(tmp, tail.putLong(0, pagesCrc.getValue()), at);
            final ByteBuffer head = ByteBuffer.allocate(HEADER + count * 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(0, MAGIC).putLong(8, fileId).putLong(16, sequence + 1).putLong(24, (long) count * PAGE)
                    .putLong(32, changed).putLong(40, count).putLong(APPLIED_OFFSET, 0);
            head.position(HEADER);
            head.asLongBuffer().put(next);
            final CRC32C crc = new CRC32C();
            crc.update(head.slice(0, APPLIED_OFFSET));
            crc.update(head.slice(HEADER, count * 8));
            head.putLong(HEADER + count * 8, crc.getValue());
            writeFully(tmp, head.clear(), 0);
        }
        return new Capture(next, changed);
    }

    /**
     * Makes a capture durable and applies it: when this returns, the image holds the file as the
     * capture saw it. Writers run meanwhile.
     *
     * @param capture what {@link #capture} wrote
     * @throws IOException if the log or the image cannot be written
     */
    void commit(final Capture capture) throws IOException {
        publish();
        // The log in place is the sync's durability: from here a crash finds it and applies it.
        try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            apply(in, (long) capture.sums().length * PAGE, capture.changed(), capture.sums().length);
        } catch (final IOException | RuntimeException e) {
            // The image may hold some of the log's pages: neither the old sums nor the new describe
            // it. The next sync writes every page (the next open applies this log first, if it can).
            sums = null;
            throw e;
        }
        sums = capture.sums();
        sequence++;
    }

    /**
     * Checks an unapplied log's page records before any of them is written into the image.
     *
     * @return what is wrong with them, or {@code null}
     */
    private static String checkPages(final FileChannel in, final long records, final long count)
            throws IOException {
        final long first = HEADER + count * 8 + 8;
        if (in.size() != first + records * RECORD + 8) {
            return in.size() + " bytes, where its header names " + records + " pages (" + (first + records * RECORD + 8)
                    + " bytes)";
        }
        final ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * RECORD).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        for (long r = 0; r < records; r += BATCH) {
            final int n = (int) Math.min(BATCH, records - r);
            readFully(in, buf.clear().limit(n * RECORD), first + r * RECORD);
            buf.flip();
            for (int i = 0; i < n; i++) {
                final long page = buf.getLong(i * RECORD);
                if (page < 0 || page >= count) {
                    return "page record " + (r + i) + " names page " + page + " of " + count;
                }
            }
            crc.update(buf);
        }
        final long stored = read(in, first + records * RECORD, 8).getLong(0);
        return stored == crc.getValue() ? null : "pages checksum 0x" + Long.toHexString(stored) + ", computed 0x"
                + Long.toHexString(crc.getValue());
    }

    /** Forces the new log and renames it into place (tests stop a sync here, before the apply). */
    void publish() throws IOException {
        try (FileChannel tmp = FileChannel.open(logTmp, StandardOpenOption.WRITE)) {
            tmp.force(true);
        }
        Files.move(logTmp, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
    }

    /**
     * Writes a log's pages (checked, or just written) into the image, forces it, then marks the log
     * applied and cuts its pages off (they are in the image now; only the sums are needed again).
     */
    private void apply(final FileChannel in, final long length, final long records, final long count)
            throws IOException {
        final long first = HEADER + count * 8 + 8;
        final ByteBuffer buf = ByteBuffer.allocateDirect(BATCH * RECORD).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long r = 0; r < records; r += BATCH) {
                final int n = (int) Math.min(BATCH, records - r);
                readFully(in, buf.clear().limit(n * RECORD), first + r * RECORD);
                for (int i = 0; i < n; i++) {
                    writeFully(out, buf.slice(i * RECORD + 8, PAGE), buf.getLong(i * RECORD) * PAGE);
                }
            }
            out.truncate(length);
            if (out.size() < length) {
                writeFully(out, ByteBuffer.allocate(1), length - 1);   // a tail of zero pages no log named
            }
            out.force(true);
        }
        // The mark is forced before the cut: a log cut short but not marked would read as damaged.
        final ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L);
        writeFully(in, one, APPLIED_OFFSET);
        in.force(false);
        in.truncate(first);
        in.force(true);
    }

    private void forceDirectory() throws IOException {
        final Path dir = log.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (final IOException e) {
            // Some platforms cannot open a directory; the rename is then as durable as they make it.
        }
    }

    private static int pagesOf(final long length) {
        final long pages = (length + PAGE - 1) / PAGE;
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalStateException("map file of " + length + " bytes: more pages than a sync can sum");
        }
        return (int) pages;
    }

    private static ByteBuffer read(final FileChannel in, final long at, final int bytes) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(in, b, at) != bytes) {
            throw new IOException("ends before byte " + (at + bytes));
        }
        return b.clear();
    }

    /** Reads until the buffer is full or the file ends; returns the bytes read. */
    private static int readFully(final FileChannel in, final ByteBuffer b, final long at) throws IOException {
        final int start = b.position();
        while (b.hasRemaining()) {
            if (in.read(b, at + b.position() - start) < 0) {
                break;
            }
        }
        return b.position() - start;
    }

    private static int writeFully(final FileChannel out, final ByteBuffer b, final long at) throws IOException {
        final int start = b.position();
        while (b.hasRemaining()) {
            out.write(b, at + b.position() - start);
        }
        return b.position() - start;
    }

    /** A page's 64-bit sum: CRC32C in the high half, CRC32 (another polynomial) in the low. */
    private static final class Summer {
        private final CRC32C c = new CRC32C();
        private final CRC32 d = new CRC32();

        long of(final ByteBuffer pages, final int i) {
            final ByteBuffer page = pages.slice(i * PAGE, PAGE);
            c.reset();
            d.reset();
            c.update(page.duplicate());
            d.update(page);
            return c.getValue() << 32 | d.getValue();
        }
    }

    /** Tests: the image file. */
    Path imagePath() {
        return image;
    }
}
