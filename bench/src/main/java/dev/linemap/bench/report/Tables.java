package dev.linemap.bench.report;

import static dev.linemap.bench.report.Report.BASE;
import static dev.linemap.bench.report.Report.d;
import static dev.linemap.bench.report.Report.f;
import static dev.linemap.bench.report.Report.l;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.linemap.bench.maps.MapKind;
import java.util.List;

/** The markdown tables of the report; every row carries its ratio to ConcurrentHashMap. */
final class Tables {
    private static final long M16 = 16_777_216L;

    private Tables() {
    }

    static void environment(StringBuilder sb, Results r) {
        sb.append("| | |\n|---|---|\n");
        row(sb, "profile", "`" + r.env("profile") + "`");
        row(sb, "date (UTC)", r.env("date"));
        row(sb, "command", "`" + r.env("command") + "`");
        row(sb, "machine", r.env("cpu") + ", " + r.env("cores") + " cores (`nproc`), LLC " + r.env("l3") + ", "
                + r.env("memory") + " RAM; shared VM (the load average below says how busy it was)");
        row(sb, "JDK", r.env("jdk"));
        row(sb, "OS", r.env("os") + "; clocksource " + r.env("clocksource") + "; THP " + r.env("transparentHugePages"));
        row(sb, "JVM flags (JMH forks; harness children the same without -XX:+AlwaysPreTouch)",
                "`" + String.join(" ", strings(r.env.get("jvmFlags"))) + "`");
        row(sb, "library versions", String.join(", ", versions(r)));
        row(sb, "commit", r.env("gitCommit"));
        row(sb, "duration", r.run("seconds") + " s (steps: " + r.run("steps") + ")");
        row(sb, "load average (1/5/15 min)", "at start " + r.env("loadAverage")
                + ", at end " + r.run("loadAverageAtEnd")
                + " (anything above ~0.1 is other work competing for the 2 cores)");
        sb.append("\nTimings on a shared 2-core VM are noisy: read the ratios (measured in the same run) rather "
                + "than the absolute numbers.\n\n");
        if (!String.join(" ", strings(r.env.get("jvmFlags"))).contains("-XX:+AlwaysPreTouch")) {
            // Results from before the forks pre-touched their heap (JvmFlags.jmhFork).
            sb.append("**These forks did not pre-touch their heap.** A map that allocates per operation "
                    + "(`ConcurrentHashMap`, Chronicle Map) was measured partly while G1 grew its young generation "
                    + "into untouched pages, and paid the page faults: `ConcurrentHashMap`'s 1K get ran at 57 "
                    + "ops/us without and 183 with `-XX:+AlwaysPreTouch` in one check (2026-12-01). Its ratios "
                    + "here favour linemap.\n\n");
        }
        // The other maps' numbers are written by hand from their own harnesses; this page is
        // where a reader looks first, so it names them.
        sb.append("This page covers `LongLongMap`. `LineMap<K, V>` (strings and bytes against Chronicle Map and "
                + "`ConcurrentHashMap`) is in [`benchmarks-linemap.md`](benchmarks-linemap.md); maps in a file "
                + "and reopening them are in [`benchmarks-persistence.md`](benchmarks-persistence.md).\n\n");
    }

    static void headline(StringBuilder sb, Results r) {
        List<MapKind> peers = List.of(MapKind.values()).stream().filter(k -> k != MapKind.LINEMAP).toList();
        sb.append("## Headline: linemap ÷ each peer\n\n");
        sb.append("Throughput rows: above 1 means linemap is faster. Latency and bytes rows: below 1 means linemap "
                + "is better. A dash means the peer was not measured in that row.\n\n| metric |");
        peers.forEach(p -> sb.append(' ').append(p.label()).append(" |"));
        sb.append("\n|---|");
        peers.forEach(p -> sb.append("---|"));
        sb.append('\n');
        for (long size : r.sizes("getHit")) {
            ratioRow(sb, "get hit, " + size(size) + " (throughput)", peers, p -> score(r, "getHit", p, size));
        }
        long putSize = r.sizes("put").isEmpty() ? M16 : r.sizes("put").getLast();
        ratioRow(sb, "put existing key, " + size(putSize) + " (throughput)", peers, p -> score(r, "put", p, putSize));
        ratioRow(sb, "growth to " + latN(r) + ": max put latency", peers, p -> lat(r, p, "writer.max"));
        ratioRow(sb, "growth to " + latN(r) + ": p99.99 put latency", peers, p -> lat(r, p, "writer.p9999"));
        for (long n : new long[] {1_000_000L, M16}) {
            ratioRow(sb, "bytes per entry, " + size(n), peers, p -> bpe(r, p, n));
        }
        for (String[] b : new String[][] {{"getHit", "get hit"}, {"put", "put"}, {"addAndGet", "addAndGet"},
            {"removeReinsert", "remove + re-insert"}}) {
            long s = r.sizes(b[0]).isEmpty() ? M16 : r.sizes(b[0]).getLast();
            sb.append("| bytes allocated per op, ").append(b[1]).append(", ").append(size(s))
                    .append(" (linemap vs peer) |");
            for (MapKind p : peers) {
                double a = alloc(r, b[0], MapKind.LINEMAP, s);
                double c = alloc(r, b[0], p, s);
                sb.append(Double.isNaN(a) || Double.isNaN(c) ? " – |" : f(" %s vs %s |", bytes(a), bytes(c)));
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    static void jmh(StringBuilder sb, Results r, String bench, String title) {
        List<Long> sizes = r.sizes(bench);
        if (sizes.isEmpty()) {
            return;
        }
        sb.append("### ").append(title).append("\n\n| map |");
        sizes.forEach(s -> sb.append(" ").append(size(s)).append(" ops/µs | vs CHM | B/op |"));
        sb.append("\n|---|");
        sizes.forEach(s -> sb.append("---:|---:|---:|"));
        sb.append('\n');
        for (MapKind k : r.impls(bench)) {
            sb.append("| ").append(k.label()).append(" |");
            for (long s : sizes) {
                Results.Jmh j = r.find(bench, k, s);
                Results.Jmh base = r.find(bench, BASE, s);
                if (j == null) {
                    sb.append(" – | – | – |");
                    continue;
                }
                sb.append(f(" %.2f%s | %s | %s |", j.score(), Double.isNaN(j.error()) ? "" : f(" ± %.2f", j.error()),
                        base == null ? "–" : ratio(j.score() / base.score()), bytes(j.allocNorm())));
            }
            sb.append('\n');
        }
        sb.append('\n');
    }

    static void growthFill(StringBuilder sb, Results r) {
        List<Long> sizes = r.sizes("fill");
        if (sizes.isEmpty()) {
            return;
        }
        long n = sizes.getLast();
        sb.append("### Insert from empty to ").append(size(n)).append(" entries, growth included\n\n");
        sb.append("Single-shot: one whole fill per iteration into a fresh map (lower is better). *vs CHM* = "
                + "CHM's time ÷ this map's time (above 1 = faster). Chronicle Map is created for all "
                + size(n) + " entries up front (it cannot grow), so its fill includes no growth.\n\n");
        sb.append("| map | ms per fill | ns per insert | vs CHM | B per insert |\n|---|---:|---:|---:|---:|\n");
        Results.Jmh base = r.find("fill", BASE, n);
        for (MapKind k : r.impls("fill")) {
            Results.Jmh j = r.find("fill", k, n);
            if (j == null) {
                continue;
            }
            sb.append(f("| %s | %.0f | %.1f | %s | %s |%n", k.label(), j.score(), j.score() * 1e6 / n,
                    base == null ? "–" : ratio(base.score() / j.score()), bytes(j.allocNorm() / n)));
        }
        sb.append('\n');
    }

    static void latency(StringBuilder sb, Results r) {
        if (r.latency.isEmpty()) {
            sb.append("Not measured in this run.\n\n");
            return;
        }
        sb.append("One writer puts ").append(latN(r)).append(" random keys into an empty map; every put is timed "
                + "(`System.nanoTime()` before and after, HdrHistogram, 3 significant digits). A reader thread does "
                + "random gets of already-inserted keys at the same time (concurrent maps; Agrona is "
                + "single-threaded and runs without reader). Garbage-collection pauses of on-heap maps land inside "
                + "the puts, as they would for a user. A warm-up growth to 2M entries runs first, on a map that is "
                + "then discarded. Chronicle Map cannot grow: it is created for all entries up front. Nanoseconds; "
                + "*vs CHM* = this ÷ CHM (below 1 = better).\n\n");
        sb.append("| writer (put) | p50 | p99 | p99.9 | p99.99 | max | max vs CHM | p99.99 vs CHM | fill ms | GCs |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        JsonObject base = r.latency.get(BASE);
        for (MapKind k : Report.ordered(r.latency.keySet())) {
            JsonObject o = r.latency.get(k);
            sb.append(f("| %s | %,d | %,d | %,d | %,d | %,d | %s | %s | %,.0f | %d |%n", k.label(), l(o, "writer.p50"),
                    l(o, "writer.p99"), l(o, "writer.p999"), l(o, "writer.p9999"), l(o, "writer.max"),
                    base == null ? "–" : ratio(d(o, "writer.max") / d(base, "writer.max")),
                    base == null ? "–" : ratio(d(o, "writer.p9999") / d(base, "writer.p9999")), d(o, "totalMs"),
                    l(o, "gcCount")));
        }
        sb.append("\n| reader (get, during growth) | p50 | p99 | p99.9 | p99.99 | max | p99.99 vs CHM | gets "
                + "| wrong values |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (MapKind k : Report.ordered(r.latency.keySet())) {
            JsonObject o = r.latency.get(k);
            if (Report.get(o, "reader") == null || Report.get(o, "reader").isJsonNull()) {
                continue;
            }
            sb.append(f("| %s | %,d | %,d | %,d | %,d | %,d | %s | %,d | %d |%n", k.label(), l(o, "reader.p50"),
                    l(o, "reader.p99"), l(o, "reader.p999"), l(o, "reader.p9999"), l(o, "reader.max"),
                    base == null || Report.get(base, "reader") == null ? "–"
                            : ratio(d(o, "reader.p9999") / d(base, "reader.p9999")),
                    l(o, "reader.count"), l(o, "readerErrors")));
        }
        sb.append("\nRunning writer stats when the map passed each checkpoint of the same run (growing to a "
                + "larger size passes through the same states):\n\n| map | entries | max ns | p99.99 ns |\n"
                + "|---|---:|---:|---:|\n");
        for (MapKind k : Report.ordered(r.latency.keySet())) {
            for (JsonElement c : r.latency.get(k).getAsJsonArray("checkpoints")) {
                JsonObject o = c.getAsJsonObject();
                sb.append(f("| %s | %,d | %,d | %,d |%n", k.label(), l(o, "ops"), l(o, "maxNs"), l(o, "p9999Ns")));
            }
        }
        sb.append('\n');
    }

    static void footprint(StringBuilder sb, Results r) {
        if (r.footprint.isEmpty()) {
            sb.append("Not measured in this run.\n\n");
            return;
        }
        sb.append("*B/entry* = (live heap after full GC + off-heap bytes the map reports) ÷ entries: linemap from "
                + "`stats().offHeapBytes()`, Chronicle Map from `offHeapMemoryUsed()` (sized for exactly that many "
                + "entries, one fresh map per size), on-heap maps from heap after `System.gc()`. *RSS/entry* = growth "
                + "of the process's resident set ÷ entries. Peaks are over the growth up to that size: off-heap "
                + "sampled every 4096 puts; RSS high-water mark; heap pools' peak (includes garbage not yet "
                + "collected). *vs CHM* = this ÷ CHM (below 1 = smaller). The heap column of an off-heap map is the "
                + "noise floor of the method (a few bytes per entry either way at small sizes).\n\n");
        sb.append("| map | entries | heap B/entry | off-heap B/entry | B/entry | vs CHM | RSS B/entry "
                + "| peak off-heap MB | peak RSS MB | peak heap MB |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (MapKind k : Report.ordered(r.footprint.keySet())) {
            for (JsonObject p : r.footprint.get(k)) {
                long n = l(p, "entries");
                JsonObject base = r.footprintAt(BASE, n);
                sb.append(f("| %s | %,d | %.1f | %.1f | %.1f | %s | %.1f | %.0f | %.0f | %.0f |%n", k.label(), n,
                        d(p, "heapBytes") / n, d(p, "offHeapBytes") / n, d(p, "bytesPerEntry"),
                        base == null ? "–" : ratio(d(p, "bytesPerEntry") / d(base, "bytesPerEntry")),
                        d(p, "rssPerEntry"), d(p, "peakOffHeapBytes") / 1e6, d(p, "peakRssBytes") / 1e6,
                        d(p, "peakHeapBytes") / 1e6));
            }
        }
        sb.append('\n');
        r.footprint.getOrDefault(MapKind.LINEMAP, List.of()).forEach(p -> sb.append("- linemap at ")
                .append(f("%,d", l(p, "entries"))).append(": `").append(p.get("detail").getAsString()).append("`\n"));
        sb.append('\n');
    }

    static void cold(StringBuilder sb, Results r) {
        if (r.cold.isEmpty()) {
            sb.append("Not measured in this run.\n\n");
            return;
        }
        sb.append("The map holds N keys whose values form one random cycle, so `k = map.get(k)` is a chain of "
                + "dependent lookups far beyond the LLC. In the same JVM, a plain pointer chase walks one random "
                + "cycle over native memory of N × 32 bytes (one node per 64-byte line): each step is exactly one "
                + "dependent DRAM miss (with TLB miss, 4 KiB pages). *lookup ÷ chase* = how many DRAM misses one "
                + "lookup costs (1.0 is the physical limit). Median of 3 runs.\n\n");
        sb.append("| map | entries | ns per dependent lookup | ns per pointer-chase step | lookup ÷ chase "
                + "| lookup vs CHM |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        JsonObject base = r.cold.get(BASE);
        for (MapKind k : Report.ordered(r.cold.keySet())) {
            JsonObject o = r.cold.get(k);
            sb.append(f("| %s | %,d | %.1f | %.1f | %.2f | %s |%n", k.label(), l(o, "n"), d(o, "lookupNs"),
                    d(o, "chaseNs"), d(o, "ratio"),
                    base == null ? "–" : ratio(d(o, "lookupNs") / d(base, "lookupNs"))));
        }
        sb.append('\n');
    }

    static void errors(StringBuilder sb, Results r) {
        if (r.errors.isEmpty()) {
            return;
        }
        sb.append("## What failed or was left out\n\n");
        for (JsonElement e : r.errors) {
            JsonObject o = e.getAsJsonObject();
            sb.append("- **").append(o.get("step").getAsString()).append(" / ").append(o.get("impl").getAsString())
                    .append("**:\n\n```\n").append(o.get("message").getAsString().strip()).append("\n```\n\n");
        }
    }

    static void howTo(StringBuilder sb) {
        sb.append("## Reproduce\n\n```\nexport JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64\n"
                + "mvn -B -q -pl bench -am package -DskipTests\n"
                + "$JAVA_HOME/bin/java -jar bench/target/linemap-bench.jar quick   # about 36 min on 2 cores\n"
                + "$JAVA_HOME/bin/java -jar bench/target/linemap-bench.jar full    # longer, more forks and sizes\n"
                + "$JAVA_HOME/bin/java -jar bench/target/linemap-bench.jar report --in docs/benchmarks/quick\n```\n\n"
                + "Single pieces: `jmh MapOps.getHit -p impl=linemap,chm -p size=16777216 -prof gc`, "
                + "`latency --impl linemap --n 16M --out x.json`, `footprint --impl chm --sizes 1000000 --out x.json`, "
                + "`cold --impl linemap --n 16M --out x.json`. Diagnostics (printed, not in this report): "
                + "`hit-cost` (get hits by home line vs overflow chain, Agrona and CHM beside), "
                + "`stalls --impl linemap` (the longest puts of a growth, wall vs CPU time).\n");
    }

    static double score(Results r, String bench, MapKind k, long size) {
        Results.Jmh j = r.find(bench, k, size);
        return j == null ? Double.NaN : j.score();
    }

    static double alloc(Results r, String bench, MapKind k, long size) {
        Results.Jmh j = r.find(bench, k, size);
        return j == null ? Double.NaN : j.allocNorm();
    }

    static double lat(Results r, MapKind k, String path) {
        JsonObject o = r.latency.get(k);
        return o == null ? Double.NaN : d(o, path);
    }

    static double bpe(Results r, MapKind k, long n) {
        JsonObject p = r.footprintAt(k, n);
        return p == null ? Double.NaN : d(p, "bytesPerEntry");
    }

    static String latN(Results r) {
        return r.latency.values().stream().findFirst().map(o -> size(l(o, "n"))).orElse("?");
    }

    interface Metric {
        double of(MapKind k);
    }

    private static void ratioRow(StringBuilder sb, String name, List<MapKind> peers, Metric m) {
        double lm = m.of(MapKind.LINEMAP);
        sb.append("| ").append(name).append(" |");
        for (MapKind p : peers) {
            double v = m.of(p);
            sb.append(' ').append(Double.isNaN(lm) || Double.isNaN(v) || v == 0 ? "–" : ratio(lm / v)).append(" |");
        }
        sb.append('\n');
    }

    static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "–" : v >= 10 ? f("%.0f×", v) : v >= 0.1 ? f("%.2f×", v)
                : f("%.3f×", v);
    }

    static String bytes(double v) {
        return Double.isNaN(v) ? "–" : v < 0.05 ? "0" : v < 100 ? f("%.1f", v) : f("%.0f", v);
    }

    static String size(long n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) {
            return (n >> 20) + "Mi";
        }
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return (n / 1_000_000) + "M";
        }
        if (n >= 1000 && n % 1000 == 0) {
            return (n / 1000) + "K";
        }
        return Long.toString(n);
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static List<String> strings(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return List.of();
        }
        return e.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
    }

    private static List<String> versions(Results r) {
        JsonElement v = r.env.get("versions");
        if (v == null || !v.isJsonObject()) {
            return List.of();
        }
        return v.getAsJsonObject().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().getAsString()).toList();
    }
}
