package dev.linemap.bench.report;

import dev.linemap.bench.maps.MapKind;
import java.util.List;
import java.util.Locale;

/**
 * Minimal SVG charts written from Java, so a fresh machine needs nothing but the JDK to redraw them:
 * grouped bars and line series, linear or logarithmic y axis, a legend.
 */
final class Svg {
    private static final int W = 920;
    private static final int H = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] PALETTE = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
        "#17becf", "#7f7f7f"};

    private Svg() {
    }

    /**
     * Grouped bar chart.
     *
     * @param title chart title
     * @param yLabel y axis label
     * @param groups x axis groups
     * @param series one bar per series in each group
     * @param v values [series][group]; NaN or non-positive (log) leaves a gap
     * @param logY logarithmic y axis
     * @return the SVG document
     */
    static String bars(String title, String yLabel, List<String> groups, List<MapKind> series, double[][] v,
                       boolean logY) {
        Axis y = Axis.of(v, logY);
        StringBuilder sb = header(title);
        yAxis(sb, y, yLabel);
        int plotW = W - LEFT - RIGHT;
        double groupW = (double) plotW / groups.size();
        double barW = groupW * 0.8 / series.size();
        for (int g = 0; g < groups.size(); g++) {
            double gx = LEFT + g * groupW;
            text(sb, gx + groupW / 2, H - BOTTOM + 20, groups.get(g), "middle", 13);
            for (int s = 0; s < series.size(); s++) {
                double val = v[s][g];
                if (!y.valid(val)) {
                    continue;
                }
                double top = y.pos(val);
                double x = gx + groupW * 0.1 + s * barW;
                sb.append(String.format(Locale.ROOT,
                        "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'>"
                                + "<title>%s %s: %s</title></rect>%n",
                        x, top, barW * 0.92, (H - BOTTOM) - top, color(series.get(s)),
                        esc(series.get(s).label()), esc(groups.get(g)), fmt(val)));
            }
        }
        legend(sb, series);
        return sb.append("</svg>\n").toString();
    }

    /**
     * Line chart.
     *
     * @param title chart title
     * @param xLabel x axis label
     * @param yLabel y axis label
     * @param series names
     * @param xs x values per series
     * @param ys y values per series
     * @param logY logarithmic y axis
     * @param markers x positions of dashed vertical markers (may be empty)
     * @param markerLabel legend text of the markers
     * @return the SVG document
     */
    static String lines(String title, String xLabel, String yLabel, List<MapKind> series, List<double[]> xs,
                        List<double[]> ys, boolean logY, double[] markers, String markerLabel) {
        Axis y = Axis.of(ys.toArray(double[][]::new), logY);
        double xMax = 0;
        for (double[] x : xs) {
            for (double d : x) {
                xMax = Math.max(xMax, d);
            }
        }
        Axis x = Axis.linear(0, xMax);
        StringBuilder sb = header(title);
        yAxis(sb, y, yLabel);
        int plotW = W - LEFT - RIGHT;
        for (double t : x.ticks()) {
            double px = LEFT + plotW * t / x.max();
            sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>%n",
                    px, TOP, px, H - BOTTOM));
            text(sb, px, H - BOTTOM + 18, fmt(t), "middle", 12);
        }
        text(sb, LEFT + plotW / 2.0, H - 15, xLabel, "middle", 13);
        for (double m : markers) {
            double px = LEFT + plotW * m / x.max();
            sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' "
                    + "stroke-dasharray='4 3'/>%n", px, TOP, px, H - BOTTOM, color(MapKind.LINEMAP)));
        }
        if (markers.length > 0) {
            int ly = TOP + 10 + series.size() * 22;
            sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' "
                    + "stroke-dasharray='4 3'/>%n", W - RIGHT + 15, ly + 7, W - RIGHT + 29, ly + 7,
                    color(MapKind.LINEMAP)));
            text(sb, W - RIGHT + 36, ly + 12, markerLabel, "start", 12);
        }
        for (int s = 0; s < series.size(); s++) {
            StringBuilder pts = new StringBuilder();
            double[] sx = xs.get(s);
            double[] sy = ys.get(s);
            for (int i = 0; i < sx.length; i++) {
                if (y.valid(sy[i])) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * sx[i] / x.max(), y.pos(sy[i])));
                }
            }
            sb.append(String.format(Locale.ROOT,
                    "<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'><title>%s</title></polyline>%n",
                    color(series.get(s)), pts.toString().trim(), esc(series.get(s).label())));
        }
        legend(sb, series);
        return sb.append("</svg>\n").toString();
    }

    private static StringBuilder header(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "viewBox='0 0 %d %d' font-family='sans-serif'>%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<rect width='%d' height='%d' fill='white'/>%n", W, H));
        text(sb, W / 2.0 - RIGHT / 2.0, 24, title, "middle", 16);
        return sb;
    }

    private static void yAxis(StringBuilder sb, Axis y, String label) {
        for (double t : y.ticks()) {
            double py = y.pos(t);
            sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>%n",
                    LEFT, py, W - RIGHT, py));
            text(sb, LEFT - 6, py + 4, fmt(t), "end", 12);
        }
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n",
                LEFT, TOP, LEFT, H - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n",
                LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM));
        sb.append(String.format(Locale.ROOT,
                "<text x='18' y='%.1f' font-size='13' text-anchor='middle' transform='rotate(-90 18 %.1f)'>%s</text>%n",
                (TOP + H - BOTTOM) / 2.0, (TOP + H - BOTTOM) / 2.0, esc(label)));
    }

    private static void legend(StringBuilder sb, List<MapKind> series) {
        for (int s = 0; s < series.size(); s++) {
            int ly = TOP + 10 + s * 22;
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='14' height='14' fill='%s'/>%n",
                    W - RIGHT + 15, ly, color(series.get(s))));
            text(sb, W - RIGHT + 36, ly + 12, series.get(s).shortName(), "start", 12);
        }
    }

    private static void text(StringBuilder sb, double x, double y, String s, String anchor, int size) {
        sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='%d' text-anchor='%s'>%s</text>%n",
                x, y, size, anchor, esc(s)));
    }

    /** Color of a map: fixed per map, so one map keeps its color in every chart. */
    static String color(MapKind k) {
        return PALETTE[k.ordinal() % PALETTE.length];
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, Math.abs(v) >= 100 || v == Math.rint(v) ? "%.0f" : "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }

    /** A y (or x) axis: maps values to pixels and picks ticks. */
    private record Axis(double min, double max, boolean log) {
        static Axis of(double[][] v, boolean log) {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            for (double[] row : v) {
                for (double d : row) {
                    if (!Double.isNaN(d) && (!log || d > 0)) {
                        lo = Math.min(lo, d);
                        hi = Math.max(hi, d);
                    }
                }
            }
            if (hi <= 0) {
                hi = 1;
                lo = 1;
            }
            if (log) {
                // Half the smallest value, so the smallest bar is never flush with the axis.
                double a = Math.pow(10, Math.floor(Math.log10(lo / 2)));
                double b = Math.pow(10, Math.ceil(Math.log10(hi)));
                return new Axis(a, Math.max(b, a * 10), true);
            }
            return linear(0, hi);
        }

        static Axis linear(double lo, double hi) {
            double step = niceStep(hi / 5);
            return new Axis(lo, Math.max(step, Math.ceil(hi / step) * step), false);
        }

        boolean valid(double v) {
            return !Double.isNaN(v) && (!log || v > 0);
        }

        double pos(double v) {
            double frac = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                    : (v - min) / (max - min);
            if (Double.isNaN(frac) || Double.isInfinite(frac)) {
                frac = 0;
            }
            return (H - BOTTOM) - frac * (H - BOTTOM - TOP);
        }

        double[] ticks() {
            if (log) {
                int a = (int) Math.round(Math.log10(min));
                int b = (int) Math.round(Math.log10(max));
                double[] t = new double[Math.max(1, b - a + 1)];
                for (int i = 0; i < t.length; i++) {
                    t[i] = Math.pow(10, a + i);
                }
                return t;
            }
            double step = niceStep(max / 5);
            int n = (int) Math.round(max / step);
            double[] t = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                t[i] = min + i * step;
            }
            return t;
        }

        private static double niceStep(double raw) {
            if (raw <= 0) {
                return 1;
            }
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / p;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
        }
    }
}
