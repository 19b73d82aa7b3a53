package dev.linemap.tools;

import dev.linemap.LongLongMap;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The map {@code explain} and {@code inspect} look at: a fixed seed, keys {@code 1..entries} put in
 * order by one thread, value {@code 10 x key}, and background migration off, so that only the
 * writes move a migration and the layout (down to which migration is half done) is a function of
 * the seed and the number of entries. That is what makes the golden files possible, and what lets a
 * reader re-create any picture the tool prints.
 */
final class FilledMap {

    /** The seed when none is given. */
    static final long DEFAULT_SEED = 42;

    /** Entries when none are given. */
    static final long DEFAULT_ENTRIES = 1000;

    /** The largest fill the tools accept (about 330 MB of native memory). */
    static final long MAX_ENTRIES = 10_000_000;

    private FilledMap() {
    }

    /**
     * The value stored for a key.
     *
     * @param key a key
     * @return {@code 10 * key}
     */
    static long valueOf(final long key) {
        return 10 * key;
    }

    /**
     * Builds and fills the map, with progress lines if that takes more than a second.
     *
     * @param seed the hash seed
     * @param entries how many keys to put
     * @param err where progress lines go
     * @return the open map; the caller closes it
     */
    static LongLongMap build(final long seed, final long entries, final PrintStream err) {
        final LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build();
        final Progress progress = new Progress(err, "filling the map", entries);
        for (long key = 1; key <= entries; key++) {
            map.put(key, valueOf(key));
            if ((key & 0xFFF) == 0) {
                progress.update(key);
            }
        }
        progress.done();
        return map;
    }

    /**
     * One line saying how the map was made.
     *
     * @param seed the hash seed
     * @param entries how many keys were put
     * @return the description
     */
    static String describe(final long seed, final long entries) {
        return String.format(Locale.ROOT, "a LongLongMap with seed %d (0x%016x), keys 1..%,d put in order by one"
                + " thread (value = 10 x key), background migration off", seed, seed, entries);
    }
}
