package dev.linemap;

/**
 * Keys and values for the concurrent {@link LineMap} tests: keys of 5 to 40 bytes; a value names its
 * key and a version and carries a filler whose length and letter follow from the version, so a value
 * that was never written for a key (another key's, a torn one, or a mix of two versions) is
 * recognised by {@link #wellFormed}.
 */
final class LineMapValues {

    private LineMapValues() {
    }

    /**
     * Key {@code i} of a range.
     *
     * @param range a prefix naming the range
     * @param i index
     * @return the key, 5 to 40 bytes for short prefixes
     */
    static String key(final String range, final long i) {
        return range + i + "-".repeat((int) (i % 29));
    }

    /**
     * The value of version {@code version} of {@code key}: 0 to about 250 bytes beyond the key.
     *
     * @param key the key
     * @param version a non-negative version
     * @return the value
     */
    static String value(final String key, final long version) {
        return key + "#" + version + "#" + filler(version);
    }

    private static String filler(final long version) {
        return String.valueOf((char) ('a' + version % 26)).repeat((int) (version * 37 % 211));
    }

    /**
     * Whether {@code value} is some version of {@code key}, written whole.
     *
     * @param key the key
     * @param value the value read for it
     * @return whether it is well formed
     */
    static boolean wellFormed(final String key, final String value) {
        if (!value.startsWith(key + "#")) {
            return false;
        }
        final int end = value.indexOf('#', key.length() + 1);
        if (end < 0) {
            return false;
        }
        final long version;
        try {
            version = Long.parseLong(value.substring(key.length() + 1, end));
        } catch (final NumberFormatException e) {
            return false;
        }
        return version >= 0 && value.substring(end + 1).equals(filler(version));
    }

    /**
     * The version of a well-formed value.
     *
     * @param key its key
     * @param value the value
     * @return its version
     */
    static long version(final String key, final String value) {
        return Long.parseLong(value.substring(key.length() + 1, value.indexOf('#', key.length() + 1)));
    }
}
