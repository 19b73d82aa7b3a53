package dev.linemap.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the {@code linemap} tool in-process and captures what it prints.
 *
 * @param status the exit status
 * @param out what it printed to its output stream
 * @param err what it printed to its error stream
 */
record Cli(int status, String out, String err) {

    /**
     * Runs {@code linemap args...}.
     *
     * @param args the command line after {@code linemap}
     * @return status and output
     */
    static Cli run(final String... args) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Linemap.run(args, o, e);
        }
        return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Returns the output with native addresses ({@code @0x...}, the one part that changes from run
     * to run) replaced by {@code @0x<address>}.
     *
     * @return the masked output
     */
    String outWithoutAddresses() {
        return out.replaceAll("@0x[0-9a-f]+", "@0x<address>");
    }
}
