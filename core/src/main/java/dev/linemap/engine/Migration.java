package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicLong;

import static dev.linemap.layout.BucketDescriptor.metaOpaque;

/**
 * One incremental migration from table {@code from} to table {@code to}: a doubling (GROW), a
 * halving (SHRINK), a same-size rebuild that compacts overflow chains (COMPACT) or a CLEAR (entries
 * are dropped, not copied, and {@code to} has a fresh seed).
 *
 * <p>The work is cut into units. A unit is the smallest set of old buckets whose entries land in a
 * set of new buckets that no other unit touches: GROW, COMPACT and CLEAR: old bucket {@code u}
 * (GROW: to new {@code u} and {@code u + oldN}); SHRINK: old {@code u} and {@code u + newN} to new
 * {@code u}. A unit is evacuated under its sources' EVACUATING state, so its destination buckets are
 * filled with plain stores and published by one release store per source (state EVACUATED).
 *
 * <p>Who does the work: every write first evacuates the unit of its own key, then claims
 * {@value #WRITER_CLAIM} units from the shared {@link #cursor}; a helper thread claims bigger runs
 * so that a read-only phase still finishes the migration. The {@link #watermark} is a contiguous
 * prefix of evacuated units: readers below it go straight to {@code to}.
 *
 * <p>A {@code clear()} that finds a GROW, SHRINK or COMPACT running does not finish it: it
 * {@link #abandon}s it, which needs no memory.
 */
public final class Migration {

    // Kinds: the values are the ordinals of the public MigrationKind.

    /** Doubling: old {@code i} splits into new {@code i} and {@code i + oldN}. */
    public static final int GROW = 0;
    /** Halving: old {@code j} and {@code j + newN} merge into new {@code j}. */
    public static final int SHRINK = 1;
    /** Same size: old {@code i} is rebuilt as new {@code i}, overflow chains compacted. */
    public static final int COMPACT = 2;
    /** Clear: old buckets are dropped; {@code to} is a fresh table with a new seed. */
    public static final int CLEAR = 3;

    /** Units a writer claims from the cursor per write (besides its own). */
    public static final int WRITER_CLAIM = 2;
    /** Units the helper thread claims at a time. */
    private static final int HELPER_CLAIM = 64;
    /** Most units one writer's watermark advance may scan (keeps each write's work bounded). */
    private static final int WRITER_WATERMARK_SCAN = 256;

    private static final VarHandle VH_CURSOR;
    private static final VarHandle VH_WATERMARK;

    static {
        try {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            VH_CURSOR = lookup.findVarHandle(Migration.class, "cursor", long.class);
            VH_WATERMARK = lookup.findVarHandle(Migration.class, "watermark", long.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The table being emptied. */
    public final Table from;
    /** The table being filled. */
    public final Table to;
    /** {@link #GROW}, {@link #SHRINK}, {@link #COMPACT} or {@link #CLEAR}. */
    public final int kind;
    /** Number of units. */
    public final long units;
    private final Engine engine;
    private final BucketFormat format;

    /** Next unit to hand out; claimed with getAndAdd, may run past {@link #units}. */
    private volatile long cursor;
    // Keep the watermark, read by every reader during a migration, off the cursor's cache line,
    // which every writer hammers with getAndAdd.
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    /** Every unit below it is evacuated (invariant 3). Only grows, by CAS. */
    private volatile long watermark;
    /** Set once its completion has run to the end ({@link Engine#completeMigration}), however it ended. */
    private volatile boolean settled;
    @SuppressWarnings("unused")
    private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    /** {@link System#nanoTime()} at publication. */
    public final long startNanos = System.nanoTime();

    /** Old buckets evacuated so far (stats). */
    public final AtomicLong evacuatedBuckets = new AtomicLong();

    /** Units by writers and by the helper, longest operation, JFR event; {@code null} when nobody looks. */
    final MigrationTrace trace = MigrationTrace.start();

    Migration(final Engine engine, final Table from, final Table to, final int kind) {
        this.engine = engine;
        this.format = engine.format;
        this.from = from;
        this.to = to;
        this.kind = kind;
        this.units = kind == SHRINK ? to.bucketCount : from.bucketCount;
    }

    /**
     * Returns the unit that evacuates it.
     *
     * @param oldBucket a bucket of {@code from}
     * @return the unit that evacuates it
     */
    public long unitOf(final long oldBucket) {
        return kind == SHRINK ? oldBucket & to.mask : oldBucket;
    }

    /**
     * Acquire load of the watermark. Pairs with the CAS in {@link #advanceWatermark}: a reader that
     * sees {@code w} sees the destination buckets of every unit below {@code w}.
     *
     * @return the watermark
     */
    public long watermarkAcquire() {
        return (long) VH_WATERMARK.getAcquire(this);
    }

    /**
     * Returns whether it is evacuated. For SHRINK the lower source is published last, so its state
     * speaks for both.
     *
     * @param u a unit
     * @return whether it is evacuated. For SHRINK the lower source is published last, so its state
     *         speaks for both.
     */
    public boolean isUnitEvacuated(final long u) {
        return Seqlock.isEvacuated(from.bucketSegment(u), from.bucketLine(u));
    }

    /**
     * Routing of a read: the table whose bucket answers for a key while this migration runs.
     *
     * @param oldBucket the key's bucket in {@link #from}
     * @return {@link #from} while the key's unit is not known to be evacuated (its old bucket is
     *         the truth, or says EVACUATED and sends the reader on), else {@link #to}
     */
    public Table answering(final long oldBucket) {
        return unitOf(oldBucket) >= watermarkAcquire() ? from : to;
    }

    /**
     * Routing of a write, and the writer's share of the work: evacuates the unit of the writer's
     * own key, then claims more ({@link #helpAsWriter}).
     *
     * @param oldBucket the key's bucket in {@link #from}
     * @return {@link #to}; or {@link #from} if the unit's new buckets could not be allocated (its
     *         old bucket is then still NORMAL and authoritative, and the migration carries the
     *         write over later)
     */
    public Table prepareWrite(final long oldBucket) {
        final long started = MigrationTrace.operationStart(trace);   // observability hook
        Table table = to;
        try {
            evacuateOwn(oldBucket);
        } catch (final OutOfMemoryError e) {
            table = from;
        }
        helpAsWriter();
        MigrationTrace.operationEnd(trace, started);
        return table;
    }

    /**
     * A writer's first duty: make sure the unit of its own key is evacuated, so that it may write
     * the key's bucket in {@code to}.
     *
     * @param oldBucket the writer's bucket in {@code from}
     * @throws OutOfMemoryError if the unit's destinations cannot be allocated; the unit is then
     *         intact and NORMAL, and the writer may write the old bucket instead
     */
    private void evacuateOwn(final long oldBucket) {
        final long u = unitOf(oldBucket);
        if (u >= watermarkAcquire() && !isUnitEvacuated(u)) {
            evacuate(u);
        }
    }

    /**
     * A writer's share of the rest: {@value #WRITER_CLAIM} units from the cursor and a bounded
     * watermark advance. Never fails the writer's own operation for lack of memory (that unit stays
     * for the helper or a later writer).
     */
    private void helpAsWriter() {
        try {
            if (cursor < units) {
                final long start = (long) VH_CURSOR.getAndAdd(this, (long) WRITER_CLAIM);
                final long end = Math.min(units, start + WRITER_CLAIM);
                for (long v = start; v < end; v++) {
                    evacuate(v);
                }
            }
        } catch (final OutOfMemoryError e) {
            // Claimed units left NORMAL; the helper's sweep or their own writers evacuate them later.
        }
        advanceWatermark(WRITER_WATERMARK_SCAN);
    }

    /**
     * Body of the helper thread: claim runs from the cursor, then sweep whatever a failed or slow
     * evacuator left behind, until the migration completes.
     */
    void runHelper() {
        runHelper(null);
    }

    /**
     * @param gate the map file's write gate, for a helper thread (its runs are top-level writes,
     *        each held out while a sync copies the file); {@code null} for a caller that is inside
     *        an operation already
     */
    private void runHelper(final WriteGate gate) {
        final long started = MigrationTrace.operationStart(trace);   // observability hook (inline runs)
        final boolean interrupted = RetiredTableRace.interruptStatus();
        try {
            for (;;) {
                final int stripe = WriteGate.enter(gate);
                try {
                    if (!helpOnce()) {
                        break;
                    }
                } finally {
                    WriteGate.exit(gate, stripe);
                }
            }
        } catch (final IllegalStateException closedOrRetired) {
            // The map was closed under us: nothing left to migrate. (finish() runs this in a
            // caller's thread: do not leave it a spurious interrupt.)
            RetiredTableRace.recover(interrupted);
        } catch (final OutOfMemoryError e) {
            // Out of native memory: writers carry on evacuating unit by unit and each fails alone.
        } finally {
            Reference.reachabilityFence(this);   // fast mode: keeps from and to mapped (MmapSource)
        }
        MigrationTrace.operationEnd(trace, started);
    }

    /**
     * One run of the helper: a claim of {@value #HELPER_CLAIM} units from the cursor or, once the
     * cursor is spent, one unit of the sweep for whatever a failed or slow evacuator left behind.
     *
     * @return whether there may be more to do
     */
    private boolean helpOnce() {
        final long start = cursor < units ? (long) VH_CURSOR.getAndAdd(this, (long) HELPER_CLAIM) : units;
        if (start < units) {
            final long end = Math.min(units, start + HELPER_CLAIM);
            for (long v = start; v < end; v++) {
                evacuate(v);
            }
            advanceWatermark(Long.MAX_VALUE);
            return true;
        }
        final long w = watermarkAcquire();
        if (w < units) {
            evacuate(w);   // returns at once if done; waits for an evacuator in flight
            advanceWatermark(Long.MAX_VALUE);
            return true;
        }
        return false;
    }

    /** Body of the helper thread: {@link #runHelper}, its units counted as the helper's. */
    void runHelperThread() {
        if (trace != null) {
            trace.isHelper();
        }
        runHelper(engine.writeGate);
    }

    /**
     * Drives the whole migration to completion in the calling thread (a clear finishing a running
     * clear, tests). A clear never finishes a grow, shrink or compaction: it {@link #abandon}s it.
     */
    public void finish() {
        runHelper();
        if (watermarkAcquire() < units) {
            // runHelper swallowed a closed-map or memory failure: surface it to the caller.
            for (long w; (w = watermarkAcquire()) < units; ) {
                evacuate(w);
                advanceWatermark(Long.MAX_VALUE);
            }
        }
    }

    /** Marks the completion as done: see {@link #awaitSettled}. */
    void settle() {
        // Volatile store, after the completion's publication, retirement and budget release: a
        // thread that reads it true sees all of them (stats then show the memory back).
        settled = true;
    }

    /**
     * Waits until the completion of this migration has run to the end. For the caller of
     * {@link #finish}: the thread that evacuates the last unit completes the migration, and that
     * may be another thread (a helper, a writer), still publishing and retiring when
     * {@code finish} returns. Only ever awaited after {@code finish} returned normally, so every
     * unit is evacuated and some thread is completing or has completed it; the wait is that
     * thread's publication and the old table's release.
     */
    void awaitSettled() {
        for (int spins = 0; !settled; spins++) {
            Backoff.pause(spins);   // the completing thread may need this core, or this carrier
        }
    }

    /**
     * Moves the watermark over evacuated units; the thread that moves it to the end completes the
     * migration.
     *
     * @param maxScan most units to check in this call
     */
    void advanceWatermark(final long maxScan) {
        for (;;) {
            final long w0 = watermarkAcquire();
            long w = w0;
            final long limit = maxScan >= units - w0 ? units : w0 + Math.max(1, maxScan);   // no overflow
            while (w < limit && isUnitEvacuated(w)) {
                w++;
            }
            if (w == w0) {
                return;
            }
            // Volatile CAS (release): everything this thread saw evacuated below w is visible to a
            // reader that acquires the new watermark. Losing the CAS means someone moved it; rescan.
            if (VH_WATERMARK.compareAndSet(this, w0, w)) {
                if (w == units) {
                    engine.completeMigration(this);
                    return;
                }
                if (w == limit) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------- evacuation

    /**
     * Evacuates unit {@code u} unless that is done already; waits while another thread holds one of
     * its sources (a writer's lock or another evacuator).
     *
     * @param u the unit
     * @throws OutOfMemoryError if a destination needs memory that cannot be had; the unit is then
     *         left exactly as it was, NORMAL and intact
     */
    void evacuate(final long u) {
        final Table from = this.from;
        final Table to = this.to;
        final long d0 = kind == CLEAR ? -1 : u;
        final long d1 = kind == GROW ? u + from.bucketCount : -1;
        // Allocate destination chunks before touching the sources: failing here changes nothing.
        if (d0 >= 0) {
            to.ensureChunkOf(d0);
        }
        if (d1 >= 0) {
            to.ensureChunkOf(d1);
        }
        final MemorySegment seg0 = from.bucketSegment(u);
        final long line0 = from.bucketLine(u);
        final long c0 = Seqlock.beginEvacuation(seg0, line0);
        if (c0 == Seqlock.MOVED) {
            return;
        }
        if (AccessMode.FAST && from.isRetired()) {
            // The CAS hit a decommitted page: this migration is complete (every unit was done) or
            // abandoned by a clear, or the map is closed. Filling from zeros would wipe the live
            // destinations: stop here, and give the word back so that no late thread waits on it.
            // Then stop the caller as checked mode's closed arena does: a helper sweeping for units
            // of an abandoned migration would otherwise wait for them for ever; a writer starts over.
            Seqlock.abortEvacuation(seg0, line0, c0);
            engine.checkOpen();
            throw new IllegalStateException("table retired under an evacuation");
        }
        MemorySegment seg1 = null;
        long line1 = 0;
        long c1 = 0;
        if (kind == SHRINK) {
            final long s1 = u + to.bucketCount;
            seg1 = from.bucketSegment(s1);
            line1 = from.bucketLine(s1);
            c1 = Seqlock.beginEvacuation(seg1, line1);   // never MOVED: its unit partner s0 was not
        }
        long dropped = 0;
        try {
            if (kind == CLEAR) {
                dropped = countEntries(from, seg0, line0, c0);
            } else {
                fill(d0, d1 >= 0, seg0, line0, c0, seg1, line1, c1);
                if (d1 >= 0) {
                    fill(d1, true, seg0, line0, c0, null, 0, 0);
                }
            }
        } catch (final RuntimeException | Error e) {
            // Undo: destinations are unreachable until published, so empty them; sources go back to
            // the exact words they had (their slots never changed), NORMAL and unlocked.
            if (d0 >= 0) {
                reset(d0);
            }
            if (d1 >= 0) {
                reset(d1);
            }
            if (seg1 != null) {
                Seqlock.abortEvacuation(seg1, line1, c1);
            }
            Seqlock.abortEvacuation(seg0, line0, c0);
            throw e;
        }
        // Publication. Release: the destination buckets' plain stores above are visible to any
        // thread that acquires EVACUATED here. SHRINK publishes the upper source first, so the lower
        // one's state speaks for the whole unit (isUnitEvacuated); until that last store the unit is
        // not evacuated and `from` cannot be retired, after it it can (Seqlock.unlock).
        if (trace != null) {
            trace.unitEvacuated();   // observability hook: counted before it is published (see MigrationTrace)
        }
        if (seg1 != null) {
            Seqlock.publishEvacuated(seg1, line1, c1);   // cannot race a retirement: seg0 is not EVACUATED yet
        }
        if (Seqlock.publishEvacuated(seg0, line0, c0)) {
            engine.checkOpen();   // the store happened; only a closed map is worth reporting
        }
        evacuatedBuckets.addAndGet(seg1 != null ? 2 : 1);
        if (dropped != 0) {
            engine.sizeAdd(-dropped);
        }
    }

    /**
     * Fills destination bucket {@code d} of {@code to} with the entries of the sources (one, or two
     * for SHRINK) that hash to it. The destination is fresh (zero) and unreachable until the
     * sources are published, so plain stores suffice. Lines are appended in source order; the home
     * line fills first. No object is allocated: a write during growth stays garbage-free.
     */
    private void fill(final long d, final boolean filter,
                      final MemorySegment seg0, final long line0, final long c0,
                      final MemorySegment seg1, final long line1, final long c1) {
        final Table from = this.from;
        final Table to = this.to;
        final boolean relocates = format.relocates();
        final int slots = format.slots();
        final MemorySegment home = to.bucketSegment(d);
        final long homeLine = to.bucketLine(d);
        int homeOccupancy = 0;
        long meta = 0;                 // link to the first overflow line + count, as built so far
        MemorySegment outSegment = home;
        long outLine = homeLine;
        long outIndex = MetaWord.NONE; // overflow line being filled, NONE = the home line
        int outOccupancy = 0;
        int outSlot = 0;
        for (int source = 0; source < (seg1 == null ? 1 : 2); source++) {
            MemorySegment segment = source == 0 ? seg0 : seg1;
            long line = source == 0 ? line0 : line1;
            int occupancy = CtrlWord.occupancy(source == 0 ? c0 : c1);
            final long sourceMeta = metaOpaque(segment, line);
            long link = MetaWord.link(sourceMeta);
            int remaining = MetaWord.count(sourceMeta);
            for (;;) {
                for (int s = 0; s < slots; s++) {
                    if ((occupancy & (1 << s)) == 0) {
                        continue;
                    }
                    final long key = format.keyWordOpaque(segment, line, s);
                    if (filter && to.bucket(format.slotHash(segment, line, s, to.seed)) != d) {
                        continue;
                    }
                    if (outSlot == slots) {
                        // Current line full: chain a new overflow line after it.
                        final long index = to.allocateLine();
                        final MemorySegment lineSegment = to.overflowSegment(index);
                        final long lineOffset = to.overflowLine(index);
                        OverflowLineDescriptor.setNextOpaque(lineSegment, lineOffset, MetaWord.of(MetaWord.NONE, 0));
                        // A line from the free list has an old occupancy: reset() must not read it.
                        OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset, 0L);
                        if (outIndex == MetaWord.NONE) {
                            meta = MetaWord.of(index, 1);
                        } else {
                            OverflowLineDescriptor.setOccOpaque(outSegment, outLine, outOccupancy);
                            OverflowLineDescriptor.setNextOpaque(outSegment, outLine, MetaWord.of(index, 0));
                            meta = MetaWord.withCount(meta, MetaWord.count(meta) + 1);
                        }
                        // Kept current as we go, so that reset() can free every line on failure.
                        BucketDescriptor.setMetaPlain(home, homeLine, meta);
                        outSegment = lineSegment;
                        outLine = lineOffset;
                        outIndex = index;
                        outOccupancy = 0;
                        outSlot = 0;
                    }
                    // The format moves what the value word references (entry records) into `to`.
                    format.setSlotPlain(outSegment, outLine, outSlot, key,
                            format.relocate(from, to, format.valueWordOpaque(segment, line, s)));
                    if (outIndex == MetaWord.NONE) {
                        homeOccupancy |= 1 << outSlot;
                    } else {
                        outOccupancy |= 1 << outSlot;
                    }
                    outSlot++;
                    if (relocates) {
                        // Occupancy kept current as we go (plain: unpublished), so that reset() can
                        // hand back what relocate() allocated in `to` if a later one fails.
                        if (outIndex == MetaWord.NONE) {
                            BucketDescriptor.setCtrlPlain(home, homeLine, Seqlock.freshWord(homeOccupancy));
                        } else {
                            OverflowLineDescriptor.setOccOpaque(outSegment, outLine, outOccupancy);
                        }
                    }
                }
                if (link == MetaWord.NONE || remaining-- == 0) {
                    break;
                }
                segment = from.overflowSegment(link);
                line = from.overflowLine(link);
                occupancy = CtrlWord.occupancy(OverflowLineDescriptor.occOpaque(segment, line));
                link = MetaWord.link(OverflowLineDescriptor.nextOpaque(segment, line));
            }
        }
        if (outIndex != MetaWord.NONE) {
            OverflowLineDescriptor.setOccOpaque(outSegment, outLine, outOccupancy);
        }
        BucketDescriptor.setMetaPlain(home, homeLine, meta);
        BucketDescriptor.setCtrlPlain(home, homeLine, Seqlock.freshWord(homeOccupancy));
    }

    /** Entries in the chain of a bucket of {@code table} that its caller holds EVACUATING. */
    private static long countEntries(final Table table, final MemorySegment homeSegment, final long homeLine,
                                     final long ctrl) {
        long n = Integer.bitCount(CtrlWord.occupancy(ctrl));
        final long meta = metaOpaque(homeSegment, homeLine);
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment segment = table.overflowSegment(link);
            final long line = table.overflowLine(link);
            n += Integer.bitCount(CtrlWord.occupancy(OverflowLineDescriptor.occOpaque(segment, line)));
            link = MetaWord.link(OverflowLineDescriptor.nextOpaque(segment, line));
        }
        return n;
    }

    // ------------------------------------------------------------------------------ abandon

    /**
     * Abandons this migration for a {@code clear()} that has already published a generation without
     * it (the engine's {@code clearAbandoning}): every unit is dropped, none is evacuated, so this
     * needs no memory. Finishing the migration instead would need overflow lines and entry memory in
     * {@link #to}, which a map at its memory limit cannot have. When this returns, no thread holds a
     * lock in {@link #from} or {@link #to}, none can take one, and no evacuation of this migration is
     * in flight: the caller may retire both tables, as a completed migration retires its old table
     * once every bucket is EVACUATED.
     *
     * <p>Unit by unit, in index order (the order in which an evacuation takes a SHRINK unit's two
     * sources, so that nobody waits on a bucket this thread holds while it waits on theirs):
     * <ul>
     *   <li>A unit not evacuated: its source(s) go NORMAL to EVACUATING (waiting out a writer or an
     *       evacuation in flight) and stay so until the table is retired. They are not published
     *       EVACUATED: that would send writers on to the unit's destinations in {@code to}, which were
     *       never filled, nor allocated in checked mode. Readers still read them (the entries as they
     *       were before the clear); writers and evacuators wait, and start over from the current
     *       generation when the table is retired under them (checked mode: the closed arena; fast
     *       mode: the re-check of the retired flag, or {@link #evacuate}'s).</li>
     *   <li>A unit this migration evacuated: its entries, and the writes since, are in its
     *       destinations in {@code to}, where writers lock buckets. Each destination goes NORMAL to
     *       EVACUATING (waiting out a writer) to EVACUATED. A reader or writer that meets EVACUATED
     *       there has no newer table in its generation and starts over from the current one, which
     *       the clear published before this ran: no thread loops on it.</li>
     * </ul>
     * The entries dropped are taken off the size as each unit is dropped, as a clear's evacuation does.
     *
     * @throws IllegalStateException if the map is closed meanwhile (close() retires these tables)
     */
    void abandon() {
        for (long u = 0; u < units; u++) {
            final long dropped = dropUnit(u);
            if (dropped != 0) {
                engine.sizeAdd(-dropped);
            }
        }
    }

    /** Drops unit {@code u} (see {@link #abandon}); returns the entries it held. */
    private long dropUnit(final long u) {
        final MemorySegment seg0 = from.bucketSegment(u);
        final long line0 = from.bucketLine(u);
        final long c0 = Seqlock.beginEvacuation(seg0, line0);
        if (c0 == Seqlock.MOVED) {
            // Evacuated, and so were its upper source (SHRINK) and its destinations (published).
            final long dropped = dropDestination(u);
            return kind == GROW ? dropped + dropDestination(u + from.bucketCount) : dropped;
        }
        stopIfRetired(from, seg0, line0, c0);
        long n = countEntries(from, seg0, line0, c0);
        if (kind == SHRINK) {
            final long s1 = u + to.bucketCount;
            final MemorySegment seg1 = from.bucketSegment(s1);
            final long line1 = from.bucketLine(s1);
            final long c1 = Seqlock.beginEvacuation(seg1, line1);   // never MOVED: its unit partner s0 was not
            stopIfRetired(from, seg1, line1, c1);
            n += countEntries(from, seg1, line1, c1);
        }
        return n;   // held EVACUATING until the table is retired
    }

    /** Drops destination {@code d} of an evacuated unit: EVACUATED, once no writer holds it. */
    private long dropDestination(final long d) {
        final MemorySegment segment = to.bucketSegment(d);
        final long line = to.bucketLine(d);
        final long c = Seqlock.beginEvacuation(segment, line);
        if (c == Seqlock.MOVED) {
            return 0;   // not reached: only this drop marks a bucket of `to` EVACUATED, once
        }
        stopIfRetired(to, segment, line, c);
        final long n = countEntries(to, segment, line, c);
        if (Seqlock.publishEvacuated(segment, line, c)) {
            engine.checkOpen();   // the store happened; only a closed map is worth reporting
        }
        return n;
    }

    /**
     * Fast mode: an EVACUATING CAS that landed on a decommitted page (only close() retires these
     * tables while they are abandoned): gives the word back, so no late thread waits on it, and
     * reports the close.
     */
    private void stopIfRetired(final Table table, final MemorySegment segment, final long line, final long c) {
        if (AccessMode.FAST && table.isRetired()) {
            Seqlock.abortEvacuation(segment, line, c);
            engine.checkOpen();
            throw new IllegalStateException("table retired under an abandoned migration");
        }
    }

    /** Empties an unpublished destination bucket after a failed evacuation. */
    private void reset(final long d) {
        final MemorySegment segment = to.bucketSegment(d);
        if (segment == null) {
            return;
        }
        final long line = to.bucketLine(d);
        final long meta = metaOpaque(segment, line);
        if (format.relocates()) {
            discardSlots(segment, line, CtrlWord.occupancy(BucketDescriptor.ctrlOpaque(segment, line)));
        }
        long link = MetaWord.link(meta);
        for (int remaining = MetaWord.count(meta); link != MetaWord.NONE && remaining > 0; remaining--) {
            final MemorySegment lineSegment = to.overflowSegment(link);
            final long lineOffset = to.overflowLine(link);
            if (format.relocates()) {
                discardSlots(lineSegment, lineOffset,
                        CtrlWord.occupancy(OverflowLineDescriptor.occOpaque(lineSegment, lineOffset)));
            }
            final long next = MetaWord.link(OverflowLineDescriptor.nextOpaque(lineSegment, lineOffset));
            to.freeLine(link);
            link = next;
        }
        BucketDescriptor.setCtrlPlain(segment, line, 0L);
        BucketDescriptor.setMetaPlain(segment, line, 0L);
    }

    /** Hands back what {@link BucketFormat#relocate} allocated for the occupied slots of a line of {@code to}. */
    private void discardSlots(final MemorySegment segment, final long line, final int occupancy) {
        for (int s = 0; s < format.slots(); s++) {
            if ((occupancy & (1 << s)) != 0) {
                format.discard(to, format.valueWordOpaque(segment, line, s));
            }
        }
    }

    // ---------------------------------------------------------- read-only views for the tools

    /**
     * Returns the cursor: every unit below it has been handed to an evacuator (it may run past
     * {@link #units}). Read by the inspector ({@code MapInspector}); the engine itself never needs
     * its value outside a claim.
     *
     * @return the cursor (volatile read)
     */
    public long cursor() {
        return cursor;
    }

    /**
     * The inverse of the split and merge rules of the class comment, for the inspector: which unit's
     * evacuation fills (and publishes) a bucket of {@link #to}. Meaningless for CLEAR, which fills
     * nothing (its {@code to} is written by writes only, once their old unit is dropped).
     *
     * @param newBucket a bucket of {@link #to}
     * @return the unit whose evacuation fills it
     */
    public long unitFilling(final long newBucket) {
        return kind == SHRINK ? newBucket : newBucket & from.mask;
    }
}
