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
        List<String> flags = new ArrayList<>();
        flags.add("-Xms" + heap);
        flags.add("-Xmx" + heap);
        flags.add("-XX:+UseG1GC");
        flags.add("--enable-native-access=ALL-UNNAMED");
        // Agrona 2.x's UnsafeBuffer (ViewOps: the interop views of Agrona buffers).
        flags.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        flags.addAll(chronicle());
        return flags;
    }
}
