package dev.linemap.tools;

import dev.linemap.LongLongMap;
import dev.linemap.MapStats;
import dev.linemap.MigrationKind;
import dev.linemap.MigrationListener;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.LayoutPrinter;
import dev.linemap.layout.WordFields;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The README's main command: a one-minute tour of linemap on a small machine.
 *
 * <ol>
 *   <li>prints the bucket layout, rendered from the real {@code StructLayout};</li>
 *   <li>loads 10 million entries (or {@code args[0]}) into an empty map while a reader thread
 *       checks random keys already loaded, printing a progress line per million;</li>
 *   <li>reports each growth: bucket counts, how long the migration took and the longest single
 *       {@code put} while it ran;</li>
 *   <li>measures reads and updates, prints the final stats and bytes per entry;</li>
 *   <li>removes 90% of the entries and shows the map shrink and give memory back;</li>
 *   <li>does the same, shorter, for a {@code LineMap<String, String>}: loads 1 million string keys
 *       (or {@code args[1]}) while a reader checks every value it reads against its key's, shows the
 *       growths, removes 90% and shows the shrink, and prints native bytes per entry against the
 *       payload. A value read wrong fails the demo (exit status 1);</li>
 *   <li>keeps a map in a file ({@link PersistSection}): a child JVM writes it and is killed with
 *       SIGKILL in the middle of the growth to 524,288 buckets (or {@code args[2]}); the file is
 *       reopened and every key checked. A key wrong, missing or stray fails the demo.</li>
 * </ol>
 *
 * <p>Run with {@code mvn -q -Pdemo -DskipTests verify}, or {@code java -jar core/target/linemap-core-*.jar}
 * on the module path. Single main thread plus one reader thread; not a library class.
 */
public final class Demo {

    private static final long PAYLOAD_BYTES = 2 * Long.BYTES;

    /** The growth the persistence section's writer dies in, by default: to 2^19 buckets. */
    static final long CRASH_BUCKETS = 1 << 19;

    private Demo() {
    }

    /** One migration seen by the listener, with the writer's longest put while it ran. */
    static final class Event {
        final MigrationKind kind;
        final long fromBuckets;
        final long toBuckets;
        volatile long nanos = -1;
        volatile long longestPutNanos;

        Event(final MigrationKind kind, final long fromBuckets, final long toBuckets) {
            this.kind = kind;
            this.fromBuckets = fromBuckets;
            this.toBuckets = toBuckets;
        }
    }

    /** Collects events; the writer asks it which one is running. */
    static final class Recorder implements MigrationListener {
        final List<Event> events = new ArrayList<>();
        volatile Event running;
        /** The newest event; a put during which it changed contained (part of) that migration. */
        volatile Event latest;

        @Override
        public synchronized void migrationStarted(final MigrationKind kind, final long fromBuckets,
                                                  final long toBuckets) {
            final Event e = new Event(kind, fromBuckets, toBuckets);
            events.add(e);
            running = e;
            latest = e;
        }

        @Override
        public synchronized void migrationCompleted(final MigrationKind kind, final long fromBuckets,
                                                    final long toBuckets, final long nanos) {
            for (int i = events.size() - 1; i >= 0; i--) {
                final Event e = events.get(i);
                if (e.nanos < 0 && e.fromBuckets == fromBuckets && e.toBuckets == toBuckets && e.kind == kind) {
                    e.nanos = nanos;
                    break;
                }
            }
            running = null;
        }

        synchronized List<Event> drain() {
            final List<Event> copy = new ArrayList<>(events);
            events.clear();
            return copy;
        }
    }

    /** Key number {@code i}: spread over the whole 64-bit range (SplitMix64 finaliser), no repeats. */
    static long keyOf(final long i) {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Value stored for key number {@code i}; lets the reader check what it reads. */
    static long valueOf(final long i) {
        return ~i;
    }

    /**
     * Runs the demo; exits with status 1 if a reader read a wrong value.
     *
     * @param args optional: number of {@code long} entries to load (default 10,000,000), then number
     *             of string keys for the {@code LineMap} section (default 1,000,000; 0 skips it), then
     *             the bucket count of the growth the persistence section's writer dies in (default
     *             524,288; 0 skips it)
     * @throws InterruptedException if interrupted while joining a reader
     */
    public static void main(final String[] args) throws InterruptedException {
        final long entries = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 10_000_000L;
        final long strings = args.length > 1 ? Long.parseLong(args[1].replace("_", "")) : 1_000_000L;
        final long crashBuckets = args.length > 2 ? Long.parseLong(args[2].replace("_", "")) : CRASH_BUCKETS;
        final long wrong = run(entries, strings, crashBuckets, System.out);
        if (wrong != 0) {
            System.exit(1);
        }
    }

    /**
     * Runs the demo, printing to {@code stream}.
     *
     * @param entries number of {@code long} entries to load
     * @param strings number of string keys for the {@code LineMap} section (0 skips it)
     * @param crashBuckets the growth the persistence section's writer dies in: to this many buckets,
     *                     a power of two (0 skips the section)
     * @param stream where the output goes
     * @return the number of wrong or missing values the {@code LineMap} section read plus the keys
     *         the persistence section found wrong, missing or stray (0 = passed)
     * @throws InterruptedException if interrupted while joining a reader
     */
    static long run(final long entries, final long strings, final long crashBuckets, final PrintStream stream)
            throws InterruptedException {
        Locale.setDefault(Locale.ROOT);
        final PrintSink out = new PrintSink(stream);
        out.line("linemap demo: %,d entries, JDK %s, %d cores", entries, Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        out.line("");
        out.line("1. One bucket is one 64-byte cache line (rendered from BucketDescriptor.LAYOUT):");
        out.block(LayoutPrinter.diagram(BucketDescriptor.LAYOUT));
        out.line("   ctrl word: one acquire load tells a reader version, lock, state and live slots:");
        out.block(LayoutPrinter.bitDiagram("ctrl", WordFields.ctrl()));

        final Recorder recorder = new Recorder();
        try (LongLongMap map = LongLongMap.builder().migrationListener(recorder).build()) {
            load(map, entries, recorder, out);
            readAndUpdate(map, entries, out);
            shrink(map, entries, recorder, out);
        }
        out.line("");
        out.line("Map closed: all native memory freed.");
        final long wrongStrings = strings > 0 ? StringSection.run(strings, out) : 0;
        return wrongStrings + (crashBuckets > 0 ? PersistSection.run(crashBuckets, out) : 0);
    }

    private static void load(final LongLongMap map, final long entries, final Recorder recorder, final PrintSink out)
            throws InterruptedException {
        out.line("2. Loading %,d entries into an empty map (initialCapacity 0) while a reader checks random"
                + " loaded keys:", entries);
        final AtomicLong published = new AtomicLong();
        final CheckingReader reader = new CheckingReader("demo-reader", published,
                j -> map.get(Demo.keyOf(j)) == Demo.valueOf(j), 1024, 7);
        reader.start();
        final long step = Math.max(1, entries / 10);
        long longest = 0;
        final long t0 = System.nanoTime();
        long tPhase = t0;
        long readsPhase = 0;
        for (long i = 0; i < entries; i++) {
            final Event before = recorder.latest;
            final long s = System.nanoTime();
            map.put(keyOf(i), valueOf(i));
            final long d = System.nanoTime() - s;
            longest = Math.max(longest, d);
            // Charge the put to the migration running during it, or to one it started (a small
            // migration starts and finishes inside the put that triggers it).
            final Event running = recorder.running != null ? recorder.running
                    : recorder.latest != before ? recorder.latest : null;
            if (running != null && d > running.longestPutNanos) {
                running.longestPutNanos = d;
            }
            published.lazySet(i + 1);
            if ((i + 1) % step == 0 || i + 1 == entries) {
                final long now = System.nanoTime();
                final long reads = reader.checks.get();
                final MapStats st = map.stats();
                out.line("   %,12d entries  %6.2f M puts/s  reader %6.2f M gets/s  buckets %,11d  %5.1f B/entry",
                        i + 1, mops(step, now - tPhase), mops(reads - readsPhase, now - tPhase), st.bucketCount(),
                        st.bytesPerEntry());
                tPhase = now;
                readsPhase = reads;
            }
        }
        final long loadNanos = System.nanoTime() - t0;
        reader.stop();
        out.line("   loaded in %.2f s (%.2f M puts/s); reader: %,d gets, %,d wrong or missing; longest put %.1f µs",
                loadNanos / 1e9, mops(entries, loadNanos), reader.checks.get(), reader.wrong.get(), longest / 1e3);
        awaitQuiescent(map);
        out.line("");
        out.line("3. Growths (each migrates incrementally: writers and a helper thread move a few buckets at a time):");
        printEvents(recorder.drain(), out);
    }

    private static void readAndUpdate(final LongLongMap map, final long entries, final PrintSink out) {
        out.line("");
        out.line("4. Steady state, one thread:");
        final SplittableRandom random = new SplittableRandom(1);
        final int ops = (int) Math.min(5_000_000, entries);
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            sum += map.get(keyOf(random.nextLong(entries)));
        }
        final long getNanos = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            map.addAndGet(keyOf(random.nextLong(entries)), 1);
        }
        final long addNanos = System.nanoTime() - t0;
        out.line("   random get (hit)      %6.2f M ops/s   (checksum %d)", mops(ops, getNanos), sum);
        out.line("   random addAndGet      %6.2f M ops/s", mops(ops, addNanos));
        final MapStats st = map.stats();
        out.line("   stats: %s", st);
        out.line("   native bytes per entry: %.1f B for a %d-byte payload (%.2fx); %,d overflow lines for %,d buckets",
                st.bytesPerEntry(), PAYLOAD_BYTES, st.bytesPerEntry() / PAYLOAD_BYTES, st.overflowLineCount(),
                st.bucketCount());
    }

    private static void shrink(final LongLongMap map, final long entries, final Recorder recorder,
                               final PrintSink out) {
        out.line("");
        out.line("5. Removing 90%% of the entries:");
        final MapStats before = map.stats();
        final long t0 = System.nanoTime();
        final long keep = entries / 10;
        for (long i = keep; i < entries; i++) {
            map.remove(keyOf(i));
        }
        final long nanos = System.nanoTime() - t0;
        awaitQuiescent(map);
        final MapStats after = map.stats();
        final long removed = before.size() - after.size();
        long wrong = 0;   // values were incremented in step 4, so check presence only
        for (long i = 0; i < keep; i++) {
            if (!map.containsKey(keyOf(i))) {
                wrong++;
            }
        }
        out.line("   removed %,d entries in %.2f s (%.2f M removes/s); %,d kept entries missing", removed, nanos / 1e9,
                mops(entries - keep, nanos), wrong);
        printEvents(recorder.drain(), out);
        out.line("   size %,d -> %,d   buckets %,d -> %,d   native memory %,d -> %,d bytes (%.1f%% given back)",
                before.size(), after.size(), before.bucketCount(), after.bucketCount(), before.offHeapBytes(),
                after.offHeapBytes(), 100.0 * (before.offHeapBytes() - after.offHeapBytes()) / before.offHeapBytes());
    }

    static void printEvents(final List<Event> events, final PrintSink out) {
        out.line("   %-8s %14s %14s %12s %18s", "kind", "old buckets", "new buckets", "migration",
                "longest put during");
        for (final Event e : events) {
            out.line("   %-8s %,14d %,14d %9.2f ms %15.1f µs", e.kind, e.fromBuckets, e.toBuckets,
                    e.nanos < 0 ? Double.NaN : e.nanos / 1e6, e.longestPutNanos / 1e3);
        }
        if (events.isEmpty()) {
            out.line("   (none)");
        }
    }

    private static void awaitQuiescent(final LongLongMap map) {
        awaitQuiescent(() -> map.stats().growing());
    }

    static void awaitQuiescent(final BooleanSupplier migrating) {
        for (int i = 0; i < 20_000 && migrating.getAsBoolean(); i++) {
            Thread.onSpinWait();
            try {
                Thread.sleep(0, 500_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static double mops(final long ops, final long nanos) {
        return nanos <= 0 ? 0 : ops * 1e3 / nanos;
    }

    /** Output with a flush per line, so progress shows up live under Maven. */
    static final class PrintSink {
        private final PrintStream stream;

        PrintSink(final PrintStream stream) {
            this.stream = stream;
        }

        void line(final String format, final Object... args) {
            stream.println(String.format(format, args));
            stream.flush();
        }

        void block(final String text) {
            for (final String l : text.split("\n")) {
                stream.println("   " + l);
            }
        }
    }
}
