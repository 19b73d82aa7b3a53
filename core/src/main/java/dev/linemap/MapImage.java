package dev.linemap;

import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;

import java.util.List;

/**
 * A picture of a map's memory, from {@link MapInspector#image()}: every bucket of every live table
 * with the words of its chain (home line and overflow lines), and the migration in progress.
 *
 * <p>Each bucket's chain is copied inside that bucket's seqlock read section, so it is a state the
 * bucket really had; the picture as a whole is taken bucket by bucket, so under concurrent writes
 * two buckets may come from different moments. On a quiescent map it is exact.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tables the live tables: one {@link Role#CURRENT} table, or, during a migration, the
 *        {@link Role#OLD} table being emptied and the {@link Role#NEW} one being filled, in that order
 * @param migration the migration in progress, or {@code null}
 * @param stats the map's stats, read just before the buckets
 */
public record MapImage(List<TableImage> tables, MigrationImage migration, MapStats stats) {

    /**
     * Copies the table list.
     */
    public MapImage {
        tables = List.copyOf(tables);
    }

    /** What a table is to the map at the moment of the picture. */
    public enum Role {
        /** The only table: no migration is running. */
        CURRENT,
        /** The table a migration is emptying; retired when the migration completes. */
        OLD,
        /** The table a migration is filling; current once it completes. */
        NEW
    }

    /**
     * One table.
     *
     * @param role what it is to the map
     * @param log2 log2 of its bucket count
     * @param seed its hash seed
     * @param buckets every bucket, by index
     */
    public record TableImage(Role role, int log2, long seed, List<BucketImage> buckets) {

        /**
         * Copies the bucket list.
         */
        public TableImage {
            buckets = List.copyOf(buckets);
        }

        /**
         * Returns its number of buckets.
         *
         * @return {@code 2^log2}
         */
        public long bucketCount() {
            return 1L << log2;
        }
    }

    /**
     * One bucket and its chain.
     *
     * @param index the bucket's index in its table
     * @param address native address of the bucket's line, or 0 if its table has no memory for it
     *        yet (a migration allocates the new table's chunks just before the evacuations that fill
     *        them)
     * @param live whether this bucket answers for its keys now: an old bucket until it is EVACUATED,
     *        a new one once the unit that fills it is evacuated (never both: the release store of
     *        EVACUATED is the moment the answer moves)
     * @param lines the home line, then its overflow lines in chain order; empty for a bucket of the
     *        new table that its unit has not filled yet (its memory is not read: an evacuation may be
     *        filling it with plain stores that only the EVACUATED store publishes)
     */
    public record BucketImage(long index, long address, boolean live, List<LineImage> lines) {

        /**
         * Copies the line list.
         */
        public BucketImage {
            lines = List.copyOf(lines);
        }

        /**
         * Returns the bucket's {@code ctrl} word (0 if its lines were not read).
         *
         * @return the ctrl word
         */
        public long ctrl() {
            return lines.isEmpty() ? 0L : lines.getFirst().header();
        }

        /**
         * Returns the bucket's {@code meta} word (0 if its lines were not read).
         *
         * @return the meta word
         */
        public long meta() {
            return lines.isEmpty() ? 0L : lines.getFirst().link();
        }

        /**
         * Returns the state field of {@link #ctrl()}.
         *
         * @return {@link CtrlWord#NORMAL}, {@link CtrlWord#EVACUATING} or {@link CtrlWord#EVACUATED}
         */
        public int state() {
            return CtrlWord.state(ctrl());
        }

        /**
         * Returns the entries this bucket answers for: the live slots of its chain, or 0 if it is not
         * {@link #live()} (an EVACUATED bucket's overflow lines keep their old occupancy bits until
         * the table is retired; those entries live in the new table).
         *
         * @return the number of entries
         */
        public int entries() {
            if (!live) {
                return 0;
            }
            int n = 0;
            for (final LineImage line : lines) {
                n += Integer.bitCount(line.occupancy());
            }
            return n;
        }

        /**
         * Returns the overflow lines its chain holds (live or not: they are in use until the table
         * is retired).
         *
         * @return the number of overflow lines
         */
        public int overflowLines() {
            return Math.max(0, lines.size() - 1);
        }
    }

    /**
     * The words of one line (a cache line): a bucket's home line or one of its overflow lines. The names
     * are those of {@code BucketDescriptor} and {@code OverflowLineDescriptor}.
     *
     * @param index {@link #HOME} for the home line, else the overflow line's index in the table's
     *        overflow area
     * @param address native address of the line
     * @param header the first word: the bucket's {@code ctrl}, or an overflow line's {@code occ}
     * @param link the second word: the bucket's {@code meta}, or an overflow line's {@code next}
     * @param keys the key word of every slot, live or not
     * @param values the value word of every slot, live or not
     */
    public record LineImage(long index, long address, long header, long link, List<Long> keys, List<Long> values) {

        /** The {@link #index()} of a home line. */
        public static final long HOME = -1;

        /**
         * Copies the slot lists.
         */
        public LineImage {
            keys = List.copyOf(keys);
            values = List.copyOf(values);
        }

        /**
         * Returns the occupancy bits of {@link #header()}: bit {@code i} set = slot {@code i} is live.
         *
         * @return the occupancy bits
         */
        public int occupancy() {
            return CtrlWord.occupancy(header);
        }

        /**
         * Returns whether a slot holds a live entry.
         *
         * @param slot a slot index
         * @return whether its occupancy bit is set
         */
        public boolean isLive(final int slot) {
            return (occupancy() & (1 << slot)) != 0;
        }

        /**
         * Returns the overflow line the second word links to.
         *
         * @return a line index, or {@link MetaWord#NONE}
         */
        public long linked() {
            return MetaWord.link(link);
        }
    }

    /**
     * A migration in progress.
     *
     * @param kind what it does
     * @param fromBuckets buckets of the old table
     * @param toBuckets buckets of the new table
     * @param units how many units it is cut into (a unit is one old bucket, or for a shrink the
     *        new bucket two old ones merge into)
     * @param cursor units handed out to evacuators so far (may run past {@code units})
     * @param watermark every unit below it is evacuated; readers of those units go straight to the
     *        new table
     * @param evacuatedBuckets old buckets evacuated so far
     */
    public record MigrationImage(MigrationKind kind, long fromBuckets, long toBuckets, long units, long cursor,
                                 long watermark, long evacuatedBuckets) {
    }
}
