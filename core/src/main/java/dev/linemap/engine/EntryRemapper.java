package dev.linemap.engine;

/**
 * The remapping step of a boxed {@code compute}, run under the bucket's lock.
 */
@FunctionalInterface
public interface EntryRemapper {

    /**
     * Returns {@code true} to store {@code result[0]}, {@code false} to remove (or stay absent).
     *
     * @param key the key
     * @param present whether the key is mapped
     * @param value its value if present
     * @param result where to put the new value ({@code result[0]})
     * @return {@code true} to store {@code result[0]}, {@code false} to remove (or stay absent)
     */
    boolean remap(long key, boolean present, long value, long[] result);
}
