package dev.linemap.layout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineDumpTest {

    private static String row(final String dump, final String field) {
        return dump.lines().filter(l -> l.split("\\s+").length > 1 && l.split("\\s+")[1].equals(field))
                .findFirst().orElseThrow(() -> new AssertionError(field + " not in\n" + dump));
    }

    @Test
    void bucketDumpShowsEveryWordDecodedAndMarksSlotsLiveByOccupancy() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 3);
            final long line = BucketDescriptor.lineOffset(2);
            BucketDescriptor.setSlotPlain(seg, line, 0, 42, -1);
            BucketDescriptor.setSlotPlain(seg, line, 1, 7, 8);
            BucketDescriptor.setMetaPlain(seg, line, MetaWord.of(5, 1));
            BucketDescriptor.setCtrlPlain(seg, line, CtrlWord.of(3, false, CtrlWord.NORMAL, 0b001));
            final String dump = LineDump.bucket(seg, line);
            assertTrue(dump.startsWith("bucket at byte 128 (line 2)\n"), dump);
            // version 3 at bit 9 (0x600), occupancy bit 0
            assertTrue(row(dump, "ctrl").matches("0\\.\\.7\\s+ctrl\\s+0x0000000000000601\\s+v=3 NORMAL occ=0b1"), dump);
            assertTrue(row(dump, "meta").endsWith("link=5 count=1"), dump);
            assertTrue(row(dump, "slots[0].key").endsWith(" 42 (live)"), dump);
            assertTrue(row(dump, "slots[0].value").matches(".*0xffffffffffffffff\\s+-1 \\(live\\)"), dump);
            assertTrue(row(dump, "slots[1].key").endsWith(" 7 (free)"), "slot 1 is not in the occupancy:\n" + dump);
            assertEquals(3 + 8, dump.lines().count(), dump);
        }
    }

    @Test
    void overflowLineDumpDecodesOccAndNext() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 1);
            OverflowLineDescriptor.setOccOpaque(seg, 0, 0b100);
            OverflowLineDescriptor.setNextOpaque(seg, 0, MetaWord.of(9, 0));
            BucketDescriptor.setKeyOpaque(seg, 0, 2, 99);
            final String dump = LineDump.overflowLine(seg, 0);
            assertTrue(row(dump, "occ").endsWith("occ=0b100"), dump);
            assertTrue(row(dump, "next").endsWith("next=9"), dump);
            assertTrue(row(dump, "slots[2].key").endsWith(" 99 (live)"), dump);
            assertEquals(List.of("occ", "next"), dump.lines().skip(3).limit(2).map(l -> l.split("\\s+")[1]).toList());
        }
    }

    @Test
    void copiedWordsRenderInTheOrderOfTheGivenLayoutWithOccupancyFromItsCtrlField() {
        // A layout with meta first: rows follow the layout, and live/free still comes from ctrl.
        final StructLayout swapped = MemoryLayout.structLayout(
                JAVA_LONG.withName("meta"), JAVA_LONG.withName("ctrl"),
                MemoryLayout.sequenceLayout(BucketDescriptor.SLOTS, BucketDescriptor.SLOT_LAYOUT).withName("slots"));
        final Map<String, Long> words = Map.of("ctrl", CtrlWord.of(1, false, CtrlWord.NORMAL, 0b010),
                "meta", MetaWord.of(MetaWord.NONE, 0), "slots[1].key", 5L);
        final String dump = LineDump.words("copy", swapped, f -> words.getOrDefault(f.name(), 0L));
        assertTrue(dump.startsWith("copy\n"), dump);
        assertTrue(row(dump, "meta").startsWith("0..7 "), dump);
        // version 1 at bit 9 (0x200), occupancy bit 1
        assertTrue(row(dump, "ctrl").matches("8\\.\\.15\\s+ctrl\\s+0x0000000000000202\\s+v=1 NORMAL occ=0b10"), dump);
        assertTrue(row(dump, "slots[1].key").endsWith(" 5 (live)"), dump);
        assertTrue(row(dump, "slots[0].key").endsWith(" 0 (free)"), dump);
    }

    @Test
    void dumpRejectsLineOffsetsOutsideTheSegmentOrOffTheGrid() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment seg = AlignedSegments.allocateLines(arena, 2);
            for (final long bad : new long[] {-64, 8, 128}) {
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> LineDump.bucket(seg, bad));
                assertTrue(e.getMessage().contains("line offset " + bad), e.getMessage());
            }
        }
    }
}
