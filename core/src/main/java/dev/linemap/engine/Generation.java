package dev.linemap.engine;

/**
 * The descriptor readers and writers start from: the table new writes go to and, while one is in
 * progress, the migration that is emptying the previous table into it. Immutable; the engine swaps
 * whole descriptors with volatile stores (start and end of a migration, clear, close).
 *
 * @param table the current table; while migrating, the migration's target
 * @param migration the migration in progress, or {@code null}
 */
public record Generation(Table table, Migration migration) {
}
