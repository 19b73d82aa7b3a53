package dev.linemap;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;

import static dev.linemap.layout.BucketDescriptor.SLOTS;
import static dev.linemap.layout.BucketDescriptor.keyPlain;
import static dev.linemap.layout.BucketDescriptor.metaPlain;

/**
 * Walking one bucket's chain: its home line, then at most {@code meta.count} overflow lines.
 *
 * <p>A position in a chain is a <em>location</em>: {@code (lineIndex + 1) << 2 | slot}, where
 * {@code lineIndex} is the overflow line's index and {@code -1} names the home line, so home slots
 * are locations 0..2. {@link #NOT_FOUND} is {@code -1}.
 *
 * <p>All loads here are plain (see {@code BucketDescriptor.keyPlain}). These walks are used in two
 * settings with one code path: inside a seqlock read section (the
 * words may be stale or in flux; the caller re-checks {@code ctrl} and discards the result, and
 * the walk itself never fails: a stale link yields {@link #NOT_FOUND} or a wrong location, never an
 * exception or an endless loop), and under the bucket's lock (the words are stable).
 */
final class Chains {

    /** No such location. */
    static final long NOT_FOUND = -1L;

    private Chains() {
    }

    /**
     * @param loc a location
     * @return whether it names a slot of the home line
     */
    static boolean isHome(final long loc) {
        return loc >= 0 && (loc >>> 2) == 0;
    }

    /**
     * @param loc a location
     * @return its overflow line index ({@code -1} for the home line)
     */
    static long lineIndex(final long loc) {
        return (loc >>> 2) - 1;
    }

    /**
     * @param loc a location
     * @return its slot
     */
    static int slot(final long loc) {
        return (int) (loc & 3);
    }

    /**
     * Finds {@code key} in the chain of the bucket at {@code (segment, line)} whose ctrl word is
     * {@code ctrl}.
     *
     * @return its location, or {@link #NOT_FOUND}
     */
    static long find(final Table table, final MemorySegment segment, final long line, final long ctrl, final long key) {
        // The home line: small enough to inline into the read path, which is all most lookups need.
        final int occupancy = CtrlWord.occupancy(ctrl);
        for (int s = 0; s < SLOTS; s++) {
            if ((occupancy & (1 << s)) != 0 && keyPlain(segment, line, s) == key) {
                return s;
            }
        }
        final long meta = metaPlain(segment, line);
        return MetaWord.count(meta) == 0 ? NOT_FOUND : findInOverflow(table, meta, key);
    }

    /** The overflow part of {@link #find}, out of line. */
    private static long findInOverflow(final Table table, final long meta, final long key) {
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return NOT_FOUND;   // stale link read in a racing read section
            }
            final long lineOffset = Table.overflowLine(link);
            final int lineOccupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            for (int s = 0; s < SLOTS; s++) {
                if ((lineOccupancy & (1 << s)) != 0 && keyPlain(lineSegment, lineOffset, s) == key) {
                    return (link + 1) << 2 | s;
                }
            }
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
        return NOT_FOUND;
    }

    /**
     * Finds the first free slot of the chain (home line first). Under the bucket's lock only.
     *
     * @return its location, or {@link #NOT_FOUND} if every line is full
     */
    static long findFree(final Table table, final MemorySegment segment, final long line, final long ctrl) {
        final int occupancy = CtrlWord.occupancy(ctrl);
        if (occupancy != CtrlWord.OCCUPANCY_MASK) {
            return Integer.numberOfTrailingZeros(~occupancy);
        }
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = table.overflowSegment(link);
            final long lineOffset = Table.overflowLine(link);
            final int lineOccupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            if (lineOccupancy != CtrlWord.OCCUPANCY_MASK) {
                return (link + 1) << 2 | Integer.numberOfTrailingZeros(~lineOccupancy);
            }
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
        return NOT_FOUND;
    }

    /**
     * @return the segment holding location {@code loc} (the home segment for home slots), or
     *         {@code null} for a stale overflow index
     */
    static MemorySegment segmentOf(final Table table, final MemorySegment home, final long loc) {
        return isHome(loc) ? home : table.overflowSegment(lineIndex(loc));
    }

    /**
     * @return the byte offset of the line holding location {@code loc}
     */
    static long lineOf(final long homeLine, final long loc) {
        return isHome(loc) ? homeLine : Table.overflowLine(lineIndex(loc));
    }

    /**
     * Plain load of the value at a location; in a read section a stale location reads as 0 (the
     * caller's re-check discards it).
     */
    static long valueAt(final Table table, final MemorySegment home, final long homeLine, final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L : BucketDescriptor.valuePlain(segment, lineOf(homeLine, loc), slot(loc));
    }

    /**
     * Plain load of the key at a location (see {@link #valueAt}).
     */
    static long keyAt(final Table table, final MemorySegment home, final long homeLine, final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L : BucketDescriptor.keyPlain(segment, lineOf(homeLine, loc), slot(loc));
    }

    /**
     * Iteration step: among the keys of the chain whose reversed hash {@code r} (under
     * {@code table}'s seed) lies in {@code [from, end)} (unsigned; {@code end == 0} means no upper
     * bound), the location of the one with the smallest {@code r}.
     *
     * @return that location, or {@link #NOT_FOUND}
     */
    static long minAtOrAfter(final Table table, final MemorySegment segment, final long line, final long ctrl,
                             final long from, final long end) {
        long best = NOT_FOUND;
        long bestRank = 0;
        MemorySegment lineSegment = segment;
        long lineOffset = line;
        int occupancy = CtrlWord.occupancy(ctrl);
        long loc = 0;   // location of slot 0 of the current line
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        int remaining = MetaWord.count(meta);
        for (;;) {
            for (int s = 0; s < SLOTS; s++) {
                if ((occupancy & (1 << s)) != 0) {
                    final long rank = Long.reverse(table.hash(keyPlain(lineSegment, lineOffset, s)));
                    if (Long.compareUnsigned(rank, from) >= 0
                            && (end == 0 || Long.compareUnsigned(rank, end) < 0)
                            && (best == NOT_FOUND || Long.compareUnsigned(rank, bestRank) < 0)) {
                        best = loc | s;
                        bestRank = rank;
                    }
                }
            }
            if (link == MetaWord.NONE || remaining-- == 0) {
                return best;
            }
            lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return best;   // stale link in a racing read section; the re-check fails
            }
            lineOffset = Table.overflowLine(link);
            loc = (link + 1) << 2;
            occupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
    }

    /**
     * Unlinks overflow line {@code index} from the chain of its home bucket and frees it. Under the
     * home bucket's lock only; readers walking the old chain fail their re-check.
     */
    static void unlinkAndFree(final Table table, final MemorySegment home, final long homeLine, final long index) {
        final long meta = metaPlain(home, homeLine);
        final long next = MetaWord.link(OverflowLineDescriptor.nextPlain(table.overflowSegment(index), Table.overflowLine(index)));
        final int count = MetaWord.count(meta) - 1;
        if (MetaWord.link(meta) == index) {
            BucketDescriptor.setMetaOpaque(home, homeLine, MetaWord.withCount(MetaWord.withLink(meta, next), count));
        } else {
            long prev = MetaWord.link(meta);
            for (;;) {
                final MemorySegment prevSegment = table.overflowSegment(prev);
                final long prevLine = Table.overflowLine(prev);
                final long prevNext = OverflowLineDescriptor.nextPlain(prevSegment, prevLine);
                if (MetaWord.link(prevNext) == index) {
                    OverflowLineDescriptor.setNextOpaque(prevSegment, prevLine, MetaWord.withLink(prevNext, next));
                    break;
                }
                prev = MetaWord.link(prevNext);
            }
            BucketDescriptor.setMetaOpaque(home, homeLine, MetaWord.withCount(meta, count));
        }
        table.freeLine(index);
    }
}
