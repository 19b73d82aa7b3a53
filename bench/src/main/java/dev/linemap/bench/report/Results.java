package dev.linemap.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.linemap.bench.Json;
import dev.linemap.bench.maps.MapKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Everything one profile run wrote, loaded from its JSON files. */
final class Results {
    /**
     * One JMH score.
     *
     * @param bench method name (getHit, put, fill, mixed2, ...)
     * @param impl map
     * @param size the size parameter
     * @param threads threads
     * @param score primary score
     * @param error its 99.9% confidence half-width (NaN with one iteration)
     * @param unit score unit
     * @param allocNorm gc.alloc.rate.norm, bytes per operation (NaN when absent)
     */
    record Jmh(String bench, MapKind impl, long size, int threads, double score, double error, String unit,
               double allocNorm) {
    }

    final Path dir;
    final JsonObject env;
    final JsonObject run;
    final List<Jmh> jmh = new ArrayList<>();
    final Map<MapKind, JsonObject> latency = new EnumMap<>(MapKind.class);
    final Map<MapKind, List<JsonObject>> footprint = new EnumMap<>(MapKind.class);
    final Map<MapKind, JsonObject> cold = new EnumMap<>(MapKind.class);
    final JsonArray errors;

    Results(Path dir) {
        this.dir = dir;
        env = Files.exists(dir.resolve("env.json")) ? Json.read(dir.resolve("env.json")).getAsJsonObject()
                : new JsonObject();
        run = Files.exists(dir.resolve("run.json")) ? Json.read(dir.resolve("run.json")).getAsJsonObject()
                : new JsonObject();
        errors = Files.exists(dir.resolve("errors.json")) ? Json.read(dir.resolve("errors.json")).getAsJsonArray()
                : new JsonArray();
        for (Path f : files()) {
            String name = f.getFileName().toString();
            if (name.startsWith("jmh-")) {
                loadJmh(f);
            } else if (name.startsWith("latency-")) {
                JsonObject o = Json.read(f).getAsJsonObject();
                latency.put(MapKind.of(o.get("impl").getAsString()), o);
            } else if (name.startsWith("footprint-")) {
                JsonObject o = Json.read(f).getAsJsonObject();
                List<JsonObject> pts = footprint.computeIfAbsent(MapKind.of(o.get("impl").getAsString()),
                        k -> new ArrayList<>());
                for (JsonElement p : o.getAsJsonArray("points")) {
                    pts.add(p.getAsJsonObject());
                }
                pts.sort(Comparator.comparingLong(p -> p.get("entries").getAsLong()));
            } else if (name.startsWith("cold-")) {
                JsonObject o = Json.read(f).getAsJsonObject();
                cold.put(MapKind.of(o.get("impl").getAsString()), o);
            }
        }
    }

    private List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private void loadJmh(Path f) {
        JsonElement root = Json.read(f);
        if (!root.isJsonArray()) {
            return;
        }
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            String full = o.get("benchmark").getAsString();
            JsonObject params = o.getAsJsonObject("params");
            JsonObject pm = o.getAsJsonObject("primaryMetric");
            double alloc = Double.NaN;
            JsonObject sec = o.getAsJsonObject("secondaryMetrics");
            if (sec != null && sec.has("gc.alloc.rate.norm")) {
                alloc = num(sec.getAsJsonObject("gc.alloc.rate.norm").get("score"));
            }
            jmh.add(new Jmh(full.substring(full.lastIndexOf('.') + 1), MapKind.of(params.get("impl").getAsString()),
                    Long.parseLong(params.get("size").getAsString()), o.get("threads").getAsInt(),
                    num(pm.get("score")), num(pm.get("scoreError")), pm.get("scoreUnit").getAsString(), alloc));
        }
    }

    /** JMH writes "NaN" as a string when it has no error estimate. */
    static double num(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    Jmh find(String bench, MapKind impl, long size) {
        for (Jmh j : jmh) {
            if (j.bench().equals(bench) && j.impl() == impl && j.size() == size) {
                return j;
            }
        }
        return null;
    }

    List<Long> sizes(String bench) {
        return jmh.stream().filter(j -> j.bench().equals(bench)).map(Jmh::size).distinct().sorted().toList();
    }

    List<MapKind> impls(String bench) {
        return jmh.stream().filter(j -> j.bench().equals(bench)).map(Jmh::impl).distinct().sorted().toList();
    }

    /** Footprint point of a map at exactly this many requested entries (the nearest by entry count). */
    JsonObject footprintAt(MapKind k, long entries) {
        List<JsonObject> pts = footprint.get(k);
        if (pts == null) {
            return null;
        }
        JsonObject best = null;
        for (JsonObject p : pts) {
            long n = p.get("entries").getAsLong();
            if (Math.abs(n - entries) <= entries / 100 && (best == null
                    || Math.abs(n - entries) < Math.abs(best.get("entries").getAsLong() - entries))) {
                best = p;
            }
        }
        return best;
    }

    String run(String key) {
        JsonElement e = run.get(key);
        return e == null || e.isJsonNull() ? "?" : e.getAsString();
    }

    String env(String key) {
        JsonElement e = env.get(key);
        return e == null || e.isJsonNull() ? "?" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }
}
