package dev.linemap.stress.hammer;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LineMapStats;
import dev.linemap.LongLongConsumer;

/**
 * The hammer's operations on a {@code LineMap<String, String>}. A {@code long} key becomes
 * {@code "k" + hex + dashes} (18 to 64 UTF-8 bytes, the length depending on the key); a value
 * becomes {@code decimal + ":" + filler}, whose filler (0 to 255 letters) follows from the value, so
 * the value strings have many lengths and a torn or foreign one fails to decode: {@link #decode}
 * then throws, which the worker reports as a failure. Read-modify-writes are
 * {@code LineMap.merge} with a function that adds the decoded numbers.
 */
final class LineHammerMap implements HammerMap {

    private final LineMap<String, String> map;
    private final long missing;

    LineHammerMap(final long seed, final long missing) {
        this.missing = missing;
        this.map = LineMap.builder(Codecs.utf8(), Codecs.utf8()).initialCapacity(0).seed(seed).build();
    }

    static String encodeKey(final long key) {
        return "k" + Long.toHexString(key) + "-".repeat((int) ((key >>> 40) % 48));
    }

    static long decodeKey(final String s) {
        final int dash = s.indexOf('-');
        if (!s.startsWith("k")) {
            throw new IllegalStateException("not a hammer key: " + s);
        }
        return Long.parseUnsignedLong(s.substring(1, dash < 0 ? s.length() : dash), 16);
    }

    static String encode(final long value) {
        return value + ":" + filler(value);
    }

    private static String filler(final long value) {
        return String.valueOf((char) ('a' + Math.floorMod(value >>> 8, 26))).repeat((int) (value & 0xFF));
    }

    static long decode(final String s) {
        final int colon = s.indexOf(':');
        final long value;
        try {
            value = Long.parseLong(s.substring(0, colon < 0 ? 0 : colon));
        } catch (final NumberFormatException e) {
            throw new IllegalStateException("LineMap returned a value that no writer encoded: \"" + abbreviated(s)
                    + "\"", e);
        }
        if (!s.substring(colon + 1).equals(filler(value))) {
            throw new IllegalStateException("LineMap returned a value whose filler does not match its number "
                    + "(half-written or mixed): \"" + abbreviated(s) + "\"");
        }
        return value;
    }

    private static String abbreviated(final String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "... (" + s.length() + " chars)";
    }

    private long orMissing(final String v) {
        return v == null ? missing : decode(v);
    }

    private static String sum(final String a, final String b) {
        return encode(decode(a) + decode(b));
    }

    @Override
    public String name() {
        return "LineMap<String, String>";
    }

    @Override
    public long missingValue() {
        return missing;
    }

    @Override
    public long get(final long key) {
        return orMissing(map.get(encodeKey(key)));
    }

    @Override
    public boolean containsKey(final long key) {
        return map.containsKey(encodeKey(key));
    }

    @Override
    public long getOrDefault(final long key, final long defaultValue) {
        final String v = map.get(encodeKey(key));
        return v == null ? defaultValue : decode(v);
    }

    @Override
    public long put(final long key, final long value) {
        return orMissing(map.put(encodeKey(key), encode(value)));
    }

    @Override
    public long putIfAbsent(final long key, final long value) {
        return orMissing(map.putIfAbsent(encodeKey(key), encode(value)));
    }

    @Override
    public long remove(final long key) {
        return orMissing(map.remove(encodeKey(key)));
    }

    @Override
    public boolean remove(final long key, final long expectedValue) {
        return map.remove(encodeKey(key), encode(expectedValue));
    }

    @Override
    public long replace(final long key, final long value) {
        return orMissing(map.replace(encodeKey(key), encode(value)));
    }

    @Override
    public boolean replace(final long key, final long expectedValue, final long newValue) {
        return map.replace(encodeKey(key), encode(expectedValue), encode(newValue));
    }

    @Override
    public long mergeSum(final long key, final long value) {
        return decode(map.merge(encodeKey(key), encode(value), LineHammerMap::sum));
    }

    @Override
    public long addAndGet(final long key, final long delta) {
        return decode(map.merge(encodeKey(key), encode(delta), LineHammerMap::sum));
    }

    @Override
    public long size() {
        return map.size();
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public void forEach(final LongLongConsumer action) {
        map.forEach((k, v) -> action.accept(decodeKey(k), decode(v)));
    }

    @Override
    public Shape shape() {
        final LineMapStats s = map.stats();
        return new Shape(s.size(), s.bucketCount(), s.overflowLineCount(), s.migrating(), s.completedMigrations());
    }

    @Override
    public void close() {
        map.close();
    }
}
