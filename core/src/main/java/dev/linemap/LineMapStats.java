package dev.linemap;

/**
 * A snapshot of a {@link LineMap}'s shape and memory, from {@link LineMap#stats()}. Fields are read
 * one by one without a global lock: under concurrent change each is accurate on its own, on a
 * quiescent map they are exact.
 *
 * @param size number of entries
 * @param bucketCount buckets of the current (newest) table
 * @param overflowLineCount overflow lines in use, in all live tables
 * @param offHeapBytes all native memory the map holds (buckets, overflow areas, entry memory), in bytes
 * @param entryBytes bytes of entry records in use: headers, key and value bytes, padding to the
 *        block's size class
 * @param freeEntryBytes bytes of entry memory allocated but not in use (freed blocks waiting for
 *        reuse, chunk tails)
 * @param migrating whether a migration (grow, shrink, compaction or clear) is in progress
 * @param completedMigrations migrations completed since the map was built
 */
public record LineMapStats(
        long size,
        long bucketCount,
        long overflowLineCount,
        long offHeapBytes,
        long entryBytes,
        long freeEntryBytes,
        boolean migrating,
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
