package dev.linemap;

import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.engine.AccessMode;
import dev.linemap.engine.BucketFormat;
import dev.linemap.engine.Seqlock;
import dev.linemap.engine.Table;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies one bucket's chain (home line, then its overflow lines) inside the bucket's seqlock read
 * section, the way every reader of the engine reads: open with {@link Seqlock#awaitUnlocked}, plain
 * loads through the descriptors' accessors, close with {@link Seqlock#validate}, and start over if
 * a writer got in. So a copy is a state the bucket really had, and the inspector, like any reader,
 * writes no shared memory and takes no lock: looking at a map cannot slow its writers down.
 *
 * <p>The walk follows the engine's rule for racing readers: at most {@code meta.count} links, and a
 * stale link outside the overflow area ends the walk (the re-check then fails and the copy is
 * taken again). Stateless; any thread.
 */
final class ChainCopier {

    private ChainCopier() {
    }

    /**
     * Copies bucket {@code bucket} of {@code table}.
     *
     * @param format the map's bucket format (how many slots a line has, where their words lie)
     * @param table a table whose memory holds the bucket (its chunk is allocated)
     * @param bucket the bucket's index
     * @return the bucket's image, live unless EVACUATED (a bucket of a new table is read only once
     *         its unit filled it, and it is EVACUATED only if a later migration emptied it)
     * @throws IllegalStateException if the table was retired (or the map closed) during the copy
     */
    static BucketImage copy(final BucketFormat format, final Table table, final long bucket) {
        final MemorySegment segment = table.bucketSegment(bucket);
        final long line = table.bucketLine(bucket);
        for (;;) {
            final long ctrl = Seqlock.awaitUnlocked(segment, line);
            final long meta = BucketDescriptor.metaPlain(segment, line);
            final List<LineImage> lines = new ArrayList<>();
            lines.add(line(format, LineImage.HOME, segment, line, ctrl, meta));
            long link = MetaWord.link(meta);
            for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
                final MemorySegment lineSegment = table.overflowSegment(link);
                if (lineSegment == null) {
                    break;   // a stale link read while a writer changed the chain: the re-check fails
                }
                final long lineOffset = table.overflowLine(link);
                final long next = OverflowLineDescriptor.nextPlain(lineSegment, lineOffset);
                lines.add(line(format, link, lineSegment, lineOffset,
                        OverflowLineDescriptor.occPlain(lineSegment, lineOffset), next));
                link = MetaWord.link(next);
            }
            if (Seqlock.validate(segment, line, ctrl)) {
                if (AccessMode.FAST && table.isRetired()) {
                    // Fast mode: a retired table reads as zeros (checked mode throws on the access).
                    throw new IllegalStateException("table retired during the copy");
                }
                return new BucketImage(bucket, segment.address() + line, !Seqlock.isMoved(ctrl), lines);
            }
        }
    }

    /**
     * The image of a bucket whose lines are not read: a bucket of a migration's new table that its
     * unit has not filled yet.
     *
     * @param table the new table
     * @param bucket the bucket's index
     * @return an image with no lines, not live, with the bucket's address if its chunk exists
     */
    static BucketImage unfilled(final Table table, final long bucket) {
        final MemorySegment segment = table.bucketSegment(bucket);
        return new BucketImage(bucket, segment == null ? 0L : segment.address() + table.bucketLine(bucket), false,
                List.of());
    }

    /** One line's words; inside the caller's read section, so plain loads. */
    private static LineImage line(final BucketFormat format, final long index, final MemorySegment segment,
                                  final long line, final long header, final long link) {
        final List<Long> keys = new ArrayList<>(format.slots());
        final List<Long> values = new ArrayList<>(format.slots());
        for (int s = 0; s < format.slots(); s++) {
            keys.add(format.keyWord(segment, line, s));
            values.add(format.valueWord(segment, line, s));
        }
        return new LineImage(index, segment.address() + line, header, link, keys, values);
    }
}
