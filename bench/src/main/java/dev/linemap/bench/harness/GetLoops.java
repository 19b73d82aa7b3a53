package dev.linemap.bench.harness;

import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.collections.Long2LongHashMap;
import org.jctools.maps.NonBlockingHashMapLong;

/**
 * The timed get loops of the harnesses: {@code ops} gets cycling over {@code order}, summed so the
 * JIT cannot drop them. One copy per map class on purpose: each loop's call site stays monomorphic,
 * as in a user's code; a shared loop over an interface would time a megamorphic call for all.
 */
final class GetLoops {
    private GetLoops() {
    }

    static long gets(final LongLongMap map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    static long gets(final Long2LongHashMap map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    /** Boxes each key, as a user of the boxed map does; the allocation is part of its cost. */
    static long gets(final ConcurrentHashMap<Long, Long> map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    static long gets(final NonBlockingHashMapLong<Long> map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    /** Sums the values' lengths; a miss would throw, and is a bug of the caller. */
    static long gets(final LineMap<String, String> map, final String[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]).length();
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    static long gets(final ChronicleMap<Long, Long> map, final long[] order, final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]);
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }

    static long gets(final ChronicleMap<CharSequence, CharSequence> map, final String[] order,
                             final long ops) {
        long sum = 0;
        int j = 0;
        for (long i = 0; i < ops; i++) {
            sum += map.get(order[j]).length();
            if (++j == order.length) {
                j = 0;
            }
        }
        return sum;
    }
}
