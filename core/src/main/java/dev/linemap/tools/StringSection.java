package dev.linemap.tools;

import dev.linemap.Codecs;
import dev.linemap.LineMap;
import dev.linemap.LineMapStats;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's last section: a {@code LineMap<String, String>} loaded with string keys while a reader
 * checks every value it reads, its growths, a removal of 90% of the keys and the shrink, and native
 * bytes per entry against the payload (key bytes plus value bytes).
 */
final class StringSection {

    /** Filler for keys and values; ASCII, so a string's UTF-8 length is its length. */
    private static final String PAD = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(8);

    /** Growths to fewer buckets than this are summed up in one line. */
    private static final long SMALL = 65_536;

    private StringSection() {
    }

    private static void printGrowths(final java.util.List<Demo.Event> events, final Demo.PrintSink out) {
        final java.util.List<Demo.Event> large = new java.util.ArrayList<>();
        long small = 0;
        long smallNanos = 0;
        long smallTo = 0;
        for (final Demo.Event e : events) {
            if (e.toBuckets < SMALL) {
                small++;
                smallNanos += Math.max(0, e.nanos);
                smallTo = Math.max(smallTo, e.toBuckets);
            } else {
                large.add(e);
            }
        }
        if (small > 0) {
            out.line("   %d small migrations, up to %,d buckets: %.2f ms in all", small, smallTo, smallNanos / 1e6);
        }
        Demo.printEvents(large, out);
    }

    /** Key number {@code i}: "key:" and a number, padded to 16..47 characters; distinct for distinct i. */
    static String keyOf(final long i) {
        final String head = "key:" + i + ':';
        final int length = 16 + (int) (Demo.keyOf(i) & 31);
        return head.length() >= length ? head : head + PAD.substring(0, length - head.length());
    }

    /** Value of key number {@code i}: 16..143 characters, starting with its number. */
    static String valueOf(final long i) {
        final String head = "value of " + i + ' ';
        final int length = 16 + (int) ((Demo.keyOf(i) >>> 8) & 127);
        return head.length() >= length ? head : head + PAD.substring(0, length - head.length());
    }

    /**
     * Runs the section.
     *
     * @param entries how many string keys to load
     * @param out where the output goes
     * @return wrong or missing values read (by the reader during the load and by the final check)
     * @throws InterruptedException if interrupted while joining the reader
     */
    static long run(final long entries, final Demo.PrintSink out) throws InterruptedException {
        out.line("");
        out.line("6. LineMap<String, String>: keys and values of any length off-heap, same engine (Codecs.utf8()).");
        out.line("   Loading %,d string keys (16..47 bytes, values 16..143 bytes) while a reader checks every value"
                + " it reads:", entries);
        final Demo.Recorder recorder = new Demo.Recorder();
        long wrong;
        try (LineMap<String, String> map = LineMap.builder(Codecs.utf8(), Codecs.utf8())
                .migrationListener(recorder).build()) {
            final AtomicLong published = new AtomicLong();
            final CheckingReader reader = new CheckingReader("demo-string-reader", published,
                    j -> valueOf(j).equals(map.get(keyOf(j))), 256, 11);
            reader.start();
            final long step = Math.max(1, entries / 4);
            long payload = 0;
            final long t0 = System.nanoTime();
            for (long i = 0; i < entries; i++) {
                final String key = keyOf(i);
                final String value = valueOf(i);
                final Demo.Event before = recorder.latest;
                final long s = System.nanoTime();
                map.put(key, value);
                final long d = System.nanoTime() - s;
                final Demo.Event running = recorder.running != null ? recorder.running
                        : recorder.latest != before ? recorder.latest : null;
                if (running != null && d > running.longestPutNanos) {
                    running.longestPutNanos = d;
                }
                payload += key.length() + value.length();
                published.lazySet(i + 1);
                if ((i + 1) % step == 0 || i + 1 == entries) {
                    final LineMapStats st = map.stats();
                    out.line("   %,12d keys  buckets %,9d  native %,13d bytes  %6.1f B/entry  reader checks %,d",
                            i + 1, st.bucketCount(), st.offHeapBytes(), st.bytesPerEntry(), reader.checks.get());
                }
            }
            final long loadNanos = System.nanoTime() - t0;
            reader.stop();
            wrong = reader.wrong.get();
            out.line("   loaded in %.2f s (%.2f M puts/s); reader: %,d checks, %,d mismatches", loadNanos / 1e9,
                    Demo.mops(entries, loadNanos), reader.checks.get(), wrong);
            Demo.awaitQuiescent(() -> map.stats().migrating());
            out.line("   growths (those below %,d buckets summed up in one line):", SMALL);
            printGrowths(recorder.drain(), out);
            final LineMapStats full = map.stats();
            final double perEntry = full.bytesPerEntry();
            final double payloadPerEntry = (double) payload / full.size();
            out.line("   bytes per entry: %.1f native (offHeapBytes %,d / %,d) for a %.1f-byte payload (key + value"
                    + " bytes): %.1f bytes above it", perEntry, full.offHeapBytes(), full.size(), payloadPerEntry,
                    perEntry - payloadPerEntry);
            final double n = full.size();
            final double buckets = full.bucketCount() * 64.0 / n;
            final double lines = full.overflowLineCount() * 64.0 / n;
            final double records = full.entryBytes() / n - payloadPerEntry;
            final double free = full.freeEntryBytes() / n;
            out.line("   of which: buckets %.1f (64-byte lines holding each entry's hash and reference, %.1f entries"
                    + " per bucket), overflow lines %.1f, record header and padding to 8 bytes %.1f, free entry"
                    + " memory %.1f, other %.1f", buckets, n / full.bucketCount(), lines, records, free,
                    perEntry - payloadPerEntry - buckets - lines - records - free);

            out.line("   Removing 90%% of the keys:");
            final long keep = entries / 10;
            final long t1 = System.nanoTime();
            for (long i = keep; i < entries; i++) {
                map.remove(keyOf(i));
            }
            final long removeNanos = System.nanoTime() - t1;
            Demo.awaitQuiescent(() -> map.stats().migrating());
            final LineMapStats after = map.stats();
            long keptWrong = 0;
            for (long i = 0; i < keep; i++) {
                if (!valueOf(i).equals(map.get(keyOf(i)))) {
                    keptWrong++;
                }
            }
            wrong += keptWrong;
            out.line("   removed %,d keys in %.2f s; %,d kept keys checked, %,d mismatches", full.size() - after.size(),
                    removeNanos / 1e9, keep, keptWrong);
            Demo.printEvents(recorder.drain(), out);
            out.line("   size %,d -> %,d   buckets %,d -> %,d   native memory %,d -> %,d bytes (%.1f%% given back)",
                    full.size(), after.size(), full.bucketCount(), after.bucketCount(), full.offHeapBytes(),
                    after.offHeapBytes(),
                    100.0 * (full.offHeapBytes() - after.offHeapBytes()) / full.offHeapBytes());
        }
        out.line("");
        out.line(wrong == 0 ? "LineMap closed: all native memory freed; every value read was right."
                : String.format("LineMap closed. FAILED: %,d values read wrong or missing.", wrong));
        return wrong;
    }
}
