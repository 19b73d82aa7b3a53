package dev.linemap.tools;

import dev.linemap.KeyPath;
import dev.linemap.LongLongMap;
import dev.linemap.MapImage;
import dev.linemap.MapImage.BucketImage;
import dev.linemap.MapImage.Role;
import dev.linemap.MapImage.TableImage;
import dev.linemap.MapInspector;
import dev.linemap.MigrationKind;
import dev.linemap.layout.CtrlWord;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records a real growth for {@code linemap visualize}: a small map with a fixed seed, one writer
 * putting keys {@code 1, 2, 3, ...} (value = 10 x key) and reader threads checking random keys
 * already put, until the table doubles from {@code oldBuckets} to twice that. Every step of the
 * growth is one write; after each, the writer takes a {@link MapImage} (every chain copied inside its
 * seqlock read section) and the read path of one key ({@link MapInspector#locate}).
 *
 * <p>Background migration is off, as in the other tools: a migration this small would otherwise be
 * finished inline by the write that starts it (engine rule: up to 1,024 units), and the replay would
 * have one step. With it off, each write does what writes do in any large map during a growth:
 * evacuate its own key's unit, claim two more from the cursor, move the watermark. The readers never
 * write shared memory, so the recording is a function of the seed and the size: deterministic.
 *
 * <p>Not thread-safe; call from one thread.
 */
final class GrowthRecorder {

    /** Most writes the recording may take before it gives up waiting for the growth. */
    private static final long MAX_KEYS_PER_BUCKET = 8;

    private GrowthRecorder() {
    }

    /**
     * One step of the replay: the map after one write (or before the first).
     *
     * @param key the key the write put, or 0 for the frame before the growth's first write
     * @param keyUnit the key's unit in the migration the write found running, or -1
     * @param image the map after it
     * @param evacuated the old buckets this step evacuated, in index order
     * @param written where the written key is after the write, or {@code null} before the first
     * @param lookup a reader's lookup of one key put so far, taken after the write
     */
    record Frame(long key, long keyUnit, MapImage image, List<Long> evacuated, KeyPath written, KeyPath lookup) {
    }

    /**
     * A recorded growth.
     *
     * @param seed the map's seed
     * @param oldBuckets buckets before the growth
     * @param frames the steps: before the write that starts the growth, then one per write until
     *        the old table is retired
     * @param readers reader threads that ran throughout
     * @param readerGets gets they did
     * @param readerWrong gets that returned a wrong value (must be 0)
     */
    record Recording(long seed, long oldBuckets, List<Frame> frames, int readers, long readerGets, long readerWrong) {
    }

    /**
     * Records the doubling of a table of {@code oldBuckets} buckets.
     *
     * @param seed the map's seed
     * @param oldBuckets a power of two, at least 2
     * @param readers reader threads, at least 0
     * @param err where progress lines go
     * @return the recording
     * @throws InterruptedException if interrupted while waiting for the readers
     */
    static Recording record(final long seed, final long oldBuckets, final int readers, final PrintStream err)
            throws InterruptedException {
        final AtomicLong published = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong gets = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        final List<Frame> frames = new ArrayList<>();
        final Progress progress = new Progress(err, "recording the growth, steps so far", 0);
        try (LongLongMap map = LongLongMap.builder().seed(seed).backgroundMigration(false).build()) {
            final List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                final long readerSeed = seed + r;
                threads.add(Thread.ofPlatform().name("visualize-reader-" + r).daemon()
                        .start(() -> read(map, readerSeed, published, stop, gets, wrong)));
            }
            try {
                final MapInspector inspector = MapInspector.of(map);
                final SplittableRandom lookups = new SplittableRandom(seed);
                MapImage before = inspector.image();
                for (long key = 1; ; key++) {
                    if (key > MAX_KEYS_PER_BUCKET * oldBuckets) {
                        throw new IllegalStateException("no growth from " + oldBuckets + " buckets after " + key
                                + " keys");
                    }
                    final long keyUnit = inspector.locate(key).unit();   // routing before the write
                    map.put(key, FilledMap.valueOf(key));
                    published.set(key);
                    final MapImage after = inspector.image();
                    final boolean starts = frames.isEmpty() && after.migration() != null
                            && after.migration().kind() == MigrationKind.GROW
                            && after.migration().fromBuckets() == oldBuckets;
                    if (starts) {
                        frames.add(new Frame(0, -1, before, List.of(), null,
                                inspector.locate(1 + lookups.nextLong(key - 1))));
                    }
                    if (!frames.isEmpty()) {
                        frames.add(new Frame(key, keyUnit, after, evacuated(frames.getLast().image(), after),
                                inspector.locate(key), inspector.locate(1 + lookups.nextLong(key))));
                        progress.update(frames.size());
                        if (after.migration() == null) {
                            break;   // the old table is retired
                        }
                    }
                    before = after;
                }
            } finally {
                stop.set(true);
                for (final Thread t : threads) {
                    t.join();
                }
            }
        }
        progress.done();
        return new Recording(seed, oldBuckets, frames, readers, gets.get(), wrong.get());
    }

    /** A reader: gets of random keys already put, each checked. */
    private static void read(final LongLongMap map, final long seed, final AtomicLong published,
                             final AtomicBoolean stop, final AtomicLong gets, final AtomicLong wrong) {
        final SplittableRandom random = new SplittableRandom(seed);
        long n = 0;
        while (!stop.get()) {
            final long limit = published.get();
            if (limit == 0) {
                Thread.onSpinWait();
                continue;
            }
            final long key = 1 + random.nextLong(limit);
            if (map.get(key) != FilledMap.valueOf(key)) {
                wrong.incrementAndGet();
            }
            n++;
        }
        gets.addAndGet(n);
    }

    /** The old buckets that became EVACUATED between two pictures. */
    private static List<Long> evacuated(final MapImage before, final MapImage after) {
        final TableImage was = oldTable(before);
        final TableImage is = oldTable(after);
        final List<Long> moved = new ArrayList<>();
        if (was == null) {
            return moved;   // no migration before this step: it started one, or none
        }
        for (int b = 0; b < was.buckets().size(); b++) {
            // No old table after the step: it completed the migration, evacuating all that was left.
            final boolean now = is == null || isEvacuated(is.buckets().get(b));
            if (now && !isEvacuated(was.buckets().get(b))) {
                moved.add((long) b);
            }
        }
        return moved;
    }

    private static boolean isEvacuated(final BucketImage bucket) {
        return bucket.state() == CtrlWord.EVACUATED;
    }

    /** The table a migration is emptying, or {@code null} without a migration. */
    private static TableImage oldTable(final MapImage image) {
        return image.migration() == null ? null
                : image.tables().stream().filter(t -> t.role() == Role.OLD).findFirst().orElse(null);
    }
}
