package dev.linemap.engine;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Which of the engine's two access paths this JVM runs, decided once at class initialisation and
 * held in {@code static final} fields, so the JIT folds every test of it away: one engine source,
 * two compiled shapes.
 *
 * <ul>
 *   <li><b>Fast</b>, when native access is enabled for linemap's module
 *       ({@code --enable-native-access=dev.linemap}, or {@code ALL-UNNAMED} on the class path) on
 *       Linux: every access goes through one constant segment, {@link #ALL}, covering the address
 *       space, at absolute addresses. The JIT sees the segment as a constant and drops the bounds,
 *       liveness and class checks it otherwise repeats after every acquire and fence
 *       ({@code shared/probes/ConstantSegmentProbe.java}: the same read section at 0.98x Agrona
 *       instead of 0.53x). Table memory comes from {@code mmap} ({@link MmapSource}).</li>
 *   <li><b>Checked</b>, otherwise: every access goes through the table's own segment, which the
 *       JDK checks, and table memory comes from shared arenas ({@link SharedArenaRegion}).</li>
 * </ul>
 *
 * <p>Neither mode prints anything: {@link Module#isNativeAccessEnabled()} is a plain query, and
 * the restricted methods ({@code reinterpret}, the {@code Linker}) are called only when it says
 * yes. The system property {@code linemap.access=checked} forces the checked path (for
 * comparisons and tests); it cannot force the fast one.
 */
public final class AccessMode {

    /** Whether the fast path runs. */
    public static final boolean FAST = decide();

    /**
     * The constant segment of the fast path: address 0, size {@code Long.MAX_VALUE}. In checked
     * mode it is {@link MemorySegment#NULL} and never used for an access.
     */
    public static final MemorySegment ALL = constantSegment();

    private AccessMode() {
    }

    /**
     * Returns {@link #ALL} in fast mode, where every table segment is {@code ALL}, else
     * {@code segment}: for a method that takes a line's segment as a parameter and may be compiled
     * on its own, where the JIT cannot see that parameter as the constant and so keeps every check
     * of the access (see {@code LongLongStore.storeValue}). The rule: every method of a read or
     * write path that takes a table segment and is too large to be inlined everywhere
     * ({@code LongLongStore.apply}, {@code EntryFormat.find}, {@code SlotWrites.insert}, ...)
     * starts with this. {@code EntryFormat.find}, compiled alone inside a {@code LineMap} get, kept
     * a class, bounds, alignment and liveness check on each home-line load until it did
     * ({@code docs/notes/fast-path.md}, "Chained keys: the cost found").
     *
     * @param segment a table segment
     * @return the same segment, as a constant in fast mode
     */
    public static MemorySegment constant(final MemorySegment segment) {
        return FAST ? ALL : segment;
    }

    // Restricted, and called only when native access is enabled for this module (FAST).
    @SuppressWarnings("restricted")
    private static MemorySegment constantSegment() {
        return FAST ? MemorySegment.NULL.reinterpret(Long.MAX_VALUE) : MemorySegment.NULL;
    }

    private static boolean decide() {
        if ("checked".equals(System.getProperty("linemap.access"))) {
            return false;
        }
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && AccessMode.class.getModule().isNativeAccessEnabled();
    }

    /**
     * Returns the name of the mode in force, for stats, tools and test reports.
     *
     * @return {@code "fast"} or {@code "checked"}
     */
    public static String name() {
        return FAST ? "fast" : "checked";
    }
}
