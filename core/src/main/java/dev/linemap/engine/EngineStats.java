package dev.linemap.engine;

/**
 * The engine's counters at one moment; a map turns them into its public stats.
 *
 * @param size number of entries
 * @param bucketCount buckets of the current (newest) table
 * @param overflowLineCount overflow lines in use, in all live tables
 * @param offHeapBytes all native memory held, in bytes
 * @param migrating whether a migration, or the retirement after one, is in progress
 * @param evacuatedBuckets old-table buckets evacuated by the migration in progress
 * @param oldBucketCount buckets of the old table of the migration in progress
 * @param completedMigrations migrations completed (grows, shrinks, compactions and clears)
 */
public record EngineStats(
        long size,
        long bucketCount,
        long overflowLineCount,
        long offHeapBytes,
        boolean migrating,
        long evacuatedBuckets,
        long oldBucketCount,
        long completedMigrations) {
}
