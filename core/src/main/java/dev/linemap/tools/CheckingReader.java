package dev.linemap.tools;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * The demo's reader thread: while a map is loaded, reads random keys among those already published
 * and checks each against the value it must have, counting checks and mismatches.
 */
final class CheckingReader implements Runnable {
    /** Checks so far (updated once per batch). */
    final AtomicLong checks = new AtomicLong();
    /** Keys read with a wrong or missing value. */
    final AtomicLong wrong = new AtomicLong();

    private final AtomicLong published;
    private final LongPredicate check;
    private final int batch;
    private final long seed;
    private volatile boolean running = true;
    private final Thread thread;

    /**
     * A reader, not started.
     *
     * @param name the thread's name
     * @param published how many keys (indexes {@code 0 .. published - 1}) are loaded
     * @param check whether key index {@code j} reads right
     * @param batch checks between two updates of {@link #checks}
     * @param seed of the random key choice
     */
    CheckingReader(final String name, final AtomicLong published, final LongPredicate check, final int batch,
                   final long seed) {
        this.published = published;
        this.check = check;
        this.batch = batch;
        this.seed = seed;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join();
    }

    @Override
    public void run() {
        final SplittableRandom random = new SplittableRandom(seed);
        long n = 0;
        while (running) {
            final long limit = published.get();
            if (limit == 0) {
                Thread.onSpinWait();
                continue;
            }
            for (int i = 0; i < batch; i++) {
                if (!check.test(random.nextLong(limit))) {
                    wrong.incrementAndGet();
                }
            }
            n += batch;
            checks.lazySet(n);
        }
    }
}
