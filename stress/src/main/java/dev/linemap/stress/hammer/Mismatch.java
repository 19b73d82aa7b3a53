package dev.linemap.stress.hammer;

/**
 * The first disagreement between the map and the model: enough to reproduce and to look at.
 *
 * @param where which thread or check saw it
 * @param operation the operation and its arguments
 * @param key the first differing key
 * @param expected what the model says
 * @param actual what the map said
 */
record Mismatch(String where, String operation, long key, String expected, String actual) {

    String describe(final long seed) {
        return "MISMATCH seed=" + seed + " at " + where + ": " + operation + " key=" + key
                + " (0x" + Long.toHexString(key) + ") expected " + expected + " but map returned " + actual;
    }
}
