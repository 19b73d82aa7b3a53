package dev.linemap.layout;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtrlWordTest {

    private static final long SEED = 0x5EEDL;
    private static final long MAX_VERSION = (1L << 55) - 1;

    @Test
    void allZeroWordIsAnEmptyUnlockedNormalBucketAtVersion0() {
        // Freshly allocated memory is zero: it must already be a valid, empty bucket.
        assertEquals(0, CtrlWord.of(0, false, CtrlWord.NORMAL, 0));
        assertEquals(0, CtrlWord.version(0));
        assertFalse(CtrlWord.isLocked(0));
        assertEquals(CtrlWord.NORMAL, CtrlWord.state(0));
        assertEquals(0, CtrlWord.occupancy(0));
    }

    @Test
    void everyFieldRoundTripsForEveryStateLockAndOccupancyAtExtremeVersions() {
        final SplittableRandom random = new SplittableRandom(SEED);
        final long[] versions = {0, 1, 255, 256, MAX_VERSION - 1, MAX_VERSION, random.nextLong() >>> 9};
        for (final long version : versions) {
            for (final int state : new int[] {CtrlWord.NORMAL, CtrlWord.EVACUATING, CtrlWord.EVACUATED}) {
                for (final boolean locked : new boolean[] {false, true}) {
                    for (int occupancy = 0; occupancy <= CtrlWord.OCCUPANCY_MASK; occupancy++) {
                        final long w = CtrlWord.of(version, locked, state, occupancy);
                        final String at = "version=" + version + " locked=" + locked + " state=" + state
                                + " occupancy=" + occupancy + " (seed " + SEED + ")";
                        assertEquals(version, CtrlWord.version(w), at);
                        assertEquals(locked, CtrlWord.isLocked(w), at);
                        assertEquals(state, CtrlWord.state(w), at);
                        assertEquals(occupancy, CtrlWord.occupancy(w), at);
                    }
                }
            }
        }
    }

    @Test
    void versionKeepsOnlyItsLow55BitsSo2To55WrapsTo0() {
        assertEquals(55, CtrlWord.VERSION_BITS);
        assertEquals(0, CtrlWord.version(CtrlWord.of(1L << 55, false, CtrlWord.NORMAL, 0)));
        assertEquals(5, CtrlWord.version(CtrlWord.of((1L << 55) + 5, false, CtrlWord.NORMAL, 0)));
        assertEquals(MAX_VERSION, CtrlWord.version(CtrlWord.of(-1L, false, CtrlWord.NORMAL, 0)));
    }

    @Test
    void nextUnlockedIncrementsVersionClearsLockAndKeepsStateAndOccupancy() {
        final long lockedWord = CtrlWord.of(41, true, CtrlWord.NORMAL, 0b011);
        final long next = CtrlWord.nextUnlocked(lockedWord);
        assertEquals(42, CtrlWord.version(next));
        assertFalse(CtrlWord.isLocked(next));
        assertEquals(CtrlWord.NORMAL, CtrlWord.state(next));
        assertEquals(0b011, CtrlWord.occupancy(next));
        assertEquals(CtrlWord.of(42, false, CtrlWord.NORMAL, 0b011), next);
        assertEquals(next, CtrlWord.nextUnlocked(CtrlWord.of(41, false, CtrlWord.NORMAL, 0b011)),
                "from an unlocked word too");
    }

    @Test
    void nextUnlockedWrapsVersionAt2To55WithoutTouchingOtherFields() {
        final long last = CtrlWord.of(MAX_VERSION, true, CtrlWord.EVACUATED, 0b111);
        final long wrapped = CtrlWord.nextUnlocked(last);
        assertEquals(0, CtrlWord.version(wrapped));
        assertEquals(CtrlWord.of(0, false, CtrlWord.EVACUATED, 0b111), wrapped);
    }

    @Test
    void withersReplaceOneFieldAndKeepTheOthers() {
        final long w = CtrlWord.of(77, true, CtrlWord.EVACUATING, 0b010);
        assertEquals(CtrlWord.of(77, true, CtrlWord.EVACUATING, 0b101), CtrlWord.withOccupancy(w, 0b101));
        assertEquals(CtrlWord.of(77, true, CtrlWord.EVACUATED, 0b010), CtrlWord.withState(w, CtrlWord.EVACUATED));
        final long unlocked = CtrlWord.of(77, false, CtrlWord.EVACUATING, 0b010);
        assertEquals(w, CtrlWord.locked(unlocked));
        assertTrue(CtrlWord.isLocked(CtrlWord.locked(unlocked)));
    }

    @Test
    void stateOutsideTheThreeStatesIsRejectedWithTheValueInTheMessage() {
        for (final int bad : new int[] {-1, 3, Integer.MAX_VALUE}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CtrlWord.of(0, false, bad, 0));
            assertTrue(e.getMessage().contains("state=" + bad), e.getMessage());
        }
    }

    @Test
    void occupancyWithBitsBeyondTheSlotsIsRejectedWithTheValueInTheMessage() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CtrlWord.of(0, false, CtrlWord.NORMAL, 0b100_0000));
        assertTrue(e.getMessage().contains("occupancy=0b1000000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CtrlWord.of(0, false, CtrlWord.NORMAL, -1));
    }

    @Test
    void toStringNamesEveryField() {
        assertEquals("v=12 NORMAL occ=0b101", CtrlWord.toString(CtrlWord.of(12, false, CtrlWord.NORMAL, 0b101)));
        assertEquals("v=36028797018963967 LOCKED EVACUATED occ=0b0",
                CtrlWord.toString(CtrlWord.of(MAX_VERSION, true, CtrlWord.EVACUATED, 0)));
    }
}
