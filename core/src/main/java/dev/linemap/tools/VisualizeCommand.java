package dev.linemap.tools;

import dev.linemap.tools.GrowthRecorder.Recording;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** {@code linemap visualize}: records a real growth and writes a self-contained page replaying it. */
final class VisualizeCommand implements Command {

    @Override
    public String name() {
        return "visualize";
    }

    @Override
    public String summary() {
        return "record a real growth (a writer, readers) and write one HTML page that replays it";
    }

    @Override
    public String help() {
        return """
                usage: linemap visualize [--out FILE] [--seed S] [--buckets N] [--readers R]

                Records a real growth of a small map with a fixed seed: one writer puts keys 1, 2, 3, ...
                while R reader threads check random keys already put, until the table doubles from N to 2N
                buckets. After every write it copies every bucket (inside its seqlock read section) and one
                reader-style lookup. Background migration is off, so the writes alone move the migration.
                Then it writes one self-contained HTML page (no network, no external script) that replays
                it: buckets as cache lines with their slots, keys splitting from old i to new i and i + N,
                the cursor and the watermark advancing, a lookup consulting the old table or the new one,
                a timeline to step back and forth, and the ctrl word of the selected bucket decoded.

                options:
                  --out FILE    the page to write (default growth.html)
                  --seed S      hash seed (default 42)
                  --buckets N   buckets before the growth, a power of two in 2 .. 256 (default 64)
                  --readers R   reader threads, 0 .. 8 (default 2)
                """;
    }

    @Override
    public Set<String> options() {
        return Set.of("out", "seed", "buckets", "readers");
    }

    @Override
    public void run(final Options options, final PrintStream out, final PrintStream err)
            throws UsageException, IOException, InterruptedException {
        if (!options.positional().isEmpty()) {
            throw new UsageException("visualize: unexpected argument '" + options.positional().getFirst() + "'");
        }
        final Path file = Path.of(options.string("out", "growth.html"));
        final long seed = options.number("seed", FilledMap.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        final long buckets = options.number("buckets", 64, 2, 256);
        if (Long.bitCount(buckets) != 1) {
            throw new UsageException("visualize: --buckets " + buckets + " is not a power of two");
        }
        final int readers = (int) options.number("readers", 2, 0, 8);
        final Recording recording = GrowthRecorder.record(seed, buckets, readers, err);
        if (recording.readerWrong() != 0) {
            throw new IllegalStateException("readers saw " + recording.readerWrong() + " wrong values during the"
                    + " growth: that is a bug in linemap; please report it with the seed " + seed);
        }
        Files.writeString(file, GrowthPage.render(recording, LayoutSource.DESCRIPTORS), StandardCharsets.UTF_8);
        out.println(String.format(Locale.ROOT, "wrote %s (%,d bytes): %d steps of a growth from %d to %d buckets"
                        + " (seed %d, keys 1..%d); %d readers did %,d gets, %d wrong.", file, Files.size(file),
                recording.frames().size(), buckets, 2 * buckets, seed, recording.frames().getLast().key(), readers,
                recording.readerGets(), recording.readerWrong()));
        out.println("Open it in a browser; it loads nothing from the network.");
    }
}
