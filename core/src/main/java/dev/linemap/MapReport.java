package dev.linemap;

import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapImage.Role;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code linemap inspect} reports, from {@link MapInspector#report()}: per live table the
 * histograms of entries per bucket and of overflow lines per bucket, the overflow lines in use, and
 * the migration in progress; totals that equal {@link LongLongMap#stats()} on a quiescent map.
 *
 * <p>Built by walking every bucket the way {@link MapImage} is (each chain copied inside its seqlock
 * read section), without keeping the copies, so a large map costs time, not memory. Under concurrent
 * writes the histograms mix moments; on a quiescent map they are exact.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tables one per live table, in the order of {@link MapImage#tables()}
 * @param migration the migration in progress, or {@code null}
 * @param entries entries found in live buckets, all tables
 * @param overflowLines overflow lines chained to any bucket, all tables (an EVACUATED bucket's
 *        lines stay in use until its table is retired)
 * @param stats the map's stats, read just before the walk
 */
public record MapReport(List<TableReport> tables, MigrationImage migration, long entries, long overflowLines,
                        MapStats stats) {

    /**
     * Copies the table list.
     */
    public MapReport {
        tables = List.copyOf(tables);
    }

    /**
     * Returns native bytes per entry: {@link MapStats#offHeapBytes()} over {@link #entries()}.
     *
     * @return bytes per entry, or {@code NaN} for an empty map
     */
    public double bytesPerEntry() {
        return entries == 0 ? Double.NaN : (double) stats.offHeapBytes() / entries;
    }

    /**
     * One live table.
     *
     * @param role what it is to the map
     * @param log2 log2 of its bucket count
     * @param liveBuckets its buckets that answer for their keys now (all of them without a
     *        migration; see {@link BucketImage#live()})
     * @param entries entries in its live buckets
     * @param overflowLines overflow lines chained to any of its buckets
     * @param entriesPerBucket element {@code n}: live buckets whose chain holds {@code n} entries
     * @param overflowLinesPerBucket element {@code k}: live buckets with {@code k} overflow lines
     */
    public record TableReport(Role role, int log2, long liveBuckets, long entries, long overflowLines,
                              List<Long> entriesPerBucket, List<Long> overflowLinesPerBucket) {

        /**
         * Copies the histograms.
         */
        public TableReport {
            entriesPerBucket = List.copyOf(entriesPerBucket);
            overflowLinesPerBucket = List.copyOf(overflowLinesPerBucket);
        }

        /**
         * Returns the mean entries per live bucket, the {@code λ} of the Poisson model.
         *
         * @return entries over live buckets, or 0 if none is live
         */
        public double load() {
            return liveBuckets == 0 ? 0 : (double) entries / liveBuckets;
        }
    }

    /** Adds up a walk over every bucket; one per walk. */
    static final class Tally implements MapInspector.Walk<MapReport> {
        private final List<TableReport> done = new ArrayList<>();
        private Role role;
        private int log2;
        private long liveBuckets;
        private long entries;
        private long lines;
        private final List<Long> entriesPerBucket = new ArrayList<>();
        private final List<Long> linesPerBucket = new ArrayList<>();

        @Override
        public void table(final Role tableRole, final int tableLog2, final long seed) {
            closeTable();
            role = tableRole;
            log2 = tableLog2;
        }

        @Override
        public void bucket(final BucketImage bucket) {
            lines += bucket.overflowLines();
            if (bucket.live()) {
                liveBuckets++;
                entries += bucket.entries();
                count(entriesPerBucket, bucket.entries());
                count(linesPerBucket, bucket.overflowLines());
            }
        }

        @Override
        public MapReport finish(final MigrationImage migration, final MapStats stats) {
            closeTable();
            long allEntries = 0;
            long allLines = 0;
            for (final TableReport t : done) {
                allEntries += t.entries();
                allLines += t.overflowLines();
            }
            return new MapReport(done, migration, allEntries, allLines, stats);
        }

        private void closeTable() {
            if (role != null) {
                done.add(new TableReport(role, log2, liveBuckets, entries, lines, entriesPerBucket, linesPerBucket));
            }
            liveBuckets = 0;
            entries = 0;
            lines = 0;
            entriesPerBucket.clear();
            linesPerBucket.clear();
        }

        private static void count(final List<Long> histogram, final int value) {
            while (histogram.size() <= value) {
                histogram.add(0L);
            }
            histogram.set(value, histogram.get(value) + 1);
        }
    }
}
