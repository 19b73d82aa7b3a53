package dev.linemap;

import dev.linemap.FileFuzzImage.Extent;
import dev.linemap.layout.ExtentDescriptor;
import dev.linemap.layout.FileHeaderDescriptor;
import dev.linemap.layout.RootDescriptor;
import dev.linemap.layout.RootDescriptor.Root;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * The file fuzzer's mutations, each applied to a {@link FileFuzzImage} with a seeded random and
 * described in words (the description goes into every failure report). Field offsets come from the
 * layout descriptors, as the engine's do. A mutation of a checksummed record (identity, root,
 * extent header) mostly recomputes the checksum, so that the open gets past it to the checks of
 * the values themselves; sometimes it does not, and the checksum must catch it.
 */
final class FileFuzzMutations {

    /** What a case does to its copy of a base file. */
    enum Kind {
        /** An identity field changed (magic, version, page size, byte order, fingerprint, shape, ...). */
        IDENTITY(5),
        /** A root record field changed, or a root record dropped or promoted. */
        ROOT(10),
        /** The clean word or the owner pid changed. */
        CLEAN(2),
        /** 1..16 bits flipped anywhere in the file. */
        BIT_FLIPS(14),
        /** A few bits flipped in lines that hold something (buckets, chains, entries). */
        FLIPS_IN_USE(18),
        /** One word of a line that holds something set to an interesting value. */
        WORD_SET(16),
        /** A range of bytes overwritten with random bytes. */
        RANGE(7),
        /** The file cut short: anywhere, at an extent boundary, inside the header. */
        TRUNCATE(8),
        /** Whole pages zeroed. */
        ZERO_PAGES(7),
        /** Garbage (or a plausible extent) appended. */
        APPEND(6),
        /** An extent header field changed: the tag's pages, role or magic, the serial, index or lines. */
        EXTENT_HEADER(12),
        /** One page copied over another (plausible structure in the wrong place). */
        COPY_PAGE(4);

        final int weight;

        Kind(final int weight) {
            this.weight = weight;
        }
    }

    /** The kinds a run draws from: all, or those {@code linemap.fuzz.kinds} lists (comma-separated). */
    private static final List<Kind> KINDS = System.getProperty("linemap.fuzz.kinds") == null
            ? List.of(Kind.values())
            : java.util.Arrays.stream(System.getProperty("linemap.fuzz.kinds").split(","))
                    .map(String::trim).map(Kind::valueOf).toList();
    private static final int TOTAL_WEIGHT = KINDS.stream().mapToInt(k -> k.weight).sum();

    private static final String[] IDENTITY_FIELDS = {"magic", "version", "pageBytes", "byteOrder", "fingerprint",
        "shape", "loadPermille", "keyCodec", "valueCodec", "identityCrc"};
    private static final String[] ROOT_FIELDS = {"sequence", "current", "currentSeed", "old", "oldSeed",
        "currentLog2", "oldLog2", "kind", "crc"};
    private static final String[] EXTENT_FIELDS = {"pages", "role", "magic", "serial", "index", "lines", "crc"};
    private static final long CLEAN_OFFSET = FileHeaderDescriptor.LAYOUT.byteOffset(groupElement("clean"));
    private static final long OWNER_OFFSET = FileHeaderDescriptor.LAYOUT.byteOffset(groupElement("ownerPid"));

    private FileFuzzMutations() {
    }

    /**
     * Applies one to three mutations.
     *
     * @param image the working copy
     * @param random the case's random
     * @return what was done
     */
    static String mutate(final FileFuzzImage image, final SplittableRandom random) {
        final int roll = random.nextInt(10);
        final int n = roll < 7 ? 1 : roll < 9 ? 2 : 3;
        final StringBuilder done = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                done.append("; ");
            }
            final Kind kind = pick(random);
            done.append(kind).append(": ").append(apply(kind, image, random));
        }
        return done.toString();
    }

    private static Kind pick(final SplittableRandom random) {
        int w = random.nextInt(TOTAL_WEIGHT);
        for (final Kind k : KINDS) {
            w -= k.weight;
            if (w < 0) {
                return k;
            }
        }
        throw new AssertionError();
    }

    static String apply(final Kind kind, final FileFuzzImage image, final SplittableRandom random) {
        return switch (kind) {
            case IDENTITY -> identity(image, random);
            case ROOT -> root(image, random);
            case CLEAN -> clean(image, random);
            case BIT_FLIPS -> bitFlips(image, random);
            case FLIPS_IN_USE -> flipsInUse(image, random);
            case WORD_SET -> wordSet(image, random);
            case RANGE -> range(image, random);
            case TRUNCATE -> truncate(image, random);
            case ZERO_PAGES -> zeroPages(image, random);
            case APPEND -> append(image, random);
            case EXTENT_HEADER -> extentHeader(image, random);
            case COPY_PAGE -> copyPage(image, random);
        };
    }

    // ------------------------------------------------------------------------------- header

    private static String identity(final FileFuzzImage image, final SplittableRandom random) {
        if (image.length < FileFuzzImage.PAGE) {
            return bitFlips(image, random);
        }
        final String field = IDENTITY_FIELDS[random.nextInt(IDENTITY_FIELDS.length)];
        final MemoryLayout layout = FileHeaderDescriptor.IDENTITY.select(groupElement(field));
        final long offset = FileHeaderDescriptor.LAYOUT.byteOffset(groupElement("identity"), groupElement(field));
        final String what;
        if (layout.byteSize() == Long.BYTES) {
            final long v = interesting(image.getLong(offset), random);
            image.setLong(offset, v);
            what = field + " = 0x" + Long.toHexString(v);
        } else if (layout.byteSize() == Integer.BYTES) {
            final int v = (int) interesting(image.getInt(offset), random);
            image.setInt(offset, v);
            what = field + " = " + v;
        } else {
            // A codec name: a byte changed, or the name cut or lengthened.
            final long at = offset + random.nextInt((int) layout.byteSize());
            final byte v = (byte) (random.nextBoolean() ? 0 : random.nextInt(1, 256));
            image.bytes.set(ValueLayout.JAVA_BYTE, at, v);
            what = field + "[" + (at - offset) + "] = " + v;
        }
        if (!field.equals("identityCrc") && random.nextInt(4) != 0) {
            image.setInt(FileHeaderDescriptor.IDENTITY_CRC_OFFSET, FileHeaderDescriptor.identityCrc(image.header()));
            return what + " (crc fixed)";
        }
        return what;
    }

    private static String root(final FileFuzzImage image, final SplittableRandom random) {
        if (image.length < FileFuzzImage.PAGE) {
            return bitFlips(image, random);
        }
        final long inForce = image.rootInForce();
        final long other = inForce == FileHeaderDescriptor.rootOffset(0) ? FileHeaderDescriptor.rootOffset(1)
                : FileHeaderDescriptor.rootOffset(0);
        final int choice = random.nextInt(10);
        if (choice == 0 && inForce >= 0) {
            // The root in force is lost: the older one is in force (it names tables retired since).
            image.flip(inForce + random.nextInt(56), random.nextInt(8));
            return "root in force damaged (the other one takes over)";
        }
        if (choice == 1 && inForce >= 0) {
            // The older root promoted: a higher sequence, CRC fixed.
            final Root old = RootDescriptor.read(image.bytes, other);
            RootDescriptor.write(image.bytes, other, new Root(RootDescriptor.read(image.bytes, inForce).sequence() + 1,
                    old.current(), old.currentSeed(), old.currentLog2(), old.old(), old.oldSeed(), old.oldLog2(),
                    old.kind()));
            return "older root promoted: " + RootDescriptor.read(image.bytes, other);
        }
        final long at = inForce >= 0 && random.nextInt(4) != 0 ? inForce : other;
        final String field = ROOT_FIELDS[random.nextInt(ROOT_FIELDS.length)];
        final long offset = at + RootDescriptor.LAYOUT.byteOffset(groupElement(field));
        final boolean isLong = RootDescriptor.LAYOUT.select(groupElement(field)).byteSize() == Long.BYTES;
        final Root before = RootDescriptor.read(image.bytes, at);
        final long value;
        if (isLong) {
            value = field.equals("current") || field.equals("old") ? serialLike(image.getLong(offset), before, random)
                    : interesting(image.getLong(offset), random);
            image.setLong(offset, value);
        } else {
            value = field.equals("kind") ? random.nextInt(-2, 6)
                    : field.endsWith("Log2") ? image.getInt(offset) + random.nextInt(-3, 4)
                    : interesting(image.getInt(offset), random);
            image.setInt(offset, (int) value);
        }
        final String what = "root@" + at + "." + field + " = " + value;
        if (!field.equals("crc") && random.nextInt(5) != 0) {
            RootDescriptor.write(image.bytes, at, RootDescriptor.read(image.bytes, at));
            return what + " (crc fixed)";
        }
        return what;
    }

    /** A table serial: another one the root names, a neighbour, 0, or anything. */
    private static long serialLike(final long v, final Root root, final SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> root.current();
            case 1 -> root.old();
            case 2 -> v + 1;
            case 3 -> v - 1;
            case 4 -> 0;
            default -> interesting(v, random);
        };
    }

    private static String clean(final FileFuzzImage image, final SplittableRandom random) {
        if (image.length < FileFuzzImage.PAGE) {
            return bitFlips(image, random);
        }
        final long offset = random.nextBoolean() ? CLEAN_OFFSET : OWNER_OFFSET;
        final long v = random.nextBoolean() ? FileHeaderDescriptor.CLEAN : interesting(image.getLong(offset), random);
        image.setLong(offset, v);
        return (offset == CLEAN_OFFSET ? "clean" : "ownerPid") + " = 0x" + Long.toHexString(v);
    }

    // ------------------------------------------------------------------------------ content

    private static String bitFlips(final FileFuzzImage image, final SplittableRandom random) {
        if (image.length == 0) {
            return "nothing to flip";
        }
        final int n = 1 + (random.nextBoolean() ? 0 : random.nextInt(16));
        final StringBuilder at = new StringBuilder(n + " flips at");
        for (int i = 0; i < n; i++) {
            final long offset = random.nextLong(image.length);
            final int bit = random.nextInt(8);
            image.flip(offset, bit);
            at.append(' ').append(offset).append('.').append(bit);
        }
        return at.toString();
    }

    /** A line of a piece (not a free extent, not the header line) that is not all zero, or -1. */
    private static long usedLine(final FileFuzzImage image, final SplittableRandom random) {
        final List<Extent> pieces = image.extents().stream().filter(e -> e.role() != ExtentDescriptor.FREE).toList();
        if (pieces.isEmpty()) {
            return -1;
        }
        long fallback = -1;
        for (int tries = 0; tries < 64; tries++) {
            final Extent e = pieces.get(random.nextInt(pieces.size()));
            final long lines = e.pages() * FileFuzzImage.PAGE / 64 - 1;
            final long line = e.offset() + 64 + random.nextLong(lines) * 64;
            if (line + 64 > image.length) {
                continue;
            }
            fallback = line;
            for (long w = 0; w < 64; w += 8) {
                if (image.getLong(line + w) != 0) {
                    return line;
                }
            }
        }
        return fallback;
    }

    private static String flipsInUse(final FileFuzzImage image, final SplittableRandom random) {
        final int n = 1 + random.nextInt(3);
        final StringBuilder at = new StringBuilder(n + " flips in used lines at");
        for (int i = 0; i < n; i++) {
            final long line = usedLine(image, random);
            if (line < 0) {
                return bitFlips(image, random);
            }
            final long offset = line + random.nextInt(64);
            final int bit = random.nextInt(8);
            image.flip(offset, bit);
            at.append(' ').append(offset).append('.').append(bit);
        }
        return at.toString();
    }

    private static String wordSet(final FileFuzzImage image, final SplittableRandom random) {
        final long line = usedLine(image, random);
        if (line < 0) {
            return bitFlips(image, random);
        }
        final long offset = line + 8L * random.nextInt(8);
        final long before = image.getLong(offset);
        final long v = random.nextInt(8) == 0 ? image.getLong(line + 8L * random.nextInt(8))
                : interesting(before, random);
        image.setLong(offset, v);
        return "word at " + offset + ": 0x" + Long.toHexString(before) + " -> 0x" + Long.toHexString(v);
    }

    /**
     * A value near {@code v} in one of its fields (a count, a link, a length, a state), at an
     * edge, or anything.
     */
    static long interesting(final long v, final SplittableRandom random) {
        final int[] shifts = {0, 3, 5, 7, 8, 17, 24, 32, 40, 42, 48, 56};
        return switch (random.nextInt(9)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            case 3 -> v ^ 1L << random.nextInt(64);
            case 4, 5 -> v + (long) random.nextInt(-2, 3) << shifts[random.nextInt(shifts.length)];
            case 6 -> random.nextLong(1 << 20);
            case 7 -> 1L << random.nextInt(64);
            default -> random.nextLong();
        };
    }

    private static String range(final FileFuzzImage image, final SplittableRandom random) {
        if (image.length == 0) {
            return "nothing to overwrite";
        }
        final long from = random.nextLong(image.length);
        final long n = Math.min(image.length - from, 1 + random.nextLong(2 * FileFuzzImage.PAGE));
        final boolean constant = random.nextInt(3) == 0;
        final byte fill = (byte) random.nextInt(256);
        for (long i = 0; i < n; i++) {
            image.bytes.set(ValueLayout.JAVA_BYTE, from + i, constant ? fill : (byte) random.nextInt(256));
        }
        return n + " bytes at " + from + (constant ? " set to " + fill : " randomised");
    }

    // --------------------------------------------------------------------------- file shape

    private static String truncate(final FileFuzzImage image, final SplittableRandom random) {
        final List<Extent> extents = image.extents();
        final long to;
        final int choice = random.nextInt(4);
        if (choice == 0 || extents.isEmpty()) {
            to = random.nextLong(image.length + 1);
        } else if (choice == 1) {
            to = random.nextLong(Math.min(image.length, FileFuzzImage.PAGE + 64) + 1);
        } else {
            final Extent e = extents.get(random.nextInt(extents.size()));
            final long[] deltas = {0, 1, 8, 63, 64, 65, FileFuzzImage.PAGE - 1, FileFuzzImage.PAGE};
            final long edge = random.nextBoolean() ? e.offset() : e.offset() + e.pages() * FileFuzzImage.PAGE;
            final long d = deltas[random.nextInt(deltas.length)];
            to = Math.max(0, Math.min(image.length, random.nextBoolean() ? edge + d : edge - d));
        }
        final long was = image.length;
        image.length = to;
        return "cut from " + was + " to " + to + " bytes";
    }

    private static String zeroPages(final FileFuzzImage image, final SplittableRandom random) {
        final long pages = (image.length + FileFuzzImage.PAGE - 1) / FileFuzzImage.PAGE;
        if (pages == 0) {
            return "no page to zero";
        }
        final int n = 1 + random.nextInt(4);
        final StringBuilder which = new StringBuilder("zeroed pages");
        for (int i = 0; i < n; i++) {
            final long page = random.nextInt(8) == 0 ? 0 : random.nextLong(pages);
            final long from = page * FileFuzzImage.PAGE;
            image.bytes.asSlice(from, Math.min(FileFuzzImage.PAGE, image.length - from)).fill((byte) 0);
            which.append(' ').append(page);
        }
        return which.toString();
    }

    private static String append(final FileFuzzImage image, final SplittableRandom random) {
        long at = image.length;
        final int choice = random.nextInt(4);
        if (choice == 0) {
            // A copy of an extent of the file (a piece twice, or a free extent past the end).
            final List<Extent> extents = image.extents();
            if (!extents.isEmpty()) {
                final Extent e = extents.get(random.nextInt(extents.size()));
                final long n = Math.min(e.pages() * FileFuzzImage.PAGE, image.room());
                MemorySegment.copy(image.bytes, e.offset(), image.bytes, at, n);
                image.length += n;
                return "appended " + n + " bytes copied from the extent at " + e.offset() + " (role " + e.role() + ")";
            }
        }
        if (choice == 1 && image.room() >= 5 * FileFuzzImage.PAGE) {
            // A well-formed extent header with random fields, and a page or two of zeros, at the
            // next page boundary (an earlier mutation may have left the file at any length).
            final long aligned = (at + FileFuzzImage.PAGE - 1) / FileFuzzImage.PAGE * FileFuzzImage.PAGE;
            image.bytes.asSlice(at, aligned - at).fill((byte) 0);
            image.length = aligned;
            at = aligned;
            final long pages = random.nextInt(4);
            final int role = random.nextInt(0, 6);
            final MemorySegment header = image.bytes.asSlice(at, ExtentDescriptor.BYTES);
            header.fill((byte) 0);
            ExtentDescriptor.fill(header, ExtentDescriptor.tag(role, pages), interesting(random.nextLong(4), random),
                    random.nextLong(-1, 3), interesting(pages * 63, random));
            final long n = random.nextBoolean() ? ExtentDescriptor.BYTES : Math.max(1, pages) * FileFuzzImage.PAGE;
            image.bytes.asSlice(at + ExtentDescriptor.BYTES, n - ExtentDescriptor.BYTES).fill((byte) 0);
            image.length += n;
            return "appended an extent header (role " + role + ", " + pages + " pages) and " + n + " bytes in all";
        }
        final long n = Math.min(image.room(), 1 + random.nextLong(2 * FileFuzzImage.PAGE + 100));
        for (long i = 0; i < n; i++) {
            image.bytes.set(ValueLayout.JAVA_BYTE, at + i, (byte) random.nextInt(256));
        }
        image.length += n;
        return "appended " + n + " random bytes";
    }

    private static String extentHeader(final FileFuzzImage image, final SplittableRandom random) {
        final List<Extent> extents = image.extents();
        if (extents.isEmpty()) {
            return bitFlips(image, random);
        }
        final Extent e = extents.get(random.nextInt(extents.size()));
        final MemorySegment header = image.bytes.asSlice(e.offset(), ExtentDescriptor.BYTES);
        final long tag = ExtentDescriptor.tagOf(header);
        long pages = ExtentDescriptor.pages(tag);
        int role = ExtentDescriptor.role(tag);
        long magic = tag >>> 48;
        long serial = ExtentDescriptor.serial(header);
        long index = ExtentDescriptor.index(header);
        long lines = ExtentDescriptor.lines(header);
        final String field = EXTENT_FIELDS[random.nextInt(EXTENT_FIELDS.length)];
        switch (field) {
            case "pages" -> pages = random.nextBoolean() ? pages + random.nextInt(-2, 3)
                    : interesting(pages, random) & ExtentDescriptor.MAX_PAGES;
            case "role" -> role = random.nextInt(0, 8);
            case "magic" -> magic ^= 1L << random.nextInt(16);
            case "serial" -> serial = random.nextBoolean() ? serial + random.nextInt(-2, 3)
                    : interesting(serial, random);
            case "index" -> index = random.nextBoolean() ? index + random.nextInt(-2, 3) : interesting(index, random);
            case "lines" -> lines = switch (random.nextInt(4)) {
                case 0 -> lines + random.nextInt(-2, 3);
                case 1 -> (pages * FileFuzzImage.PAGE - 64) / 64 + random.nextInt(0, 2);
                case 2 -> random.nextBoolean() ? 1024 : 1L << random.nextInt(31);
                default -> interesting(lines, random);
            };
            default -> header.set(ValueLayout.JAVA_INT, extentField("crc"), random.nextInt());
        }
        final long newTag = magic << 48 | (long) (role & 0xFF) << 40 | pages & ExtentDescriptor.MAX_PAGES;
        final boolean fix = !field.equals("crc") && random.nextInt(5) != 0;
        if (field.equals("crc")) {
            return "extent@" + e.offset() + " crc damaged";
        }
        if (fix) {
            ExtentDescriptor.fill(header, newTag, serial, index, lines);
        } else {
            header.set(ValueLayout.JAVA_LONG, extentField("tag"), newTag);
            header.set(ValueLayout.JAVA_LONG, extentField("serial"), serial);
            header.set(ValueLayout.JAVA_LONG, extentField("index"), index);
            header.set(ValueLayout.JAVA_LONG, extentField("lines"), lines);
        }
        return "extent@" + e.offset() + " (role " + e.role() + ", " + e.pages() + " pages) " + field + ": pages "
                + pages + ", role " + role + ", serial " + serial + ", index " + index + ", lines " + lines
                + (fix ? " (crc fixed)" : "");
    }

    private static long extentField(final String name) {
        return ExtentDescriptor.LAYOUT.byteOffset(groupElement(name));
    }

    private static String copyPage(final FileFuzzImage image, final SplittableRandom random) {
        final long pages = image.length / FileFuzzImage.PAGE;
        if (pages < 2) {
            return bitFlips(image, random);
        }
        final long from = random.nextLong(pages);
        final long to = random.nextLong(pages);
        MemorySegment.copy(image.bytes, from * FileFuzzImage.PAGE, image.bytes, to * FileFuzzImage.PAGE,
                FileFuzzImage.PAGE);
        return "page " + from + " copied over page " + to;
    }
}
