package dev.linemap.tools;

import dev.linemap.KeyPath;
import dev.linemap.LongLongMap;
import dev.linemap.MapInspector;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/** {@code linemap explain KEY}: the whole path of one key through a map built with a fixed seed. */
final class ExplainCommand implements Command {

    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String summary() {
        return "the whole path of one key: hash, bucket bits, line, ctrl decoded, chain, migration, rank";
    }

    @Override
    public String help() {
        return """
                usage: linemap explain [--seed S] [--entries N] KEY
                       linemap explain --file F KEY

                Builds a map with a fixed seed, puts the keys 1..N in order from one thread (value = 10 x key,
                background migration off: only writes move a migration, so the layout is a function of S and N,
                and the last growth may still be half done), then shows the whole path of KEY as a get takes it:
                its hash and which bits pick the bucket, the bucket's line and address, its words and its ctrl
                and meta words decoded field by field, the chain line by line, during a migration which table
                answers and why (cursor, watermark, state), and the key's rank in iteration order. Every byte
                and bit range comes from the engine's descriptors; the words are copied inside the bucket's
                seqlock read section.

                With --file F, the same path through the LongLongMap kept in F (LongLongMap.builder()
                .persistTo(F)), opened as a program opens it: a file whose last process died is recovered and
                a migration it left running finished first; the map is closed again afterwards. Not while
                another process has the file open (the open says so); a LineMap's file is turned away.

                options:
                  --seed S      hash seed (default 42)
                  --entries N   keys 1..N to put first (0 .. 10,000,000; default 1,000)
                  --file F      a LongLongMap file to open instead (not with --seed or --entries)

                KEY is a whole number, for example 123, -5 or 0x7b.
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
        if (options.positional().size() != 1) {
            throw new UsageException("explain: expected one KEY, got " + (options.positional().isEmpty()
                    ? "none" : options.positional().size() + ": " + String.join(" ", options.positional())));
        }
        final long key = Options.parseLong("explain: KEY", options.positional().getFirst());
        if (options.has("file")) {
            final MapFile file = MapFile.of(name(), options);
            try (LongLongMap map = file.open()) {
                print(map, file.describe(), key, out, err);
            }
            return;
        }
        final long seed = options.number("seed", FilledMap.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
        final long entries = options.number("entries", FilledMap.DEFAULT_ENTRIES, 0, FilledMap.MAX_ENTRIES);
        try (LongLongMap map = FilledMap.build(seed, entries, err)) {
            print(map, FilledMap.describe(seed, entries), key, out, err);
        }
    }

    private static void print(final LongLongMap map, final String description, final long key,
                              final PrintStream out, final PrintStream err) {
        final KeyPath path = MapInspector.of(map).locate(key);
        out.print(ExplainText.render(description, path, map.stats(), before(map, key, err),
                LayoutSource.DESCRIPTORS));
    }

    /** How many entries the real iteration reports before {@code key}. */
    private static long before(final LongLongMap map, final long key, final PrintStream err) {
        final Progress progress = new Progress(err, "iterating to find the key's rank", map.size());
        final long[] count = {0, 0, 0};   // entries before the key, whether it was reached, entries seen
        map.forEach((k, v) -> {
            if (k == key) {
                count[1] = 1;
            } else if (count[1] == 0) {
                count[0]++;
            }
            if ((++count[2] & 0xFFFF) == 0) {
                progress.update(count[2]);
            }
        });
        progress.done();
        return count[0];
    }
}
