package dev.linemap.tools;

import dev.linemap.KeyPath;
import dev.linemap.LongLongMap;
import dev.linemap.MapInspector;
import dev.linemap.MapReport;
import dev.linemap.layout.BitField;
import dev.linemap.layout.BucketDescriptor;
import dev.linemap.layout.CtrlWord;
import dev.linemap.layout.OverflowLineDescriptor;
import dev.linemap.layout.WordFields;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The renderers of {@code explain} and {@code inspect} print what the descriptors say and repeat no
 * number: handed a layout with a changed constant, their output changes with it. The real map is the
 * same in both renderings; only the {@link LayoutSource} differs.
 */
class RenderersFollowTheDescriptorsTest {

    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    /** The bucket with meta first and ctrl second: every byte range of the two words moves. */
    private static final StructLayout META_FIRST = MemoryLayout.structLayout(
                    JAVA_LONG.withName("meta"), JAVA_LONG.withName("ctrl"),
                    MemoryLayout.sequenceLayout(BucketDescriptor.SLOTS, BucketDescriptor.SLOT_LAYOUT).withName("slots"))
            .withName("bucket");

    /** ctrl with a reserved bit at 8 and the lock bit at 9, where the real lock is at 8. */
    private static final List<BitField> LOCK_AT_9 = List.of(
            new BitField("occupancy", CtrlWord.OCCUPANCY_MASK, "occupancy"),
            new BitField("state", CtrlWord.STATE_MASK, WordFields.ctrlStates()),
            new BitField("reserved", 1L << 8, "always 0"),
            new BitField("lock", 1L << 9, "lock"),
            new BitField("version", -(1L << 10), "version"));

    /** A line of four slots (80 bytes). */
    private static StructLayout fourSlots(final String header, final String link) {
        return MemoryLayout.structLayout(JAVA_LONG.withName(header), JAVA_LONG.withName(link),
                MemoryLayout.sequenceLayout(4, BucketDescriptor.SLOT_LAYOUT).withName("slots")).withName("bucket");
    }

    @Test
    void explainPrintsTheByteAndBitRangesOfTheLayoutItIsGiven() {
        try (LongLongMap map = FilledMap.build(42, 1000, NOWHERE)) {
            final KeyPath path = MapInspector.of(map).locate(158);
            final String real = ExplainText.render("m", path, map.stats(), 0, LayoutSource.DESCRIPTORS);
            final String moved = ExplainText.render("m", path, map.stats(), 0,
                    new LayoutSource(META_FIRST, OverflowLineDescriptor.LAYOUT, LOCK_AT_9, WordFields.meta()));
            assertTrue(real.contains("\n   0..7    ctrl "), real);
            assertTrue(real.contains("\n   8..15   meta "), real);
            assertTrue(real.contains("\n   8      lock "), real);
            assertTrue(moved.contains("\n   0..7    meta "), moved);
            assertTrue(moved.contains("\n   8..15   ctrl "), moved);
            // The bits column widens to the moved version's "10..63".
            assertTrue(moved.matches("(?s).*\n   9 +lock .*"), moved);
            assertTrue(moved.matches("(?s).*\n   8 +reserved .*"), moved);
            assertFalse(moved.matches("(?s).*\n   8 +lock .*"), moved);
        }
    }

    @Test
    void inspectTakesLineSizeAndSlotsFromTheLayoutItIsGiven() {
        try (LongLongMap map = FilledMap.build(42, 1000, NOWHERE)) {
            final MapReport report = MapInspector.of(map).report();
            final String real = InspectText.render("m", report, LayoutSource.DESCRIPTORS);
            final String wide = InspectText.render("m", report, new LayoutSource(fourSlots("ctrl", "meta"),
                    fourSlots("occ", "next"), WordFields.ctrl(), WordFields.meta()));
            assertTrue(real.contains("a 16-byte entry in a 64-byte line of 3 slots"), real);
            assertTrue(real.contains("ceil((n - 3) / 3) overflow lines (3 slots per line)"), real);
            assertTrue(wide.contains("a 16-byte entry in a 80-byte line of 4 slots"), wide);
            assertTrue(wide.contains("ceil((n - 4) / 4) overflow lines (4 slots per line)"), wide);
            // The model's prediction for buckets without overflow lines moves with the slot count.
            assertFalse(row(real, "      0 ").equals(row(wide, "      0 ")), real + wide);
        }
    }

    /** The line of the last table's chain-length histogram that starts with {@code prefix}. */
    private static String row(final String text, final String prefix) {
        final String chains = text.substring(text.lastIndexOf("overflow lines per bucket"));
        return chains.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }
}
