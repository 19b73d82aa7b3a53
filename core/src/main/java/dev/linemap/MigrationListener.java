package dev.linemap;

/**
 * Observes the migrations of one map (for monitoring, the demo and teaching). Register with
 * {@link LongLongMapBuilder#migrationListener(MigrationListener)}.
 *
 * <p>Called synchronously by whichever thread starts or completes a migration: a writer or the
 * helper thread. Keep it short and do not call the map from it. An exception it throws is
 * ignored: the operation that triggered it has already succeeded.
 *
 * <p>A {@code clear()} that finds a grow, shrink or compaction in progress abandons it: that
 * migration gets no {@link #migrationCompleted} call, and the clear's own pair of calls follows.
 */
public interface MigrationListener {

    /**
     * A migration has been published; its target table has no memory yet.
     *
     * @param kind what it does
     * @param fromBuckets buckets of the old table
     * @param toBuckets buckets of the new table
     */
    default void migrationStarted(MigrationKind kind, long fromBuckets, long toBuckets) {
    }

    /**
     * The last old bucket is evacuated and the old table's memory is returned.
     *
     * @param kind what it did
     * @param fromBuckets buckets of the old table
     * @param toBuckets buckets of the new table
     * @param nanos time from start to completion
     */
    default void migrationCompleted(MigrationKind kind, long fromBuckets, long toBuckets, long nanos) {
    }
}
