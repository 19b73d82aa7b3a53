package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The bucket protocol: every access to a bucket's {@code ctrl} word that takes part in
 * synchronisation goes through this class, and nowhere else. Readers use an optimistic read
 * ({@link #tryOptimisticRead} / {@link #validate}), writers a lock ({@link #lock} /
 * {@link #unlock}), migrations an evacuation ({@link #beginEvacuation} /
 * {@link #publishEvacuated} or {@link #abortEvacuation}). The fast path, the general read, the
 * iterator, the evacuator and the jcstress tests all call these methods.
 *
 * <p>The words themselves ({@link CtrlWord}: version, lock bit, state, occupancy) and the
 * {@code VarHandle}s with their ordering in the name ({@link BucketDescriptor#ctrlAcquire} and
 * friends) live in {@code unsafe-layout}; this class decides which one is used when.
 *
 * <h2>Algorithmic notes</h2>
 *
 * Pairing rule: every release store of {@code ctrl} ({@link #unlock}, {@link #publishEvacuated},
 * {@link #abortEvacuation}) pairs with an acquire load of the same word
 * ({@link #tryOptimisticRead}, the first load of {@link #lock} and {@link #beginEvacuation}) or
 * with the volatile CAS of {@link #lock} / {@link #beginEvacuation}. The exceptions, one line each:
 * <ul>
 *   <li>Slot, {@code meta}, {@code occ} and {@code next} words are read with <em>plain</em> loads
 *       inside a read section. As in {@code StampedLock}'s optimistic read, their ordering comes
 *       from the brackets: the acquire load that opens the section keeps them below it, and
 *       {@link VarHandle#acquireFence()} in {@link #validate} keeps them above the re-check; a
 *       torn or stale word is thrown away by the re-check. Plain (not opaque) so the JIT can share
 *       the segment checks of neighbouring loads.</li>
 *   <li>The re-check in {@link #validate} is an <em>opaque</em> load: the fence before it already
 *       orders the section's loads; opacity only makes sure the load is really performed.</li>
 *   <li>{@link #lock}'s CAS is volatile, which orders it before later loads; the
 *       {@link VarHandle#releaseFence()} after it orders the LOCK store before the slot stores
 *       that follow (free on x86; on weaker hardware it keeps a reader from seeing a new slot word
 *       together with the old unlocked word, which it would then validate).</li>
 *   <li>Stores under the lock are opaque (single-copy atomic, never torn); {@link #unlock}'s
 *       release makes them visible to any reader whose acquire sees the new word.</li>
 *   <li>An evacuation fills destination buckets nobody can reach yet with plain stores;
 *       {@link #publishEvacuated}'s release store is what makes them reachable.</li>
 * </ul>
 * The full-word compare in {@link #validate} covers every field: any write, lock, or state change
 * in between fails the read; the version (bumped by every unlock that changed the bucket) makes an
 * unlock that restores the same occupancy distinguishable (no ABA within 2^55 writes).
 *
 * <p>Why the last release of a critical section may throw: see {@link #unlock}.
 *
 * <h2>Canaries</h2>
 * Test-only sabotage switches, so the stress tests can prove that they fail on a broken engine.
 * Read once from the system property {@code linemap.canary} into {@code static final} fields:
 * with the property unset (always, outside the stress module's canary runs) the JIT folds every
 * check away. Never set it in production.
 * <ul>
 *   <li>{@code skip-read-validation}: {@link #validate} always succeeds, so readers may return a
 *       value torn by a concurrent writer.</li>
 *   <li>{@code racy-add}: {@code addAndGet} and {@code merge} read the old value before taking the
 *       bucket lock, so concurrent increments get lost.</li>
 * </ul>
 */
public final class Seqlock {

    private static final String CANARY = System.getProperty("linemap.canary", "");

    /** Canary: readers do not re-check {@code ctrl} after reading the slots. */
    public static final boolean SKIP_READ_VALIDATION = CANARY.equals("skip-read-validation");

    /** Canary: read-modify-write operations read the old value outside the lock. */
    public static final boolean RACY_ADD = CANARY.equals("racy-add");

    /**
     * Returned by {@link #lock} and {@link #beginEvacuation}: the bucket is EVACUATED, its
     * entries live in a newer table. It has the lock bit set, so it is never a word either method
     * can return otherwise (they return unlocked words).
     */
    public static final long MOVED = -1L;

    private Seqlock() {
    }

    // ---------------------------------------------------------------------------- readers

    /**
     * Opens a read section: an acquire load of {@code ctrl}. The caller checks the word: locked,
     * wait ({@link Backoff}) and try again; EVACUATED, read the next table; otherwise read the
     * occupied slots with plain loads and close with {@link #validate}.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @return the stamp: the ctrl word
     */
    public static long tryOptimisticRead(final MemorySegment segment, final long line) {
        return BucketDescriptor.ctrlAcquire(segment, line);
    }

    /**
     * Opens a read section on a bucket that may be locked: {@link #tryOptimisticRead} until the
     * word is unlocked, backing off in between. The caller still checks for EVACUATED.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @return the stamp: an unlocked ctrl word
     */
    public static long awaitUnlocked(final MemorySegment segment, final long line) {
        for (int spins = 0; ; spins++) {
            final long c = tryOptimisticRead(segment, line);
            if (!CtrlWord.isLocked(c)) {
                return c;
            }
            Backoff.pause(spins);
        }
    }

    /**
     * Closes a read section: everything read since {@link #tryOptimisticRead} returned
     * {@code stamp} is consistent if this returns {@code true}; otherwise discard it and read
     * again.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @param stamp the word the section opened with
     * @return whether no writer, evacuator or lock touched the bucket in between
     */
    public static boolean validate(final MemorySegment segment, final long line, final long stamp) {
        // Order the section's plain loads before the re-check below.
        VarHandle.acquireFence();
        final boolean valid = SKIP_READ_VALIDATION || BucketDescriptor.ctrlOpaque(segment, line) == stamp;
        Counters.readSection(valid);   // protocol counter: a failed re-check is a retry (folded away when off)
        return valid;
    }

    /**
     * Returns whether a read section can start on it: unlocked and not EVACUATED (NORMAL or
     * EVACUATING; an EVACUATING bucket's slots no longer change).
     *
     * @param stamp a word from {@link #tryOptimisticRead}
     * @return whether a read section can start on it: unlocked and not EVACUATED (NORMAL or
     *         EVACUATING; an EVACUATING bucket's slots no longer change)
     */
    public static boolean isReadable(final long stamp) {
        return !CtrlWord.isLocked(stamp) && CtrlWord.state(stamp) != CtrlWord.EVACUATED;
    }

    /**
     * Returns whether the fast path may read: unlocked and NORMAL (one mask test).
     *
     * @param stamp a word from {@link #tryOptimisticRead}
     * @return whether the fast path may read: unlocked and NORMAL (one mask test)
     */
    public static boolean isUnlockedNormal(final long stamp) {
        return (stamp & (CtrlWord.LOCK | CtrlWord.STATE_MASK)) == 0;
    }

    /**
     * Returns whether its bucket was evacuated into a newer table.
     *
     * @param word a ctrl word
     * @return whether its bucket was evacuated into a newer table
     */
    public static boolean isMoved(final long word) {
        return CtrlWord.state(word) == CtrlWord.EVACUATED;
    }

    // ---------------------------------------------------------------------------- writers

    /**
     * Takes the lock of a NORMAL bucket, waiting while it is locked or EVACUATING.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @return the unlocked word it had, or {@link #MOVED} if the bucket is EVACUATED
     */
    public static long lock(final MemorySegment segment, final long line) {
        return own(segment, line, false);
    }

    /**
     * Ends a critical section with a release store of {@code word}: a writer's unlock (the word
     * {@link #lock} returned with {@link CtrlWord#nextUnlocked} applied, or that word unchanged
     * if nothing changed, so readers that saw it before still validate).
     *
     * <p>This store is the one after which a table may be retired: before it, the bucket is locked
     * or EVACUATING, and a table is retired only once every bucket is EVACUATED. Right after it,
     * the bucket may be evacuated, the migration completed and the table's arena closed while this
     * thread is still inside the store's scoped access method; HotSpot then throws "Already closed"
     * into it <em>after</em> the store took effect ({@link RetiredTableRace}). So an exception here
     * means the store happened: the operation is complete and must not fail, or a caller that
     * retries an {@code addAndGet} would count twice.
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @param word the word to store
     * @return {@code false} normally; {@code true} if the store raced the closing of the arena (the
     *         caller tells a closed map, which it reports, from a retired table, which it ignores)
     */
    public static boolean unlock(final MemorySegment segment, final long line, final long word) {
        final boolean interrupted = !AccessMode.FAST && RetiredTableRace.interruptStatus();
        try {
            BucketDescriptor.ctrlRelease(segment, line, word);
            return false;
        } catch (final IllegalStateException afterTheStore) {
            RetiredTableRace.recover(interrupted);
            return true;
        }
    }

    // ------------------------------------------------------------------------ evacuation

    /**
     * Moves a source bucket from NORMAL to EVACUATING, waiting while a writer holds it. No lock
     * bit: writers wait on EVACUATING, readers keep reading (the slots do not change until
     * EVACUATED, and after that nobody reads them).
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @return the NORMAL unlocked word it had, or {@link #MOVED} if it is EVACUATED already
     */
    public static long beginEvacuation(final MemorySegment segment, final long line) {
        return own(segment, line, true);
    }

    /**
     * The one wait-and-CAS loop of {@link #lock} and {@link #beginEvacuation}: waits while the
     * bucket is locked or EVACUATING, gives up on EVACUATED, and CASes a NORMAL unlocked word to
     * locked (a writer) or to EVACUATING (an evacuator; no lock bit, so readers keep reading).
     */
    private static long own(final MemorySegment segment, final long line, final boolean evacuate) {
        for (int spins = 0; ; spins++) {
            final long c = BucketDescriptor.ctrlAcquire(segment, line);
            if (!CtrlWord.isLocked(c)) {
                final int state = CtrlWord.state(c);
                if (state == CtrlWord.EVACUATED) {
                    return MOVED;
                }
                final long next = evacuate ? CtrlWord.withState(c, CtrlWord.EVACUATING) : CtrlWord.locked(c);
                // Volatile CAS: the owner's later loads cannot move above it.
                if (state == CtrlWord.NORMAL && BucketDescriptor.casCtrl(segment, line, c, next)) {
                    // The one order the seqlock needs beyond that: the LOCK store before the slot
                    // stores that follow (free on x86). An evacuator stores nothing into its sources.
                    if (!evacuate) {
                        VarHandle.releaseFence();
                    }
                    return c;
                }
            }
            Backoff.pause(spins);   // locked by a writer, or EVACUATING
        }
    }

    /**
     * Waits until no writer holds the bucket and no evacuator owns it (the words {@link #own} waits
     * out), without taking it: the close of a map file waits out the sections begun before it
     * marked the table retired ({@code Engine.quiesce}).
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @param deadline {@link System#nanoTime()} after which it gives up
     * @return whether the bucket was free of owners before the deadline
     */
    static boolean awaitUnowned(final MemorySegment segment, final long line, final long deadline) {
        for (int spins = 0; ; spins++) {
            // Acquire: pairs with the owner's releasing store; its section's stores come before.
            final long c = BucketDescriptor.ctrlAcquire(segment, line);
            if (!CtrlWord.isLocked(c) && CtrlWord.state(c) != CtrlWord.EVACUATING) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Backoff.pause(spins);
        }
    }

    /**
     * Publishes an evacuated source: release store of EVACUATED, occupancy 0, version + 1. Every
     * plain store into its destination buckets is visible to a thread that acquires this word.
     * Like {@link #unlock} it may be the store after which the table is retired.
     *
     * @param segment segment holding the source bucket
     * @param line byte offset of the bucket
     * @param c the word {@link #beginEvacuation} returned
     * @return as {@link #unlock}
     */
    public static boolean publishEvacuated(final MemorySegment segment, final long line, final long c) {
        return unlock(segment, line,
                CtrlWord.nextUnlocked(CtrlWord.withOccupancy(CtrlWord.withState(c, CtrlWord.EVACUATED), 0)));
    }

    /**
     * Undoes {@link #beginEvacuation}: release store of the exact word it had. Its slots never
     * changed, so a reader that saw that word before validates successfully after. Never the last
     * store before a retirement (the bucket is not EVACUATED), so it cannot race one.
     *
     * @param segment segment holding the source bucket
     * @param line byte offset of the bucket
     * @param c the word {@link #beginEvacuation} returned
     */
    public static void abortEvacuation(final MemorySegment segment, final long line, final long c) {
        BucketDescriptor.ctrlRelease(segment, line, c);
    }

    /**
     * Returns whether it is EVACUATED (acquire: its destinations are visible if so).
     *
     * @param segment segment holding the bucket
     * @param line byte offset of the bucket
     * @return whether it is EVACUATED (acquire: its destinations are visible if so)
     */
    public static boolean isEvacuated(final MemorySegment segment, final long line) {
        return isMoved(BucketDescriptor.ctrlAcquire(segment, line));
    }

    /**
     * The word a destination bucket starts with when an evacuation fills it (plain store; it is
     * unreachable until its source is published).
     *
     * @param occupancy the home slots it fills
     * @return NORMAL, unlocked, version 0, that occupancy
     */
    public static long freshWord(final int occupancy) {
        return CtrlWord.of(0, false, CtrlWord.NORMAL, occupancy);
    }
}
