package dev.linemap.bench.harness;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one histogram, in nanoseconds.
 *
 * @param count operations recorded
 * @param mean mean latency
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param p9999 99.99th percentile
 * @param max the longest single operation
 */
public record LatencyStats(long count, double mean, long p50, long p90, long p99, long p999, long p9999, long max) {

    /**
     * Reads the percentiles of a histogram.
     *
     * @param h the histogram
     * @return its percentiles
     */
    public static LatencyStats of(Histogram h) {
        return new LatencyStats(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                h.getValueAtPercentile(99.99), h.getMaxValue());
    }
}
