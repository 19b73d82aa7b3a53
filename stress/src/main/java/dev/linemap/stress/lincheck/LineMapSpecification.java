package dev.linemap.stress.lincheck;

import java.util.HashMap;

import static dev.linemap.stress.lincheck.LineMapOperations.key;
import static dev.linemap.stress.lincheck.LineMapOperations.value;

/**
 * Sequential specification for {@link LineMapOperations}: the same operations on a {@link HashMap}
 * of strings (the zero-copy ones as their object equivalents).
 */
public final class LineMapSpecification {

    private final HashMap<String, String> map = new HashMap<>();

    /** Creates an empty specification map. */
    public LineMapSpecification() {
    }

    /**
     * See {@link LineMapOperations#get}.
     *
     * @param key the key
     * @return its value, or null
     */
    public String get(final int key) {
        return map.get(key(key));
    }

    /**
     * See {@link LineMapOperations#containsKey}.
     *
     * @param key the key
     * @return whether it is present
     */
    public boolean containsKey(final int key) {
        return map.containsKey(key(key));
    }

    /**
     * See {@link LineMapOperations#put}.
     *
     * @param key the key
     * @param value the value
     * @return the previous value, or null
     */
    public String put(final int key, final int value) {
        return map.put(key(key), value(value));
    }

    /**
     * See {@link LineMapOperations#putIfAbsent}.
     *
     * @param key the key
     * @param value the value
     * @return the existing value, or null
     */
    public String putIfAbsent(final int key, final int value) {
        return map.putIfAbsent(key(key), value(value));
    }

    /**
     * See {@link LineMapOperations#remove}.
     *
     * @param key the key
     * @return the removed value, or null
     */
    public String remove(final int key) {
        return map.remove(key(key));
    }

    /**
     * See {@link LineMapOperations#removeIfValue}.
     *
     * @param key the key
     * @param value the expected value
     * @return whether it was removed
     */
    public boolean removeIfValue(final int key, final int value) {
        return map.remove(key(key), value(value));
    }

    /**
     * See {@link LineMapOperations#replace}.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or null
     */
    public String replace(final int key, final int value) {
        return map.replace(key(key), value(value));
    }

    /**
     * See {@link LineMapOperations#replaceIfValue}.
     *
     * @param key the key
     * @param expected the expected value
     * @param value the new value
     * @return whether it was replaced
     */
    public boolean replaceIfValue(final int key, final int expected, final int value) {
        return map.replace(key(key), value(expected), value(value));
    }

    /**
     * See {@link LineMapOperations#mergeConcat}.
     *
     * @param key the key
     * @param value the value
     * @return the new value
     */
    public String mergeConcat(final int key, final int value) {
        return map.merge(key(key), value(value), LineMapOperations::concat);
    }

    /**
     * See {@link LineMapOperations#computeAppend}.
     *
     * @param key the key
     * @return the new value, or null
     */
    public String computeAppend(final int key) {
        return map.compute(key(key), (k, v) -> v == null ? "x" : v.length() >= 30 ? null : v + "x");
    }

    /**
     * See {@link LineMapOperations#computeIfAbsent}.
     *
     * @param key the key
     * @param value the value
     * @return the value now mapped
     */
    public String computeIfAbsent(final int key, final int value) {
        return map.computeIfAbsent(key(key), k -> value(value));
    }

    /**
     * See {@link LineMapOperations#computeIfPresentHalve}.
     *
     * @param key the key
     * @return the new value, or null
     */
    public String computeIfPresentHalve(final int key) {
        return map.computeIfPresent(key(key), (k, v) -> v.isEmpty() ? null : v.substring(0, v.length() / 2));
    }

    /**
     * See {@link LineMapOperations#getBytes}.
     *
     * @param key the key
     * @return its value, or null
     */
    public String getBytes(final int key) {
        return map.get(key(key));
    }

    /**
     * See {@link LineMapOperations#putBytes}.
     *
     * @param key the key
     * @param value the value
     * @return whether the key was absent
     */
    public boolean putBytes(final int key, final int value) {
        return map.put(key(key), value(value)) == null;
    }

    /**
     * See {@link LineMapOperations#removeBytes}.
     *
     * @param key the key
     * @return whether it was present
     */
    public boolean removeBytes(final int key) {
        return map.remove(key(key)) != null;
    }
}
