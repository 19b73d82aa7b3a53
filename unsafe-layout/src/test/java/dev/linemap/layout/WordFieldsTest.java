package dev.linemap.layout;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WordFieldsTest {

    private static long mask(final List<BitField> fields, final String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no field " + name + " in " + fields)).mask();
    }

    private static void assertDisjointAndCoverAll64Bits(final List<BitField> fields) {
        long union = 0;
        for (final BitField field : fields) {
            assertEquals(0, union & field.mask(), field.name() + " overlaps an earlier field in " + fields);
            union |= field.mask();
        }
        assertEquals(-1L, union, "fields must account for every bit: " + fields);
    }

    @Test
    void ctrlFieldsAreTheCtrlWordMasksInBitOrder() {
        final List<BitField> ctrl = WordFields.ctrl();
        assertEquals(List.of("occupancy", "state", "lock", "version"),
                ctrl.stream().map(BitField::name).toList());
        assertEquals(CtrlWord.OCCUPANCY_MASK, mask(ctrl, "occupancy"));
        assertEquals(CtrlWord.STATE_MASK, mask(ctrl, "state"));
        assertEquals(CtrlWord.LOCK, mask(ctrl, "lock"));
        assertEquals(0xFFFF_FFFF_FFFF_FE00L, mask(ctrl, "version"));
        assertDisjointAndCoverAll64Bits(ctrl);
    }

    private static BitField field(final List<BitField> fields, final String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no field " + name + " in " + fields));
    }

    @Test
    void ctrlFieldMasksAgreeWithThePackingFunctions() {
        // Fields by name, not by position, so that a field added or removed fails on its name.
        final List<BitField> ctrl = WordFields.ctrl();
        final long all = CtrlWord.of(-1L, true, CtrlWord.EVACUATED, (int) CtrlWord.OCCUPANCY_MASK);
        assertEquals(CtrlWord.version(all), field(ctrl, "version").extract(all));
        assertEquals((1L << 55) - 1, field(ctrl, "version").extract(all));
        assertEquals(CtrlWord.state(all), field(ctrl, "state").extract(all));
        assertEquals(CtrlWord.occupancy(all), field(ctrl, "occupancy").extract(all));
        assertEquals(0b11_1111, field(ctrl, "occupancy").extract(all), "six occupancy bits");
        assertEquals(1, field(ctrl, "lock").extract(all));
        // A 3-slot line's full word: the occupancy field holds its three bits and nothing above.
        final long bucket = CtrlWord.of(7, false, CtrlWord.NORMAL, (1 << BucketDescriptor.SLOTS) - 1);
        assertEquals(0b111, field(ctrl, "occupancy").extract(bucket));
        assertEquals(CtrlWord.NORMAL, field(ctrl, "state").extract(bucket));
        assertEquals(0, field(ctrl, "lock").extract(bucket));
        assertEquals(7, field(ctrl, "version").extract(bucket));
    }

    @Test
    void metaFieldsAreTheMetaWordMasksInBitOrder() {
        final List<BitField> meta = WordFields.meta();
        assertEquals(List.of("link", "count", "reserved"), meta.stream().map(BitField::name).toList());
        assertEquals(0xFFFF_FFFFL, mask(meta, "link"));
        assertEquals(0x0000_FFFF_0000_0000L, mask(meta, "count"));
        assertEquals(MetaWord.RESERVED_MASK, mask(meta, "reserved"));
        assertDisjointAndCoverAll64Bits(meta);
        final long w = MetaWord.of(MetaWord.MAX_INDEX, MetaWord.MAX_COUNT);
        assertEquals(MetaWord.MAX_INDEX + 1, meta.get(0).extract(w));
        assertEquals(MetaWord.MAX_COUNT, meta.get(1).extract(w));
    }

    @Test
    void stateNamesFollowTheCtrlWordConstants() {
        assertEquals("NORMAL", WordFields.stateName(CtrlWord.NORMAL));
        assertEquals("EVACUATING", WordFields.stateName(CtrlWord.EVACUATING));
        assertEquals("EVACUATED", WordFields.stateName(CtrlWord.EVACUATED));
        assertEquals("0 NORMAL, 1 EVACUATING, 2 EVACUATED, 3 reserved", WordFields.ctrlStates());
    }
}
