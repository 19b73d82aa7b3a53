package dev.linemap.layout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The numbers of the spec (docs/spec/bucket.md), typed here on purpose: these tests are the one
 * place where byte offsets appear as literals, to catch a layout change that nobody meant.
 */
class BucketDescriptorLayoutTest {

    @Test
    void bucketIsOne64ByteLine64ByteAligned() {
        assertEquals(64, BucketDescriptor.LAYOUT.byteSize());
        assertEquals(64, BucketDescriptor.BYTES);
        assertEquals(64, BucketDescriptor.ALIGNMENT);
        assertEquals(64, BucketDescriptor.LAYOUT.byteAlignment());
        assertEquals(6, BucketDescriptor.BYTES_SHIFT);
        assertEquals(3, BucketDescriptor.SLOTS);
    }

    @Test
    void bucketFieldOffsetsAreCtrl0Meta8SlotsFrom16InKeyValuePairs() {
        assertEquals(0, BucketDescriptor.CTRL_OFFSET);
        assertEquals(8, BucketDescriptor.META_OFFSET);
        assertEquals(16, BucketDescriptor.KEY0_OFFSET);
        assertEquals(24, BucketDescriptor.VALUE0_OFFSET);
        assertEquals(16, BucketDescriptor.SLOT_STRIDE);
        for (int i = 0; i < BucketDescriptor.SLOTS; i++) {
            assertEquals(16 + 16L * i, BucketDescriptor.LAYOUT.byteOffset(
                    groupElement("slots"), sequenceElement(i), groupElement("key")), "key " + i);
            assertEquals(24 + 16L * i, BucketDescriptor.LAYOUT.byteOffset(
                    groupElement("slots"), sequenceElement(i), groupElement("value")), "value " + i);
        }
    }

    @Test
    void everyBucketWordIsAn8ByteAlignedNativeOrderLong() {
        for (final LayoutField field : LayoutPrinter.fields(BucketDescriptor.LAYOUT)) {
            assertEquals(8, field.size(), field.name());
            assertEquals(0, field.offset() % 8, field.name());
            assertEquals(8, field.alignment(), field.name());
            assertEquals("long", field.type(), field.name() + " (a non-native byte order would be named)");
        }
        final MemoryLayout ctrl = BucketDescriptor.LAYOUT.select(groupElement("ctrl"));
        assertEquals(ByteOrder.nativeOrder(), ((java.lang.foreign.ValueLayout) ctrl).order());
    }

    @Test
    void overflowLineHasTheBucketsSizeAlignmentAndOffsets() {
        assertEquals(64, OverflowLineDescriptor.LAYOUT.byteSize());
        assertEquals(64, OverflowLineDescriptor.LAYOUT.byteAlignment());
        assertEquals(BucketDescriptor.CTRL_OFFSET, OverflowLineDescriptor.OCC_OFFSET);
        assertEquals(BucketDescriptor.META_OFFSET, OverflowLineDescriptor.NEXT_OFFSET);
        assertEquals(BucketDescriptor.KEY0_OFFSET, OverflowLineDescriptor.SLOTS_OFFSET);
        assertEquals(0, OverflowLineDescriptor.OCC_OFFSET);
        assertEquals(8, OverflowLineDescriptor.NEXT_OFFSET);
        assertEquals(16, OverflowLineDescriptor.SLOTS_OFFSET);
        final SequenceLayout slots = (SequenceLayout) OverflowLineDescriptor.LAYOUT.select(groupElement("slots"));
        assertEquals(BucketDescriptor.SLOTS, slots.elementCount());
        assertEquals(BucketDescriptor.SLOT_LAYOUT, slots.elementLayout());
    }

    @Test
    void overflowLineLeavesSitAtTheBucketLeavesOffsets() {
        final var bucket = LayoutPrinter.fields(BucketDescriptor.LAYOUT);
        final var line = LayoutPrinter.fields(OverflowLineDescriptor.LAYOUT);
        assertEquals(bucket.size(), line.size());
        for (int i = 0; i < bucket.size(); i++) {
            assertEquals(bucket.get(i).offset(), line.get(i).offset(),
                    bucket.get(i).name() + " vs " + line.get(i).name());
            assertEquals(bucket.get(i).size(), line.get(i).size(), bucket.get(i).name());
        }
    }

    @Test
    void lineOffsetIsIndexTimes64() {
        assertEquals(0, BucketDescriptor.lineOffset(0));
        assertEquals(64, BucketDescriptor.lineOffset(1));
        assertEquals(64L * 1_000_003, BucketDescriptor.lineOffset(1_000_003));
    }
}
