package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.SlotLocation;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The slot-level writes every map shape shares, made by the holder of a bucket's lock: insert a
 * two-word slot (home line, a free overflow slot, or a new overflow line), remove one (freeing an
 * emptied overflow line), and the unlock that ends the critical section. What the two words mean
 * is the shape's business ({@link LongLongStore}: key and value; {@link EntryStore}: hash tag and entry
 * reference); the chain and the counting are the same.
 *
 * <p>Threading: the caller holds the bucket's lock ({@link Seqlock#lock}); each method releases it
 * exactly once.
 */
final class SlotWrites {

    private SlotWrites() {
    }

    /**
     * A writer's lock CAS took a "lock" in a decommitted page of a retired table (it reads as
     * zeros, an unlocked NORMAL word). Gives the word back, or a late thread that reads this page
     * would wait for the lock forever; the caller then starts over from the new generation.
     */
    static void giveBack(final Engine engine, final MemorySegment segment, final long line, final long ctrl) {
        Seqlock.unlock(segment, line, ctrl);
        engine.checkOpen();
    }

    /**
     * A locked section threw. close() retires tables without evacuating them, so in fast mode a
     * writer that held a bucket across it reads the zeroed pages (a chain walk meets a link to
     * nowhere: LifecycleTest's close race saw an ArrayIndexOutOfBoundsException); that failure is
     * the close, and is reported as the map being closed. Anything else is the caller's own (a
     * user function's exception).
     */
    static RuntimeException lockedSectionFailed(final Engine engine, final Table table,
                                                        final RuntimeException e) {
        if (AccessMode.FAST && table.isRetired()) {
            engine.checkOpen();
        }
        return e;
    }

    /** Ends a critical section (see {@link Seqlock#unlock}: a race there means the store happened). */
    static void unlock(final Engine engine, final MemorySegment segment, final long line,
                               final long word) {
        if (Seqlock.unlock(segment, line, word)) {
            engine.checkOpen();
        }
    }

    /**
     * Inserts an absent key under the lock, then unlocks. The only failures (a full chain, no memory
     * for an overflow line) happen before any store and release the bucket unchanged.
     */
    static void insert(final BucketFormat format, final Engine engine, final Table table,
                       final MemorySegment bucketSegment, final long line, final long ctrl,
                       final long key, final long value) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        final long free = Chains.findFree(format, table, segment, line, ctrl);
        final boolean loaded;   // only an insert into the last home slot or an overflow line can mean a loaded table
        if (free != SlotLocation.NOT_FOUND && SlotLocation.isHome(free)) {
            final int s = SlotLocation.slot(free);
            format.setSlotOpaque(segment, line, s, key, value);
            // Release: key and value are visible before the occupancy bit that makes them live.
            unlock(engine, segment, line,
                    CtrlWord.nextUnlocked(CtrlWord.withOccupancy(ctrl, CtrlWord.occupancy(ctrl) | 1 << s)));
            loaded = s == format.slots() - 1;
        } else if (free != SlotLocation.NOT_FOUND) {
            final MemorySegment lineSegment = table.overflowSegment(SlotLocation.lineIndex(free));
            final long lineOffset = table.overflowLine(SlotLocation.lineIndex(free));
            final int s = SlotLocation.slot(free);
            format.setSlotOpaque(lineSegment, lineOffset, s, key, value);
            // Store-store: the slot is in memory before the bit that makes it live. Readers need no
            // more than the unlock's release; a map file does, as a process may die right here
            // (docs/spec/file.md, recovery rule 2). Free on x86 (a compiler barrier).
            VarHandle.storeStoreFence();
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset,
                    OverflowLineDescriptor.occOpaque(lineSegment, lineOffset) | 1L << s);
            unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
            loaded = true;
        } else {
            final long meta = BucketDescriptor.metaOpaque(segment, line);
            final long index;
            try {
                if (MetaWord.count(meta) == MetaWord.MAX_COUNT) {
                    throw new IllegalStateException("bucket chain full (" + MetaWord.MAX_COUNT + " overflow lines):"
                            + " keys collide far beyond chance; use a random seed for untrusted keys");
                }
                index = table.allocateLine();
            } catch (final RuntimeException | Error e) {
                unlock(engine, segment, line, ctrl);
                throw e;
            }
            final MemorySegment lineSegment = table.overflowSegment(index);
            final long lineOffset = table.overflowLine(index);
            format.setSlotOpaque(lineSegment, lineOffset, 0, key, value);
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset, 1L);
            OverflowLineDescriptor.setNextOpaque(lineSegment, lineOffset, MetaWord.withLink(0L, MetaWord.link(meta)));
            // The new line is complete before meta links it at the head of the chain: for readers
            // the unlock's release would do; a map file needs the order at every instant.
            VarHandle.storeStoreFence();
            BucketDescriptor.setMetaOpaque(segment, line,
                    MetaWord.withCount(MetaWord.withLink(meta, index), MetaWord.count(meta) + 1));
            unlock(engine, segment, line, CtrlWord.nextUnlocked(ctrl));
            loaded = true;
        }
        engine.inserted();
        if (loaded) {
            engine.maybeMigrate(table, free == SlotLocation.NOT_FOUND);
        }
    }

    /** Removes the entry at {@code loc} under the lock, then unlocks. */
    static void removeAt(final Engine engine, final Table table, final MemorySegment segment,
                                 final long line, final long ctrl,
                          final long loc) {
        removeAt(engine, table, segment, line, ctrl, loc, null, 0, 0);
    }

    /**
     * Removes the entry at {@code loc} under the lock, frees the entry block its value word
     * references ({@code heap} not {@code null}: a variable-length shape) once the slot no longer
     * holds it, then unlocks.
     *
     * <p>Why the block is freed after the slot is dropped, not before: the free turns the record's
     * header word into a free-list link. A map file's process that died between the two would leave
     * (once recovery clears the stale lock) a live slot referencing that link as if it were a header:
     * a phantom entry, or lengths past the chunk that make the file unopenable. A home slot is
     * dropped only by its occupancy bit in {@code ctrl}, so a map file's home-slot remove stores the
     * locked word without the bit first (readers see a locked word either way and wait; recovery
     * clears the lock and finds the slot free). See {@code docs/spec/file.md}, write order.
     */
    static void removeAt(final Engine engine, final Table table, final MemorySegment bucketSegment,
                         final long line, final long ctrl, final long loc,
                         final EntryHeap heap, final long ref, final long bytes) {
        final MemorySegment segment = AccessMode.constant(bucketSegment);   // compiled alone: see AccessMode.constant
        long next = CtrlWord.nextUnlocked(ctrl);
        if (SlotLocation.isHome(loc)) {
            final int occupancy = CtrlWord.occupancy(ctrl) & ~(1 << SlotLocation.slot(loc));
            next = CtrlWord.withOccupancy(next, occupancy);
            if (heap != null && engine.persistent()) {
                // Release: still locked; the stores of this section so far stay before it.
                BucketDescriptor.ctrlRelease(segment, line, CtrlWord.locked(CtrlWord.withOccupancy(ctrl, occupancy)));
            }
        } else {
            final long index = SlotLocation.lineIndex(loc);
            final MemorySegment lineSegment = table.overflowSegment(index);
            final long lineOffset = table.overflowLine(index);
            final long occupancy = OverflowLineDescriptor.occOpaque(lineSegment, lineOffset)
                    & ~(1L << SlotLocation.slot(loc));
            OverflowLineDescriptor.setOccOpaque(lineSegment, lineOffset, occupancy);
            if (occupancy == 0) {
                Chains.unlinkAndFree(table, segment, line, index);
            }
        }
        if (heap != null) {
            heap.free(ref, bytes);   // its store-store fence keeps the slot's drop above before the link
        }
        unlock(engine, segment, line, next);
        engine.removed();
        if (CtrlWord.occupancy(next) == 0 && table.log2 > engine.minLog2()) {
            engine.maybeMigrate(table, false);
        }
    }
}
