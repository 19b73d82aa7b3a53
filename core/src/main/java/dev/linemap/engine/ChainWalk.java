package dev.linemap.engine;

import dev.linemap.engine.Recovery.CorruptException;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Recovery rules 2 and 3 over a range of one table's buckets ({@link Recovery}): stale locks
 * cleared, every chain walked and checked, a count one off corrected; each slot's record noted for
 * {@link EntryClaims}. A large table's range is split between two walks on two threads: each
 * writes only its own buckets, and the overflow lines each reached are compared afterwards
 * ({@link #lines}), so a line reached from both halves is found as one reached twice is.
 */
final class ChainWalk {

    private final BucketFormat format;
    private final Table table;
    private final boolean old;
    private final long from;
    private final long to;
    private final long capacity;
    /** Where this walk notes the slots' records, or {@code null} (a format without records). */
    private final EntryClaims.Collector claims;
    /** Overflow lines this walk reached. */
    final BitSet lines;
    /** Entries found. */
    long entries;
    /** Stale locks cleared, counts corrected. */
    long repaired;
    /** The words this walk changed. */
    final RepairLog log = new RepairLog();
    /** Key comparisons of slots of equal hash, run once the table's records are checked. */
    final List<Runnable> keyChecks = new ArrayList<>();
    /** The entries of the chain being walked: hash, and where the slot is; see {@link #checkDistinct}. */
    private long[] chainHashes = new long[24];
    private MemorySegment[] chainSegments = new MemorySegment[24];
    private long[] chainLines = new long[24];
    private int[] chainSlots = new int[24];
    /** Entries recorded in the chain arrays. */
    private int chainEntries;

    ChainWalk(final BucketFormat format, final Table table, final boolean old, final long from, final long to,
              final EntryClaims.Collector claims) {
        this.format = format;
        this.table = table;
        this.old = old;
        this.from = from;
        this.to = to;
        this.capacity = table.overflowCapacity();
        this.claims = claims;
        this.lines = new BitSet((int) Math.min(Integer.MAX_VALUE, capacity));
    }

    /**
     * Walks buckets {@code [from, to)}.
     *
     * @throws CorruptException at the first impossible thing
     */
    void walk() {
        for (long b = from; b < to; b++) {
            final MemorySegment segment = table.bucketSegment(b);
            final long line = table.bucketLine(b);
            long ctrl = BucketDescriptor.ctrlOpaque(segment, line);
            final int state = CtrlWord.state(ctrl);
            if (state == CtrlWord.EVACUATED && old) {
                // Its entries live in the new table; its chain is never read again. Its word is
                // the one Seqlock.publishEvacuated stores (unlocked, no slots): a lock bit on it
                // would make the evacuator that resumes the migration wait for its writer forever
                // (found by the file fuzzer: a random word in an old bucket hung the open).
                if (CtrlWord.isLocked(ctrl) || CtrlWord.occupancy(ctrl) != 0) {
                    throw new CorruptException("bucket " + b + " of the old table has ctrl "
                            + CtrlWord.toString(ctrl));
                }
                continue;
            }
            // Occupancy bits above the format's last slot (a 3-slot line's bits 3..5) name no slot.
            if (state != CtrlWord.NORMAL || (CtrlWord.occupancy(ctrl) & ~format.fullOccupancy()) != 0) {
                throw new CorruptException("bucket " + b + " of the " + (old ? "old" : "current") + " table has ctrl "
                        + CtrlWord.toString(ctrl));
            }
            if (CtrlWord.isLocked(ctrl)) {
                ctrl = CtrlWord.nextUnlocked(ctrl);
                log.ctrl(segment, line, ctrl);
                repaired++;
            }
            chainEntries = 0;
            checkSlots(b, segment, line, CtrlWord.occupancy(ctrl));
            final long meta = BucketDescriptor.metaOpaque(segment, line);
            if ((meta & MetaWord.RESERVED_MASK) != 0) {
                throw new CorruptException("bucket " + b + " has meta " + MetaWord.toString(meta));
            }
            // Walked by links to the tail's NONE (every chain ends in one; link + 1 is stored, so
            // a zero word is NONE), checked against the count.
            final int count = MetaWord.count(meta);
            long link = MetaWord.link(meta);
            int walked = 0;
            while (link != MetaWord.NONE) {
                if (link >= capacity || walked >= count) {
                    throw new CorruptException("bucket " + b + " links overflow line " + link + " as line " + walked
                            + " of a chain of " + count + " (" + capacity + " lines in its table)");
                }
                if (lines.get((int) link)) {
                    throw new CorruptException("overflow line " + link + " is reached twice (bucket " + b + ")");
                }
                lines.set((int) link);
                final MemorySegment ls = table.overflowSegment(link);
                final long ll = table.overflowLine(link);
                final long occ = OverflowLineDescriptor.occOpaque(ls, ll);
                if ((occ & ~(long) format.fullOccupancy()) != 0) {
                    throw new CorruptException("overflow line " + link + " of bucket " + b + " has occ 0x"
                            + Long.toHexString(occ));
                }
                checkSlots(b, ls, ll, (int) occ);
                walked++;
                link = MetaWord.link(OverflowLineDescriptor.nextOpaque(ls, ll));
            }
            checkDistinct(b);
            if (walked != count) {
                if (walked + 1 != count) {
                    throw new CorruptException("bucket " + b + " counts " + count + " overflow lines, its chain has "
                            + walked);
                }
                // A remove died between unlinking a line and counting it (Chains.unlinkAndFree
                // stores the link first).
                log.meta(segment, line, MetaWord.withCount(meta, walked));
                repaired++;
            }
        }
    }

    private void checkSlots(final long b, final MemorySegment segment, final long line, final int occupancy) {
        for (int s = 0; s < format.slots(); s++) {
            if ((occupancy & (1 << s)) == 0) {
                continue;
            }
            if (claims != null) {
                claims.add(b, format.valueWordOpaque(segment, line, s), format.keyWordOpaque(segment, line, s));
            }
            final long hash = format.slotHash(segment, line, s, table.seed);
            if (table.bucket(hash) != b) {
                throw new CorruptException("bucket " + b + " holds a key whose hash 0x" + Long.toHexString(hash)
                        + " belongs in bucket " + table.bucket(hash));
            }
            if (chainEntries == chainHashes.length) {
                final int n = 2 * chainEntries;
                chainHashes = java.util.Arrays.copyOf(chainHashes, n);
                chainSegments = java.util.Arrays.copyOf(chainSegments, n);
                chainLines = java.util.Arrays.copyOf(chainLines, n);
                chainSlots = java.util.Arrays.copyOf(chainSlots, n);
            }
            chainHashes[chainEntries] = hash;
            chainSegments[chainEntries] = segment;
            chainLines[chainEntries] = line;
            chainSlots[chainEntries] = s;
            chainEntries++;
            entries++;
        }
    }

    /**
     * No key may be in bucket {@code b}'s chain twice. Found by the file fuzzer: a slot's key word
     * copied over another's of the same bucket passed every other check (the key belongs in the
     * bucket), and the map then counted the key twice in size() but iterated it once (the cursor
     * orders keys of one hash by the keys themselves), and a remove left its twin. Only slots of
     * equal hash can hold equal keys: pairwise for a short chain, and a long one (colliding keys)
     * is sorted by hash first. Their keys are compared in {@link #keyChecks}, after the entry
     * claims have found every record in bounds.
     */
    private void checkDistinct(final long b) {
        final int n = chainEntries;
        if (n > 16) {
            final long[] hashes = java.util.Arrays.copyOf(chainHashes, n);
            java.util.Arrays.sort(hashes);
            boolean equalHashes = false;
            for (int i = 1; i < n && !equalHashes; i++) {
                equalHashes = hashes[i] == hashes[i - 1];
            }
            if (!equalHashes) {
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (chainHashes[i] == chainHashes[j]) {
                    final long hash = chainHashes[i];
                    final MemorySegment s0 = chainSegments[i];
                    final MemorySegment s1 = chainSegments[j];
                    final long l0 = chainLines[i];
                    final long l1 = chainLines[j];
                    final int k0 = chainSlots[i];
                    final int k1 = chainSlots[j];
                    keyChecks.add(() -> {
                        if (format.compareKeys(table, s0, l0, k0, s1, l1, k1) == 0) {
                            throw new CorruptException("bucket " + b + " holds the key of hash 0x"
                                    + Long.toHexString(hash) + " twice");
                        }
                    });
                }
            }
        }
    }
}
