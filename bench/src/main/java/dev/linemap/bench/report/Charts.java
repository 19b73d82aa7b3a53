package dev.linemap.bench.report;

import static dev.linemap.bench.report.Report.d;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.linemap.bench.maps.MapKind;
import java.util.ArrayList;
import java.util.List;

/** The latency and footprint charts, drawn from the results. */
final class Charts {
    private Charts() {
    }

    static String percentiles(Results r) {
        List<MapKind> impls = Report.ordered(r.latency.keySet());
        if (impls.isEmpty()) {
            return null;
        }
        String[] keys = {"p50", "p99", "p999", "p9999", "max"};
        List<String> groups = List.of("p50", "p99", "p99.9", "p99.99", "max");
        double[][] v = new double[impls.size()][keys.length];
        for (int s = 0; s < impls.size(); s++) {
            for (int g = 0; g < keys.length; g++) {
                v[s][g] = d(r.latency.get(impls.get(s)), "writer." + keys[g]);
            }
        }
        return Svg.bars("put latency while growing to " + Tables.latN(r) + " entries", "nanoseconds (log)", groups,
                impls, v, true);
    }

    static String overTime(Results r) {
        List<MapKind> impls = Report.ordered(r.latency.keySet());
        if (impls.isEmpty()) {
            return null;
        }
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        List<Double> markers = new ArrayList<>();
        for (MapKind k : impls) {
            JsonArray w = r.latency.get(k).getAsJsonArray("windows");
            double[] x = new double[w.size()];
            double[] y = new double[w.size()];
            for (int i = 0; i < w.size(); i++) {
                JsonObject o = w.get(i).getAsJsonObject();
                x[i] = d(o, "ops") / 1e6;
                y[i] = d(o, "maxNs") / 1e3;
                if (k == MapKind.LINEMAP && i > 0 && o.has("growths")
                        && d(o, "growths") > d(w.get(i - 1).getAsJsonObject(), "growths")) {
                    markers.add(x[i]);
                }
            }
            xs.add(x);
            ys.add(y);
        }
        return Svg.lines("longest put per window of " + windowSize(r) + " puts, while growing",
                "entries inserted (millions)", "max put latency in window, µs (log)",
                impls, xs, ys, true, markers.stream().mapToDouble(Double::doubleValue).toArray(),
                "linemap growth");
    }

    static String bytesPerEntry(Results r) {
        List<MapKind> impls = Report.ordered(r.footprint.keySet());
        if (impls.isEmpty()) {
            return null;
        }
        List<Long> sizes = new ArrayList<>();
        for (List<JsonObject> pts : r.footprint.values()) {
            for (JsonObject p : pts) {
                long n = Report.l(p, "entries");
                if (sizes.stream().noneMatch(s -> Math.abs(s - n) <= s / 100)) {
                    sizes.add(n);
                }
            }
        }
        sizes.sort(null);
        double[][] v = new double[impls.size()][sizes.size()];
        for (int s = 0; s < impls.size(); s++) {
            for (int g = 0; g < sizes.size(); g++) {
                JsonObject p = r.footprintAt(impls.get(s), sizes.get(g));
                v[s][g] = p == null ? Double.NaN : d(p, "bytesPerEntry");
            }
        }
        return Svg.bars("bytes per entry (heap after GC + off-heap)", "bytes per entry",
                sizes.stream().map(Tables::size).toList(), impls, v, false);
    }

    private static String windowSize(Results r) {
        return r.latency.values().stream().findFirst().map(o -> {
            JsonArray w = o.getAsJsonArray("windows");
            return w.isEmpty() ? "?" : Tables.size(Report.l(w.get(0).getAsJsonObject(), "ops"));
        }).orElse("?");
    }
}
