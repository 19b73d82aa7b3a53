package dev.linemap.stress.hammer;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.SplittableRandom;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hammer's own bookkeeping must be right, or its verdicts mean nothing. */
class HammerModelTest {

    @Test
    void keySpaceIsABijectionThatDecodesOwnerAndIndex() {
        final KeySpace space = new KeySpace(10_000, 64, 3);
        final Set<Long> keys = new HashSet<>();
        for (int s = 0; s < space.shared; s++) {
            final long key = space.sharedKey(s);
            assertTrue(keys.add(key));
            assertEquals(s, space.indexOf(key));
        }
        for (int t = 0; t < 3; t++) {
            for (int local = 0; local < space.perThread; local++) {
                final long key = space.ownedKey(t, local);
                assertTrue(keys.add(key), "duplicate key " + key);
                final long index = space.indexOf(key);
                assertEquals(t, (index - space.shared) % 3);
                assertEquals(local, (index - space.shared) / 3);
            }
        }
        assertEquals(0L, space.sharedKey(0), "key 0 is exercised");
        assertEquals(-1, space.indexOf(12345L), "a key outside the space decodes to -1");
    }

    @Test
    void taggedValuesSurviveSmallAddsAndRejectOtherKeys() {
        final SplittableRandom rnd = new SplittableRandom(1);
        int acceptedForeign = 0;
        for (int i = 0; i < 10_000; i++) {
            final long key = rnd.nextLong();
            final long v = KeySpace.taggedValue(key, 1 + rnd.nextInt(1 << 20));
            assertTrue(KeySpace.tagged(key, v));
            assertTrue(KeySpace.tagged(key, v + 1000));
            if (KeySpace.tagged(rnd.nextLong(), v)) {
                acceptedForeign++;
            }
        }
        assertTrue(acceptedForeign <= 1,
                "a value tagged for one key passed for " + acceptedForeign + " random other keys");
    }

    @Test
    void ownedModelTracksPresenceDensely() {
        final OwnedModel model = new OwnedModel(10);
        model.set(3, 30);
        model.set(7, 70);
        model.set(3, 31);
        assertEquals(2, model.presentCount());
        model.remove(3);
        assertFalse(model.present(3));
        assertTrue(model.present(7));
        assertEquals(7, model.presentAt(0));
        model.remove(3);
        assertEquals(1, model.presentCount());
        model.clear();
        assertEquals(0, model.presentCount());
        assertFalse(model.present(7));
    }

    @Test
    void optionsParseDurationsAndCounts() {
        assertEquals(Duration.ofMinutes(10), HammerOptions.parseDuration("10m"));
        assertEquals(Duration.ofMillis(500), HammerOptions.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(45), HammerOptions.parseDuration("45s"));
        assertEquals(10_000_000L, HammerOptions.parseCount("1e7"));
        assertEquals(1_000_000L, HammerOptions.parseCount("1_000_000"));
        final HammerOptions o = HammerOptions.parse(
                new String[] {"--threads", "4", "--duration", "2h", "--keys", "2.5e6", "--seed", "9"});
        assertEquals(4, o.threads());
        assertEquals(Duration.ofHours(2), o.duration());
        assertEquals(2_500_000L, o.keys());
        assertEquals(9L, o.seed());
    }
}
