package dev.linemap.bench.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one harness command of this jar in a fresh JVM (fresh heap, fresh JIT profile, the same flags as
 * the JMH forks), output to a log file.
 */
final class Child {
    private Child() {
    }

    /**
     * Runs {@code Main args} in a new JVM.
     *
     * @param heap -Xmx value
     * @param log output file
     * @param timeoutMinutes the child is killed after this
     * @param args command and options
     * @return null on success, otherwise what went wrong with the end of the log
     */
    static String run(String heap, Path log, int timeoutMinutes, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(JvmFlags.all(heap));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.linemap.bench.Main");
        cmd.addAll(args);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "timed out after " + timeoutMinutes + " min: " + String.join(" ", args);
            }
            if (p.exitValue() != 0) {
                return "exit " + p.exitValue() + ": " + String.join(" ", args) + "\n" + tail(log, 25);
            }
            System.out.print(tail(log, 3));
            return null;
        } catch (IOException e) {
            return "cannot start child JVM: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(no log: " + e + ")\n";
        }
    }
}
