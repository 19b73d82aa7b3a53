package dev.linemap;

/**
 * An action on one {@code long -> long} entry, called by {@link LongLongMap#forEach}. Primitive, so
 * iterating allocates nothing.
 */
@FunctionalInterface
public interface LongLongConsumer {

    /**
     * Receives one entry.
     *
     * @param key the entry's key
     * @param value the entry's value
     */
    void accept(long key, long value);
}
