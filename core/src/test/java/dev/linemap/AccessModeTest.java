package dev.linemap;

import dev.linemap.engine.AccessMode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Each surefire execution of this module says which access path it means to test
 * ({@code -Dlinemap.test.expectMode}); this checks that the engine really runs it, so a change of
 * flags cannot silently test one mode twice.
 */
class AccessModeTest {

    @Test
    void theEngineRunsTheAccessPathThisExecutionIsFor() {
        final String expected = System.getProperty("linemap.test.expectMode");
        assertNotNull(expected, "set -Dlinemap.test.expectMode=fast|checked in the surefire execution");
        assertEquals(expected, AccessMode.name(), "native access enabled for " + AccessMode.class.getModule()
                + ": " + AccessMode.class.getModule().isNativeAccessEnabled());
    }
}
