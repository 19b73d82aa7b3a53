package dev.linemap.bench.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the benchmarks that failed in a JMH log. JMH, told not to stop on errors, just leaves a failed
 * benchmark out of its results; the log still holds its exception, which the report must show.
 */
final class JmhFailures {
    private static final int STACK_LINES = 8;

    private JmhFailures() {
    }

    /**
     * One failed benchmark.
     *
     * @param benchmark benchmark and parameters
     * @param message the exception and the top of its stack
     */
    record Failure(String benchmark, String message) {
    }

    static List<Failure> scan(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return List.of(new Failure("?", "cannot read JMH log " + log + ": " + e));
        }
        List<Failure> out = new ArrayList<>();
        String bench = "?";
        String params = "";
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("# Benchmark: ")) {
                bench = l.substring("# Benchmark: ".length()).replace("dev.linemap.bench.jmh.", "");
            } else if (l.startsWith("# Parameters: ")) {
                params = l.substring("# Parameters: ".length());
            } else if (l.contains("<failure>")) {
                StringBuilder msg = new StringBuilder();
                int taken = 0;
                for (int j = i + 1; j < lines.size() && taken < STACK_LINES; j++) {
                    if (!lines.get(j).isBlank()) {
                        msg.append(lines.get(j).strip()).append('\n');
                        taken++;
                    }
                }
                out.add(new Failure(bench + " " + params, msg.toString()));
            }
        }
        return out;
    }
}
