package dev.linemap.bench.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Where and how the numbers were taken: machine, JDK, flags, date, command, library versions.
 *
 * @param date UTC time the profile started
 * @param profile quick or full
 * @param command how to reproduce
 * @param cpu CPU model
 * @param cores available processors
 * @param memory total memory
 * @param l3 last-level cache size of cpu0
 * @param jdk runtime version and VM
 * @param os kernel
 * @param clocksource timer behind System.nanoTime
 * @param transparentHugePages the THP mode (madvise: the JVM heap and malloc get 4 KiB pages)
 * @param jvmFlags flags of every JMH fork (the harness children: the same without the heap pre-touch)
 * @param gitCommit commit of the working tree, if known
 * @param versions library versions in the jar
 * @param loadAverage {@code /proc/loadavg} when the profile started (other work on the machine)
 */
public record Env(String date, String profile, String command, String cpu, int cores, String memory, String l3,
                  String jdk, String os, String clocksource, String transparentHugePages, List<String> jvmFlags,
                  String gitCommit, Map<String, String> versions, String loadAverage) {

    /**
     * Collects the environment now.
     *
     * @param profile profile name
     * @param heap child heap
     * @return the record
     */
    public static Env capture(String profile, String heap) {
        Map<String, String> versions = new LinkedHashMap<>();
        Properties p = versionProperties();
        for (String name : List.of("linemap", "jmh", "hdrhistogram", "agrona", "fastutil", "jctools-core",
                "chronicle-map")) {
            versions.put(name, p.getProperty(name, "?"));
        }
        return new Env(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), profile,
                "java -jar bench/target/linemap-bench.jar " + profile,
                grep("/proc/cpuinfo", "model name"), Runtime.getRuntime().availableProcessors(),
                grep("/proc/meminfo", "MemTotal"), read("/sys/devices/system/cpu/cpu0/cache/index3/size"),
                System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                read("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
                read("/sys/kernel/mm/transparent_hugepage/enabled"), JvmFlags.jmhFork(heap), git(), versions,
                currentLoadAverage());
    }

    /** The versions Maven wrote into the jar (resource filtering of {@code versions.properties}). */
    private static Properties versionProperties() {
        Properties p = new Properties();
        try (InputStream in = Env.class.getResourceAsStream("/dev/linemap/bench/versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // Versions then read "?": the report still renders.
        }
        return p;
    }

    /**
     * The 1, 5 and 15 minute load averages.
     *
     * @return for example {@code 1.02 0.87 0.55}
     */
    public static String currentLoadAverage() {
        String l = read("/proc/loadavg");
        String[] p = l.split("\\s+");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : l;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String grep(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "?";
        }
        return "?";
    }

    private static String git() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
