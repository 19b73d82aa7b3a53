package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.MetaWord;
import dev.linemap.layout.OverflowLineDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a map file's tables hold after the process that wrote them stopped at any instant: the
 * recovery rules of {@code docs/spec/file.md}, applied on every open (a clean close leaves
 * nothing for them to change, so there is one path, and it is the one the crash tests run).
 *
 * <ol>
 *   <li><b>Unfinished evacuations.</b> During a migration, a unit whose (lower) source is not
 *       EVACUATED is not evacuated: its destination buckets, which only its own evacuation writes
 *       before it is published, are emptied, and its sources go back to NORMAL, unlocked, with the
 *       slots they never stopped holding. A halving whose upper source is EVACUATED but whose
 *       lower one is not had filled its destination completely (both fills precede the first
 *       publication): the lower source is published EVACUATED.</li>
 *   <li><b>Stale locks.</b> A lock bit left by a writer that died is cleared (with a new version).
 *       Every write under a lock is ordered so that the bucket is whole after any prefix of it
 *       (the slot before the occupancy bit, a new line before its link, an unlink before the
 *       line's reuse, a record before its reference): the dead write happened or did not.</li>
 *   <li><b>Structure.</b> Every chain is walked and checked (links inside the overflow area, no
 *       line in two chains, each key in its own bucket and there once, each entry record inside its
 *       chunk and in no other record's block); a count one above the chain's length (a remove that
 *       died between unlinking a line and counting it) is corrected. Anything else impossible is
 *       corruption.</li>
 *   <li><b>Free space.</b> Overflow lines and entry blocks that no chain reaches are free: the
 *       tables' free lists are rebuilt from what the walk claimed.</li>
 * </ol>
 * The open then resumes an unfinished migration, with the engine's own evacuation.
 *
 * <p>Runs single-threaded, before the map is published to any other thread.
 */
final class Recovery {

    /** Something in the file is impossible; the engine reports it as corruption. */
    static final class CorruptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptException(final String message) {
            super(message);
        }
    }

    private final BucketFormat format;
    /** Entries found (the map's size). */
    private long entries;
    /** Stale locks cleared, evacuations undone: what the repair changed. */
    private long repaired;
    /** The entries of the chain being walked: hash, and where the slot is; see {@link #checkDistinct}. */
    private long[] chainHashes = new long[24];
    private MemorySegment[] chainSegments = new MemorySegment[24];
    private long[] chainLines = new long[24];
    private int[] chainSlots = new int[24];
    /** Entries recorded in the chain arrays. */
    private int chainEntries;
    /** Key comparisons of slots of equal hash, run once the table's records are checked. */
    private final List<Runnable> keyChecks = new ArrayList<>();

    private Recovery(final BucketFormat format) {
        this.format = format;
    }

    /**
     * Applies the recovery rules to a reopened map's tables.
     *
     * @param format the map's slot format
     * @param from the table a migration empties, or {@code null}
     * @param to the current table
     * @param kind the migration's kind (ignored without {@code from})
     * @return {entries found, repairs made}
     * @throws CorruptException if the tables' contents are impossible
     */
    static long[] recover(final BucketFormat format, final Table from, final Table to, final int kind) {
        final Recovery r = new Recovery(format);
        if (from != null) {
            r.settleUnits(from, to, kind);
        }
        if (from != null) {
            r.walk(from, true);
        }
        r.walk(to, false);
        return new long[] {r.entries, r.repaired};
    }

    // -------------------------------------------------------------------- rule 1: evacuations

    private void settleUnits(final Table from, final Table to, final int kind) {
        final long units = kind == Migration.SHRINK ? to.bucketCount : from.bucketCount;
        for (long u = 0; u < units; u++) {
            final MemorySegment s0 = from.bucketSegment(u);
            final long l0 = from.bucketLine(u);
            final long c0 = BucketDescriptor.ctrlOpaque(s0, l0);
            MemorySegment s1 = null;
            long l1 = 0;
            long c1 = 0;
            if (kind == Migration.SHRINK) {
                s1 = from.bucketSegment(u + to.bucketCount);
                l1 = from.bucketLine(u + to.bucketCount);
                c1 = BucketDescriptor.ctrlOpaque(s1, l1);
            }
            // The state field has no fourth value: 3 is damage, which the repairs below would
            // overwrite with NORMAL or EVACUATED (seen among the file fuzzer's "opened empty"
            // cases: an old bucket's ctrl set to 0x2c318, state 3, was made NORMAL).
            if (CtrlWord.state(c0) > CtrlWord.EVACUATED || s1 != null && CtrlWord.state(c1) > CtrlWord.EVACUATED) {
                throw new CorruptException("old bucket " + u + " has ctrl " + CtrlWord.toString(c0)
                        + (s1 != null ? ", its halving partner " + CtrlWord.toString(c1) : ""));
            }
            if (CtrlWord.state(c0) == CtrlWord.EVACUATED) {
                if (s1 != null && CtrlWord.state(c1) != CtrlWord.EVACUATED) {
                    throw new CorruptException("old bucket " + u + " is EVACUATED but its halving partner "
                            + (u + to.bucketCount) + " is not (" + CtrlWord.toString(c1) + ")");
                }
                continue;
            }
            if (s1 != null && CtrlWord.state(c1) == CtrlWord.EVACUATED) {
                // The halving filled its destination from both sources before publishing the upper.
                BucketDescriptor.ctrlRelease(s0, l0, CtrlWord.nextUnlocked(
                        CtrlWord.withOccupancy(CtrlWord.withState(c0, CtrlWord.EVACUATED), 0)));
                repaired++;
                continue;
            }
            if (kind != Migration.CLEAR) {
                emptyDestination(to, u);
                if (kind == Migration.GROW) {
                    emptyDestination(to, u + from.bucketCount);
                }
            }
            normal(s0, l0, c0);
            if (s1 != null) {
                normal(s1, l1, c1);
            }
        }
    }

    /** A source back to NORMAL and unlocked, its occupancy kept; a new version if anything changed. */
    private void normal(final MemorySegment segment, final long line, final long ctrl) {
        if (CtrlWord.state(ctrl) != CtrlWord.NORMAL || CtrlWord.isLocked(ctrl)) {
            BucketDescriptor.ctrlRelease(segment, line,
                    CtrlWord.nextUnlocked(CtrlWord.withState(ctrl, CtrlWord.NORMAL)));
            repaired++;
        }
    }

    private void emptyDestination(final Table to, final long d) {
        final MemorySegment segment = to.bucketSegment(d);
        final long line = to.bucketLine(d);
        // Only if touched: a large table's untouched pages stay unwritten (and unallocated).
        if (BucketDescriptor.ctrlOpaque(segment, line) != 0 || BucketDescriptor.metaOpaque(segment, line) != 0) {
            BucketDescriptor.setCtrlPlain(segment, line, 0L);
            BucketDescriptor.setMetaPlain(segment, line, 0L);
            repaired++;
        }
    }

    // ------------------------------------------------------ rules 2-4: locks, structure, space

    private void walk(final Table table, final boolean old) {
        final long capacity = table.overflowCapacity();
        final BitSet lines = new BitSet((int) Math.min(Integer.MAX_VALUE, capacity));
        final EntryClaims claims = format.relocates() ? new EntryClaims(table) : null;
        for (long b = 0; b < table.bucketCount; b++) {
            final MemorySegment segment = table.bucketSegment(b);
            final long line = table.bucketLine(b);
            long ctrl = BucketDescriptor.ctrlOpaque(segment, line);
            final int state = CtrlWord.state(ctrl);
            if (state == CtrlWord.EVACUATED && old) {
                // Its entries live in the new table; its chain is never read again. Its word is
                // the one Seqlock.publishEvacuated stores (unlocked, no slots): a lock bit on it
                // would make the evacuator that resumes the migration wait for its writer forever
                // (found by the file fuzzer: a random word in an old bucket hung the open).
                if (CtrlWord.isLocked(ctrl) || CtrlWord.occupancy(ctrl) != 0
                        || (ctrl & CtrlWord.RESERVED_MASK) != 0) {
                    throw new CorruptException("bucket " + b + " of the old table has ctrl "
                            + CtrlWord.toString(ctrl));
                }
                continue;
            }
            if (state != CtrlWord.NORMAL || (ctrl & CtrlWord.RESERVED_MASK) != 0) {
                throw new CorruptException("bucket " + b + " of the " + (old ? "old" : "current") + " table has ctrl "
                        + CtrlWord.toString(ctrl));
            }
            if (CtrlWord.isLocked(ctrl)) {
                ctrl = CtrlWord.nextUnlocked(ctrl);
                BucketDescriptor.ctrlRelease(segment, line, ctrl);
                repaired++;
            }
            chainEntries = 0;
            checkSlots(table, b, segment, line, CtrlWord.occupancy(ctrl), claims);
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
                if ((occ & ~CtrlWord.OCCUPANCY_MASK) != 0) {
                    throw new CorruptException("overflow line " + link + " of bucket " + b + " has occ 0x"
                            + Long.toHexString(occ));
                }
                checkSlots(table, b, ls, ll, (int) occ, claims);
                walked++;
                link = MetaWord.link(OverflowLineDescriptor.nextOpaque(ls, ll));
            }
            checkDistinct(table, b);
            if (walked != count) {
                if (walked + 1 != count) {
                    throw new CorruptException("bucket " + b + " counts " + count + " overflow lines, its chain has "
                            + walked);
                }
                // A remove died between unlinking a line and counting it (Chains.unlinkAndFree
                // stores the link first).
                BucketDescriptor.setMetaOpaque(segment, line, MetaWord.withCount(meta, walked));
                repaired++;
            }
        }
        table.adoptFreeLines(lines);
        if (claims != null) {
            claims.finish();
        }
        for (final Runnable check : keyChecks) {
            check.run();
        }
        keyChecks.clear();
    }

    private void checkSlots(final Table table, final long b, final MemorySegment segment, final long line,
                            final int occupancy, final EntryClaims claims) {
        for (int s = 0; s < BucketDescriptor.SLOTS; s++) {
            if ((occupancy & (1 << s)) == 0) {
                continue;
            }
            if (claims != null) {
                claims.add(b, BucketDescriptor.valueOpaque(segment, line, s),
                        BucketDescriptor.keyOpaque(segment, line, s));
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
    private void checkDistinct(final Table table, final long b) {
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
