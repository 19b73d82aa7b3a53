package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.MigrationKind;
import dev.linemap.MigrationListener;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code linemap demo-writer}, left out of the tool's overview: the child process of the demo's
 * persistence section ({@link PersistSection}), which kills it. Puts the keys 1, 2, 3, ... in order,
 * value {@link PersistSection#valueOf(long)}, into a {@code LongLongMap} kept in {@code --file},
 * background migration off (a growth advances only with the puts, so it lasts), and reports to
 * {@code --report}, one {@code write} system call per line on an unbuffered stream:
 * <ul>
 *   <li>{@code KEY} after the put of {@code KEY} returned: every key reported is complete;</li>
 *   <li>{@code M KIND FROM TO} when a migration starts (inside the put that starts it, so before
 *       that put's key), {@code E KIND FROM TO} when it completes.</li>
 * </ul>
 * A line written is in the file even if the process is killed the next instant. It stops after
 * {@code --keys} puts (closing the map), or when the process {@code --parent} is gone.
 * Single-threaded.
 */
final class DemoWriterCommand implements Command {

    /** Puts between two checks that the parent is still alive. */
    private static final long PARENT_CHECK = 1 << 14;

    @Override
    public String name() {
        return "demo-writer";
    }

    @Override
    public String summary() {
        return "the writer the demo's persistence section kills (started by the demo)";
    }

    @Override
    public String help() {
        return """
                usage: linemap demo-writer --file F --report R [--keys N] [--parent PID]

                Started by the demo in a child process, not meant to be typed. Puts keys 1, 2, 3, ... into a
                LongLongMap kept in file F (background migration off) and reports to R, one write per line:
                each key after its put returned, "M KIND FROM TO" when a migration starts and "E KIND FROM TO"
                when it completes. The demo kills it with SIGKILL in the middle of a growth.

                options:
                  --file F       the map file
                  --report R     the report file (appended to)
                  --keys N       stop after N puts and close the map (default 16,777,216)
                  --parent PID   stop when this process is gone (default: never)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of("file", "report", "keys", "parent");
    }

    @Override
    public boolean hidden() {
        return true;
    }

    @Override
    public void run(final Options options, final PrintStream out, final PrintStream err)
            throws UsageException, IOException {
        if (!options.has("file") || !options.has("report")) {
            throw new UsageException("demo-writer: --file and --report are required");
        }
        final Path file = Path.of(options.string("file", ""));
        final Path report = Path.of(options.string("report", ""));
        final long keys = options.number("keys", 1 << 24, 1, 1L << 30);
        final long parentPid = options.number("parent", 0, 0, Long.MAX_VALUE);
        final ProcessHandle parent = parentPid == 0 ? null : ProcessHandle.of(parentPid).orElse(null);
        if (parentPid != 0 && parent == null) {
            return;   // already gone
        }
        // Unbuffered: every write() below is one system call, in the file once it returns.
        try (OutputStream reports = new FileOutputStream(report.toFile(), true);
             LongLongMap map = LongLongMap.builder().persistTo(file).backgroundMigration(false)
                     .migrationListener(new Reporter(reports)).build()) {
            for (long key = 1; key <= keys; key++) {
                map.put(key, PersistSection.valueOf(key));
                write(reports, key + "\n");
                if (parent != null && key % PARENT_CHECK == 0 && !parent.isAlive()) {
                    return;
                }
            }
        }
    }

    private static void write(final OutputStream reports, final String line) throws IOException {
        reports.write(line.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reports migration starts and completions as lines of their own. */
    private record Reporter(OutputStream reports) implements MigrationListener {

        @Override
        public void migrationStarted(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
            line("M " + kind + " " + fromBuckets + " " + toBuckets + "\n");
        }

        @Override
        public void migrationCompleted(final MigrationKind kind, final long fromBuckets, final long toBuckets,
                                       final long nanos) {
            line("E " + kind + " " + fromBuckets + " " + toBuckets + "\n");
        }

        private void line(final String line) {
            try {
                write(reports, line);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
