package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;

import static dev.linemap.layout.BucketDescriptor.SLOTS;
import static dev.linemap.layout.BucketDescriptor.keyPlain;
import static dev.linemap.layout.BucketDescriptor.metaPlain;

/**
 * Walking one bucket's chain: its home line, then at most {@code meta.count} overflow lines. The
 * shape-blind walks live here; the one that compares keys lives in the shape's format class
 * ({@link LongLongFormat#find}).
 *
 * <p>A position in a chain is a {@link SlotLocation}: line and slot in one {@code long}.
 *
 * <p>All loads here are plain (see {@code BucketDescriptor.keyPlain}). These walks are used in two
 * settings with one code path: inside a seqlock read section (the
 * words may be stale or in flux; the caller re-checks {@code ctrl} and discards the result, and
 * the walk itself never fails: a stale link yields {@link #NOT_FOUND} or a wrong location, never an
 * exception or an endless loop), and under the bucket's lock (the words are stable).
 */
public final class Chains {

    /** No such location. */
    public static final long NOT_FOUND = SlotLocation.NOT_FOUND;

    private Chains() {
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
                return SlotLocation.overflow(link, Integer.numberOfTrailingZeros(~lineOccupancy));
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
        return SlotLocation.isHome(loc) ? home : table.overflowSegment(SlotLocation.lineIndex(loc));
    }

    /**
     * @return the byte offset of the line holding location {@code loc}
     */
    static long lineOf(final long homeLine, final long loc) {
        return SlotLocation.isHome(loc) ? homeLine : Table.overflowLine(SlotLocation.lineIndex(loc));
    }

    /**
     * Plain load of the value at a location; in a read section a stale location reads as 0 (the
     * caller's re-check discards it).
     */
    public static long valueAt(final Table table, final MemorySegment home, final long homeLine, final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L : BucketDescriptor.valuePlain(segment, lineOf(homeLine, loc), SlotLocation.slot(loc));
    }

    /**
     * Iteration step: among the keys of the chain whose rank {@code r = Long.reverse(hash)} (under
     * {@code table}'s seed) lies in {@code [from, end)} (unsigned; {@code end == 0} means no upper
     * bound), the location of one with the smallest {@code r}. Several keys may share that rank
     * (equal hashes); {@link #collectRank} gathers them.
     *
     * @return that location, or {@link #NOT_FOUND}
     */
    static long minAtOrAfter(final BucketFormat format, final Table table, final MemorySegment segment,
                             final long line, final long ctrl, final long from, final long end) {
        long best = NOT_FOUND;
        long bestRank = 0;
        MemorySegment lineSegment = segment;
        long lineOffset = line;
        int occupancy = CtrlWord.occupancy(ctrl);
        long lineIndex = -1;   // the home line
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        int remaining = MetaWord.count(meta);
        for (;;) {
            for (int s = 0; s < SLOTS; s++) {
                if ((occupancy & (1 << s)) != 0) {
                    final long rank = Long.reverse(format.slotHash(lineSegment, lineOffset, s, table.seed));
                    if (Long.compareUnsigned(rank, from) >= 0
                            && (end == 0 || Long.compareUnsigned(rank, end) < 0)
                            && (best == NOT_FOUND || Long.compareUnsigned(rank, bestRank) < 0)) {
                        best = lineIndex < 0 ? SlotLocation.home(s) : SlotLocation.overflow(lineIndex, s);
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
            lineIndex = link;
            occupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
    }

    /**
     * @return the rank of the key at {@code loc}, or 0 for a stale location (in a read section;
     *         the re-check discards it)
     */
    static long rankAt(final BucketFormat format, final Table table, final MemorySegment home, final long homeLine,
                       final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L
                : Long.reverse(format.slotHash(segment, lineOf(homeLine, loc), SlotLocation.slot(loc), table.seed));
    }

    /**
     * Copies the key and value words of every slot of the chain whose key has rank {@code rank}
     * into {@code keys} and {@code values}, in chain order. Keys of equal hash always share a
     * bucket, in every table, so one read section sees all of them.
     *
     * @return how many there are; more than {@code keys.length} means the arrays were too small
     *         (only the first {@code keys.length} were copied)
     */
    static int collectRank(final BucketFormat format, final Table table, final MemorySegment segment, final long line,
                           final long ctrl, final long rank, final long[] keys, final long[] values) {
        int n = 0;
        MemorySegment lineSegment = segment;
        long lineOffset = line;
        int occupancy = CtrlWord.occupancy(ctrl);
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        int remaining = MetaWord.count(meta);
        for (;;) {
            for (int s = 0; s < SLOTS; s++) {
                if ((occupancy & (1 << s)) != 0
                        && Long.reverse(format.slotHash(lineSegment, lineOffset, s, table.seed)) == rank) {
                    if (n < keys.length) {
                        keys[n] = keyPlain(lineSegment, lineOffset, s);
                        values[n] = BucketDescriptor.valuePlain(lineSegment, lineOffset, s);
                    }
                    n++;
                }
            }
            if (link == MetaWord.NONE || remaining-- == 0) {
                return n;
            }
            lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return n;      // stale link in a racing read section; the re-check fails
            }
            lineOffset = Table.overflowLine(link);
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
