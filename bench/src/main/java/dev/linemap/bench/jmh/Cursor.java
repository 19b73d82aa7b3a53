package dev.linemap.bench.jmh;

import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread position in the lookup array. Walking the shuffled array in order reads the array itself
 * sequentially (prefetched) while the map sees random keys; each thread starts at a random offset.
 */
@State(Scope.Thread)
public class Cursor {
    private int i = -1;
    private long tick;

    /** Created by JMH, one per benchmark thread. */
    public Cursor() {
    }

    /**
     * Next index in {@code [0, n)}.
     *
     * @param n the array length
     * @return the index
     */
    public int next(int n) {
        int j = i;
        if (j < 0) {
            j = ThreadLocalRandom.current().nextInt(n);
        }
        if (++j >= n) {
            j = 0;
        }
        i = j;
        return j;
    }

    /**
     * A counter, never 0, for values written by the benchmarks.
     *
     * @return the next counter value
     */
    public long tick() {
        return ++tick;
    }
}
