package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

/**
 * What a slot holds, as far as the shape-blind parts of the engine need to know: migration (to
 * split or merge a bucket) and iteration (to order keys) ask for the hash of the key in a slot.
 *
 * <p>Hot paths (lookups and writes) never call through this interface: each map shape has its own
 * {@code final} class with static methods for them ({@link LongLongFormat} for the inline
 * {@code long -> long} shape), so the lookup call sites stay monomorphic. A slot is always two
 * words (see {@code BucketDescriptor}); what they mean is the format's business. Moving a slot to
 * another bucket of the same table copies both words unchanged; moving it to another table asks
 * the format to {@link #relocate} the value word (the inline format returns it unchanged, the
 * variable-length one copies the entry record into the new table's entry memory).
 */
public interface BucketFormat {

    /**
     * The hash of the key stored in a slot. Called inside a read section (the words may be stale;
     * the result is then discarded by the caller's re-check) or on a bucket that cannot change.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param seed the table's seed
     * @return the 64-bit hash, as used to place the key (bucket = hash &amp; mask)
     */
    long slotHash(MemorySegment segment, long line, int slot, long seed);

    /**
     * Orders entries whose keys share a hash, for iteration: among equal hashes the cursor
     * reports entries by increasing tie-break word (unsigned), so it must be distinct for distinct
     * keys of equal hash and must not change when the entry moves to another table.
     *
     * <p>Called inside a read section (the words may be stale: the result must then still be
     * computed without a fault, and is discarded by the caller's re-check).
     *
     * @param table the table of the line
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @return the tie-break word of the entry in that slot
     */
    long tieBreak(Table table, MemorySegment segment, long line, int slot);

    /**
     * Moves what a slot's value word stands for from table {@code from} into table {@code to}
     * during an evacuation, and returns the value word for the destination slot. Called by the
     * evacuator, on a source bucket that is EVACUATING (its slots and what they reference do not
     * change) into a destination nobody can reach yet.
     *
     * @param from the table being emptied
     * @param to the table being filled
     * @param valueWord the source slot's value word
     * @return the destination slot's value word
     * @throws OutOfMemoryError if {@code to} has no memory for it (the evacuation is then undone)
     */
    long relocate(Table from, Table to, long valueWord);

    /**
     * Returns whether {@link #relocate} allocates (then an evacuation that fails half-way hands
     * every relocated value back through {@link #discard}); {@code false} keeps the inline format's
     * evacuation free of that bookkeeping.
     *
     * @return whether value words reference memory of their table
     */
    boolean relocates();

    /**
     * Frees what a value word {@link #relocate} returned references, in a destination that was
     * never published (an evacuation undone after an allocation failure).
     *
     * @param to the table whose memory the word references
     * @param valueWord the word
     */
    void discard(Table to, long valueWord);
}
