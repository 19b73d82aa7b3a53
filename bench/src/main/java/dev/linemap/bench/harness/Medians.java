package dev.linemap.bench.harness;

import java.util.Arrays;

/** The median of a harness's repeated timings: robust to the one slow pass a shared VM gives. */
final class Medians {
    private Medians() {
    }

    /**
     * Returns the median (the upper one for an even count).
     *
     * @param v the timings; not changed
     * @return their median
     */
    static double of(final double[] v) {
        final double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
