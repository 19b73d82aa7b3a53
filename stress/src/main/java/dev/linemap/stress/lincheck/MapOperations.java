package dev.linemap.stress.lincheck;

import dev.linemap.LongLongMap;
import org.jetbrains.lincheck.datastructures.LongGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;

import java.util.ArrayDeque;

/**
 * The Lincheck test object: one fresh {@link LongLongMap} per invocation, started at
 * {@code initialCapacity(0)} (one bucket of three slots) over keys 1..6, so a handful of inserts
 * grows it (at 3 and 6 entries) and removes shrink it again inside one scenario.
 *
 * <p>Every per-key operation of the public API is an operation here. {@code size()} is exact only
 * when the map is quiescent, so it is checked in {@link #quiescentSizeMatchesContents()} (run by
 * Lincheck between the parts of a scenario) rather than as a concurrent operation.
 */
@Param(name = "key", gen = LongGen.class, conf = "1:6")
@Param(name = "value", gen = LongGen.class, conf = "1:3")
public class MapOperations {

    /**
     * Missing value of the maps under test and of the specification. Default -1 (never generated
     * as a value, so "absent" and "stored" are told apart); the canary run uses 0. Set once,
     * before the check starts.
     */
    public static volatile long missingValue = -1L;

    /** Maps of recent invocations; older ones are closed (invocations run one after another). */
    private static final ArrayDeque<LongLongMap> RECENT = new ArrayDeque<>();
    private static final int KEEP_OPEN = 8;

    private final LongLongMap map;

    /** Creates the map for one invocation and frees the maps of long-finished ones. */
    public MapOperations() {
        map = LongLongMap.builder().initialCapacity(0).missingValue(missingValue).build();
        synchronized (RECENT) {
            RECENT.addLast(map);
            while (RECENT.size() > KEEP_OPEN) {
                RECENT.pollFirst().close();
            }
        }
    }

    /**
     * A non-commutative merge function: applying it twice, or to a stale value, shows in the result.
     *
     * @param old the current value
     * @param value the merged value
     * @return {@code old * 4 + value}
     */
    public static long shift(final long old, final long value) {
        return old * 4 + value;
    }

    /**
     * The value of {@code key}.
     *
     * @param key the key
     * @return its value, or the missing value if it is absent
     */
    @Operation
    public long get(@Param(name = "key") final long key) {
        return map.get(key);
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the key
     * @return whether it is present
     */
    @Operation
    public boolean containsKey(@Param(name = "key") final long key) {
        return map.containsKey(key);
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or the missing value
     */
    @Operation
    public long put(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.put(key, value);
    }

    /**
     * Maps {@code key} to {@code value} if it is absent.
     *
     * @param key the key
     * @param value the new value
     * @return the existing value, or the missing value if it was inserted
     */
    @Operation
    public long putIfAbsent(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.putIfAbsent(key, value);
    }

    /**
     * Removes {@code key}.
     *
     * @param key the key
     * @return the removed value, or the missing value
     */
    @Operation
    public long remove(@Param(name = "key") final long key) {
        return map.remove(key);
    }

    /**
     * Removes {@code key} if it is mapped to {@code value}.
     *
     * @param key the key
     * @param value the expected value
     * @return whether it was removed
     */
    @Operation
    public boolean removeIfValue(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.remove(key, value);
    }

    /**
     * Replaces the value of {@code key} if it is present.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or the missing value
     */
    @Operation
    public long replace(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.replace(key, value);
    }

    /**
     * Replaces the value of {@code key} if it is {@code expected}.
     *
     * @param key the key
     * @param expected the expected value
     * @param value the new value
     * @return whether it was replaced
     */
    @Operation
    public boolean replaceIfValue(@Param(name = "key") final long key, @Param(name = "value") final long expected,
                                  @Param(name = "value") final long value) {
        return map.replace(key, expected, value);
    }

    /**
     * Merges {@code value} into {@code key} with {@link Long#sum}.
     *
     * @param key the key
     * @param value the value to merge
     * @return the new value
     */
    @Operation
    public long mergeSum(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.merge(key, value, Long::sum);
    }

    /**
     * Merges {@code value} into {@code key} with {@link MapOperations#shift}, which is not commutative.
     *
     * @param key the key
     * @param value the value to merge
     * @return the new value
     */
    @Operation
    public long mergeShift(@Param(name = "key") final long key, @Param(name = "value") final long value) {
        return map.merge(key, value, MapOperations::shift);
    }

    /**
     * Adds {@code delta} to the value of {@code key} (an absent key counts as 0).
     *
     * @param key the key
     * @param delta the amount to add
     * @return the new value
     */
    @Operation
    public long addAndGet(@Param(name = "key") final long key, @Param(name = "value") final long delta) {
        return map.addAndGet(key, delta);
    }

    /** Quiescent check: size() equals the number of entries forEach reports, each key once. */
    @Validate
    public void quiescentSizeMatchesContents() {
        final long[] count = new long[1];
        final int[] seen = new int[8];
        map.forEach((k, v) -> {
            count[0]++;
            if (k >= 1 && k <= 6) {
                seen[(int) k]++;
            }
        });
        for (int k = 1; k <= 6; k++) {
            if (seen[k] > 1) {
                throw new IllegalStateException("forEach reported key " + k + " " + seen[k] + " times");
            }
        }
        if (map.size() != count[0]) {
            throw new IllegalStateException("quiescent size() = " + map.size() + " but forEach reported " + count[0]);
        }
    }
}
