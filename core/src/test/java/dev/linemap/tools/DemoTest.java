package dev.linemap.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo runs to the end at a small size, every part: its LineMap reader reads no wrong value, and
 * the map file its child writer was killed in the middle of a growth of holds every key it should.
 */
class DemoTest {

    @Test
    void everySectionRunsTheStringReaderSeesNoMismatchAndTheKilledFileChecksOut() {
        final Cli cli = Cli.run("demo", "--entries", "50000", "--strings", "60000", "--crash-buckets", "65536");
        assertEquals(0, cli.status(), cli.out() + cli.err());
        final String out = cli.out();
        assertTrue(out.contains("5. Removing 90% of the entries:"), out);
        assertTrue(out.contains("Map closed: all native memory freed."), out);
        assertTrue(out.contains("6. LineMap<String, String>"), out);
        assertTrue(out.matches("(?s).*reader: [0-9,]+ checks, 0 mismatches.*"), out);
        assertTrue(out.matches("(?s).*6,000 kept keys checked, 0 mismatches.*"), out);
        assertTrue(out.matches("(?s).*GROW .*"), "growths shown: " + out);
        if (!"collide".equals(System.getProperty("linemap.test.hash"))) {   // 16 hashes: chains, no shrink
            assertTrue(out.matches("(?s).*SHRINK .*"), "shrink shown: " + out);
        }
        assertTrue(out.matches("(?s).*bytes per entry: [0-9.]+ native .* bytes above it.*"), out);
        assertTrue(out.matches("(?s).*of which: buckets [0-9.]+ .*overflow lines [0-9.]+.*"), out);
        assertTrue(out.contains("every value read was right."), out);
        assertTrue(out.contains("7. A map in a file (persistTo)"), out);
        assertTrue(out.matches("(?s).*killed the writer [0-9,]+ puts into the growth from 32,768 to 65,536 buckets.*"),
                out);
        // The kill lands a quarter of the way into the growth unless this process lags 12,000 puts behind.
        assertTrue(out.matches("(?s).*reopened in [0-9.]+ ms: build\\(\\) recovered the file"
                + "( and resumed the growth where it stopped)?"
                + " \\(65,536 buckets, (no migration running|a migration still running)\\).*"), out);
        assertTrue(out.matches("(?s).*checked all [0-9,]+ keys: 0 wrong.*"), out);
    }

    @Test
    void theStringAndFileSectionsCanBeSkipped() {
        final Cli cli = Cli.run("demo", "--entries", "1000", "--strings", "0", "--crash-buckets", "0");
        assertEquals(0, cli.status(), cli.out() + cli.err());
        assertTrue(!cli.out().contains("6. LineMap"), cli.out());
        assertTrue(!cli.out().contains("7. A map in a file"), cli.out());
    }
}
