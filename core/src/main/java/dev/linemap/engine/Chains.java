package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

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
    static long findFree(final BucketFormat format, final Table table, final MemorySegment bucketSegment,
                         final long line, final long ctrl) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final int full = format.fullOccupancy();
        final int occupancy = CtrlWord.occupancy(ctrl);
        if (occupancy != full) {
            return Integer.numberOfTrailingZeros(~occupancy);
        }
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = table.overflowSegment(link);
            final long lineOffset = table.overflowLine(link);
            final int lineOccupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            if (lineOccupancy != full) {
                return SlotLocation.overflow(link, Integer.numberOfTrailingZeros(~lineOccupancy));
            }
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
        return NOT_FOUND;
    }

    /**
     * Returns the segment holding location {@code loc} (the home segment for home slots), or {@code
     * null} for a stale overflow index.
     *
     * @return the segment holding location {@code loc} (the home segment for home slots), or
     *         {@code null} for a stale overflow index
     */
    static MemorySegment segmentOf(final Table table, final MemorySegment home, final long loc) {
        return SlotLocation.isHome(loc) ? home : table.overflowSegment(SlotLocation.lineIndex(loc));
    }

    /**
     * Returns the byte offset of the line holding location {@code loc}.
     *
     * @return the byte offset of the line holding location {@code loc}
     */
    static long lineOf(final Table table, final long homeLine, final long loc) {
        return SlotLocation.isHome(loc) ? homeLine : table.overflowLine(SlotLocation.lineIndex(loc));
    }

    /**
     * Plain load of the value at a location; in a read section a stale location reads as 0 (the
     * caller's re-check discards it).
     *
     * @param format the table's bucket format
     * @param table the bucket's table
     * @param home segment of the home line
     * @param homeLine byte offset of the home line
     * @param loc a location in the bucket's chain
     * @return the value word there
     */
    public static long valueAt(final BucketFormat format, final Table table, final MemorySegment home,
                               final long homeLine, final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L : format.valueWord(segment, lineOf(table, homeLine, loc), SlotLocation.slot(loc));
    }

    /**
     * Iteration step. Entries are ordered by rank {@code r = Long.reverse(hash)} (under
     * {@code table}'s seed), unsigned, and entries of equal rank (equal hashes) by their keys, in
     * the format's order ({@link BucketFormat#compareKeys}). Returns the location of the smallest
     * entry of the chain that lies after the cursor and below {@code end}: rank in
     * {@code [from, end)} ({@code end == 0} means no upper bound), and, if {@code after} is not
     * {@code null}, not at or below {@code (from, after)}.
     *
     * @param from the cursor's rank
     * @param after the key of the entry of rank {@code from} reported last, or {@code null} if none was
     * @param end the end of the bucket's rank range, exclusive; 0 for none
     * @return that location, or {@link #NOT_FOUND}
     */
    static long minAfter(final BucketFormat format, final Table table, final MemorySegment segment, final long line,
                         final long ctrl, final long from, final TieKey after, final long end) {
        long best = NOT_FOUND;
        long bestRank = 0;
        MemorySegment bestSegment = null;
        long bestLine = 0;
        MemorySegment lineSegment = segment;
        long lineOffset = line;
        int occupancy = CtrlWord.occupancy(ctrl);
        long lineIndex = -1;   // the home line
        final long meta = metaPlain(segment, line);
        long link = MetaWord.link(meta);
        int remaining = MetaWord.count(meta);
        final int slots = format.slots();
        for (;;) {
            for (int s = 0; s < slots; s++) {
                if ((occupancy & (1 << s)) == 0) {
                    continue;
                }
                final long rank = Long.reverse(format.slotHash(lineSegment, lineOffset, s, table.seed));
                final int vsFrom = Long.compareUnsigned(rank, from);
                if (vsFrom < 0 || end != 0 && Long.compareUnsigned(rank, end) >= 0) {
                    continue;
                }
                final int vsBest = best == NOT_FOUND ? -1 : Long.compareUnsigned(rank, bestRank);
                if (vsBest > 0) {
                    continue;
                }
                // Keys are compared only where ranks are equal: for variable-length entries each
                // comparison loads key bytes from entry memory, which almost no candidate needs.
                if (vsFrom == 0 && after != null && format.compareKey(table, lineSegment, lineOffset, s, after) <= 0) {
                    continue;   // reported already
                }
                if (vsBest == 0 && format.compareKeys(table, lineSegment, lineOffset, s, bestSegment, bestLine,
                        SlotLocation.slot(best)) >= 0) {
                    continue;
                }
                best = lineIndex < 0 ? SlotLocation.home(s) : SlotLocation.overflow(lineIndex, s);
                bestRank = rank;
                bestSegment = lineSegment;
                bestLine = lineOffset;
            }
            if (link == MetaWord.NONE || remaining-- == 0) {
                return best;
            }
            lineSegment = table.overflowSegment(link);
            if (lineSegment == null) {
                return best;   // stale link in a racing read section; the re-check fails
            }
            lineOffset = table.overflowLine(link);
            lineIndex = link;
            occupancy = CtrlWord.occupancy(OverflowLineDescriptor.occPlain(lineSegment, lineOffset));
            link = MetaWord.link(OverflowLineDescriptor.nextPlain(lineSegment, lineOffset));
        }
    }

    /**
     * Returns the rank ({@code Long.reverse} of the hash) of the key at {@code loc}, or 0 for a
     * stale location (in a read section; the re-check discards it).
     *
     * @return the rank ({@code Long.reverse} of the hash) of the key at {@code loc}, or 0 for a
     *         stale location (in a read section; the re-check discards it)
     */
    static long rankAt(final BucketFormat format, final Table table, final MemorySegment home, final long homeLine,
                       final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L
                : Long.reverse(format.slotHash(segment, lineOf(table, homeLine, loc), SlotLocation.slot(loc),
                        table.seed));
    }

    /**
     * Copies the key at {@code loc} into {@code into} ({@link BucketFormat#keepKey}).
     *
     * @return {@code false} for a stale location or a torn reference (in a read section; the
     *         re-check fails too)
     */
    static boolean keepKeyAt(final BucketFormat format, final Table table, final MemorySegment home,
                             final long homeLine, final long loc, final TieKey into) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment != null && format.keepKey(table, segment, lineOf(table, homeLine, loc), SlotLocation.slot(loc),
                into);
    }

    /**
     * Plain load of the key word at a location (see {@link #valueAt}).
     */
    static long keyAt(final BucketFormat format, final Table table, final MemorySegment home, final long homeLine,
                      final long loc) {
        final MemorySegment segment = segmentOf(table, home, loc);
        return segment == null ? 0L : format.keyWord(segment, lineOf(table, homeLine, loc), SlotLocation.slot(loc));
    }

    /**
     * Unlinks overflow line {@code index} from the chain of its home bucket and frees it. Under the
     * home bucket's lock only; readers walking the old chain fail their re-check.
     */
    static void unlinkAndFree(final Table table, final MemorySegment home, final long homeLine, final long index) {
        final long meta = metaPlain(home, homeLine);
        final long next = MetaWord.link(
                OverflowLineDescriptor.nextPlain(table.overflowSegment(index), table.overflowLine(index)));
        final int count = MetaWord.count(meta) - 1;
        // The line's occupancy (cleared by the caller) is stored before it leaves the chain, and the
        // link before the count: a process that dies in between leaves a chain a map file's recovery
        // reads right (an empty line still linked; a count one above the chain, which it corrects).
        VarHandle.storeStoreFence();
        if (MetaWord.link(meta) == index) {
            BucketDescriptor.setMetaOpaque(home, homeLine, MetaWord.withCount(MetaWord.withLink(meta, next), count));
        } else {
            long prev = MetaWord.link(meta);
            for (;;) {
                final MemorySegment prevSegment = table.overflowSegment(prev);
                final long prevLine = table.overflowLine(prev);
                final long prevNext = OverflowLineDescriptor.nextPlain(prevSegment, prevLine);
                if (MetaWord.link(prevNext) == index) {
                    OverflowLineDescriptor.setNextOpaque(prevSegment, prevLine, MetaWord.withLink(prevNext, next));
                    break;
                }
                prev = MetaWord.link(prevNext);
            }
            VarHandle.storeStoreFence();
            BucketDescriptor.setMetaOpaque(home, homeLine, MetaWord.withCount(meta, count));
        }
        table.freeLine(index);
    }
}
