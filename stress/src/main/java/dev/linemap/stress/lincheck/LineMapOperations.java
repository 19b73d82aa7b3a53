package dev.linemap.stress.lincheck;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The Lincheck test object for {@code LineMap<String, String>}: one fresh map per invocation at
 * {@code initialCapacity(0)} over six keys of 5 to 34 bytes, so a handful of inserts grows it and
 * removes shrink it inside one scenario. Values are 0 (the empty string), 9, 18 or 27 bytes, and
 * {@link #mergeConcat} and {@link #computeAppend} make longer ones, so a key's value changes length
 * (its entry moves to another block) all the time.
 *
 * <p>Every per-key operation of the {@code ConcurrentMap} API is here, plus the zero-copy
 * {@code getBytes}, {@code putBytes} and {@code removeBytes}. Results are the {@code Map} methods'
 * (a value or {@code null}); {@link LineMapSpecification} is the same on a {@code HashMap}.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:6")
@Param(name = "value", gen = IntGen.class, conf = "0:3")
public class LineMapOperations {

    /** Maps of recent invocations; older ones are closed (invocations run one after another). */
    private static final ArrayDeque<LineMap<String, String>> RECENT = new ArrayDeque<>();
    private static final int KEEP_OPEN = 8;

    private final LineMap<String, String> map;

    /** Creates the map for one invocation and frees the maps of long-finished ones. */
    public LineMapOperations() {
        map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0).build();
        synchronized (RECENT) {
            RECENT.addLast(map);
            while (RECENT.size() > KEEP_OPEN) {
                RECENT.pollFirst().close();
            }
        }
    }

    /**
     * Key {@code k}.
     *
     * @param k 1..6
     * @return a key of {@code 5 * k + 4} bytes or so
     */
    public static String key(final int k) {
        return "key" + "-".repeat(5 * k) + k;
    }

    /**
     * Value {@code v}.
     *
     * @param v 0..3
     * @return {@code 9 * v} bytes of one letter
     */
    public static String value(final int v) {
        return String.valueOf((char) ('a' + v)).repeat(9 * v);
    }

    /**
     * The non-commutative merge: applying it twice, or to a stale value, shows in the result; long
     * values go back to short ones so that lengths keep changing.
     *
     * @param old the current value
     * @param given the merged value
     * @return {@code old + given}, or {@code given} once that would exceed 60 bytes
     */
    public static String concat(final String old, final String given) {
        return old.length() + given.length() > 60 ? given : old + given;
    }

    /**
     * The value of {@code key}.
     *
     * @param key the key
     * @return its value, or null
     */
    @Operation
    public String get(@Param(name = "key") final int key) {
        return map.get(key(key));
    }

    /**
     * Whether {@code key} is present.
     *
     * @param key the key
     * @return whether it is present
     */
    @Operation
    public boolean containsKey(@Param(name = "key") final int key) {
        return map.containsKey(key(key));
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @param key the key
     * @param value the value
     * @return the previous value, or null
     */
    @Operation
    public String put(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.put(key(key), value(value));
    }

    /**
     * Maps {@code key} to {@code value} if absent.
     *
     * @param key the key
     * @param value the value
     * @return the existing value, or null
     */
    @Operation
    public String putIfAbsent(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.putIfAbsent(key(key), value(value));
    }

    /**
     * Removes {@code key}.
     *
     * @param key the key
     * @return the removed value, or null
     */
    @Operation
    public String remove(@Param(name = "key") final int key) {
        return map.remove(key(key));
    }

    /**
     * Removes {@code key} if it maps to {@code value}.
     *
     * @param key the key
     * @param value the expected value
     * @return whether it was removed
     */
    @Operation
    public boolean removeIfValue(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.remove(key(key), value(value));
    }

    /**
     * Replaces the value of a present {@code key}.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or null
     */
    @Operation
    public String replace(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.replace(key(key), value(value));
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
    public boolean replaceIfValue(@Param(name = "key") final int key, @Param(name = "value") final int expected,
                                  @Param(name = "value") final int value) {
        return map.replace(key(key), value(expected), value(value));
    }

    /**
     * Merges {@code value} into {@code key} with {@link #concat}.
     *
     * @param key the key
     * @param value the value
     * @return the new value
     */
    @Operation
    public String mergeConcat(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.merge(key(key), value(value), LineMapOperations::concat);
    }

    /**
     * Appends {@code "x"} to the value (absent: {@code "x"}); a value of 30 bytes or more is removed.
     *
     * @param key the key
     * @return the new value, or null if removed
     */
    @Operation
    public String computeAppend(@Param(name = "key") final int key) {
        return map.compute(key(key), (k, v) -> v == null ? "x" : v.length() >= 30 ? null : v + "x");
    }

    /**
     * Inserts {@code value} if absent.
     *
     * @param key the key
     * @param value the value
     * @return the value now mapped
     */
    @Operation
    public String computeIfAbsent(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.computeIfAbsent(key(key), k -> value(value));
    }

    /**
     * Replaces a present value by its first half (removes an empty one).
     *
     * @param key the key
     * @return the new value, or null
     */
    @Operation
    public String computeIfPresentHalve(@Param(name = "key") final int key) {
        return map.computeIfPresent(key(key), (k, v) -> v.isEmpty() ? null : v.substring(0, v.length() / 2));
    }

    /**
     * The zero-copy read: the value's length, and its bytes when they fit (64 bytes always do).
     *
     * @param key the key
     * @return the value read through {@code getBytes}, or null
     */
    @Operation
    public String getBytes(@Param(name = "key") final int key) {
        final byte[] target = new byte[64];
        final long n = map.getBytes(bytes(key(key)), MemorySegment.ofArray(target));
        return n < 0 ? null : new String(target, 0, (int) n, StandardCharsets.UTF_8);
    }

    /**
     * The zero-copy write.
     *
     * @param key the key
     * @param value the value
     * @return whether the key was absent
     */
    @Operation
    public boolean putBytes(@Param(name = "key") final int key, @Param(name = "value") final int value) {
        return map.putBytes(bytes(key(key)), bytes(value(value)));
    }

    /**
     * The zero-copy remove.
     *
     * @param key the key
     * @return whether it was present
     */
    @Operation
    public boolean removeBytes(@Param(name = "key") final int key) {
        return map.removeBytes(bytes(key(key)));
    }

    private static MemorySegment bytes(final String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Quiescent check: size() equals the number of entries forEach reports, each key once. */
    @Validate
    public void quiescentSizeMatchesContents() {
        final Set<String> seen = new HashSet<>();
        map.forEach((k, v) -> {
            if (!seen.add(k)) {
                throw new IllegalStateException("forEach reported key " + k + " twice");
            }
        });
        if (map.size() != seen.size()) {
            throw new IllegalStateException("quiescent size() = " + map.size() + " but forEach reported "
                    + seen.size());
        }
    }
}
