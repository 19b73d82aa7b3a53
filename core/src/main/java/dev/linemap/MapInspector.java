package dev.linemap;

import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapImage.Role;
import dev.linemap.MapImage.TableImage;
import dev.linemap.engine.Generation;
import dev.linemap.engine.LongLongFormat;
import dev.linemap.engine.Migration;
import dev.linemap.engine.RetiredTableRace;
import dev.linemap.engine.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * A read-only view of a live map's memory, for people learning how it works and for operators when
 * something looks wrong: its buckets and chains ({@link #image()}), histograms and totals
 * ({@link #report()}) and the read path of one key ({@link #locate(long)}). The {@code linemap}
 * command-line tool ({@code explain}, {@code inspect}, {@code visualize}) is built on it.
 *
 * <pre>{@code
 * MapReport r = MapInspector.of(map).report();
 * r.entries() == map.stats().size();      // on a quiescent map
 * KeyPath p = MapInspector.of(map).locate(42L);
 * }</pre>
 *
 * <p>Read-only in the strict sense of the engine's readers: every bucket is copied inside its
 * seqlock read section, no lock is taken and no shared memory is written, so inspecting a map never
 * blocks or slows its writers (it costs them nothing but cache traffic). A table retired during a
 * walk makes the walk start over on the current tables.
 *
 * <p>Threading: any thread may call any method, concurrently with any use of the map. Each bucket
 * is seen in a state it really had; a whole walk is not atomic (see {@link MapImage}).
 */
public final class MapInspector {

    /** How often a walk reports progress, in buckets. */
    private static final long PROGRESS_EVERY = 1 << 16;

    private final LongLongMap map;

    private MapInspector(final LongLongMap map) {
        this.map = map;
    }

    /**
     * Returns an inspector of {@code map}. Cheap; holds no resource.
     *
     * @param map an open map
     * @return its inspector
     * @throws IllegalStateException if the map is closed
     */
    public static MapInspector of(final LongLongMap map) {
        map.ensureOpen();
        return new MapInspector(map);
    }

    /**
     * A picture of every bucket of every live table. Holds a copy of the whole table in memory: for
     * large maps prefer {@link #report()}.
     *
     * @return the picture
     * @throws IllegalStateException if the map is closed
     */
    public MapImage image() {
        return walk(ImageWalk::new, done -> { });
    }

    /**
     * Histograms and totals of every live table.
     *
     * @return the report
     * @throws IllegalStateException if the map is closed
     */
    public MapReport report() {
        return report(done -> { });
    }

    /**
     * Histograms and totals of every live table, telling a caller how far the walk is (a table of
     * millions of buckets takes seconds).
     *
     * @param bucketsWalked called every 65,536 buckets with the number walked so far (it starts over
     *        at 0 if a retirement makes the walk start over)
     * @return the report
     * @throws IllegalStateException if the map is closed
     */
    public MapReport report(final LongConsumer bucketsWalked) {
        return walk(MapReport.Tally::new, bucketsWalked);
    }

    /**
     * The read path of {@code key}, as a {@code get} takes it: the same routing
     * ({@code Migration.answering}, then EVACUATED sends the read on to the new table), each bucket
     * copied inside its read section.
     *
     * @param key any key
     * @return the buckets consulted and where the key is
     * @throws IllegalStateException if the map is closed
     */
    public KeyPath locate(final long key) {
        map.ensureOpen();
        final boolean interrupted = RetiredTableRace.interruptStatus();
        attempt:
        for (;;) {
            final Generation g = map.currentGeneration();
            final Migration m = g.migration();
            try {
                MigrationImage migration = null;
                long unit = -1;
                Table table = g.table();
                if (m != null) {
                    migration = migration(m);
                    final long oldBucket = m.from.bucket(LongLongFormat.hash(key, m.from.seed));
                    unit = m.unitOf(oldBucket);
                    table = m.answering(oldBucket);
                }
                final List<KeyPath.Probe> probes = new ArrayList<>();
                for (;;) {
                    final long hash = LongLongFormat.hash(key, table.seed);
                    final long index = table.bucket(hash);
                    final BucketImage bucket = ChainCopier.copy(LongLongFormat.FORMAT, table, index);
                    probes.add(new KeyPath.Probe(roleOf(m, table), table.log2, table.seed, hash, index, bucket));
                    if (!bucket.live()) {
                        if (m != null && table == m.from) {
                            table = m.to;   // the release of EVACUATED published the new bucket
                            continue;
                        }
                        continue attempt;   // a newer migration moved it: start over, as a read does
                    }
                    for (int l = 0; l < bucket.lines().size(); l++) {
                        final LineImage line = bucket.lines().get(l);
                        for (int s = 0; s < line.keys().size(); s++) {
                            if (line.isLive(s) && line.keys().get(s) == key) {
                                return new KeyPath(key, migration, unit, probes, true, line.values().get(s), l, s);
                            }
                        }
                    }
                    return new KeyPath(key, migration, unit, probes, false, 0L, -1, -1);
                }
            } catch (final IllegalStateException e) {
                map.afterRetired(e, interrupted);   // a table we read was retired: start over
            }
        }
    }

    // ==================================================================================== walks

    /** What a walk over every bucket of the live tables builds; a fresh one per attempt. */
    interface Walk<R> {
        /**
         * The buckets that follow belong to this table.
         *
         * @param role the table's role
         * @param log2 log2 of its bucket count
         * @param seed its seed
         */
        void table(Role role, int log2, long seed);

        /**
         * One bucket, in index order.
         *
         * @param bucket its image
         */
        void bucket(BucketImage bucket);

        /**
         * The walk is complete.
         *
         * @param migration the migration in progress, or {@code null}
         * @param stats the stats read before the walk
         * @return what the walk built
         */
        R finish(MigrationImage migration, MapStats stats);
    }

    private <R> R walk(final Supplier<Walk<R>> newWalk, final LongConsumer bucketsWalked) {
        map.ensureOpen();
        final boolean interrupted = RetiredTableRace.interruptStatus();
        for (;;) {
            final Walk<R> walk = newWalk.get();
            final MapStats stats = map.stats();
            final Generation g = map.currentGeneration();
            final Migration m = g.migration();
            try {
                if (m == null) {
                    visit(walk, Role.CURRENT, g.table(), null, 0, bucketsWalked);
                    return walk.finish(null, stats);
                }
                final MigrationImage migration = migration(m);
                final long walked = visit(walk, Role.OLD, m.from, null, 0, bucketsWalked);
                visit(walk, Role.NEW, m.to, m, walked, bucketsWalked);
                return walk.finish(migration, stats);
            } catch (final IllegalStateException e) {
                map.afterRetired(e, interrupted);   // the old table was retired under us
            }
        }
    }

    /**
     * Walks one table's buckets. {@code filling} is the migration that fills it, or {@code null}:
     * a bucket it has not filled yet is not read (see {@link BucketImage#lines()}).
     *
     * @return {@code walked} plus the buckets of this table
     */
    private static long visit(final Walk<?> walk, final Role role, final Table table, final Migration filling,
                              final long walked, final LongConsumer bucketsWalked) {
        walk.table(role, table.log2, table.seed);
        final boolean fillsBuckets = filling != null && filling.kind != Migration.CLEAR;
        for (long b = 0; b < table.bucketCount; b++) {
            if (table.bucketSegment(b) == null || fillsBuckets && !filling.isUnitEvacuated(filling.unitFilling(b))) {
                walk.bucket(ChainCopier.unfilled(table, b));
            } else {
                walk.bucket(ChainCopier.copy(LongLongFormat.FORMAT, table, b));
            }
            if (((walked + b + 1) % PROGRESS_EVERY) == 0) {
                bucketsWalked.accept(walked + b + 1);
            }
        }
        return walked + table.bucketCount;
    }

    private static Role roleOf(final Migration m, final Table table) {
        return m == null ? Role.CURRENT : table == m.from ? Role.OLD : Role.NEW;
    }

    private static MigrationImage migration(final Migration m) {
        return new MigrationImage(MigrationKind.values()[m.kind], m.from.bucketCount, m.to.bucketCount, m.units,
                m.cursor(), m.watermarkAcquire(), m.evacuatedBuckets.get());
    }

    /** Collects every bucket into a {@link MapImage}. */
    private static final class ImageWalk implements Walk<MapImage> {
        private final List<TableImage> tables = new ArrayList<>();
        private final List<BucketImage> buckets = new ArrayList<>();
        private Role role;
        private int log2;
        private long seed;

        @Override
        public void table(final Role tableRole, final int tableLog2, final long tableSeed) {
            closeTable();
            role = tableRole;
            log2 = tableLog2;
            seed = tableSeed;
        }

        @Override
        public void bucket(final BucketImage bucket) {
            buckets.add(bucket);
        }

        @Override
        public MapImage finish(final MigrationImage migration, final MapStats stats) {
            closeTable();
            return new MapImage(tables, migration, stats);
        }

        private void closeTable() {
            if (role != null) {
                tables.add(new TableImage(role, log2, seed, buckets));
                buckets.clear();
            }
        }
    }
}
