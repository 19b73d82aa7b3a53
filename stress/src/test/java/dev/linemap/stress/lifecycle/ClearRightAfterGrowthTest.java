package dev.linemap.stress.lifecycle;

import dev.linemap.LongLongMap;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression test for a livelock seen on a pre-merge snapshot of core (2026-11-22, before
 * commit 2b0101d landed): {@code clear()} called while the helper thread was still finishing a
 * growth spun forever in {@code Migration.runHelper} together with the helper (17 of 205 maps,
 * prefill sizes 11, 12, 14, 22, 23: sizes whose last insert had just started a growth). Fixed
 * on main before it landed; this keeps it fixed. A hang is reported per prefill size, not by a
 * wall-clock speed assertion: 5 s is three orders of magnitude above the normal time.
 */
class ClearRightAfterGrowthTest {

    @Test
    void clearCompletesWhileTheHelperIsFinishingAGrowth() throws InterruptedException {
        final List<String> hung = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int n = 0; n <= 40; n++) {
                final LongLongMap map = LongLongMap.builder().initialCapacity(0).missingValue(-1).seed(42L).build();
                for (long k = 1; k <= n; k++) {
                    map.put(k, 100 + k);
                }
                final Thread clearer = new Thread(map::clear, "clear-after-" + n);
                clearer.setDaemon(true);
                clearer.start();
                clearer.join(5_000);
                if (clearer.isAlive()) {
                    hung.add("prefill " + n + " (round " + round + ")");
                    continue; // leave the wedged map alone: closing it would race the stuck thread
                }
                assertEquals(0, map.size(), "size after clear, prefill " + n);
                assertTrue(map.isEmpty());
                map.close();
            }
        }
        assertTrue(hung.isEmpty(), "clear() did not return within 5 s for: " + hung);
    }
}
