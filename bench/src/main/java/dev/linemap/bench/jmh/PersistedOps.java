package dev.linemap.bench.jmh;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LongLongMap;
import dev.linemap.bench.AsciiEntries;
import dev.linemap.bench.Fsync;
import dev.linemap.bench.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.map.ChronicleMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Maps kept in a file against the same maps in memory (issue 13): get of a present key and put of a
 * present key, one thread, {@code size} entries (1M, 10M).
 *
 * <p>{@code impl}, long keys and values ({@link Keys}: random 64-bit keys, value of key {@code i} =
 * {@code i + 1}, looked up in a shuffled order, as {@link MapOps}; put writes a counter):
 * <ul>
 *   <li>{@code ll-mem}: {@code LongLongMap}, default builder, in memory;</li>
 *   <li>{@code ll-file}: the same, {@code persistTo(file)};</li>
 *   <li>{@code ll-chronicle-file}: {@code ChronicleMap<Long, Long>}, {@code entries(size)},
 *       {@code createPersistedTo(file)} (get and put box, as in {@code maps.ChronicleLongMap});</li>
 *   <li>{@code ll-mapdb-file}: MapDB's {@code HTreeMap<Long, Long>}, {@code DBMaker.fileDB(file)
 *       .fileMmapEnableIfSupported()}, {@code Serializer.LONG}, no transactions.</li>
 * </ul>
 * Strings ({@link AsciiEntries}, seed 42: the data of {@link LineMapOps}, keys 16..64 bytes, values
 * 16..256; put writes the value of another entry, from a pool of 65,536 of the stream's values, so
 * value sizes change):
 * <ul>
 *   <li>{@code lm-mem}: {@code LineMap<String, String>} ({@code Codecs.utf8()} both), in memory;</li>
 *   <li>{@code lm-file}: the same, {@code persistTo(file)};</li>
 *   <li>{@code lm-chronicle-file}: {@code ChronicleMap<CharSequence, CharSequence>}, {@code entries(size)},
 *       {@code averageKeySize}/{@code averageValueSize} the data's exact averages,
 *       {@code createPersistedTo(file)};</li>
 *   <li>{@code lm-mapdb-file}: MapDB's {@code HTreeMap<String, String>}, as above with
 *       {@code Serializer.STRING}.</li>
 * </ul>
 *
 * <p>Files go to a new directory under {@code -Dbench.persistDir} (default {@code java.io.tmpdir}),
 * deleted at the end of the trial. After the fill, a file's dirty pages are written out ({@code fsync}
 * of the file, for every map: linemap's {@code sync()} would also write a sync image, a second copy
 * of the file), so every trial starts from clean,
 * cached pages; the kernel's periodic writeback of what the puts dirty runs during the measurement,
 * as it would for a user. Each {@code impl} runs in its own fork, so the call through
 * {@link Subject} is monomorphic there. Run through the bench jar so the forks get Chronicle's flags:
 * {@code java -jar bench/target/linemap-bench.jar jmh PersistedOps -p size=1000000}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class PersistedOps {

    /** Values in the put pool of the string maps (a power of two). */
    static final int POOL = 1 << 16;

    /** Created by JMH. */
    public PersistedOps() {
    }

    /** One map under test, behind one call per operation. */
    interface Subject extends AutoCloseable {
        void get(int i, Blackhole bh);

        void put(int i, long tick, Blackhole bh);

        @Override
        void close();
    }

    /** The filled map, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Filled {
        /** Which map (see the class comment). */
        @Param({"ll-mem", "ll-file", "ll-chronicle-file", "ll-mapdb-file", "lm-mem", "lm-file", "lm-chronicle-file",
            "lm-mapdb-file"})
        public String impl;

        /** Entries. */
        @Param({"1000000", "10000000"})
        public int size;

        /** Seed of the string entries (the long keys use {@link Keys#KEY_SEED}). */
        @Param({"42"})
        public long seed;

        Subject subject;
        private Path dir;

        /** Created by JMH. */
        public Filled() {
        }

        /**
         * Generates the entries, fills the map, writes its file out.
         *
         * @throws IOException if the directory or a file cannot be created
         */
        @Setup(Level.Trial)
        public void setup() throws IOException {
            final long t0 = System.nanoTime();
            dir = Files.createTempDirectory(Path.of(System.getProperty("bench.persistDir",
                    System.getProperty("java.io.tmpdir"))), "persisted-ops-");
            final Path file = dir.resolve(impl + ".map");
            subject = switch (impl) {
                case "ll-mem" -> new LongLinemap(size, null);
                case "ll-file" -> new LongLinemap(size, file);
                case "ll-chronicle-file" -> LongPeer.chronicle(size, file);
                case "ll-mapdb-file" -> LongPeer.mapDb(size, file);
                case "lm-mem" -> StringMap.linemap(size, seed, null);
                case "lm-file" -> StringMap.linemap(size, seed, file);
                case "lm-chronicle-file" -> StringMap.chronicle(size, seed, file);
                case "lm-mapdb-file" -> StringMap.mapDb(size, seed, file);
                default -> throw new IllegalArgumentException("impl " + impl);
            };
            final long t1 = System.nanoTime();
            if (Files.exists(file)) {
                Fsync.of(file);
            }
            final long t2 = System.nanoTime();
            // The fill's garbage must not be collected inside a measurement iteration.
            System.gc();
            System.out.printf("%n[setup] %s size=%d filled in %d ms, synced in %d ms, file %s%n", impl, size,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    Files.exists(file) ? Files.size(file) + " bytes" : "none");
        }

        /**
         * Closes the map and deletes its directory.
         *
         * @throws IOException if the directory cannot be deleted
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            subject.close();
            try (Stream<Path> s = Files.walk(dir)) {
                for (final Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Get of a present key.
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param bh takes the value
     */
    @Benchmark
    public void getHit(final Filled s, final Cursor c, final Blackhole bh) {
        s.subject.get(c.next(s.size), bh);
    }

    /**
     * Put of a present key (long maps: a counter; string maps: another entry's value).
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param bh takes the old value
     */
    @Benchmark
    public void put(final Filled s, final Cursor c, final Blackhole bh) {
        s.subject.put(c.next(s.size), c.tick(), bh);
    }

    /** {@code LongLongMap}, in memory or in a file. */
    static final class LongLinemap implements Subject {
        private final LongLongMap map;
        private final long[] hits;

        LongLinemap(final int size, final Path file) {
            final long[] keys = Keys.random(size, Keys.KEY_SEED);
            map = file == null ? LongLongMap.builder().build() : LongLongMap.builder().persistTo(file).build();
            for (int i = 0; i < size; i++) {
                map.put(keys[i], Keys.valueFor(i));
            }
            hits = Keys.shuffled(keys, Keys.ORDER_SEED);
            check(map.size(), size);
        }

        @Override
        public void get(final int i, final Blackhole bh) {
            bh.consume(map.get(hits[i]));
        }

        @Override
        public void put(final int i, final long tick, final Blackhole bh) {
            bh.consume(map.put(hits[i], tick));
        }

        @Override
        public void close() {
            map.close();
        }
    }

    /**
     * A boxed {@code Map<Long, Long>} kept in a file (Chronicle Map, MapDB): filled as
     * {@link LongLinemap}; get and put box, as in {@code maps.ChronicleLongMap}.
     */
    static final class LongPeer implements Subject {
        private final Map<Long, Long> map;
        private final long[] hits;
        private final Runnable close;

        LongPeer(final int size, final Map<Long, Long> map, final Runnable close) {
            final long[] keys = Keys.random(size, Keys.KEY_SEED);
            this.map = map;
            this.close = close;
            for (int i = 0; i < size; i++) {
                map.put(keys[i], Keys.valueFor(i));
            }
            hits = Keys.shuffled(keys, Keys.ORDER_SEED);
            check(map.size(), size);
        }

        static LongPeer chronicle(final int size, final Path file) {
            try {
                final ChronicleMap<Long, Long> map = ChronicleMap.of(Long.class, Long.class).name("persisted-ops")
                        .entries(size).createPersistedTo(file.toFile());
                return new LongPeer(size, map, map::close);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static LongPeer mapDb(final int size, final Path file) {
            final DB db = DBMaker.fileDB(file.toFile()).fileMmapEnableIfSupported().make();
            return new LongPeer(size, db.hashMap("persisted-ops", Serializer.LONG, Serializer.LONG).createOrOpen(),
                    db::close);
        }

        @Override
        public void get(final int i, final Blackhole bh) {
            bh.consume(map.get(hits[i]));
        }

        @Override
        public void put(final int i, final long tick, final Blackhole bh) {
            bh.consume(map.put(hits[i], tick));
        }

        @Override
        public void close() {
            close.run();
        }
    }

    /**
     * A map of strings ({@code LineMap<String, String>} in memory or in a file, Chronicle Map and
     * MapDB in a file), filled with the {@link AsciiEntries} stream of {@code seed}; a put writes a
     * value of the pool.
     */
    static final class StringMap implements Subject {
        private final Map<? super String, ? super String> map;
        private final String[] keys;
        private final String[] pool;
        private final Runnable close;

        StringMap(final Strings data, final long seed, final Map<? super String, ? super String> map,
                  final Runnable close) {
            this.map = map;
            this.close = close;
            keys = data.keys();
            pool = data.pool();
            final AsciiEntries entries = new AsciiEntries(seed);
            for (int i = 0; i < keys.length; i++) {
                map.put(entries.nextKey(), entries.nextValue());
            }
            check(map.size(), keys.length);
        }

        static StringMap linemap(final int size, final long seed, final Path file) {
            final LineMap<String, String> map = file == null
                    ? LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed).build()
                    : LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed).persistTo(file).build();
            return new StringMap(Strings.generate(size, seed), seed, map, map::close);
        }

        static StringMap chronicle(final int size, final long seed, final Path file) {
            final Strings data = Strings.generate(size, seed);
            try {
                final ChronicleMap<CharSequence, CharSequence> map = ChronicleMap.of(CharSequence.class,
                                CharSequence.class).name("persisted-ops").entries(size)
                        .averageKeySize((double) data.keyBytes() / size)
                        .averageValueSize((double) data.valueBytes() / size)
                        .createPersistedTo(file.toFile());
                return new StringMap(data, seed, map, map::close);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static StringMap mapDb(final int size, final long seed, final Path file) {
            final DB db = DBMaker.fileDB(file.toFile()).fileMmapEnableIfSupported().make();
            return new StringMap(Strings.generate(size, seed), seed,
                    db.hashMap("persisted-ops", Serializer.STRING, Serializer.STRING).createOrOpen(), db::close);
        }

        @Override
        public void get(final int i, final Blackhole bh) {
            bh.consume(map.get(keys[i]));
        }

        @Override
        public void put(final int i, final long tick, final Blackhole bh) {
            bh.consume(map.put(keys[i], pool[(int) ((i * 31L + tick) & (POOL - 1))]));
        }

        @Override
        public void close() {
            close.run();
        }
    }

    /**
     * The string keys (kept, for the lookups), the first {@value #POOL} values (the puts' values)
     * and the byte totals (Chronicle Map's average sizes; the data is ASCII, one byte a char).
     */
    record Strings(String[] keys, String[] pool, long keyBytes, long valueBytes) {
        static Strings generate(final int size, final long seed) {
            final AsciiEntries entries = new AsciiEntries(seed);
            final String[] keys = new String[size];
            final String[] pool = new String[POOL];
            long keyBytes = 0;
            long valueBytes = 0;
            for (int i = 0; i < size; i++) {
                keys[i] = entries.nextKey();
                final String value = entries.nextValue();
                keyBytes += keys[i].length();
                valueBytes += value.length();
                if (i < POOL) {
                    pool[i] = value;
                }
            }
            for (int i = size; i < POOL; i++) {
                pool[i] = pool[i % size];
            }
            return new Strings(keys, pool, keyBytes, valueBytes);
        }
    }

    private static void check(final long size, final int expected) {
        if (size != expected) {
            throw new IllegalStateException("size " + size + " after inserting " + expected + " keys");
        }
    }
}
