package dev.linemap.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/** {@code linemap demo}: the README's demo ({@link Demo}), with the number of entries as an option. */
final class DemoCommand implements Command {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "the README's tour: load 10 million entries while a reader checks them, grow, shrink;"
                + " then a LineMap<String, String>, and a map file killed mid-growth";
    }

    @Override
    public String help() {
        return """
                usage: linemap demo [--entries N] [--strings N] [--crash-buckets B]

                Prints the bucket layout, loads N entries (default 10,000,000) into an empty map while a
                reader thread checks random loaded keys, reports every growth (how long it took, the longest
                put while it ran), measures gets and updates, then removes 90% of the entries and shows the
                map shrink and give its memory back. Then the same, shorter, for a LineMap<String, String>:
                N string keys loaded while a reader checks every value it reads (a wrong value fails the demo
                with status 1), its growths, 90% removed and the shrink, native bytes per entry against the
                payload. Last, a map kept in a file: a child JVM puts keys 1, 2, 3, ... into a persisted
                LongLongMap and is killed with SIGKILL a quarter of the way into its growth to B buckets; the
                file is reopened (the time of that build() is shown) and every key checked: a key missing,
                wrong or stray fails the demo with status 1. Progress lines are printed as it goes.

                options:
                  --entries N         entries to load (1 .. 100,000,000; default 10,000,000)
                  --strings N         string keys for the LineMap section (0 .. 10,000,000; default 1,000,000;
                                      0 skips it)
                  --crash-buckets B   the growth the file's writer dies in: to B buckets (a power of two,
                                      4,096 .. 4,194,304; default 524,288; 0 skips the section)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of("entries", "strings", "crash-buckets");
    }

    @Override
    public void run(final Options options, final PrintStream out, final PrintStream err)
            throws UsageException, IOException, InterruptedException {
        if (!options.positional().isEmpty()) {
            throw new UsageException("demo: unexpected argument '" + options.positional().getFirst() + "'");
        }
        final long entries = options.number("entries", 10_000_000, 1, 100_000_000);
        final long strings = options.number("strings", 1_000_000, 0, 10_000_000);
        final long crashBuckets = options.number("crash-buckets", Demo.CRASH_BUCKETS, 0, 1 << 22);
        if (crashBuckets != 0 && (crashBuckets < 1 << 12 || Long.bitCount(crashBuckets) != 1)) {
            throw new UsageException("demo: --crash-buckets " + crashBuckets + " is not 0 or a power of two from"
                    + " 4096 to 4194304");
        }
        final long wrong = Demo.run(entries, strings, crashBuckets, out);
        if (wrong != 0) {
            throw new IOException("the demo found " + wrong + " wrong or missing values (LineMap reader and map"
                    + " file)");
        }
    }
}
