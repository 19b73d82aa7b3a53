package dev.linemap;

/**
 * A snapshot of a map's shape and memory, from {@link LongLongMap#stats()}. Fields are read one by
 * one without a global lock, so under concurrent change they are individually accurate but need not
 * be mutually consistent; on a quiescent map they are exact.
 *
 * @param size number of entries
 * @param bucketCount buckets of the current (newest) table
 * @param overflowLineCount overflow lines in use, in all live tables
 * @param offHeapBytes all native memory the map holds (buckets and overflow areas, reserved
 *        capacity included), in bytes
 * @param growing whether a migration (grow, shrink, same-size compaction or clear) is in progress
 * @param evacuatedBuckets old-table buckets already evacuated by the migration in progress (0 if none)
 * @param oldBucketCount buckets of the old table of the migration in progress (0 if none)
 * @param completedMigrations migrations completed since the map was built: grows, shrinks,
 *        compactions and clears (each is one {@link MigrationKind})
 */
public record MapStats(
        long size,
        long bucketCount,
        long overflowLineCount,
        long offHeapBytes,
        boolean growing,
        long evacuatedBuckets,
        long oldBucketCount,
        long completedMigrations) {

    /**
     * Returns native bytes per entry, or {@code NaN} for an empty map.
     *
     * @return native bytes per entry, or {@code NaN} for an empty map
     */
    public double bytesPerEntry() {
        return size == 0 ? Double.NaN : (double) offHeapBytes / size;
    }
}
