package dev.linemap;

import dev.linemap.FileFuzzBases.Base;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One case of the file fuzzer: a base file's copy, mutated, opened. The open either throws
 * {@link StoreFileException} (any reason) or returns a map that works: every key of the base reads
 * (any value, or none: the file is damaged), iteration agrees with {@code size()} and every key it
 * gives reads the value it gave, thousands of new keys go in (growth included) and read back
 * exactly, removed keys are gone, and after a close the file reopens holding exactly what the map
 * held. Anything else (another exception, a wrong answer, a reopen that fails) is an
 * {@link AssertionError}; a JVM crash ends the fork; a hang is the driver's to catch
 * ({@link FileFuzzTest}).
 */
final class FileFuzzCase {

    private FileFuzzCase() {
    }

    /**
     * Writes the mutated copy of {@code base} to {@code file}.
     *
     * @param base the base
     * @param random the case's random
     * @param file where the copy goes
     * @return what was done to it
     * @throws IOException if the file cannot be written
     */
    static String prepare(final Base base, final SplittableRandom random, final Path file) throws IOException {
        try (FileFuzzImage image = new FileFuzzImage(base.bytes())) {
            final String mutation = FileFuzzMutations.mutate(image, random);
            image.writeTo(file);
            return mutation;
        }
    }

    /**
     * Opens the mutated file and, if it opens, works the map and reopens it.
     *
     * @param base the base the file was copied from
     * @param random the case's random
     * @param file the mutated file
     * @param helper whether the map runs migrations on a helper thread (else its writers do)
     * @return {@code "opened"}, {@code "opened empty"} (a map the open found no entry of, though
     *         the base had some: the damage took them all, e.g. a zeroed header page reads as a new
     *         file) or {@code "rejected <reason>"}
     */
    static String exercise(final Base base, final SplittableRandom random, final Path file, final boolean helper) {
        return base.line() ? exerciseLine(base, random, file, helper) : exerciseLong(base, random, file, helper);
    }

    // ------------------------------------------------------------------------- long -> long

    private static String exerciseLong(final Base base, final SplittableRandom random, final Path file,
                                       final boolean helper) {
        final LongLongMap map;
        try {
            map = FileFuzzBases.openLong(file, helper);
        } catch (final StoreFileException e) {
            return "rejected " + e.reason();
        }
        final long missing = Long.MIN_VALUE;
        final Map<Long, Long> written = new HashMap<>();
        final Set<Long> removed = new HashSet<>();
        final List<long[]> content;
        final boolean empty;
        try (map) {
            final long[] keys = base.longKeys();
            empty = map.size() == 0 && base.size() > 0;
            final long[] values = new long[keys.length];
            for (final long key : keys) {
                map.get(key);
                map.containsKey(key);
            }
            map.getAll(keys, values);
            contentOf(map);   // checks iteration against size()
            final int n = 2_000 + random.nextInt(2_000);
            for (int i = 0; i < n; i++) {
                final long key = random.nextLong();
                final long value = random.nextLong(missing + 1, Long.MAX_VALUE);
                map.put(key, value);
                written.put(key, value);
            }
            for (int i = 0; i < 300 && keys.length > 0; i++) {
                final long key = keys[random.nextInt(keys.length)];
                map.remove(key);
                written.remove(key);
                removed.add(key);
            }
            final Long[] mine = written.keySet().toArray(new Long[0]);
            for (int i = 0; i < 300; i++) {
                final long key = mine[random.nextInt(mine.length)];
                if (random.nextBoolean()) {
                    map.remove(key);
                    written.remove(key);
                    removed.add(key);
                } else if (written.containsKey(key)) {
                    written.put(key, map.addAndGet(key, 1));
                }
            }
            written.forEach((k, v) -> check(map.get(k) == v, "key " + k + " written as " + v + " reads "
                    + map.get(k)));
            for (final long key : removed) {
                check(!map.containsKey(key), "key " + key + " removed, still there: " + map.get(key));
            }
            content = contentOf(map);
        }
        try (LongLongMap again = FileFuzzBases.openLong(file, helper)) {
            final List<long[]> reopened = contentOf(again);
            check(sameLongs(content, reopened), "reopened with " + reopened.size() + " entries, "
                    + content.size() + " at close, or other ones");
            written.forEach((k, v) -> check(again.get(k) == v, "key " + k + " written as " + v
                    + " reads " + again.get(k) + " after reopening"));
        }
        return empty ? "opened empty" : "opened";
    }

    /** The entries (sorted), checked against {@code size()} and {@code get}. */
    private static List<long[]> contentOf(final LongLongMap map) {
        final List<long[]> all = new ArrayList<>();
        map.forEach((k, v) -> all.add(new long[] {k, v}));
        check(all.size() == map.size(), "iteration gives " + all.size() + " entries, size() " + map.size());
        for (final long[] e : all) {
            check(map.get(e[0]) == e[1], "key " + e[0] + " iterated with " + e[1] + ", get gives " + map.get(e[0]));
        }
        all.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        return all;
    }

    private static boolean sameLongs(final List<long[]> a, final List<long[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i)[0] != b.get(i)[0] || a.get(i)[1] != b.get(i)[1]) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------- LineMap

    private static String exerciseLine(final Base base, final SplittableRandom random, final Path file,
                                       final boolean helper) {
        final LineMap<String, String> map;
        try {
            map = FileFuzzBases.openLine(file, helper);
        } catch (final StoreFileException e) {
            return "rejected " + e.reason();
        }
        final Map<String, String> written = new HashMap<>();
        final Set<String> removed = new HashSet<>();
        final List<String> content;
        final boolean empty;
        try (map) {
            final String[] keys = base.stringKeys();
            empty = map.size() == 0 && base.size() > 0;
            for (final String key : keys) {
                map.get(key);
                map.containsKey(key);
            }
            contentOf(map);
            for (final Map.Entry<String, String> e : map.entrySet()) {
                e.getKey();   // the views decode on their own path
            }
            final int n = 2_000 + random.nextInt(2_000);
            final String prefix = "new-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "-";
            for (int i = 0; i < n; i++) {
                final String key = prefix + i;
                final String value = "v".repeat(random.nextInt(random.nextInt(50) == 0 ? 3_000 : 120));
                map.put(key, value);
                written.put(key, value);
            }
            for (int i = 0; i < 300 && keys.length > 0; i++) {
                final String key = keys[random.nextInt(keys.length)];
                map.remove(key);
                written.remove(key);
                removed.add(key);
            }
            for (int i = 0; i < 300; i++) {
                final String key = prefix + random.nextInt(n);
                if (random.nextBoolean()) {
                    map.remove(key);
                    written.remove(key);
                    removed.add(key);
                } else if (written.containsKey(key)) {
                    written.put(key, map.merge(key, "+", String::concat));
                }
            }
            written.forEach((k, v) -> check(v.equals(map.get(k)), "key " + k + " written as " + v.length()
                    + " chars reads " + printable(map.get(k))));
            for (final String key : removed) {
                check(!map.containsKey(key), "key " + key + " removed, still there");
            }
            content = contentOf(map);
        }
        try (LineMap<String, String> again = FileFuzzBases.openLine(file, helper)) {
            final List<String> reopened = contentOf(again);
            check(content.equals(reopened), "reopened with " + reopened.size() + " entries, " + content.size()
                    + " at close, or other ones");
            written.forEach((k, v) -> check(v.equals(again.get(k)), "key " + k + " reads "
                    + printable(again.get(k)) + " after reopening"));
        }
        return empty ? "opened empty" : "opened";
    }

    /**
     * The entries as "key=value" (sorted), checked against size() and, for a key iterated once (a
     * damaged file may decode two keys alike), against get.
     */
    private static List<String> contentOf(final LineMap<String, String> map) {
        final List<String> all = new ArrayList<>();
        final Map<String, String> values = new HashMap<>();
        final Set<String> twice = new HashSet<>();
        map.forEach((k, v) -> {
            all.add(k.length() + ":" + k + "=" + v);
            if (values.put(k, v) != null) {
                twice.add(k);
            }
        });
        check(all.size() == map.size(), "iteration gives " + all.size() + " entries, size() " + map.size());
        values.forEach((k, v) -> check(twice.contains(k) || v.equals(map.get(k)), "key " + printable(k)
                + " iterated with " + v.length() + " chars, get gives " + printable(map.get(k))));
        Collections.sort(all);
        return all;
    }

    /** A string for a report: damaged bytes decode to anything, control characters included. */
    private static String printable(final String s) {
        if (s == null) {
            return "null";
        }
        final StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            final char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.append(s.length() > 80 ? "\"... (" + s.length() + " chars)" : "\"").toString();
    }

    private static void check(final boolean ok, final String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
