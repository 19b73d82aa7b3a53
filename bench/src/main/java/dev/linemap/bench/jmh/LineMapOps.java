package dev.linemap.bench.jmh;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.bench.AsciiEntries;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.map.ChronicleMap;
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
 * {@code LineMap} against Chronicle Map and {@code ConcurrentHashMap} with variable-length keys and
 * values (issue 12's numbers): {@code size} entries (1M), keys 16..64-byte ASCII strings, values
 * 16..256 bytes, seeded; get of a present key and put of a present key (a new value of another
 * entry's size), one and two threads.
 *
 * <p>{@code impl}: {@code linemap} ({@code LineMap<String, String>}, the object API),
 * {@code linemap-zc} (the same map through the zero-copy path: key bytes from a native segment,
 * {@code getBytes} into a per-thread native segment, {@code putBytes}; 0 B/op with {@code -prof gc}),
 * {@code linemap-bytes} ({@code LineMap<byte[], byte[]>}), {@code chronicle}
 * ({@code ChronicleMap<CharSequence, CharSequence>} sized with {@code entries}, {@code averageKeySize},
 * {@code averageValueSize}; {@code get} returns a new value, {@code getUsing} is not used),
 * {@code chm} ({@code ConcurrentHashMap<String, String>}), {@code chm-bytes}
 * ({@code ConcurrentHashMap<String, byte[]>}). Run through the bench jar so that the child JVMs get
 * Chronicle's flags: {@code bench/bench.sh jmh LineMapOps -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LineMapOps {

    /** Created by JMH. */
    public LineMapOps() {
    }

    /** The filled map and its keys and values, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Filled {
        /** Which map (see the class comment). */
        @Param({"linemap", "linemap-zc", "linemap-bytes", "chronicle", "chm", "chm-bytes"})
        public String impl;

        /** Entries. */
        @Param({"1000000"})
        public int size;

        /** Seed of the keys and values. */
        @Param({"42"})
        public long seed;

        String[] keys;
        String[] values;
        byte[][] keyBytes;
        byte[][] valueBytes;
        /** The zero-copy path's keys and values: every encoding back to back in native memory. */
        MemorySegment keySegment;
        long[] keyOffsets;
        MemorySegment valueSegment;
        long[] valueOffsets;

        LineMap<String, String> lineMap;
        LineMap<byte[], byte[]> lineMapBytes;
        ChronicleMap<CharSequence, CharSequence> chronicle;
        ConcurrentHashMap<String, String> chm;
        ConcurrentHashMap<String, byte[]> chmBytes;
        private Arena arena;

        /** Created by JMH. */
        public Filled() {
        }

        /** Generates the keys and values and fills the map. */
        @Setup(Level.Trial)
        public void setup() {
            final AsciiEntries entries = new AsciiEntries(seed);
            keys = new String[size];
            values = new String[size];
            keyBytes = new byte[size][];
            valueBytes = new byte[size][];
            long keyTotal = 0;
            long valueTotal = 0;
            for (int i = 0; i < size; i++) {
                keys[i] = entries.nextKey();
                values[i] = entries.nextValue();
                keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
                valueBytes[i] = values[i].getBytes(StandardCharsets.UTF_8);
                keyTotal += keyBytes[i].length;
                valueTotal += valueBytes[i].length;
            }
            arena = Arena.ofShared();
            keySegment = arena.allocate(keyTotal);
            valueSegment = arena.allocate(valueTotal);
            keyOffsets = new long[size + 1];
            valueOffsets = new long[size + 1];
            for (int i = 0; i < size; i++) {
                MemorySegment.copy(keyBytes[i], 0, keySegment, ValueLayout.JAVA_BYTE, keyOffsets[i],
                        keyBytes[i].length);
                keyOffsets[i + 1] = keyOffsets[i] + keyBytes[i].length;
                MemorySegment.copy(valueBytes[i], 0, valueSegment, ValueLayout.JAVA_BYTE, valueOffsets[i],
                        valueBytes[i].length);
                valueOffsets[i + 1] = valueOffsets[i] + valueBytes[i].length;
            }
            switch (impl) {
                case "linemap", "linemap-zc" -> {
                    lineMap = LineMap.builder(Codecs.utf8(), Codecs.utf8()).seed(seed).build();
                    for (int i = 0; i < size; i++) {
                        lineMap.put(keys[i], values[i]);
                    }
                }
                case "linemap-bytes" -> {
                    lineMapBytes = LineMap.builder(Codecs.bytes(), Codecs.bytes()).seed(seed).build();
                    for (int i = 0; i < size; i++) {
                        lineMapBytes.put(keyBytes[i], valueBytes[i]);
                    }
                }
                case "chronicle" -> {
                    chronicle = ChronicleMap.of(CharSequence.class, CharSequence.class)
                            .name("linemap-ops")
                            .entries(size)
                            .averageKeySize((double) keyTotal / size)
                            .averageValueSize((double) valueTotal / size)
                            .create();
                    for (int i = 0; i < size; i++) {
                        chronicle.put(keys[i], values[i]);
                    }
                }
                case "chm" -> {
                    chm = new ConcurrentHashMap<>();
                    for (int i = 0; i < size; i++) {
                        chm.put(keys[i], values[i]);
                    }
                }
                case "chm-bytes" -> {
                    chmBytes = new ConcurrentHashMap<>();
                    for (int i = 0; i < size; i++) {
                        chmBytes.put(keys[i], valueBytes[i]);
                    }
                }
                default -> throw new IllegalArgumentException("impl " + impl);
            }
        }

        /** Frees the map and the native keys. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (lineMap != null) {
                lineMap.close();
            }
            if (lineMapBytes != null) {
                lineMapBytes.close();
            }
            if (chronicle != null) {
                chronicle.close();
            }
            arena.close();
        }
    }

    /** A per-thread native segment a zero-copy get copies the value into. */
    @State(Scope.Thread)
    public static class Target {
        final MemorySegment segment = Arena.ofAuto().allocate(512);

        /** Created by JMH. */
        public Target() {
        }
    }

    // Results go to the Blackhole by type: a long or boolean returned as Object would be boxed.
    private static void get(final Filled s, final int i, final Target t, final Blackhole bh) {
        switch (s.impl) {
            case "linemap" -> bh.consume(s.lineMap.get(s.keys[i]));
            case "linemap-zc" -> bh.consume(s.lineMap.getBytes(s.keySegment, s.keyOffsets[i], s.keyOffsets[i + 1]
                    - s.keyOffsets[i], t.segment, 0));
            case "linemap-bytes" -> bh.consume(s.lineMapBytes.get(s.keyBytes[i]));
            case "chronicle" -> bh.consume(s.chronicle.get(s.keys[i]));
            case "chm" -> bh.consume(s.chm.get(s.keys[i]));
            case "chm-bytes" -> bh.consume(s.chmBytes.get(s.keys[i]));
            default -> throw new IllegalStateException(s.impl);
        }
    }

    private static void put(final Filled s, final int i, final int j, final Blackhole bh) {
        switch (s.impl) {
            case "linemap" -> bh.consume(s.lineMap.put(s.keys[i], s.values[j]));
            case "linemap-zc" -> bh.consume(s.lineMap.putBytes(s.keySegment, s.keyOffsets[i], s.keyOffsets[i + 1]
                    - s.keyOffsets[i], s.valueSegment, s.valueOffsets[j], s.valueOffsets[j + 1] - s.valueOffsets[j]));
            case "linemap-bytes" -> bh.consume(s.lineMapBytes.put(s.keyBytes[i], s.valueBytes[j]));
            case "chronicle" -> bh.consume(s.chronicle.put(s.keys[i], s.values[j]));
            case "chm" -> bh.consume(s.chm.put(s.keys[i], s.values[j]));
            case "chm-bytes" -> bh.consume(s.chmBytes.put(s.keys[i], s.valueBytes[j]));
            default -> throw new IllegalStateException(s.impl);
        }
    }

    /**
     * Get of a present key, one thread.
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param t the zero-copy target
     * @param bh takes the value (or its length)
     */
    @Benchmark
    @Threads(1)
    public void getHit(final Filled s, final Cursor c, final Target t, final Blackhole bh) {
        get(s, c.next(s.size), t, bh);
    }

    /**
     * Put of a present key with another entry's value (so value sizes change), one thread.
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param bh takes the old value (or whether the key was absent)
     */
    @Benchmark
    @Threads(1)
    public void put(final Filled s, final Cursor c, final Blackhole bh) {
        final int i = c.next(s.size);
        put(s, i, (int) ((i * 31L + c.tick()) % s.size), bh);
    }

    /**
     * {@link #getHit} with two threads.
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param t the zero-copy target
     * @param bh takes the value (or its length)
     */
    @Benchmark
    @Threads(2)
    public void getHit2(final Filled s, final Cursor c, final Target t, final Blackhole bh) {
        get(s, c.next(s.size), t, bh);
    }

    /**
     * {@link #put} with two threads.
     *
     * @param s the map
     * @param c the thread's position in the keys
     * @param bh takes the old value (or whether the key was absent)
     */
    @Benchmark
    @Threads(2)
    public void put2(final Filled s, final Cursor c, final Blackhole bh) {
        final int i = c.next(s.size);
        put(s, i, (int) ((i * 31L + c.tick()) % s.size), bh);
    }
}
