package dev.linemap.engine;

import dev.linemap.MigrationListener;

import java.nio.file.Path;

/**
 * What a map's builder hands the engine: validated already (the builders check every argument
 * and name the offending value).
 *
 * @param mapName the map's class name, for messages ("LongLongMap is closed; ...")
 * @param format what a slot holds, for migration and iteration
 * @param source where tables get their memory
 * @param initialCapacity expected entries; sets the smallest table
 * @param loadPermille the growth load, in entries per 1,000 buckets (TableGeometry's bounds)
 * @param seed a fixed hash seed, or {@code null} for a random one per table lineage
 * @param backgroundMigration whether a helper thread finishes migrations that writers started
 * @param maxOffHeapBytes the memory limit, {@code Long.MAX_VALUE} for none
 * @param listener migration observer, or {@code null}
 * @param file the map file ({@code persistTo}), or {@code null} for memory only; with a file,
 *        {@code source} is not used
 * @param keyCodec the key codec's id, recorded in the file ("" for {@code long} keys)
 * @param valueCodec the value codec's id, likewise
 */
public record EngineConfig(
        String mapName,
        BucketFormat format,
        MemorySource source,
        long initialCapacity,
        int loadPermille,
        Long seed,
        boolean backgroundMigration,
        long maxOffHeapBytes,
        MigrationListener listener,
        Path file,
        String keyCodec,
        String valueCodec) {
}
