/**
 * linemap: an off-heap concurrent {@code long -> long} hash map with 64-byte buckets, seqlock
 * reads and incremental growth. Start at {@link dev.linemap.LongLongMap#builder()}.
 *
 * <p>Depends on {@code java.base} and {@code dev.linemap.layout} only; uses no restricted method. It
 * emits JFR events when {@code jdk.jfr} is present (an optional, static dependency) and runs the same
 * without it.
 */
module dev.linemap {
    requires dev.linemap.layout;
    // JFR events (engine.JfrEvents): compiled against jdk.jfr, used only when it is present at run time.
    requires static jdk.jfr;

    exports dev.linemap;
}
