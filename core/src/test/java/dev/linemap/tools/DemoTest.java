package dev.linemap.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo runs to the end at a small size, both parts, and its LineMap reader reads no wrong value. */
class DemoTest {

    @Test
    void bothSectionsRunAndTheStringReaderSeesNoMismatch() {
        final Cli cli = Cli.run("demo", "--entries", "50000", "--strings", "60000");
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
    }

    @Test
    void theStringSectionCanBeSkipped() {
        final Cli cli = Cli.run("demo", "--entries", "1000", "--strings", "0");
        assertEquals(0, cli.status(), cli.out() + cli.err());
        assertTrue(!cli.out().contains("6. LineMap"), cli.out());
    }
}
