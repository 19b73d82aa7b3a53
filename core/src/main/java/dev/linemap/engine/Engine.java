package dev.linemap.engine;

import dev.linemap.MigrationKind;
import dev.linemap.MigrationListener;
import dev.linemap.layout.RootDescriptor;
import dev.linemap.layout.TableGeometry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shape-blind engine under every map: generations and migrations (when one starts, who
 * completes it, retirement of the old table), lifecycle (close, and telling a closed map from a
 * retired table), counting and the memory budget. It knows nothing of any map's API: a map shape
 * ({@link LongLongStore} for {@code long -> long}) walks buckets with its own format class and the
 * {@link Seqlock} protocol, and calls the engine for everything around the bucket.
 *
 * <p>A public map class <em>extends</em> the engine rather than holding one: then the map object
 * is the engine, and the hot paths reach the current {@link Generation} in one load instead of
 * two or three (measured: each extra dependent load on the way to it cost about 6 % of a get at
 * 1K entries; {@code docs/design.md}, section 11). Nothing here is public: the map sees protected
 * members only, under names that do not clash with its API, and users see none of them (the map
 * classes are final).
 *
 * <p>Threading: every method may be called by any thread.
 */
public abstract class Engine {

    /*
     * Overview
     *
     * Package map. Which file owns which protocol:
     *   Seqlock          the bucket protocol: optimistic read / validate, lock / unlock,
     *                    evacuation begin / publish / abort, the release race; the canaries.
     *   Engine           generations, when a migration starts and completes, retirement,
     *                    close, counting, the memory budget.
     *   Migration        one migration: units, cursor, watermark, evacuation, routing of reads
     *                    (answering) and writes (prepareWrite).
     *   Table            one table's memory: bucket chunks, the overflow area and its free list.
     *   MemorySource     where a table's memory comes from (SharedArenaRegion: anonymous memory).
     *   Chains           shape-blind walks of one bucket's chain (free slot, unlink, ranks).
     *   BucketFormat     what the shape-blind parts need of a slot: its key's hash, an order on
     *                    keys of equal hash, how a value word moves to another table (relocate).
     *   LongLongFormat   the inline long -> long slot: key compare and hash (static, hot).
     *   LongLongStore    the long -> long operations: the read paths, the write ops.
     *   SlotWrites       insert / remove of a two-word slot under the lock, and the unlock
     *                    (shared by every shape).
     *   EntryFormat      the variable-length slot on the dense line: 32-bit hash tag + 32-bit
     *                    reference to an entry record.
     *   EntryHeap        one table's entry memory (size classes, free lists, chunk directory).
     *   EntryStore       the variable-length operations (LineMap): reads that copy under the
     *                    section and bound every racy reference, writes under the lock.
     *   ByteHashing      seeded wyhash over a MemorySegment, for byte keys.
     *   IterationCursor  weakly consistent iteration in reversed-hash order, ties included
     *                    (TieKey: its copy of the last key reported at its rank).
     *   RetiredTableRace the interrupt-status quirk of racing a closed arena; Backoff, waiting.
     *   Counters, MigrationTrace, JfrEvents (MigrationEvent, RetirementEvent)
     *                    observability: protocol counters and JFR events, through one-line hooks
     *                    in Seqlock, Backoff, Migration, Table and here; free when nobody looks.
     *
     * Memory. A Table is 2^k buckets of 64 bytes (BucketDescriptor: ctrl, meta, three key/value
     * slots) in 1 MiB chunks, plus an overflow area of lines with the same shape. A bucket whose
     * three slots are full chains overflow lines through meta (closed addressing: a key never lives
     * outside its home bucket's chain). All of a table's memory lives in one MemorySource.Region.
     *
     * State encoding. ctrl (CtrlWord) = version:56 | LOCK | reserved:2 | state:2 | occupancy:3.
     * state is NORMAL, EVACUATING (a migration is copying the bucket: writers wait, readers read)
     * or EVACUATED (the entries live in the next table; never written again). Overflow lines have no
     * lock or version: their home bucket's ctrl guards them.
     *
     * Locking (per bucket, a seqlock; Seqlock has the algorithmic notes). Pairing rule: every
     * release store of ctrl pairs with an acquire load of the same word.
     *   reader: c1 = ctrl.getAcquire; LOCK set -> back off, retry; EVACUATED -> next table;
     *           walk the chain and copy out the value with plain loads; acquireFence;
     *           ctrl.getOpaque != c1 -> retry. The full-word compare (version) defeats ABA.
     *   writer: CAS ctrl NORMAL&unlocked -> |LOCK (volatile); releaseFence; opaque slot/meta stores;
     *           ctrl.setRelease(version+1, new occupancy, unlocked). A write that changed nothing
     *           releases the word it found, so concurrent readers need not retry.
     * Writers of different buckets never contend. Readers never write shared memory.
     *
     * Growth (Migration). The Generation descriptor {table, migration} is swapped with volatile
     * stores. Starting a migration is O(1): a new Table with no memory yet and a Migration with a
     * cursor and a watermark. Its chunks are allocated just before the evacuations that fill them.
     * A doubling splits old bucket i into new i and i + oldN (low hash bits pick the bucket); a
     * halving merges old j and j + newN into new j; a compaction rebuilds i as i; a clear drops.
     * An evacuator moves the source(s) NORMAL -> EVACUATING, fills the fresh destination(s) with
     * plain stores and publishes with a release store of EVACUATED on the source(s). Every write
     * first evacuates its own unit (if that needs memory there is not, it writes the old bucket,
     * still NORMAL and authoritative, instead), then claims two more from the cursor; a helper
     * thread claims runs of 64, so migration completes without writers. A migration of at most
     * 1024 units is finished inline by the operation that starts it (bounded work, no thread
     * start). The watermark is a contiguous prefix of evacuated units; the thread that moves it
     * past the last unit publishes {table: new, no migration} and then retires the old table. Only
     * one migration runs at a time (the Generation CAS from a migration-free descriptor). A clear()
     * that finds a grow, shrink or compaction running abandons it rather than finish it (finishing
     * needs memory a map at its limit does not have): it publishes its small table, takes every
     * reachable bucket of both old tables out of writers' hands, then retires both (clearAbandoning,
     * Migration.abandon).
     *
     * What a reader may observe during growth. Its key's old unit is below the watermark: it reads
     * the new table. Otherwise it reads the old bucket: NORMAL or EVACUATING, that is the truth;
     * EVACUATED, it reads the new bucket, whose contents the EVACUATED release published. A reader
     * racing the retirement of the old table gets IllegalStateException from the closed arena
     * (the JDK's guarantee for shared arenas) and simply starts over from the current Generation
     * (afterRetiredTable).
     *
     * Counting. size is a LongAdder, +1/-1 after each unlock that inserted or removed; exact when
     * quiescent. Growth is considered when an insert lands in the last home slot or an overflow
     * line (only then can the load be high), shrink when a remove empties a bucket, compaction
     * when a new overflow line is taken. The thresholds are TableGeometry's.
     *
     * Iteration. Keys are visited in the order of their reversed hash, Long.reverse(hash): with the
     * low bits picking the bucket, a bucket of any table size covers one contiguous range of that
     * order, and a doubling splits a range in two. A cursor that remembers only the last rank it
     * returned therefore sees every key present throughout exactly once, across any number of
     * growths and shrinks, without pinning an old table. Keys of equal hash share a bucket in
     * every table; the cursor takes all of them in one read section.
     */

    /**
     * Migrations of at most this many units finish inline, in the operation that starts them
     * (about 100 µs of work, at most 128 KiB of new buckets): cheaper than starting a helper thread,
     * and no writer ever waits for a helper the scheduler has not run yet.
     */
    private static final long INLINE_UNITS = 1024;

    private static final VarHandle VH_GENERATION;
    private static final VarHandle VH_CLOSED;

    /**
     * Resolved in this class's initializer, which loads {@code Migration}. C2 does not inline a
     * method whose signature names a class not yet loaded ("unloaded signature classes"), and a map
     * built presized may never migrate: every get and put then called {@code Generation.migration()}
     * instead of reading one field.
     */
    @SuppressWarnings("unused")
    private static final Class<?> MIGRATION_LOADED = Migration.class;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            VH_GENERATION = lookup.findVarHandle(Engine.class, "generation", Generation.class);
            VH_CLOSED = lookup.findVarHandle(Engine.class, "closed", boolean.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Generation generation;
    private volatile boolean closed;

    /** What a slot holds, for migration and iteration. */
    final BucketFormat format;
    private final String mapName;
    private final boolean fixedSeed;
    private final int minLog2;
    /** The growth load, in entries per 1,000 buckets (see TableGeometry). */
    private final int loadPermille;
    private final boolean backgroundMigration;
    private final MemorySource source;
    /** The map file, or {@code null} for a map in memory only. */
    private final FileStore store;
    /**
     * Holds writers out while a sync copies the map file ({@link SyncImage}); {@code null} for a
     * map in memory. Every top-level writing operation passes it (the stores' {@code update}, a clear, a
     * helper thread's runs of evacuations).
     */
    final WriteGate writeGate;
    /** One sync at a time, and none across close(). */
    private final Object syncLock = new Object();
    /**
     * Serialises the root writes of a map file with the Generation changes they describe (a
     * migration's start and completion); unused without a file.
     */
    private final Object rootLock = new Object();
    private final MemoryBudget budget;
    private final MigrationListener listener;
    private final LongAdder size = new LongAdder();
    private final AtomicLong completedMigrations = new AtomicLong();
    /** Migrations published as complete whose old table is not retired yet (see completeMigration). */
    private final AtomicInteger retirementsInFlight = new AtomicInteger();
    /** Overflow lines right after the last compaction: the bar the next one must clear. */
    private volatile long compactedLines;

    /**
     * Creates the engine and its first table, allocated whole.
     *
     * @param config what the map's builder decided
     * @throws OutOfMemoryError if the first table does not fit
     */
    protected Engine(final EngineConfig config) {
        this.format = config.format();
        this.mapName = config.mapName();
        this.fixedSeed = config.seed() != null;
        this.loadPermille = config.loadPermille();
        this.minLog2 = TableGeometry.log2For(config.initialCapacity(), loadPermille);
        this.backgroundMigration = config.backgroundMigration();
        this.budget = new MemoryBudget(config.maxOffHeapBytes());
        this.listener = config.listener();
        final long seed = fixedSeed ? config.seed() : Hashing.randomSeed();
        this.writeGate = config.file() == null ? null : new WriteGate();   // before a resumed migration's helper
        if (config.file() == null) {
            this.store = null;
            this.source = config.source();
            final Table table = new Table(minLog2, seed, budget, false, source);
            table.allocateAllChunks();
            this.generation = new Generation(table, null);
            return;
        }
        this.store = FileStore.open(config.file(), new FileStore.Identity(
                format.relocates() ? FileStore.SHAPE_LINE : FileStore.SHAPE_LONG_LONG, loadPermille,
                config.keyCodec(), config.valueCodec()));
        final FileSource files = new FileSource(store);
        this.source = files;
        try {
            if (store.root() == null) {
                store.settle();
                final Table table = new Table(minLog2, seed, budget, false, files);
                final long serial = serialOf(table);
                store.writeRoot(serial, table.seed, table.log2, 0, 0, 0, RootDescriptor.NO_MIGRATION);
                this.generation = new Generation(table, null);
            } else {
                // Sets the generation itself: a resumed migration's helper thread may complete it
                // (and publish the next generation) before open returns.
                PersistedOpen.open(this, files, store.root(), budget);
            }
        } catch (final RuntimeException | Error e) {
            closeFileAfterFailedOpen(e);
            throw e;
        }
    }

    /** The file store's close after a failed open: the tables made so far were detached by it. */
    private void closeFileAfterFailedOpen(final Throwable failure) {
        try {
            store.abandon();
        } catch (final RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Resumes a migration a reopened file was in the middle of, once the recovery rules have been
     * applied ({@link PersistedOpen}): it runs as if it had just started (a helper thread, or the
     * writers), so the open does not wait for it; a clear is finished here, as clear() would.
     *
     * @param m the migration
     */
    final void resumeMigration(final Migration m) {
        VH_GENERATION.setVolatile(this, new Generation(m.to, m));   // before any helper can complete it
        if (m.kind == Migration.CLEAR) {
            m.finish();
        } else {
            help(m);
        }
    }

    /**
     * Starts from the generation of a reopened file without a migration.
     *
     * @param g the generation
     */
    final void adoptGeneration(final Generation g) {
        VH_GENERATION.setVolatile(this, g);
    }

    /**
     * Returns the serial of a table of a map file.
     *
     * @param table the table
     * @return its serial
     */
    static long serialOf(final Table table) {
        return ((FileSource.FileRegion) table.region()).serial;
    }

    /**
     * Returns the map file, or {@code null}.
     *
     * @return the map file, or {@code null}
     */
    final FileStore store() {
        return store;
    }

    /**
     * Adds the entries a reopened file holds to the size counter.
     *
     * @param entries entries found in a reopened file
     */
    final void recoveredEntries(final long entries) {
        size.add(entries);
    }

    /**
     * Returns the growth load (entries per 1,000 buckets).
     *
     * @return the growth load
     */
    final int loadPermille() {
        return loadPermille;
    }

    /**
     * Returns whether the hash seed is fixed (the builder set one).
     *
     * @return whether the hash seed is fixed
     */
    final boolean fixedSeed() {
        return fixedSeed;
    }

    /**
     * Returns whether the map lives in a file.
     *
     * @return whether the map lives in a file
     */
    protected final boolean persistent() {
        return store != null;
    }

    /**
     * Makes what the map holds survive a restart of the machine (a power loss, an OS crash): copies
     * the map file's changed pages to its sync image ({@link SyncImage}) while writers wait, then
     * forces the copy while they run. Readers never wait. For a map in memory: nothing to do.
     *
     * @throws IllegalStateException if the map is closed, or a write did not finish within
     *         {@value #SYNC_WAIT_SECONDS} s (a {@code compute} function that writes the map or
     *         calls {@code sync()})
     */
    protected final void syncEngine() {
        checkOpen();
        if (store == null) {
            return;
        }
        synchronized (syncLock) {
            checkOpen();
            syncLocked();
        }
    }

    private void syncLocked() {
        final SyncImage.Capture capture;
        writeGate.shut();
        try {
            if (!writeGate.awaitDrained(System.nanoTime() + SYNC_WAIT_SECONDS * 1_000_000_000L)) {
                throw new IllegalStateException("sync() of " + mapName + " waited " + SYNC_WAIT_SECONDS
                        + " s for a write in progress to finish; a compute function that writes the map or"
                        + " calls sync() waits for the sync, which waits for it");
            }
            capture = store.captureSync();
        } finally {
            writeGate.open();
        }
        store.commitSync(capture);
    }

    /** How long a sync waits for the writes in progress when it begins. */
    private static final long SYNC_WAIT_SECONDS = 10;

    /**
     * The descriptor every operation starts from. Volatile read: the tables and migration it names
     * are fully constructed.
     *
     * @return the current generation
     */
    protected final Generation generation() {
        return generation;
    }

    /**
     * Returns the smallest table size (log2) the map shrinks to.
     *
     * @return the smallest table size (log2) the map shrinks to
     */
    final int minLog2() {
        return minLog2;
    }

    // ============================================================================= counting

    /** After an unlock that inserted an entry. */
    final void inserted() {
        size.increment();
    }

    /** After an unlock that removed an entry. */
    final void removed() {
        size.decrement();
    }

    /** Adds to the size counter (a clear's evacuation drops entries). */
    void sizeAdd(final long delta) {
        size.add(delta);
    }

    /**
     * Returns the number of entries; exact when no write is in flight.
     *
     * @return the number of entries; exact when no write is in flight
     */
    protected final long entryCount() {
        checkOpen();
        return Math.max(0L, size.sum());
    }

    // =========================================================================== migrations

    /**
     * Starts a migration if {@code table} is current, none is running and one is due: a growth
     * above the growth load, a shrink below the shrink load, a compaction when overflow lines
     * pile up.
     *
     * @param table the table the caller just changed
     * @param newLine whether the caller just took an overflow line (compaction check)
     */
    final void maybeMigrate(final Table table, final boolean newLine) {
        final Generation g = generation;
        if (g.table() != table || g.migration() != null || closed) {
            return;
        }
        final long n = table.bucketCount;
        final long entries = size.sum();
        try {
            if (TableGeometry.overGrowthLoad(entries, n, loadPermille) && table.log2 < TableGeometry.MAX_LOG2) {
                startMigration(g, Migration.GROW, table.log2 + 1, table.seed);
            } else if (table.log2 > minLog2 && TableGeometry.underShrinkLoad(entries, n, loadPermille)) {
                startMigration(g, Migration.SHRINK, table.log2 - 1, table.seed);
            } else if (newLine) {
                final long lines = table.overflowInUse.sum();
                if (lines > 16 && lines > n / 2 && lines > 2 * compactedLines) {
                    startMigration(g, Migration.COMPACT, table.log2, table.seed);
                }
            }
        } catch (final OutOfMemoryError e) {
            // The new table does not fit the memory limit: stay on this one (longer chains). The
            // caller's own operation has succeeded; a later write asks again.
        }
    }

    /**
     * Publishes a new Generation with a migration from {@code g}'s table. O(1) unless
     * {@code kind} is CLEAR (whose small target is allocated here, before anything changes).
     *
     * @return the migration, or {@code null} if {@code g} was no longer current
     */
    private Migration startMigration(final Generation g, final int kind, final int log2, final long seed) {
        final Table to = new Table(log2, seed, budget, kind == Migration.CLEAR, source);
        if (kind == Migration.CLEAR) {
            try {
                to.allocateAllChunks();
            } catch (final RuntimeException | Error e) {
                to.retire();
                throw e;
            }
        } else if (format.relocates()) {
            // Relocation copies every entry record into `to` while `from` keeps its own until it is
            // retired: reserve that much now, as the table's buckets are, so that a migration that
            // starts does not stall on the memory limit half-way (each write would then fail its own
            // evacuation and undo it). If it does not fit, the map stays on its table.
            try {
                to.entries.prepay(g.table().entries.liveBytes());
            } catch (final RuntimeException | Error e) {
                to.retire();
                throw e;
            }
        }
        final Migration m = new Migration(this, g.table(), to, kind);
        if (!publishStart(g, m)) {
            to.retire();
            return null;
        }
        if (closed) {
            // close() may have read the old Generation: make sure nothing we published leaks. The
            // old table first: see closeEngine.
            retireAtClose(g.table());
            retireAtClose(to);
            return m;
        }
        notifyListener(m, false);
        if (kind != Migration.CLEAR) {
            help(m);
        }
        return m;
    }

    /** Background migration: finishes a small migration inline, gives a large one a helper thread. */
    private void help(final Migration m) {
        if (backgroundMigration && m.units <= INLINE_UNITS) {
            m.runHelper();   // swallows a memory failure: the caller's own operation already succeeded
        } else if (backgroundMigration) {
            try {
                Thread.ofPlatform().daemon().name("linemap-migrator").start(m::runHelperThread);
            } catch (final OutOfMemoryError | RuntimeException e) {
                // No thread to be had: writers alone still move the migration forward.
            }
        }
    }

    /**
     * Publishes a migration's Generation: a volatile CAS from a migration-free descriptor, so at
     * most one migration runs at a time. With a file, the root that names both tables is written
     * first, under {@link #rootLock}: no evacuation can fill the new table before the file says
     * where it is (a crash then finds it, and the recovery rules finish the migration).
     */
    private boolean publishStart(final Generation g, final Migration m) {
        if (store == null) {
            return VH_GENERATION.compareAndSet(this, g, new Generation(m.to, m));
        }
        synchronized (rootLock) {
            if (generation != g) {
                return false;
            }
            store.writeRoot(serialOf(m.to), m.to.seed, m.to.log2, serialOf(m.from), m.from.seed, m.from.log2, m.kind);
            if (VH_GENERATION.compareAndSet(this, g, new Generation(m.to, m))) {
                return true;
            }
            // Not reached while every Generation change away from g holds rootLock; kept so that
            // the file never names a table the map did not publish.
            store.writeRoot(serialOf(m.from), m.from.seed, m.from.log2, 0, 0, 0, RootDescriptor.NO_MIGRATION);
            return false;
        }
    }

    /** Retires a table at the map's close: a map file keeps what it holds. */
    private void retireAtClose(final Table table) {
        if (store == null) {
            table.retire();
        } else {
            table.detach();
        }
    }

    /**
     * Called once, by the thread that moved the watermark past the last unit. Settles {@code m}
     * when done, whichever way it ends ({@link Migration#awaitSettled}).
     */
    void completeMigration(final Migration m) {
        try {
            complete(m);
        } finally {
            m.settle();
        }
    }

    private void complete(final Migration m) {
        // Publish, then retire: a thread that reads the new Generation never reaches m.from. Until
        // the retirement is done, the map still reports itself as migrating, so "not migrating"
        // means the old table's memory is back.
        retirementsInFlight.incrementAndGet();
        try {
            final Generation done = new Generation(m.to, null);
            boolean rooted = true;   // whether the file (if any) no longer names m.from
            if (store != null) {
                // The root names only the new table before a new migration can start (which needs
                // `done`) and before the old table's extents are freed (retire, below).
                synchronized (rootLock) {
                    // A clear() may have abandoned m (clearAbandoning): it then owns both tables and
                    // retires them itself. Every Generation change holds rootLock with a file.
                    if (generation.migration() != m) {
                        return;
                    }
                    // Not once close() has begun: it may have cut `to` off the file already (fast
                    // mode: zero pages), under an evacuation whose last stores the file then lacks.
                    // Read `closed` false, every unit this thread saw EVACUATED was filled before
                    // close() began, so the file holds `to` whole; read true, the root keeps naming
                    // both tables and the next open finishes the migration from the file.
                    rooted = !closed;
                    if (rooted) {
                        store.writeRoot(serialOf(m.to), m.to.seed, m.to.log2, 0, 0, 0, RootDescriptor.NO_MIGRATION);
                    }
                    VH_GENERATION.setVolatile(this, done);
                }
            } else {
                // A CAS, not a store: a clear() may have abandoned m (clearAbandoning), every unit
                // done or not; it then owns both tables and retires them itself. The Generation
                // naming m is the one publishStart published, and only this completion or that
                // clear replaces it.
                final Generation g = generation;
                if (g.migration() != m || !VH_GENERATION.compareAndSet(this, g, done)) {
                    return;
                }
            }
            completedMigrations.incrementAndGet();
            if (m.kind == Migration.COMPACT) {
                compactedLines = m.to.overflowInUse.sum();
            }
            // From here no reader or writer can reach m.from through a fresh Generation; a thread
            // still inside it fails with IllegalStateException and starts over. A root that still
            // names it keeps its extents (detach, not release).
            if (rooted) {
                m.from.retire();
            } else {
                m.from.detach();
            }
            m.to.entries.releasePrepaid();   // what relocation did not use goes back to the budget
        } finally {
            // On every way out: clear() waits for this count to reach zero (awaitRetirements).
            retirementsInFlight.decrementAndGet();
        }
        notifyListener(m, true);
        MigrationTrace.completed(m);   // JFR event, if a recording wants it
        if (closed) {
            retireAtClose(m.to);
            return;
        }
        if (m.kind != Migration.CLEAR) {
            maybeMigrate(m.to, false);   // the load may call for the next one already
        }
    }

    private void notifyListener(final Migration m, final boolean completed) {
        notifyListener(m.kind, m.from.bucketCount, m.to.bucketCount, m.startNanos, completed);
    }

    private void notifyListener(final int kind, final long fromBuckets, final long toBuckets, final long startNanos,
                                final boolean completed) {
        if (listener == null) {
            return;
        }
        try {
            if (completed) {
                listener.migrationCompleted(MigrationKind.values()[kind], fromBuckets, toBuckets,
                        System.nanoTime() - startNanos);
            } else {
                listener.migrationStarted(MigrationKind.values()[kind], fromBuckets, toBuckets);
            }
        } catch (final RuntimeException e) {
            // Ignored by contract: the operation that triggered the call has already succeeded.
        }
    }

    /**
     * Removes every entry: installs a fresh, small table (with a new random seed unless the seed
     * was fixed) and drops the old one bucket by bucket, in the calling thread. A grow, shrink or
     * compaction in progress is abandoned, not finished (see {@link #clearAbandoning}); a clear in
     * progress is finished first (it drops, so it needs no memory).
     *
     * <p>Returns once every table retired before it returns has given its memory back, so that
     * the stats a caller reads next show the map empty, not migrating, at its baseline
     * footprint. Two completions can still be running in other threads when the clear's own work
     * is done: the clear's own, when a helper thread evacuated its last bucket
     * ({@link Migration#awaitSettled}), and an earlier migration's, whose completer (a helper, a
     * writer) may still be retiring its old table. Until 2026-12-01 clear() could return during
     * either, with stats still saying "growing" and the old table's bytes still counted
     * ({@code LifecycleTest}, background migration, failed once in CI on the second).
     */
    protected final void clearEntries() {
        final WriteGate gate = writeGate;   // a map file: not while a sync copies it
        final int stripe = WriteGate.enter(gate);
        try {
            clearGated();
        } finally {
            WriteGate.exit(gate, stripe);
        }
        awaitRetirements();
    }

    /**
     * Waits until no completion is retiring a table ({@link #retirementsInFlight}). Each one is a
     * short, finite release of memory in another thread, so this ends; outside the write gate,
     * so a sync is never held up by it. {@link Backoff}: the retiring thread may need this core,
     * or this carrier.
     */
    private void awaitRetirements() {
        for (int spins = 0; retirementsInFlight.get() > 0; spins++) {
            Backoff.pause(spins);
        }
    }

    private void clearGated() {
        final boolean interrupted = RetiredTableRace.interruptStatus();
        for (;;) {
            final Generation g = generation;
            try {
                final Migration running = g.migration();
                final long seed = fixedSeed ? g.table().seed : Hashing.randomSeed();
                if (running == null) {
                    final Migration m = startMigration(g, Migration.CLEAR, minLog2, seed);
                    if (m != null) {
                        m.finish();
                        // The last unit may have been evacuated by a helper thread, which then
                        // completes the clear (publishes the small table, retires the old one) in
                        // its own time, and may not have counted its retirement in flight yet.
                        m.awaitSettled();
                        return;
                    }
                } else if (running.kind == Migration.CLEAR) {
                    running.finish();   // one migration at a time: finish the running clear
                    running.awaitSettled();
                } else if (clearAbandoning(g, seed)) {
                    return;
                }
            } catch (final IllegalStateException e) {
                afterRetiredTable(e, interrupted);
            } finally {
                Reference.reachabilityFence(g);
            }
        }
    }

    /**
     * A clear while a grow, shrink or compaction runs: abandons it and drops both of its tables.
     *
     * <p>Why not finish it first and then clear, as this engine once did: finishing evacuates the
     * units still to go, and they need overflow lines (and, for relocating formats, entry memory)
     * in the new table. A map that reached its memory limit half-way through a growth cannot have
     * them, so clear() threw OutOfMemoryError to exactly the user who called it to get memory back
     * ({@code LifecycleTest}). Abandoning needs no memory but the small new table, which may pass
     * the limit as a clear's target always may.
     *
     * <p>Why it is safe for threads still inside the old tables: the small table is published first
     * (a Generation without the migration), so every thread that starts over lands there. Then
     * {@link Migration#abandon} takes every bucket of both tables that a reader or writer can reach
     * out of writers' hands, waiting out each lock holder and evacuation in flight, just as a
     * completed migration has every bucket of its old table EVACUATED before the table is retired.
     * Only then are both tables retired, in the usual way: readers racing it start over (checked
     * mode: the closed arena; fast mode: the re-check of the retired flag after the zero pages), and
     * no thread holds a lock in either table, so the invariant "a locked section never meets a
     * retirement, only a close" holds. Writes that land in the old tables before the clear reaches
     * their bucket are dropped with it, as the map's documentation allows (clear() is not atomic
     * with respect to concurrent writes).
     *
     * <p>The thread that would have completed the migration finds the Generation changed and leaves
     * both tables to this one ({@link #completeMigration}); helper threads and writers still
     * evacuating wait on the held buckets and stop when the tables are retired. The abandoned
     * migration gets no completion call and is not counted; the clear is (listener and stats),
     * without a JFR migration event (it is no published migration; the retirements have theirs).
     *
     * @param g the current Generation, with a migration that is not a clear
     * @param seed the seed of the new table
     * @return {@code true} if the map was cleared; {@code false} if {@code g} was no longer current
     *         (the migration completed, or another clear got there first): the caller starts over
     */
    private boolean clearAbandoning(final Generation g, final long seed) {
        final Migration running = g.migration();
        final Table fresh = new Table(minLog2, seed, budget, true, source);
        try {
            fresh.allocateAllChunks();
        } catch (final RuntimeException | Error e) {
            fresh.retire();
            throw e;
        }
        retirementsInFlight.incrementAndGet();   // stats: migrating until both old tables are retired
        if (!publishAbandon(g, fresh)) {
            retirementsInFlight.decrementAndGet();
            fresh.retire();
            checkOpen();   // a map file publishes nothing once close() has begun
            return false;
        }
        final long started = System.nanoTime();
        notifyListener(Migration.CLEAR, running.to.bucketCount, fresh.bucketCount, started, false);
        try {
            running.abandon();
        } finally {
            running.from.retire();
            running.to.retire();
            retirementsInFlight.decrementAndGet();
            if (closed) {
                // close() may have read g (and retired the old tables only): nothing we published leaks.
                retireAtClose(fresh);
            }
        }
        completedMigrations.incrementAndGet();
        notifyListener(Migration.CLEAR, running.to.bucketCount, fresh.bucketCount, started, true);
        return true;
    }

    /**
     * Publishes {table: fresh, no migration} in place of {@code g}, whose migration a clear
     * abandons: a volatile CAS, against the migration's completion ({@link #completeMigration}) and
     * another clear. With a file, the root that names only the fresh table is written first, under
     * {@link #rootLock}: a crash from here on reopens the cleared map, and the old tables' extents,
     * which no root names any more, are freed by the next open if their retirement does not come.
     * Not once close() has begun (as a completion's root): the file keeps naming the migration.
     *
     * @return whether it was published; {@code false}: {@code g} is no longer current, or a map
     *         file is closing
     */
    private boolean publishAbandon(final Generation g, final Table fresh) {
        if (store == null) {
            return VH_GENERATION.compareAndSet(this, g, new Generation(fresh, null));
        }
        synchronized (rootLock) {
            if (generation != g || closed) {
                return false;
            }
            store.writeRoot(serialOf(fresh), fresh.seed, fresh.log2, 0, 0, 0, RootDescriptor.NO_MIGRATION);
            if (VH_GENERATION.compareAndSet(this, g, new Generation(fresh, null))) {
                return true;
            }
            // Not reached while every Generation change away from g holds rootLock; kept so that
            // the file never names a table the map did not publish.
            final Migration m = g.migration();
            store.writeRoot(serialOf(m.to), m.to.seed, m.to.log2, serialOf(m.from), m.from.seed, m.from.log2,
                    m.kind);
            return false;
        }
    }

    // ============================================================================ lifecycle

    /**
     * Frees all native memory. Idempotent. Afterwards {@link #checkOpen()} throws.
     */
    protected final void closeEngine() {
        if (store == null) {
            closeNow();
            return;
        }
        synchronized (syncLock) {
            // A map that has a sync image is synced by its close: the image is the map as of the
            // last sync() or close(), which is what the open after a restart of the machine puts
            // back (docs/spec/file.md 11). A sync that fails still lets the close finish.
            RuntimeException syncFailed = null;
            if (!closed && store.hasSyncImage()) {
                try {
                    syncLocked();
                } catch (final RuntimeException e) {
                    syncFailed = e;
                }
            }
            closeNow();
            if (syncFailed != null) {
                throw syncFailed;
            }
        }
    }

    private void closeNow() {
        if (!VH_CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        // closed is set before the Generation is read; startMigration publishes before it reads
        // closed: one of the two sees the other, so no table escapes retirement.
        final Generation g = generation;
        // A map file: the old table is cut off the file before the new one. An evacuation racing
        // the close fills the new table and then publishes EVACUATED in the old one; cut off in
        // that order, the file holds the publication only if it also holds the fill (fast mode's
        // zero pages take late stores without failing; the other order could keep a publication
        // whose fill went to zero pages, and the next open would trust a half-empty destination).
        if (store != null && AccessMode.FAST) {
            quiesce(g);
        }
        if (g.migration() != null) {
            retireAtClose(g.migration().from);
        }
        retireAtClose(g.table());
        if (store != null) {
            // A migration that completes after this point retires its old table with the file
            // closed: its extents stay, under a serial no root names, and the next open frees them.
            store.close();
        }
    }

    /**
     * A map file in fast mode: waits until no writer or evacuator is inside a bucket of {@code g}'s
     * tables before they are cut off the file. Fast mode cuts a table off piece by piece (each
     * mapping replaced by zero pages), so a write that spans two pieces (a bucket and its overflow
     * line, a slot and its entry record) and races the cut would leave the file a state no crash
     * leaves. The tables are marked retired first: a writer that locks a bucket after that reads
     * the mark and gives the lock back without a write (and an evacuator aborts); one that locked
     * before is waited for here, as is an evacuation under way (old table first: its fill of the
     * new one ends before its sources turn EVACUATED). Checked mode needs none of this: closing a
     * table's arena cuts off all its pieces at once, and the JDK fails the accesses that follow.
     */
    private static void quiesce(final Generation g) {
        final Migration m = g.migration();
        if (m != null) {
            m.from.markRetired();
        }
        g.table().markRetired();
        if (m != null) {
            quiesce(m.from);
        }
        quiesce(g.table());
    }

    private static void quiesce(final Table table) {
        // Bounded: a lock that is never given back (a compute function that calls close(), a thread
        // stopped for good) must not hang close(); the file is then left as a crash would leave it.
        final long deadline = System.nanoTime() + QUIESCE_NANOS;
        for (long b = 0; b < table.bucketCount; b++) {
            if (!Seqlock.awaitUnowned(table.bucketSegment(b), table.bucketLine(b), deadline)) {
                return;
            }
        }
    }

    /** How long close() waits for one bucket's holder (see quiesce). */
    private static final long QUIESCE_NANOS = 10_000_000_000L;

    /**
     * Tests: the process dies here. The tables are cut off the file as {@code close()} would cut
     * them, without waiting for any holder and without the clean word, and the file is let go: what
     * the file holds is what a crash at this instant leaves.
     */
    final void simulateCrash() {
        if (!VH_CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        final Generation g = generation;
        if (g.migration() != null) {
            g.migration().from.detach();
        }
        g.table().detach();
        if (store != null) {
            store.abandon();
        }
    }

    /**
     * Returns whether {@link #closeEngine()} was called.
     *
     * @return whether {@link #closeEngine()} was called
     */
    protected final boolean engineClosed() {
        return closed;
    }

    /**
     * Fails if the map is closed.
     *
     * @throws IllegalStateException if the map is closed
     */
    protected final void checkOpen() {
        if (closed) {
            throw closedException(null);
        }
    }

    /**
     * What every engine loop does with an {@link IllegalStateException} from a table access: a
     * closed map is reported; otherwise the table was retired under the caller, who starts over
     * from the current generation (and does not keep the interrupt status HotSpot may have set).
     *
     * @param e the exception
     * @param interruptedBefore the caller's {@link RetiredTableRace#interruptStatus()} before the access
     * @throws IllegalStateException if the map is closed
     */
    protected final void afterRetiredTable(final IllegalStateException e, final boolean interruptedBefore) {
        if (closed) {
            throw closedException(e);
        }
        RetiredTableRace.recover(interruptedBefore);
    }

    private IllegalStateException closedException(final Throwable cause) {
        return new IllegalStateException(mapName + " is closed; its native memory has been freed", cause);
    }

    // ================================================================================ stats

    /**
     * Returns a snapshot of shape and memory; fields are read one by one without a global lock.
     *
     * @return a snapshot of shape and memory; fields are read one by one without a global lock
     */
    protected final EngineStats engineStats() {
        checkOpen();
        final Generation g = generation;
        final Migration m = g.migration();
        long lines = g.table().overflowInUse.sum();
        if (m != null) {
            lines += m.from.overflowInUse.sum();
        }
        return new EngineStats(
                Math.max(0L, size.sum()),
                g.table().bucketCount,
                lines,
                budget.used(),
                m != null || retirementsInFlight.get() > 0,
                m == null ? 0 : m.evacuatedBuckets.get(),
                m == null ? 0 : m.from.bucketCount,
                completedMigrations.get());
    }
}
