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
        assertEquals(List.of("occupancy", "state", "reserved", "lock", "version"),
                ctrl.stream().map(BitField::name).toList());
        assertEquals(CtrlWord.OCCUPANCY_MASK, mask(ctrl, "occupancy"));
        assertEquals(CtrlWord.STATE_MASK, mask(ctrl, "state"));
        assertEquals(CtrlWord.RESERVED_MASK, mask(ctrl, "reserved"));
        assertEquals(CtrlWord.LOCK, mask(ctrl, "lock"));
        assertEquals(0xFFFF_FFFF_FFFF_FF00L, mask(ctrl, "version"));
        assertDisjointAndCoverAll64Bits(ctrl);
    }

    @Test
    void ctrlFieldMasksAgreeWithThePackingFunctions() {
        final long all = CtrlWord.of(-1L, true, CtrlWord.EVACUATED, (int) CtrlWord.OCCUPANCY_MASK);
        final List<BitField> ctrl = WordFields.ctrl();
        final BitField version = ctrl.get(4);
        assertEquals(CtrlWord.version(all), version.extract(all));
        assertEquals(CtrlWord.state(all), ctrl.get(1).extract(all));
        assertEquals(CtrlWord.occupancy(all), ctrl.get(0).extract(all));
        assertEquals(1, ctrl.get(3).extract(all));
        assertEquals(0, ctrl.get(2).extract(all));
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
