package dev.linemap.bench.run;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of every forked benchmark JVM and harness child. All maps run with the same flags, so
 * Chronicle Map's required module openings are given to every JVM, not only to Chronicle's.
 */
public final class JvmFlags {
    private JvmFlags() {
    }

    /**
     * Chronicle Map's module openings on JDK 17+, plus the analytics opt-out the project requires.
     *
     * @return the flags
     */
    public static List<String> chronicle() {
        return List.of(
                "-Dchronicle.analytics.disable=true",
                "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
                "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
                "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    }

    /**
     * All flags for a child JVM.
     *
     * @param heap the {@code -Xmx} value, for example {@code 8g}
     * @return the flags
     */
    public static List<String> all(String heap) {
        return all(heap, false);
    }

    /**
     * The flags of a JMH fork started by {@code jmh ...}: {@link #all(String)} with the heap
     * pre-touched. Without it G1 grows its young generation into pages the process has never
     * touched while the measurement runs, and every benchmark that allocates pays the first-touch
     * page faults in whichever iterations that happens: on these VMs (about 11 us per 4 KiB page)
     * a {@code LineMap} or Chronicle Map {@code get} returning a 180-byte {@code String} fell to
     * half its speed after 5 to 10 iterations, the faster map first ({@code benchmarks-linemap.md},
     * run 11). Pre-touching 8 GiB adds about 22 s to each fork's start.
     *
     * @param heap the {@code -Xmx} value, for example {@code 8g}
     * @return the flags
     */
    public static List<String> jmhFork(String heap) {
        return all(heap, true);
    }

    private static List<String> all(String heap, boolean preTouch) {
        List<String> flags = new ArrayList<>();
        flags.add("-Xms" + heap);
        flags.add("-Xmx" + heap);
        flags.add("-XX:+UseG1GC");
        if (preTouch) {
            flags.add("-XX:+AlwaysPreTouch");
        }
        flags.add("--enable-native-access=ALL-UNNAMED");
        // Agrona 2.x's UnsafeBuffer (ViewOps: the interop views of Agrona buffers).
        flags.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        flags.addAll(chronicle());
        return flags;
    }
}
