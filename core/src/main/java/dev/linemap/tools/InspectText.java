package dev.linemap.tools;

import dev.linemap.MapImage.MigrationImage;
import dev.linemap.MapReport;
import dev.linemap.MapReport.TableReport;
import dev.linemap.MapStats;
import dev.linemap.layout.LayoutField;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.layout.TableGeometry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * The text of {@code linemap inspect}, rendered from a {@link MapReport}: the live tables, memory,
 * the migration in progress, for each live table the histograms of entries and of overflow lines
 * per bucket beside what the Poisson model ({@link ChainModel}) predicts, and the totals checked
 * against {@code stats()}. Line sizes and slots per line come from the {@link LayoutSource}.
 */
final class InspectText {

    /** Widest histogram bar, in characters. */
    private static final int BAR = 40;

    /** A model row is printed while it predicts at least this many buckets. */
    private static final double VISIBLE = 0.5;

    private final LayoutSource layout;
    private final StringBuilder out = new StringBuilder();

    private InspectText(final LayoutSource layout) {
        this.layout = layout;
    }

    /**
     * Renders the report.
     *
     * @param mapDescription how the map was made
     * @param report the report
     * @param layout the descriptors
     * @return the text, ending with a newline
     */
    static String render(final String mapDescription, final MapReport report, final LayoutSource layout) {
        final InspectText text = new InspectText(layout);
        text.line("linemap inspect");
        text.line("map: %s", mapDescription);
        text.tables(report);
        text.memory(report);
        text.migration(report.migration(), report.stats());
        for (final TableReport table : report.tables()) {
            text.entries(table);
            text.chains(table);
        }
        text.totals(report);
        return text.out.toString();
    }

    private void tables(final MapReport report) {
        line("");
        line("tables");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"table", "buckets", "live buckets", "entries", "load", "overflow lines"});
        for (final TableReport t : report.tables()) {
            rows.add(new String[] {t.role().name().toLowerCase(Locale.ROOT), fmt("%,d", 1L << t.log2()),
                    fmt("%,d", t.liveBuckets()), fmt("%,d", t.entries()), fmt("%.2f", t.load()),
                    fmt("%,d", t.overflowLines())});
        }
        block(LayoutPrinter.columns(rows, new boolean[] {false, true, true, true, true, true}));
        line("  A live bucket answers for its keys now: during a migration an old bucket until it is");
        line("  EVACUATED, a new one once its unit is. A table grows above a load of %.1f (TableGeometry).",
                TableGeometry.DEFAULT_LOAD_PERMILLE / 1000.0);
    }

    private void memory(final MapReport report) {
        final MapStats stats = report.stats();
        line("");
        line("memory");
        line("  native memory    %,d bytes (stats().offHeapBytes(): bucket arrays and overflow areas%s)",
                stats.offHeapBytes(), report.migration() == null ? ""
                        : "; the new table's whole bucket array is reserved when a migration starts");
        line("  bytes per entry  %.1f, for a %d-byte entry in a %d-byte line of %d slots", report.bytesPerEntry(),
                entryBytes(), layout.lineBytes(), layout.slots());
        line("  overflow lines   %,d in use, %,d bytes", report.overflowLines(),
                report.overflowLines() * layout.lineBytes());
    }

    private void migration(final MigrationImage m, final MapStats stats) {
        line("");
        line("migration");
        if (m == null) {
            line("  none in progress; %,d completed since the map was built", stats.completedMigrations());
            return;
        }
        line("  %s from %,d to %,d buckets, %,d units", m.kind(), m.fromBuckets(), m.toBuckets(), m.units());
        line("  cursor     %,d  (units handed to evacuators)", m.cursor());
        line("  watermark  %,d  (every unit below it is evacuated)", m.watermark());
        line("  evacuated  %,d old buckets of %,d (%.1f%%)", m.evacuatedBuckets(), m.fromBuckets(),
                100.0 * m.evacuatedBuckets() / m.fromBuckets());
    }

    private void entries(final TableReport t) {
        line("");
        line("entries per bucket, %s table (%,d live buckets, load %.2f)", t.role().name().toLowerCase(Locale.ROOT),
                t.liveBuckets(), t.load());
        final List<Long> seen = t.entriesPerBucket();
        int rows = seen.size();
        while (ChainModel.bucketsWithEntries(t.load(), t.liveBuckets(), rows) >= VISIBLE) {
            rows++;
        }
        histogram("entries", seen, rows, n -> ChainModel.bucketsWithEntries(t.load(), t.liveBuckets(), n),
                fmt("Poisson(%.2f)", t.load()));
    }

    private void chains(final TableReport t) {
        line("");
        line("overflow lines per bucket (chain length), %s table", t.role().name().toLowerCase(Locale.ROOT));
        final List<Long> seen = t.overflowLinesPerBucket();
        final int slots = layout.slots();
        int rows = seen.size();
        while (ChainModel.bucketsWithLines(t.load(), t.liveBuckets(), slots, rows) >= VISIBLE) {
            rows++;
        }
        histogram("lines", seen, rows, k -> ChainModel.bucketsWithLines(t.load(), t.liveBuckets(), slots, k),
                "model");
        line("  model: a bucket of n entries needs ceil((n - %d) / %d) overflow lines (%d slots per line),", slots,
                slots, slots);
        line("  n ~ Poisson(load). More than predicted: colliding keys, or holes that removals left.");
    }

    private void totals(final MapReport report) {
        final MapStats stats = report.stats();
        line("");
        line("totals (walked bucket by bucket; equal to stats() when no write runs during the walk)");
        line("  entries         %,12d   stats().size()               %,12d   %s", report.entries(), stats.size(),
                report.entries() == stats.size() ? "equal" : "DIFFERENT");
        line("  overflow lines  %,12d   stats().overflowLineCount()  %,12d   %s", report.overflowLines(),
                stats.overflowLineCount(), report.overflowLines() == stats.overflowLineCount() ? "equal" : "DIFFERENT");
    }

    /** Rows {@code 0..rows-1}: the count seen, the model's prediction, a bar of the count. */
    private void histogram(final String unit, final List<Long> seen, final int rows,
                           final IntToDoubleFunction model, final String modelName) {
        long max = 1;
        for (final long count : seen) {
            max = Math.max(max, count);
        }
        final List<String[]> table = new ArrayList<>();
        table.add(new String[] {unit, "buckets", modelName, ""});
        for (int n = 0; n < rows; n++) {
            final long count = n < seen.size() ? seen.get(n) : 0;
            table.add(new String[] {Integer.toString(n), fmt("%,d", count), fmt("%.1f", model.applyAsDouble(n)),
                    "#".repeat((int) Math.round((double) BAR * count / max))});
        }
        block(LayoutPrinter.columns(table, new boolean[] {true, true, true, false}));
    }

    /** Bytes of one key and its value: the fields of slot 0 of the bucket layout. */
    private long entryBytes() {
        return LayoutPrinter.fields(layout.bucket()).stream().filter(f -> f.name().startsWith("slots[0]."))
                .mapToLong(LayoutField::size).sum();
    }

    private static String fmt(final String format, final Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private void block(final String text) {
        for (final String l : text.split("\n")) {
            line("  %s", l);
        }
    }

    private void line(final String format, final Object... args) {
        out.append(String.format(Locale.ROOT, format, args).stripTrailing()).append('\n');
    }
}
