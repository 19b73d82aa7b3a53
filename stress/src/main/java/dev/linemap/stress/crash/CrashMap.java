package dev.linemap.stress.crash;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongConsumer;
import dev.linemap.LongLongMap;
import dev.linemap.MigrationKind;
import dev.linemap.MigrationListener;

import java.nio.file.Path;

/**
 * The crash loop's view of a persisted map, on {@code long} keys and values, so that one child
 * and one checker serve both shapes: {@code LongLongMap} as it is, {@code LineMap<String, String>}
 * through an encoding whose values carry a filler that a torn or foreign value fails to match.
 */
interface CrashMap extends AutoCloseable {

    /** The value {@link #get} returns for a missing key. */
    long MISSING = Long.MIN_VALUE;

    long get(long key);

    void put(long key, long value);

    void remove(long key);

    long size();

    void clear();

    void forEach(LongLongConsumer action);

    void sync();

    @Override
    void close();

    /**
     * Opens (or creates) the map in {@code file}.
     *
     * @param shape "long" or "line"
     * @param file the map file
     * @param background whether migrations have a helper thread
     * @return the map
     */
    static CrashMap open(final String shape, final Path file, final boolean background) {
        return open(shape, file, background, null);
    }

    /**
     * Opens (or creates) the map in {@code file}, with a migration listener.
     *
     * @param shape "long" or "line"
     * @param file the map file
     * @param background whether migrations have a helper thread
     * @param listener told of every migration, or {@code null}
     * @return the map
     */
    static CrashMap open(final String shape, final Path file, final boolean background,
                         final MigrationListener listener) {
        return switch (shape) {
            case "long" -> new Longs(LongLongMap.builder().missingValue(MISSING).backgroundMigration(background)
                    .migrationListener(listener).persistTo(file).build());
            case "line" -> new Lines(LineMap.builder(Codecs.utf8(), Codecs.utf8()).backgroundMigration(background)
                    .migrationListener(listener).persistTo(file).build());
            default -> throw new IllegalArgumentException("--map " + shape + ": expected long or line");
        };
    }

    /** {@code LongLongMap}. */
    record Longs(LongLongMap map) implements CrashMap {
        @Override
        public long get(final long key) {
            return map.get(key);
        }

        @Override
        public void put(final long key, final long value) {
            map.put(key, value);
        }

        @Override
        public void remove(final long key) {
            map.remove(key);
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
            map.forEach(action);
        }

        @Override
        public void sync() {
            map.sync();
        }

        @Override
        public void close() {
            map.close();
        }
    }

    /** {@code LineMap<String, String>}: key {@code "k<key>"}, value {@code "<value>:<filler>"}. */
    record Lines(LineMap<String, String> map) implements CrashMap {

        static String key(final long key) {
            return "k" + key;
        }

        static String value(final long value) {
            return value + ":" + "x".repeat((int) Math.floorMod(value, 61L));
        }

        static long decodeKey(final String s) {
            if (s.length() < 2 || s.charAt(0) != 'k') {
                throw new IllegalStateException("LineMap holds a key no writer wrote: \"" + s + "\"");
            }
            return Long.parseLong(s.substring(1));
        }

        static long decode(final String s) {
            final int colon = s.indexOf(':');
            final long v;
            try {
                v = Long.parseLong(s.substring(0, colon));
            } catch (final RuntimeException e) {
                throw new IllegalStateException("LineMap holds a value no writer wrote: \"" + s + "\"", e);
            }
            if (!s.equals(value(v))) {
                throw new IllegalStateException("LineMap holds a torn value: \"" + s + "\"");
            }
            return v;
        }

        @Override
        public long get(final long key) {
            final String v = map.get(key(key));
            return v == null ? MISSING : decode(v);
        }

        @Override
        public void put(final long key, final long value) {
            map.put(key(key), value(value));
        }

        @Override
        public void remove(final long key) {
            map.remove(key(key));
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
        public void sync() {
            map.sync();
        }

        @Override
        public void close() {
            map.close();
        }
    }
}
