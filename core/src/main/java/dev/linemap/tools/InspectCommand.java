package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.MapInspector;
import dev.linemap.MapReport;

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

                Builds a map as explain does (fixed seed, keys 1..N put in order by one thread, background
                migration off), walks every bucket of every live table, each copied inside its seqlock read
                section, and prints: the live tables, native memory and bytes per entry, the migration in
                progress (cursor, watermark, buckets evacuated), and per table the histogram of entries per
                bucket and of overflow lines per bucket beside the Poisson model's prediction. Totals are
                checked against stats().

                A program gets the same report from a live map with MapInspector.of(map).report().

                options:
                  --seed S      hash seed (default 42)
                  --entries N   keys 1..N to put (0 .. 10,000,000; default 1,000)
                  --file F      a persisted map file (not available: persisted maps are not built yet)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of("seed", "entries", "file");
    }

    @Override
    public void run(final Options options, final PrintStream out, final PrintStream err) throws UsageException {
        FilledMap.rejectFile(name(), options);
        if (!options.positional().isEmpty()) {
            throw new UsageException("inspect: unexpected argument '" + options.positional().getFirst() + "'");
        }
        final long seed = options.number("seed", FilledMap.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        final long entries = options.number("entries", FilledMap.DEFAULT_ENTRIES, 0, FilledMap.MAX_ENTRIES);
        try (LongLongMap map = FilledMap.build(seed, entries, err)) {
            final Progress progress = new Progress(err, "walking the buckets", 0);
            final MapReport report = MapInspector.of(map).report(progress::update);
            progress.done();
            out.print(InspectText.render(FilledMap.describe(seed, entries), report, LayoutSource.DESCRIPTORS));
        }
    }
}
