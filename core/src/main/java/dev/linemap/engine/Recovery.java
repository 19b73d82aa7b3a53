package dev.linemap.engine;

import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;

import java.lang.foreign.MemorySegment;
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
 * The open then resumes an unfinished migration, with the engine's own evacuation. If any rule
 * finds the file impossible, every word the rules had already repaired is put back
 * ({@link RepairLog}): a failed open leaves the tables as it found them.
 *
 * <p>Runs before the map is published to any other thread; a large table's chains are walked, and
 * its records checked, by two threads ({@link ChainWalk}, {@link EntryClaims}).
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
    /** Every word the rules changed, to be put back if the open fails. */
    private final RepairLog log = new RepairLog();
    /** Per table walked: the free lists' rebuild, run once every table passed the checks. */
    private final List<Runnable> freeLineLinks = new java.util.ArrayList<>();
    /** Entries found (the map's size). */
    private long entries;
    /** Stale locks cleared, evacuations undone: what the repair changed. */
    private long repaired;

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
        try {
            if (from != null) {
                r.settleUnits(from, to, kind);
                r.walk(from, true);
            }
            r.walk(to, false);
            // Only now, with both tables checked: linking a free line writes its first word.
            for (final Runnable link : r.freeLineLinks) {
                link.run();
            }
        } catch (final RuntimeException | Error e) {
            r.log.rollback();   // the open fails: the file's words as they were
            throw e;
        }
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
                log.ctrl(s0, l0, CtrlWord.nextUnlocked(
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
            log.ctrl(segment, line, CtrlWord.nextUnlocked(CtrlWord.withState(ctrl, CtrlWord.NORMAL)));
            repaired++;
        }
    }

    private void emptyDestination(final Table to, final long d) {
        final MemorySegment segment = to.bucketSegment(d);
        final long line = to.bucketLine(d);
        // Only if touched: a large table's untouched pages stay unwritten (and unallocated).
        if (BucketDescriptor.ctrlOpaque(segment, line) != 0 || BucketDescriptor.metaOpaque(segment, line) != 0) {
            log.ctrl(segment, line, 0L);
            log.meta(segment, line, 0L);
            repaired++;
        }
    }

    // ------------------------------------------------------ rules 2-4: locks, structure, space

    /**
     * Buckets from which a table's chain walk is split between two threads. Test switch:
     * {@code linemap.test.parallelRecoveryBuckets} (0 in the fast-mode test run, so the file
     * fuzzer's corruptions go through both walks).
     */
    private static final long PARALLEL_BUCKETS = Long.getLong("linemap.test.parallelRecoveryBuckets", 1L << 18);

    private void walk(final Table table, final boolean old) {
        final EntryClaims claims = format.relocates() ? new EntryClaims(table) : null;
        final long n = table.bucketCount;
        final long split = n >= PARALLEL_BUCKETS && n > 1 && Runtime.getRuntime().availableProcessors() > 1
                ? n / 2 : n;
        final ChainWalk lower = new ChainWalk(format, table, old, 0, split, claims == null ? null : claims.collector());
        final ChainWalk upper = split < n
                ? new ChainWalk(format, table, old, split, n, claims == null ? null : claims.collector()) : null;
        try {
            if (upper != null) {
                runBoth(lower::walk, upper::walk);
                final BitSet both = (BitSet) lower.lines.clone();
                both.and(upper.lines);
                if (!both.isEmpty()) {
                    throw new CorruptException("overflow line " + both.nextSetBit(0) + " is reached twice (from buckets"
                            + " below and above " + split + ")");
                }
                lower.lines.or(upper.lines);
            } else {
                lower.walk();
            }
        } catch (final RuntimeException | Error e) {
            if (claims != null) {
                claims.abandon();
            }
            throw e;
        } finally {
            log.addAll(lower.log);   // both walks have ended (joined) by here
            if (upper != null) {
                log.addAll(upper.log);
            }
        }
        entries += lower.entries + (upper == null ? 0 : upper.entries);
        repaired += lower.repaired + (upper == null ? 0 : upper.repaired);
        final BitSet reached = lower.lines;
        freeLineLinks.add(() -> table.adoptFreeLines(reached));
        if (claims != null) {
            claims.finish();
        }
        for (final ChainWalk w : upper == null ? List.of(lower) : List.of(lower, upper)) {
            for (final Runnable check : w.keyChecks) {
                check.run();
            }
        }
    }

    /**
     * Runs {@code upper} on a helper thread and {@code lower} on this one, and returns once both
     * have ended (the helper reads and writes memory the open may detach on failure). Throws what
     * ended {@code lower}, else what ended {@code upper}: an Error of the helper fails the open too.
     *
     * @param lower the first half of the work
     * @param upper the second half of the work
     */
    static void runBoth(final Runnable lower, final Runnable upper) {
        final Throwable[] upperFailure = new Throwable[1];
        final Thread helper = Thread.ofPlatform().name("linemap-recovery").daemon().start(() -> {
            try {
                upper.run();
            } catch (final RuntimeException | Error e) {
                upperFailure[0] = e;
            }
        });
        try {
            lower.run();
        } finally {
            boolean interrupted = false;
            while (true) {
                try {
                    helper.join();   // also what makes upperFailure[0] visible here
                    break;
                } catch (final InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (upperFailure[0] instanceof Error e) {
            throw e;
        }
        if (upperFailure[0] != null) {
            throw (RuntimeException) upperFailure[0];
        }
    }
}
