/**
 * linemap: an off-heap concurrent {@code long -> long} hash map with 64-byte buckets, seqlock
 * reads and incremental growth. Start at {@link dev.linemap.LongLongMap#builder()}.
 *
 * <p>Depends on {@code java.base} and {@code dev.linemap.layout} only; uses no restricted method.
 */
module dev.linemap {
    requires dev.linemap.layout;

    exports dev.linemap;
}
