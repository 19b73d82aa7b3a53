package dev.linemap.engine;

import dev.linemap.layout.OverflowLineDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast mode finds an overflow line of the reserved area by arithmetic and a later one through the
 * chunk directory ({@link Table#overflowLine}). Both must name distinct, writable lines; a stale
 * link into the reserved area must read zeros, and one past every chunk must be refused.
 */
class OverflowAddressFastModeTest {

    /** 2^4 buckets: the reserved area holds one 1,024-line chunk, so line 1,024 is in a mapping of its own. */
    private final Table table = new Table(4, 1, new MemoryBudget(Long.MAX_VALUE), false,
            MemorySource.anonymous(false, false));

    @AfterEach
    void retire() {
        table.retire();
    }

    @Test
    void linesOfTheReservedAreaAndBeyondAreDistinctAndHoldWhatWasStored() {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        final int lines = 2_500;
        final Set<Long> addresses = new HashSet<>();
        for (int i = 0; i < lines; i++) {
            assertEquals(i, table.allocateLine(), "lines come from the bump pointer in order");
        }
        final long first = table.overflowLine(0);
        for (long i = 0; i < lines; i++) {
            assertSame(AccessMode.ALL, table.overflowSegment(i), "line " + i);
            final long at = table.overflowLine(i);
            assertEquals(0, at & 63, "line " + i + " at " + at + " is not 64-byte aligned");
            assertTrue(addresses.add(at), "line " + i + " shares address " + at + " with another line");
            if (i < 1024) {
                assertEquals(first + 64 * i, at, "line " + i + " of the reserved area");
            }
            OverflowLineDescriptor.setNextOpaque(AccessMode.ALL, at, i + 7);
        }
        assertTrue(table.overflowLine(1024) < first || table.overflowLine(1024) >= first + 64 * 1024,
                "line 1024 must lie outside the one-chunk reserved area");
        for (long i = 0; i < lines; i++) {
            assertEquals(i + 7, OverflowLineDescriptor.nextOpaque(AccessMode.ALL, table.overflowLine(i)),
                    "line " + i + " lost what was stored in it");
        }
    }

    @Test
    void aStaleLinkReadsZerosInsideTheReservedAreaAndIsRefusedBeyondEveryChunk() {
        assertTrue(AccessMode.FAST, "this test is for the fast-mode execution");
        table.allocateLine();
        // Never handed out, inside the reserved area: mapped, zero, so a racing reader finds nothing.
        final MemorySegment segment = table.overflowSegment(1000);
        assertNotNull(segment, "a line of the reserved area");
        assertEquals(0, OverflowLineDescriptor.occPlain(segment, table.overflowLine(1000)));
        assertEquals(0, OverflowLineDescriptor.nextPlain(segment, table.overflowLine(1000)));
        // Past the reserved area with no chunk there, and negative: no segment, so the walk stops.
        assertNull(table.overflowSegment(1024));
        assertNull(table.overflowSegment(5_000_000));
        assertNull(table.overflowSegment(-1));
    }
}
