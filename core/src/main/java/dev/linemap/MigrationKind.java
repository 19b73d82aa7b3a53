package dev.linemap;

/**
 * What a migration does to the table.
 */
public enum MigrationKind {
    /** Doubling: old bucket {@code i} splits into new buckets {@code i} and {@code i + oldN}. */
    GROW,
    /** Halving after mass removal: old {@code j} and {@code j + newN} merge into new {@code j}. */
    SHRINK,
    /** Same size: every bucket is rebuilt with its overflow chain compacted. */
    COMPACT,
    /** {@link LongLongMap#clear()}: old buckets are dropped into a fresh, small table. */
    CLEAR
}
