package dev.linemap;

import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.LineImage;
import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapImage.Role;

import java.util.List;

/**
 * The read path of one key, from {@link MapInspector#locate(long)}: the buckets a {@code get}
 * consults, in order, each copied inside its seqlock read section, and where the key was found.
 *
 * <p>Without a migration the path is one bucket of the current table. During a migration the key's
 * unit decides where the read starts: below the watermark, the new table; otherwise the old
 * bucket, which answers unless it is EVACUATED, in which case the read moves on to the new table.
 *
 * <p>Immutable and thread-safe.
 *
 * @param key the key
 * @param migration the migration in progress when the path was taken (its watermark read just
 *        before the routing), or {@code null}
 * @param unit the key's unit in that migration, or -1 without one
 * @param probes the buckets consulted, in order; the last one answers
 * @param found whether the key is mapped
 * @param value its value, or 0 if it is not mapped
 * @param line where it was found: an index into the last probe's {@link BucketImage#lines()}, or -1
 * @param slot the slot of that line, or -1
 */
public record KeyPath(long key, MigrationImage migration, long unit, List<Probe> probes, boolean found, long value,
                      int line, int slot) {

    /**
     * Copies the probe list.
     */
    public KeyPath {
        probes = List.copyOf(probes);
    }

    /**
     * Returns the bucket that answers: the last probe.
     *
     * @return the last probe
     */
    public Probe answer() {
        return probes.getLast();
    }

    /**
     * Returns the line where the key was found.
     *
     * @return the line, or {@code null} if the key is not mapped
     */
    public LineImage foundLine() {
        return found ? answer().bucket().lines().get(line) : null;
    }

    /**
     * One bucket the read consulted.
     *
     * @param role the table's role
     * @param log2 log2 of the table's bucket count; the hash's low {@code log2} bits pick the bucket
     * @param seed the table's seed
     * @param hash the key's 64-bit hash under that seed
     * @param index the bucket: {@code hash & (2^log2 - 1)}
     * @param bucket the bucket's chain, as the read section saw it
     */
    public record Probe(Role role, int log2, long seed, long hash, long index, BucketImage bucket) {
    }
}
