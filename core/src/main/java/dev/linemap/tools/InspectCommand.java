package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.MapInspector;
import dev.linemap.MapReport;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/** {@code linemap inspect}: histograms, overflow, bytes per entry and migration state of a map. */
final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "occupancy and chain-length histograms (with the Poisson model), memory, migration state";
    }

    @Override
    public String help() {
        return """
                usage: linemap inspect [--seed S] [--entries N]
                       linemap inspect --file F

                Builds a map as explain does (fixed seed, keys 1..N put in order by one thread, background
                migration off), walks every bucket of every live table, each copied inside its seqlock read
                section, and prints: the live tables, native memory and bytes per entry, the migration in
                progress (cursor, watermark, buckets evacuated), and per table the histogram of entries per
                bucket and of overflow lines per bucket beside the Poisson model's prediction. Totals are
                checked against stats().

                With --file F, the same report for the LongLongMap kept in F (LongLongMap.builder().persistTo(F)),
                opened as a program opens it: a file whose last process died is recovered and a migration it
                left running finished before the walk; the map is closed again afterwards. Not while another
                process has the file open (the open says so); a LineMap's file is turned away.

                A program gets the same report from a live map with MapInspector.of(map).report().

                options:
                  --seed S      hash seed (default 42)
                  --entries N   keys 1..N to put (0 .. 10,000,000; default 1,000)
                  --file F      a LongLongMap file to open instead (not with --seed or --entries)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of("seed", "entries", "file");
    }

    @Override
    public void run(final Options options, final PrintStream out, final PrintStream err)
            throws UsageException, IOException {
        MapFile.rejectMixed(name(), options);
        if (!options.positional().isEmpty()) {
            throw new UsageException("inspect: unexpected argument '" + options.positional().getFirst() + "'");
        }
        if (options.has("file")) {
            final MapFile file = MapFile.of(name(), options);
            try (LongLongMap map = file.open()) {
                print(map, file.describe(), out, err);
            }
            return;
        }
        final long seed = options.number("seed", FilledMap.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        final long entries = options.number("entries", FilledMap.DEFAULT_ENTRIES, 0, FilledMap.MAX_ENTRIES);
        try (LongLongMap map = FilledMap.build(seed, entries, err)) {
            print(map, FilledMap.describe(seed, entries), out, err);
        }
    }

    private static void print(final LongLongMap map, final String description, final PrintStream out,
                              final PrintStream err) {
        final Progress progress = new Progress(err, "walking the buckets", 0);
        final MapReport report = MapInspector.of(map).report(progress::update);
        progress.done();
        out.print(InspectText.render(description, report, LayoutSource.DESCRIPTORS));
    }
}
