package dev.linemap.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * core {@code requires static jdk.jfr}: it must run where that module is absent (a jlinked image,
 * {@code --limit-modules}), through every path that emits events: migrations, retirements, close.
 * A child JVM whose module graph is limited to linemap's own modules runs {@code linemap inspect},
 * whose map grows through a migration per doubling. (With the guard in {@code JfrEvents} forced on, the child
 * dies of {@code NoClassDefFoundError: jdk/jfr/Event}.)
 */
class RunsWithoutJdkJfrTest {

    @Test
    void theEngineRunsWhenTheJfrModuleIsAbsent() throws IOException, InterruptedException {
        final String modulePath = System.getProperty("jdk.module.path");
        final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "--limit-modules", "dev.linemap",
                "--module", "dev.linemap/dev.linemap.tools.Linemap", "inspect", "--entries", "200000")
                .redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("stats().size()                    200,000   equal"), out);
    }
}
