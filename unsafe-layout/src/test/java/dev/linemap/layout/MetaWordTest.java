package dev.linemap.layout;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetaWordTest {

    private static final long SEED = 0xBEEFL;

    @Test
    void allZeroWordMeansNoOverflowLine() {
        assertEquals(0, MetaWord.of(MetaWord.NONE, 0));
        assertEquals(MetaWord.NONE, MetaWord.link(0));
        assertEquals(0, MetaWord.count(0));
    }

    @Test
    void linkAndCountRoundTripIncludingMaxIndexAndMaxCount() {
        final SplittableRandom random = new SplittableRandom(SEED);
        final long[] links = {MetaWord.NONE, 0, 1, MetaWord.MAX_INDEX - 1, MetaWord.MAX_INDEX,
                random.nextLong(MetaWord.MAX_INDEX)};
        final int[] counts = {0, 1, MetaWord.MAX_COUNT - 1, MetaWord.MAX_COUNT, random.nextInt(MetaWord.MAX_COUNT)};
        for (final long link : links) {
            for (final int count : counts) {
                final long w = MetaWord.of(link, count);
                final String at = "link=" + link + " count=" + count + " (seed " + SEED + ")";
                assertEquals(link, MetaWord.link(w), at);
                assertEquals(count, MetaWord.count(w), at);
                assertEquals(0, w & MetaWord.RESERVED_MASK, at);
            }
        }
        assertEquals(0xFFFF_FFFEL, MetaWord.MAX_INDEX);
        assertEquals(0xFFFF, MetaWord.MAX_COUNT);
    }

    @Test
    void withersReplaceOneFieldAndKeepTheOther() {
        final long w = MetaWord.of(17, 2);
        assertEquals(MetaWord.of(MetaWord.MAX_INDEX, 2), MetaWord.withLink(w, MetaWord.MAX_INDEX));
        assertEquals(MetaWord.of(MetaWord.NONE, 2), MetaWord.withLink(w, MetaWord.NONE));
        assertEquals(MetaWord.of(17, MetaWord.MAX_COUNT), MetaWord.withCount(w, MetaWord.MAX_COUNT));
        assertEquals(MetaWord.of(17, 0), MetaWord.withCount(w, 0));
    }

    @Test
    void linkIndexOutOfRangeIsRejectedWithTheValueInTheMessage() {
        for (final long bad : new long[] {-2, MetaWord.MAX_INDEX + 1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetaWord.of(bad, 0));
            assertTrue(e.getMessage().contains("linkIndex=" + bad), e.getMessage());
            assertTrue(e.getMessage().contains(Long.toString(MetaWord.MAX_INDEX)), e.getMessage());
        }
    }

    @Test
    void countOutOfRangeIsRejectedWithTheValueInTheMessage() {
        for (final int bad : new int[] {-1, MetaWord.MAX_COUNT + 1}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetaWord.of(0, bad));
            assertTrue(e.getMessage().contains("count=" + bad), e.getMessage());
        }
    }

    @Test
    void toStringNamesLinkAndCount() {
        assertEquals("link=17 count=2", MetaWord.toString(MetaWord.of(17, 2)));
        assertEquals("link=none count=0", MetaWord.toString(0));
        assertTrue(MetaWord.toString(MetaWord.RESERVED_MASK).endsWith("reserved!=0"));
    }
}
