package dev.linemap.engine;

import java.lang.foreign.MemorySegment;

/**
 * What a slot holds, as far as the shape-blind parts of the engine need to know: migration (to
 * split or merge a bucket) and iteration (to order keys) ask for the hash of the key in a slot,
 * and iteration compares the keys of equal hash.
 *
 * <p>Hot paths (lookups and writes) never call through this interface: each map shape has its own
 * {@code final} class with static methods for them ({@link LongLongFormat} for the inline
 * {@code long -> long} shape), so the lookup call sites stay monomorphic. A slot is always two
 * words, a key word and a value word; how wide they are, where in the line they lie and what they
 * mean is the format's business: three slots of two 8-byte words ({@code BucketDescriptor}) for
 * {@code long -> long}, six of two 4-byte words ({@code DenseLineDescriptor}) for entries in entry
 * memory. The shape-blind parts reach the words only through the accessors below. Moving a slot to
 * another bucket of the same table copies both words unchanged; moving it to another table asks
 * the format to {@link #relocate} the value word (the inline format returns it unchanged, the
 * variable-length one copies the entry record into the new table's entry memory).
 */
public interface BucketFormat {

    /**
     * Slots per line, home line and overflow line alike.
     *
     * @return the slot count, at most {@code CtrlWord.MAX_SLOTS}
     */
    int slots();

    /**
     * The occupancy of a full line: one bit per slot.
     *
     * @return {@code (1 << slots()) - 1}
     */
    default int fullOccupancy() {
        return (1 << slots()) - 1;
    }

    /*
     * The slot words, with the access modes of BucketDescriptor's contract: plain loads inside a
     * read section or under the lock, opaque loads under the lock or on an EVACUATING bucket,
     * opaque stores under the lock, plain stores into a line nobody else can reach yet.
     */

    /**
     * Plain load of a slot's key word.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @return the key word
     */
    long keyWord(MemorySegment segment, long line, int slot);

    /**
     * Plain load of a slot's value word.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @return the value word
     */
    long valueWord(MemorySegment segment, long line, int slot);

    /**
     * Opaque load of a slot's key word.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @return the key word
     */
    long keyWordOpaque(MemorySegment segment, long line, int slot);

    /**
     * Opaque load of a slot's value word.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @return the value word
     */
    long valueWordOpaque(MemorySegment segment, long line, int slot);

    /**
     * Opaque stores of both words of a slot, key first.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param key the key word
     * @param value the value word
     */
    void setSlotOpaque(MemorySegment segment, long line, int slot, long key, long value);

    /**
     * Plain stores of both words of a slot, into a line no other thread can reach yet.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param key the key word
     * @param value the value word
     */
    void setSlotPlain(MemorySegment segment, long line, int slot, long key, long value);

    /**
     * The hash of the key stored in a slot. Called inside a read section (the words may be stale;
     * the result is then discarded by the caller's re-check) or on a bucket that cannot change.
     *
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param seed the table's seed
     * @return the hash, as used to place the key (bucket = hash &amp; mask): all 64 bits, or as
     *         many low bits as the format stores (the dense line's 32-bit tag), enough for any table
     */
    long slotHash(MemorySegment segment, long line, int slot, long seed);

    /*
     * Keys of equal hash, for iteration. The cursor orders them by the keys themselves (an order
     * each format defines, total on distinct keys), and remembers the last one it reported as a
     * TieKey. The order must not depend on where or when an entry was stored: not on its slot,
     * its table, or its insertion. A key removed and put back after the cursor passed it must land
     * behind the cursor again, or it is reported twice; a per-record tie word chosen at insert
     * (the variable-length format's first design) broke exactly that.
     *
     * All three are called inside a read section: the words and the bytes they reference may be
     * stale or torn, and the result must then still be computed without a fault (it is discarded
     * by the caller's re-check).
     */

    /**
     * Compares the keys of two entries of equal hash in one chain, in the order above.
     *
     * @param table the table of the lines
     * @param segment segment holding the first entry's line
     * @param line byte offset of that line
     * @param slot the first entry's slot
     * @param otherSegment segment holding the second entry's line
     * @param otherLine byte offset of that line
     * @param otherSlot the second entry's slot
     * @return negative, zero or positive as the first key is before, equal to or after the second
     */
    int compareKeys(Table table, MemorySegment segment, long line, int slot,
                    MemorySegment otherSegment, long otherLine, int otherSlot);

    /**
     * Compares the key of an entry with a key {@link #keepKey} kept, in the order above.
     *
     * @param table the table of the line
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param key a key kept by {@link #keepKey} (and validated since)
     * @return negative, zero or positive as the entry's key is before, equal to or after {@code key}
     */
    int compareKey(Table table, MemorySegment segment, long line, int slot, TieKey key);

    /**
     * Copies the key of an entry into {@code into}.
     *
     * @param table the table of the line
     * @param segment segment holding the line
     * @param line byte offset of the line
     * @param slot slot index
     * @param into receives the key
     * @return {@code false} if what the slot references is not a record of the table (torn: the
     *         caller's re-check fails)
     */
    boolean keepKey(Table table, MemorySegment segment, long line, int slot, TieKey into);

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
